"""R-WAIT-ORGANIZER: an attendee's copy of a meeting an internal user organizes.

Such a copy has no event of its own (R-OWNER (a)): its user is an invitee of
the organizer's event, once the organizer has saved it. Until then it waits,
with an issue; while the organizer's event is only out of view, or the
organizer's side came back empty, it keeps what it has. Users who join a
meeting (a forwarded invite) or leave it (R-CANCEL) change the event's
invitees once per meeting, from the invitees as the plan leaves them.
"""

from __future__ import annotations

from .. import _rules as R
from .._domain import SALESFORCE, SYNC_ERROR, UNSYNC
from .._enums import IssueCode
from .._plan import FieldChange, UpdateEvent
from .._values import SfEvent, UserSettings
from . import guard
from .builder import PlanBuilder
from .meetings import Copy
from .world import World

WAITING_TEXT = "Waiting for the organizer to synchronize the event."


def attendee(w: World, out: PlanBuilder, c: Copy) -> None:
    """An attendee's copy that would be saved: an invitee of the organizer's event, or waiting."""
    item, host_user = c.item, c.meeting.host
    assert host_user is not None
    host = host_user.sf_user_id
    found = [
        e
        for e in w.now.events_of(item.ical_uid, host)
        if e.id not in out.deleting  # the organizer unsynced or cancelled it just now
    ]
    target = found[0].id if found else out.creating.get((item.ical_uid, host))
    far = None if target is not None else _out_of_view(w, c, host_user)
    if far is not None:
        # The organizer's event moved out of the window: still invited to it.
        out.status.saved()
        out.note(item, "keep", R.WINDOW, f"invitee of the organizer's event {far}, out of view")
    elif target is None and not w.in_window(item):
        # Outside the window the organizer's event is out of view whether or not it
        # exists: nothing to wait for that a read could show (R-WINDOW).
        out.status.hold()
        note = "outside the window, like any event of its organizer's: left as it is"
        out.note(item, "keep", R.WINDOW, note)
    elif target is None and w.held(host):
        # R-EMPTY-GUARD: the organizer's side came back empty; it did not unsave.
        out.status.hold()
        guard.held_item(out, item, "its organizer's side came back empty")
    elif target is None:
        out.issue(R.WAIT_ORGANIZER, IssueCode.WAITING_FOR_ORGANIZER, WAITING_TEXT, item=item)
        out.status.issue()
        note = f"waiting for the organizer {c.meeting.organizer} to synchronize the event"
        out.note(item, "wait", R.WAIT_ORGANIZER, note)
    else:
        out.status.saved()
        note = f"invitee of the organizer's event {target}; no event of its own"
        out.note(item, "invitee", R.WAIT_ORGANIZER, note)
        _join(out, c, target, existing=bool(found))


def _out_of_view(w: World, c: Copy, host: UserSettings) -> str | None:
    """The id of the organizer's event if it exists but is out of view (R-WINDOW), else None.

    Known from ``before`` (last seen ahead of the window), or from the stamp on
    the organizer's own copy: an event that copy is linked to (it carries
    ``Salesforce``, and neither ``Sync Error`` nor ``Salesforce Unsync``),
    absent from ``after`` and not last seen inside the window, was not deleted
    -- the organizer has synchronized, and their event is only out of view.
    """
    far = w.out_of_view_event(c.item.ical_uid, host.sf_user_id)
    if far is not None:
        return far.id
    for copy in c.meeting.copies:
        event_id = copy.sf_event_id
        if copy.mailbox != host.email or copy.original_start is not None or not event_id:
            continue
        if SALESFORCE not in copy.categories:
            continue  # the mark of an event deleted on an earlier run (R-DOWN-DELETE)
        if SYNC_ERROR in copy.categories or UNSYNC in copy.categories:
            # The stamp was refused (another owner's event, a duplicate sync
            # deleted), or the organizer is taking the item out of Salesforce:
            # it says nothing about an event of the organizer's that still exists.
            continue
        prior = w.prior_event(event_id)
        seen_inside = prior is not None and w.in_window(prior)
        if event_id not in w.now.events and event_id not in w.now.bad_event_ids and not seen_inside:
            return event_id
    return None


def _join(out: PlanBuilder, c: Copy, target: str, *, existing: bool) -> None:
    # Invited by a forwarded invite, the attendee may be missing from the
    # organizer's own list: join whatever the organizer's copy computed.
    me = c.user.sf_user_id
    if existing:
        out.invitee_changes[target].add.append(me)
        return
    created = out.created(target)
    if not created.is_private and me not in created.invitee_ids:
        out.invite_to_created(target, (*created.invitee_ids, me))


def flush(w: World, out: PlanBuilder) -> None:
    """One update per event for the attendees who joined or left it this meeting.

    Joining: R-WAIT-ORGANIZER (a forwarded invite included); leaving: an
    attendee's cancelled copy (R-CANCEL). Computed from the invitees as this
    plan leaves them, and never on an event the plan makes private (R-PRIVATE).
    """
    for event_id, change in sorted(out.invitee_changes.items()):
        if event_id not in out.deleting:
            _update(out, w.now.events[event_id], set(change.remove), change.add)
    out.invitee_changes.clear()


def _update(out: PlanBuilder, event: SfEvent, gone: set[str], add: list[str]) -> None:
    planned = out.planned(event)
    current = planned.invitee_ids
    kept = [i for i in current if i not in gone]
    joining = [] if planned.is_private else [i for i in add if i not in kept]
    new = (*kept, *dict.fromkeys(joining))
    if new == current:
        return
    rule = R.WAIT_ORGANIZER if joining else R.CANCEL
    change = FieldChange(field="invitee_ids", old=current, new=new)
    out.act(UpdateEvent(event_id=event.id, changes=(change,), rule=rule.id))
    if joining:
        note = f"invitees added: {', '.join(dict.fromkeys(joining))}"
        out.decide(event.id, "update", R.WAIT_ORGANIZER, note)
    left = [i for i in current if i in gone]
    if left:
        out.decide(event.id, "update", R.CANCEL, f"invitees removed: {', '.join(left)}")
