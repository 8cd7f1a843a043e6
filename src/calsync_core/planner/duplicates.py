"""R-DEDUP: one event per (meeting, owner), and a stamp counts only when it is its own.

Two sources of duplicates. In Salesforce, several events of one (UID, owner)
-- an earlier run's and another tool's: the oldest is kept, the rest are
reported and, when sync made them, deleted. In a mailbox, several items that
carry one stamp -- Outlook's Copy keeps it, as do exceptions of a series: the
one ``before`` saw stamped holds the event, and the others' stamps are
cleared once, so later runs cannot flip; while the holder and its event are
out of view, the others still link nothing (and make no second event). A
stamp also counts only when the event carries the item's UID and belongs to
the item's mailbox owner; anything else is STAMP_MISMATCH on the item, and
the event is left alone.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from .. import _rules as R
from .._domain import downsync_uid
from .._enums import IssueCode
from .._plan import FieldChange, UpdateItem
from .._values import CalendarItem, SfEvent, UserSettings
from .builder import PlanBuilder
from .guard import delete_event
from .meetings import NO_STAMP, Copy, Meeting, Stamp
from .world import World

_ITEM_ID: Callable[[CalendarItem], str] = operator.attrgetter("id")


def duplicate_events(w: World, out: PlanBuilder) -> None:
    """Of several events with one (UID, owner), keep the oldest; report and clear the rest."""
    for (uid, owner), events in sorted(w.now.duplicate_events.items()):
        out.scope = (3, uid)
        kept = events[0].id
        for extra in events[1:]:
            out.issue(
                R.DEDUP,
                IssueCode.DUPLICATE_EVENT,
                f"Duplicate of event {kept} (same meeting {uid}, same owner).",
                mailbox=w.mailbox_of(owner),
                event_id=extra.id,
            )
            delete_event(w, out, extra, R.DEDUP, f"duplicate of {kept}")


def read_stamp(w: World, item: CalendarItem, user: UserSettings, meeting: Meeting) -> Stamp:
    """What ``item``'s stamp links it to, or why it links it to nothing (no writes)."""
    stamp = _own_stamp(w, item, user, meeting)
    if stamp is NO_STAMP and not item.sf_event_id:
        twin = _twin(w, item, user, meeting)
        if twin is not None:
            # A copy of a linked item that lost (or never had) the stamp: the
            # meeting's event is its twin's, whatever this copy asks for.
            why = f"item {twin.id} in this mailbox is already linked to it"
            return Stamp(foreign=why, event_id=twin.sf_event_id or "")
    return stamp


def _own_stamp(w: World, item: CalendarItem, user: UserSettings, meeting: Meeting) -> Stamp:
    event_id = item.sf_event_id
    if not event_id:
        return NO_STAMP
    event = w.now.events.get(event_id)
    seen = event if event is not None else w.prior_event(event_id)
    if seen is None:
        return NO_STAMP  # never seen: nothing to check it against (out of view)
    if item.original_start is not None and seen.original_start is None:
        # Exchange gives a modified occurrence the series' properties, the
        # series' stamp among them: it is linked to its own occurrence instead.
        return NO_STAMP
    why = _foreign(
        item, user, seen, made_for_it=event is not None and item.ical_uid == downsync_uid(event)
    )
    if why is not None:
        return Stamp(foreign=why, event_id=event_id)
    if event is None:
        return NO_STAMP
    # Twins matter only while the event is there: once it is gone, each copy
    # keeps the deleted event's id as R-DOWN-DELETE's mark.
    holder = _holder(w, item, meeting, event_id)
    if holder is not item:
        why = f"item {holder.id} in this mailbox is already linked to event {event_id}"
        # Its stamp is cleared: from the next run on, which copy holds the event
        # is no longer a question.
        return Stamp(foreign=why, event_id=event_id, clear=True)
    return Stamp(event=event, event_id=event_id)


