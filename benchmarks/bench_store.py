"""Time the SQLite state store against writing the whole snapshot with ``dumps``.

Run it from the repository root::

    PYTHONPATH=src python benchmarks/bench_store.py            # 10k items
    PYTHONPATH=src python benchmarks/bench_store.py 10000 100000

Per size, on the synthetic organisation of ``_synthetic.py`` in its steady
state: ``SyncState.of``, a first save (every row), an incremental save after
the 1% of changes ``_synthetic.changed`` makes (planned and advanced as a
session would), a ``load``, and for comparison ``dumps`` and ``loads`` of the
whole snapshot -- what a store without increments would write and read each
time. One measurement each (best of ``REPEAT`` for the quick ones); the store
lives in a temporary directory. It prints a table and writes nothing else.
Numbers inform; they never gate CI.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _synthetic as syn

import calsync_core as cs
from calsync_core.store import SqliteStateStore

T = TypeVar("T")
REPEAT = 3


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Best wall time of ``repeat`` calls, and the last result."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(size: int, folder: Path) -> dict[str, float]:
    org = syn.organisation(size)
    before, _plan = syn.synced(org)
    out: dict[str, float] = {"items": len(before.items)}
    out["of"], state = timed(lambda: cs.SyncState.of(before))
    # A first run from the kept snapshot learns the settings: from then on
    # each advance records what it touched, and a save can build on it.
    rested = cs.Changes(as_of=before.as_of)
    state = state.advance(rested, cs.reconcile_changes(state, rested, org.settings))
    path = folder / f"state-{size}.db"
    links = {user.email: f"delta-{n}" for n, user in enumerate(org.settings.users)}
    with SqliteStateStore(path) as store:
        out["save_full"], _ = timed(lambda: store.save(state, links))
        out["rows_full"] = store.written
        change = syn.changed(before)
        changes = cs.Changes.between(before, change.after)
        plan = cs.reconcile_changes(state, changes, org.settings)
        later = state.advance(changes, plan)
        out["changed"] = change.items_changed + change.events_changed
        out["save_1pct"], _ = timed(lambda: store.save(later, links))
        out["rows_1pct"] = store.written
        out["load"], _ = timed(store.load)
    out["db_mb"] = os.path.getsize(path) / 1e6
    snapshot = later.snapshot()
    out["dumps"], text = timed(lambda: cs.dumps(snapshot), REPEAT)
    out["loads"], _ = timed(lambda: cs.loads(text, cs.Snapshot), REPEAT)
    out["json_mb"] = len(text.encode()) / 1e6
    return out


COLUMNS = (
    ("items", "{:>8.0f}"),
    ("of", "{:>7.2f}s"),
    ("save_full", "{:>7.2f}s"),
    ("rows_full", "{:>8.0f}"),
    ("changed", "{:>7.0f}"),
    ("save_1pct", "{:>7.3f}s"),
    ("rows_1pct", "{:>7.0f}"),
    ("load", "{:>7.2f}s"),
    ("dumps", "{:>7.2f}s"),
    ("loads", "{:>7.2f}s"),
    ("db_mb", "{:>6.1f}"),
    ("json_mb", "{:>6.1f}"),
)


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10_000]
    print(" | ".join(f"{name:>8}" for name, _ in COLUMNS))
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            row = measure(size, Path(folder))
            print(" | ".join(fmt.format(row[name]).rjust(8) for name, fmt in COLUMNS), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
