"""R-CANCEL: only the organizer cancels a meeting; a cancelled copy cancels only its own.

The whole meeting is cancelled by the organizer's own copy, cancelled or gone
from a window that covers it: its events sync made are deleted. A cancelled
copy elsewhere -- an attendee removed from the meeting, an external
organizer's cancellation, one cancelled occurrence -- cancels only what
belongs to that copy: the attendee's own event (R-OWNER (b)), their place
among the organizer's invitees (R-OWNER (a)), or that one occurrence. The
organizer's cancelled occurrences of a linked series go in Salesforce too.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import _rules as R
from .._domain import SALESFORCE, organizer_of
from .._values import CalendarItem, SfEvent
from .builder import PlanBuilder
from .guard import delete_event
from .meetings import Copy, organizer_of_copies
from .routes import route_of
from .world import World


def gone_organizer_items(w: World) -> dict[str, CalendarItem]:
    """Organizers' own items that vanished from a window that covers them, by UID.

    Only an organizer's (or an appointment owner's) copy counts: an attendee
    removing their copy deletes nothing. A mailbox that emptied wholesale is a
    failed fetch (R-EMPTY-GUARD), not a string of cancellations.
    """
    prev, now = w.prev, w.now
    if prev is None:
        return {}
    gone: dict[str, CalendarItem] = {}
    # An item still there but invalid now is not gone: only absence counts.
    invalid = {(b.item.mailbox, b.item.id) for b in now.bad_items}
    for key in sorted(prev.items.keys() - now.items.keys() - invalid):
        item = prev.items[key]
        if item.mailbox in w.emptied.mailboxes:
            continue
        if item.mailbox not in w.org.users or organizer_of(item) != item.mailbox:
            continue
        if route_of(w, item) is not None:
            continue  # a copy of a public calendar's event: it organizes nothing
        if item.original_start is not None:
            # One modified occurrence gone is not the meeting gone: a cancelled
            # occurrence shows in its series' ``cancelled``.
            continue
        if any(
            copy.mailbox == item.mailbox and copy.original_start is None
            for copy in now.meetings.get(item.ical_uid, ())
        ):
            continue  # the organizer still has a copy of it (one made with Outlook's Copy)
        if w.in_window(item):
            gone.setdefault(item.ical_uid, item)
    return gone


def meeting_cancelled(w: World, uid: str, copies: Sequence[CalendarItem]) -> str | None:
    """Why the whole meeting is cancelled, or None: the organizer's own copy cancelled, or gone."""
    if copies:
        organizer = organizer_of_copies(copies)
        for copy in copies:
            if copy.is_cancelled and copy.mailbox == organizer and copy.original_start is None:
                return "the organizer cancelled this meeting"
    gone = w.gone.get(uid)
    if gone is not None:
        return f"the organizer's own item {gone.id} was deleted from {gone.mailbox}"
    return None


def cancel_meeting(w: World, out: PlanBuilder, uid: str, reason: str) -> None:
    for event in w.now.events_by_uid.get(uid, ()):
        delete_event(w, out, event, R.CANCEL, reason)


def copy_of_cancelled(w: World, out: PlanBuilder, c: Copy) -> None:
    """The ladder's step for every copy of a meeting its organizer cancelled."""
    assert c.cancelled is not None
    if SALESFORCE in c.item.categories:
        out.status.unlink(R.CANCEL)
    out.note(c.item, "cancel", R.CANCEL, c.cancelled)


def cancelled_copy(w: World, out: PlanBuilder, c: Copy) -> None:
    """One cancelled copy that does not cancel the whole meeting: it cancels its own."""
    item, meeting = c.item, c.meeting
    if SALESFORCE in item.categories:
        out.status.unlink(R.CANCEL)
    if item.original_start is not None:
        _cancelled_occurrence(w, out, c)
    elif meeting.is_attendee_copy(item):
        _uninvited(w, out, c)
    else:
        own = w.now.events_of(item.ical_uid, c.user.sf_user_id)
        for event in own:
            if c.up:
                delete_event(w, out, event, R.CANCEL, f"cancelled in {item.mailbox}")
        note = "cancelled in this mailbox: its own event goes" if own else "cancelled"
        out.note(item, "cancel", R.CANCEL, note)


def _cancelled_occurrence(w: World, out: PlanBuilder, c: Copy) -> None:
    item = c.item
    assert item.original_start is not None
    owner = c.meeting.owner_for(item, c.user)
    occurrence = w.now.occurrences.get((item.ical_uid, owner, item.original_start))
    if c.meeting.is_attendee_copy(item) or occurrence is None or not c.up:
        out.note(item, "cancel", R.CANCEL, "a cancelled occurrence: nothing to delete")
    else:
        delete_event(w, out, occurrence, R.CANCEL, f"occurrence cancelled by {item.mailbox}")
        out.note(item, "cancel", R.CANCEL, f"cancelled occurrence {occurrence.id}")


def _uninvited(w: World, out: PlanBuilder, c: Copy) -> None:
    """An attendee removed from a meeting an internal user organizes: no longer invited."""
    item, user, host = c.item, c.user, c.meeting.host
    assert host is not None
    kept = [
        e
        for e in w.now.events_of(item.ical_uid, host.sf_user_id)
        if e.id not in out.deleting  # the organizer unsynced or cancelled it just now
    ]
    for event in kept[:1]:
        if c.up and not w.held(event.owner_id):
            out.invitee_changes[event.id].remove.append(user.sf_user_id)
    ref = None if kept else out.creating.get((item.ical_uid, host.sf_user_id))
    if ref is not None and c.up:
        # The organizer's event is made in this very plan: made without them.
        invited = out.created(ref).invitee_ids
        if user.sf_user_id in invited:
            out.invite_to_created(ref, tuple(i for i in invited if i != user.sf_user_id))
    note = "cancelled in this mailbox (the attendee was removed): no longer invited"
    out.note(item, "cancel", R.CANCEL, note)


def cancel_occurrences(w: World, out: PlanBuilder, item: CalendarItem, event: SfEvent) -> None:
    """Occurrences the organizer cancelled in a linked series go in Salesforce too."""
    if item.recurrence is None or w.held(event.owner_id):
        return
    for start in sorted(item.recurrence.cancelled):
        occurrence = w.now.occurrences.get((item.ical_uid, event.owner_id, start))
        if occurrence is not None and occurrence.created_by_sync:
            note = f"occurrence of {start:%Y-%m-%d %H:%M} cancelled in the calendar"
            delete_event(w, out, occurrence, R.CANCEL, note)