def _foreign(
    item: CalendarItem, user: UserSettings, seen: SfEvent, *, made_for_it: bool
) -> str | None:
    """Why the event ``item`` is stamped with is not its own, or None.

    ``made_for_it``: an event made in Salesforce whose UID stamp has not landed
    yet counts as carrying the UID sync gave its item (that stamp is planned
    with the event).
    """
    if seen.owner_id != user.sf_user_id:
        # Also an event given to a colleague in Salesforce: it is theirs now, and
        # only a stamp that is plainly its own links an item (stable, run after run).
        return f"event {seen.id} belongs to another owner ({seen.owner_id})"
    if seen.ical_uid is None and not made_for_it:
        return f"event {seen.id} carries no meeting UID"
    if seen.ical_uid is not None and seen.ical_uid != item.ical_uid:
        return f"event {seen.id} belongs to another meeting ({seen.ical_uid})"
    return None


def _twin(
    w: World, item: CalendarItem, user: UserSettings, meeting: Meeting
) -> CalendarItem | None:
    """Another copy in ``item``'s mailbox that holds this meeting's event, if any."""
    for copy in meeting.copies:
        if (
            copy is not item
            and copy.sf_event_id
            and copy.mailbox == item.mailbox
            and copy.original_start == item.original_start
        ):
            event = w.now.events.get(copy.sf_event_id)
            if (
                event is not None
                and event.ical_uid == item.ical_uid
                and event.owner_id == user.sf_user_id
                and _holder(w, copy, meeting, event.id) is copy
            ):
                return copy
    return _twin_out_of_view(w, item, user)


def _twin_out_of_view(w: World, item: CalendarItem, user: UserSettings) -> CalendarItem | None:
    """A copy in ``item``'s mailbox that holds this meeting's event, both out of view.

    ``before`` last saw the copy ahead of the window, stamped with the event of
    (UID, owner) that is out of view too (R-WINDOW): the event still exists, and
    making another beside it would be the duplicate R-DEDUP forbids.
    """
    far = w.out_of_view_event(item.ical_uid, user.sf_user_id)
    if far is None or w.prev is None:
        return None
    for prior in w.prev.items_by_event.get((item.mailbox, far.id), ()):
        if (
            prior.id != item.id
            and prior.ical_uid == item.ical_uid
            and prior.original_start == item.original_start
            and (prior.mailbox, prior.id) not in w.now.items
            and w.ahead(prior)
        ):
            return prior
    return None


def _holder(w: World, item: CalendarItem, meeting: Meeting, event_id: str) -> CalendarItem:
    """The copy in ``item``'s mailbox that holds ``event_id``: ``item`` unless a twin does.

    Twins are copies of one meeting (one occurrence of it) in one mailbox that
    carry the same stamp. The one ``before`` saw stamped holds it; failing that
    (or if several were), the smallest id.
    """
    rivals = [
        c
        for c in meeting.copies
        if c.mailbox == item.mailbox
        and c.original_start == item.original_start
        and (c.sf_event_id == event_id or c is item)
    ]
    if len(rivals) < 2:
        return rivals[0] if rivals and rivals[0].sf_event_id == event_id else item

    def held_before(copy: CalendarItem) -> bool:
        prior = w.prior_item(copy)
        return prior is not None and prior.sf_event_id == event_id

    stamped = [c for c in rivals if c.sf_event_id == event_id]
    holders = [c for c in stamped if held_before(c)]
    return min(holders if len(holders) == 1 else stamped, key=_ITEM_ID)


def foreign_stamp(w: World, out: PlanBuilder, c: Copy) -> None:
    """The ladder's R-DEDUP step: a stamp that is not the item's own links nothing."""
    item, stamp = c.item, c.stamp
    assert stamp.foreign is not None
    if stamp.clear:
        clear = FieldChange(field="sf_event_id", old=stamp.event_id, new=None)
        out.act(
            UpdateItem(mailbox=item.mailbox, item_id=item.id, changes=(clear,), rule=R.DEDUP.id)
        )
    if c.unsync:
        # An item the user is unsyncing asks for nothing to be linked: no issue.
        note = "'Salesforce Unsync' category: its stamp is not its own, nothing to delete"
        out.note(item, "skip", R.UNSYNC, note)
        return
    message = (
        f"This item is not linked to Salesforce event {stamp.event_id} ({stamp.foreign}); it is "
        "probably a copy of a synced item. Sync leaves that event alone."
    )
    out.issue(R.DEDUP, IssueCode.STAMP_MISMATCH, message, item=item, event_id=stamp.event_id)
    out.status.issue()
    out.note(item, "skip", R.DEDUP, f"not linked: {stamp.foreign}")
