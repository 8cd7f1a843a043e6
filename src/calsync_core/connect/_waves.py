"""A plan's actions in dependency waves: what can go out together, and what must wait.

The session driver carries actions out one by one, in the plan's order. To
batch them, the connector sends every action whose predecessors are done in
one wave: an action waits for the earlier ones that create a ref it names,
and for the earlier ones that change the same item or event (they must not
race, and the later one is written on the earlier one's result). An action
whose predecessor failed, or was held back, is held back in turn and never
sent, as the driver would skip it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import (
    Action,
    CreateEvent,
    CreateItem,
    CreateRecord,
    DeleteEvent,
    DeleteItem,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)


def _names(action: Action) -> set[str]:
    """The refs an action names: what must be created before it is sent."""
    found: set[str] = set()
    match action:
        case CreateEvent():
            found.update(action.who_ids, action.what_ids)
        case UpdateItem() | UpdateEvent():
            for change in action.changes:
                values = change.new if isinstance(change.new, tuple) else (change.new,)
                found.update(v for v in values if isinstance(v, str))
        case SaveAttachment():
            found.add(action.event_id)
        case _:
            pass
    return found


def _changes(action: Action) -> set[tuple[str, ...]]:
    """What an action creates or changes: a ref, an item, an event."""
    match action:
        case CreateEvent() | CreateRecord():
            return {("ref", action.ref)}
        case CreateItem():
            made = {("ref", action.ref), ("item", action.mailbox, action.ref)}
            if action.sf_event_id is not None:
                made.add(("event", action.sf_event_id))  # its stamp is written next
            return made
        case UpdateEvent() | DeleteEvent() | SaveAttachment():
            return {("event", action.event_id)}
        case UpdateItem() | DeleteItem() | SetCategories():
            return {("item", action.mailbox, action.item_id)}


def predecessors(actions: Sequence[Action]) -> list[set[int]]:
    """For each action, the earlier actions it must wait for."""
    refs: dict[str, int] = {}
    last: dict[tuple[str, ...], int] = {}
    out: list[set[int]] = []
    for n, action in enumerate(actions):
        before = {refs[name] for name in _names(action) if name in refs}
        changed = _changes(action)
        before.update(last[key] for key in changed if key in last)
        for key in changed:
            last[key] = n
            if key[0] == "ref":
                refs[key[1]] = n
        out.append(before)
    return out


def waves(actions: Sequence[Action]) -> list[list[int]]:
    """The actions' indexes by wave: each wave after every one its actions wait for."""
    before = predecessors(actions)
    level: list[int] = []
    for waits in before:
        level.append(1 + max((level[n] for n in waits), default=-1))
    out: list[list[int]] = [[] for _ in range(max(level, default=-1) + 1)]
    for n, at in enumerate(level):
        out[at].append(n)
    return out
