"""What a session hands on as the next ``before``: what was done, and what must be seen again.

The next session compares its read with this snapshot, so whatever is in it
decides what that session plans. Two things make it differ from a plain
"observed, with the done actions applied":

- Everything a failed or skipped action touched, and every mailbox the empty
  guard (R-EMPTY-GUARD) held back, keeps its *previous* state, so the next
  session sees the same difference and plans the same work again: never lost.
- What ``before`` held out of view ahead of the window stays as it was last
  seen, the base of the three-way comparison for the day it comes back
  (R-CONFLICT, R-CANCEL). What lies behind the window is let go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ._domain import AHEAD, overlaps, window
from ._session_read import scope

if TYPE_CHECKING:
    from ._refs import Target
    from ._values import CalendarItem, OrgSettings, SfEvent, Snapshot


def keep_previous(after: Snapshot, before: Snapshot | None, keep: set[Target]) -> Snapshot:
    """``after``, with the previous state of everything in ``keep`` put back."""
    if not keep:
        return after
    mailboxes = {t[1] for t in keep if t[0] == "mailbox"}
    item_keys = {(t[1], t[2]) for t in keep if t[0] == "item"}
    event_ids = {t[1] for t in keep if t[0] == "event"}
    owners = {t[1] for t in keep if t[0] == "owner"}
    # An item kept keeps its event, so the pair's difference is seen again.
    for snapshot in (after, before):
        for item in () if snapshot is None else snapshot.items:
            if item.sf_event_id and (item.mailbox, item.id) in item_keys:
                event_ids.add(item.sf_event_id)

    def kept_item(item: CalendarItem) -> bool:
        return item.mailbox in mailboxes or (item.mailbox, item.id) in item_keys

    def kept_event(event: SfEvent) -> bool:
        return event.id in event_ids or event.owner_id in owners

    previous_items = () if before is None else tuple(i for i in before.items if kept_item(i))
    previous_events = () if before is None else tuple(e for e in before.events if kept_event(e))
    return attrs.evolve(
        after,
        items=(*(i for i in after.items if not kept_item(i)), *previous_items),
        events=(*(e for e in after.events if not kept_event(e)), *previous_events),
    )


def ahead_of_view(
    after: Snapshot, before: Snapshot | None, observed: Snapshot, settings: OrgSettings
) -> Snapshot:
    """``after`` plus what ``before`` held that is out of view ahead of the window.

    The snapshot read now holds the window and what was looked up; an item or
    event ``before`` last saw past the window's end is neither, yet it still
    exists as far as anyone knows. Keeping it as it was last seen keeps the base
    of the three-way comparison for the day it comes back into view. What lies
    behind the window is let go: time only takes it further away.
    """
    if before is None:
        return after
    start, end = window(settings, observed.as_of)
    mailboxes, owners = scope(settings)
    item_keys = {(i.mailbox, i.id) for i in observed.items}
    item_keys.update((i.mailbox, i.id) for i in after.items)
    event_ids = {e.id for e in observed.events} | {e.id for e in after.events}

    def ahead(thing: CalendarItem | SfEvent) -> bool:
        return not overlaps(thing, start, end) and overlaps(thing, end, end + AHEAD)

    items = [
        i
        for i in before.items
        if i.mailbox in mailboxes and (i.mailbox, i.id) not in item_keys and ahead(i)
    ]
    events = [
        e for e in before.events if e.owner_id in owners and e.id not in event_ids and ahead(e)
    ]
    if not items and not events:
        return after
    return attrs.evolve(after, items=(*after.items, *items), events=(*after.events, *events))
