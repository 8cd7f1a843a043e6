"""What a state store keeps besides the snapshot: the last run's facts, as JSON.

A store saves a state's items, events and records (each a value ``dumps``
writes) and this text; :meth:`SyncState.restore` reads both back into a state
that plans its next run incrementally, as the saved one would have.
"""

from __future__ import annotations

import json
from typing import Any

import cattrs
from immutables import Map

from .._changes import ItemKey
from .._errors import LoadError
from .._plan import Issue
from .._serde_convert import converter
from .._values import OrgSettings
from ..planner.builder import Scope
from ..planner.world import Emptied
from ._dirty import Reach
from ._tables import Thing
from ._window import Quiet

#: The version of the layout below; a store refuses text of another.
FORMAT = 1


def _thing(thing: Thing) -> list[str]:
    return ["e", thing] if isinstance(thing, str) else ["i", thing.mailbox, thing.id]


def _thing_back(value: list[str]) -> Thing:
    if value[0] == "e" and len(value) == 2:
        return value[1]
    if value[0] == "i" and len(value) == 3:
        return ItemKey(value[1], value[2])
    raise ValueError(f"not an item key or event id: {value!r}")


def to_json(run: Any) -> str:
    """``run`` (a ``_state.Run``) as canonical JSON text."""
    data = {
        "format": FORMAT,
        "settings": converter.unstructure(run.settings),
        "emptied": {
            "mailboxes": sorted(run.emptied.mailboxes),
            "owners": sorted(run.emptied.owners),
        },
        "quiet": sorted([_thing(thing), hour] for thing, hour in run.quiet.at.items()),
        "issues": [
            [list(scope), [converter.unstructure(i) for i in run.issues[scope]]]
            for scope in sorted(run.issues)
        ],
        "again": {"uids": sorted(run.again.uids), "events": sorted(run.again.events)},
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_json(text: str) -> dict[str, Any]:
    """The parts of a ``Run`` from ``to_json``'s text; LoadError naming what is wrong."""
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        quiet: dict[Thing, int | None] = {_thing_back(t): int(h) for t, h in data["quiet"]}
        issues: dict[Scope, tuple[Issue, ...]] = {
            tuple(scope): tuple(converter.structure(i, Issue) for i in found)
            for scope, found in data["issues"]
        }
        return {
            "settings": converter.structure(data["settings"], OrgSettings),
            "emptied": Emptied(
                mailboxes=frozenset(data["emptied"]["mailboxes"]),
                owners=frozenset(data["emptied"]["owners"]),
            ),
            "quiet": Quiet().update(quiet),
            "issues": Map(issues),
            "again": Reach(
                uids=frozenset(data["again"]["uids"]), events=frozenset(data["again"]["events"])
            ),
        }
    except (ValueError, KeyError, TypeError, IndexError, cattrs.BaseValidationError) as exc:
        raise LoadError([f"run: {type(exc).__name__}: {exc}"]) from exc
