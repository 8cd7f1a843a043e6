"""What a plan's actions name and change: refs resolved, and the order they must keep.

A plan names what it creates by ``ref`` placeholders until the systems give real
ids: a CreateRecord's ref in a later CreateEvent's Who, or in an UpdateEvent's
new ``who_ids``; a CreateEvent's ref in the UpdateItem that stamps it. One
definition serves the session driver (one action at a time, skipping what
depends on a failure) and a connector that batches (``waves``): both must agree
on what waits for what, and on every place a ref can stand -- a tuple of ids
included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from ._plan import (
    Action,
    CreateEvent,
    CreateItem,
    CreateRecord,
    DeleteEvent,
    DeleteItem,
    FieldChange,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)

#: What an action needs or changes: ("item", mailbox, id) | ("event", id) | ("ref", ref);
#: and, for what keeps its previous state, ("mailbox", address) | ("owner", sf_user_id).
Target = tuple[str, ...]


def _id_values(change: FieldChange) -> tuple[str, ...]:
    """The ids a change writes: a ``…_id`` field's string, a ``…_ids`` field's tuple."""
    if change.field.endswith("_id") and isinstance(change.new, str):
        return (change.new,)
    if change.field.endswith("_ids") and isinstance(change.new, tuple):
        return tuple(change.new)
    return ()


def names(action: Action) -> tuple[str, ...]:
    """Every id an action names that may be a ref of something created before it."""
    match action:
        case CreateEvent():
            return (*action.who_ids, *action.what_ids)
        case UpdateItem():
            return (action.item_id, *(v for c in action.changes for v in _id_values(c)))
        case UpdateEvent():
            return (action.event_id, *(v for c in action.changes for v in _id_values(c)))
        case DeleteItem() | SetCategories():
            return (action.item_id,)
        case DeleteEvent() | SaveAttachment():
            return (action.event_id,)
        case _:
            return ()


def changes(action: Action) -> tuple[Target, ...]:
    """What an action creates or changes; a later action on the same thing waits for it."""
    match action:
        case CreateEvent() | CreateRecord():
            return (("ref", action.ref),)
        case CreateItem():
            made: tuple[Target, ...] = (("ref", action.ref), ("item", action.mailbox, action.ref))
            if action.sf_event_id is not None:
                made += (("event", action.sf_event_id),)  # its UID stamp comes next
            return made
        case UpdateEvent() | DeleteEvent() | SaveAttachment():
            return (("event", action.event_id),)
        case UpdateItem() | DeleteItem() | SetCategories():
            return (("item", action.mailbox, action.item_id),)


def resolved(change: FieldChange, real: Callable[[str], str]) -> Any:
    """The change's new value with each ref ``real`` knows replaced: only an id field
    (``…_id``, or each of ``…_ids``) can point at something the plan created."""
    new = change.new
    if change.field.endswith("_id") and isinstance(new, str):
        return real(new)
    if change.field.endswith("_ids") and isinstance(new, tuple):
        return tuple(map(real, new))
    return new


def with_ids(action: Action, ids: Mapping[str, str]) -> Action:
    """``action`` with every ref it names replaced by the real id its create returned.

    ``ids`` maps each ref of a create already carried out to the id the system
    gave it; a ref not in it is left as it is. What ``run_session`` hands the
    writers, and what a connector that batches sends.

    .. versionadded:: 0.2.0
    """

    def real(value: str) -> str:
        return ids.get(value, value)

    def real_change(change: FieldChange) -> FieldChange:
        new = resolved(change, real)
        return change if new is change.new else attrs.evolve(change, new=new)

    match action:
        case CreateEvent():
            return attrs.evolve(
                action,
                who_ids=tuple(map(real, action.who_ids)),
                what_ids=tuple(map(real, action.what_ids)),
            )
        case UpdateItem():
            changed = tuple(map(real_change, action.changes))
            return attrs.evolve(action, item_id=real(action.item_id), changes=changed)
        case UpdateEvent():
            changed = tuple(map(real_change, action.changes))
            return attrs.evolve(action, event_id=real(action.event_id), changes=changed)
        case DeleteItem() | SetCategories():
            return attrs.evolve(action, item_id=real(action.item_id))
        case DeleteEvent() | SaveAttachment():
            return attrs.evolve(action, event_id=real(action.event_id))
        case _:
            return action


def predecessors(actions: Sequence[Action]) -> list[set[int]]:
    """For each action, the indexes of the earlier actions it must wait for.

    It waits for the create of every ref it names, and for the last earlier
    action that changed what it changes (they must not race, and it is written
    on that one's result). An action whose predecessor failed must not be sent:
    ``run_session`` skips it.

    .. versionadded:: 0.2.0
    """
    refs: dict[str, int] = {}
    last: dict[Target, int] = {}
    out: list[set[int]] = []
    for n, action in enumerate(actions):
        before = {refs[name] for name in names(action) if name in refs}
        changed = changes(action)
        before.update(last[key] for key in changed if key in last)
        for key in changed:
            last[key] = n
            if key[0] == "ref":
                refs[key[1]] = n
        out.append(before)
    return out


def waves(actions: Sequence[Action]) -> list[list[int]]:
    """The actions' indexes by wave: each wave comes after every one its actions wait for.

    A connector that batches sends one wave at a time (see :func:`predecessors`).

    .. versionadded:: 0.2.0
    """
    level: list[int] = []
    for waits in predecessors(actions):
        level.append(1 + max((level[n] for n in waits), default=-1))
    out: list[list[int]] = [[] for _ in range(max(level, default=-1) + 1)]
    for n, at in enumerate(level):
        out[at].append(n)
    return out
