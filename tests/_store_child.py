"""A process that saves a state again and again until it is killed (tests/test_store.py).

It loads what the store holds (or saves a fresh state of ``N`` meetings),
then advances: each round edits a few items, and every third round starts
again from ``SyncState.of`` so that the save rewrites every row, the longest
transaction there is. After each save returns it prints the state's
fingerprint and flushes, and it prints the same before each save begins:
after the kill the store must hold the last state saved, or the one whose
save was under way (the kill may come after its commit, before the print).

Usage: ``python _store_child.py DB N SEED``.
"""

from __future__ import annotations

import hashlib
import random
import sys

import attrs

import calsync_core as cs
from calsync_core.store import SqliteStateStore
from helpers import at, meeting, org, snap


def fingerprint(state: cs.SyncState) -> str:
    """The state's token, time and content (``dumps`` is canonical), in one line."""
    digest = hashlib.sha256(cs.dumps(state.snapshot()).encode()).hexdigest()
    return f"{state.token} {state.as_of.isoformat()} {digest}"


def main(path: str, size: int, seed: int) -> None:
    rng = random.Random(seed)
    settings = org()
    with SqliteStateStore(path) as store:
        found = store.load()
        if found is None:
            state = cs.SyncState.of(snap(*(meeting(f"m{n}") for n in range(size))))
            print("saving", fingerprint(state), flush=True)
            store.save(state, {"alice@acme.example": "link-0"})
        else:
            state = found[0]
        print("saved", fingerprint(state), flush=True)
        for n in range(1, 10_000):
            if n % 3 == 0:
                state = cs.SyncState.of(state.snapshot())  # no history: written whole
            items = state.snapshot().items
            edited = [
                attrs.evolve(i, subject=f"edit {seed}.{n}", version=f"v{seed}.{n}")
                for i in rng.sample(items, min(len(items), rng.randint(1, 40)))
            ]
            changes = cs.Changes(as_of=at(hours=seed * 10_000 + n), items=edited)
            state = state.advance(changes, cs.reconcile_changes(state, changes, settings))
            printed = fingerprint(state)
            print("saving", printed, flush=True)
            store.save(state, {"alice@acme.example": f"link-{seed}.{n}"})
            print("saved", printed, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
