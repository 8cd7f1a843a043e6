"""R-UNSYNC: the ``Salesforce Unsync`` category takes an item out of Salesforce.

The event the item is linked to -- or, never stamped, the one R-DEDUP would
adopt for it -- is deleted when sync created it; an event made in Salesforce
is not sync's to delete, and the user is told so. A user who syncs to the
calendar only sends nothing up, deletions included (R-DIRECTION).
"""

from __future__ import annotations

from .. import _rules as R
from .._enums import IssueCode
from .._plan import DeleteEvent
from . import guard
from .builder import PlanBuilder
from .meetings import Copy
from .world import World


def one_way(w: World, out: PlanBuilder, c: Copy) -> None:
    out.note(c.item, "keep", R.DIRECTION, "this user syncs to the calendar only")


def unsync(w: World, out: PlanBuilder, c: Copy) -> None:
    item, event = c.item, c.event
    if event is None and not item.sf_event_id and not c.meeting.is_attendee_copy(item):
        # Never stamped, but the event R-DEDUP would adopt exists: that is the
        # item's event, and the user asked to take it out of Salesforce.
        found = w.now.events_of(item.ical_uid, c.meeting.owner_for(item, c.user))
        event = found[0] if found else None
    if event is None:
        out.note(item, "skip", R.UNSYNC, "'Salesforce Unsync' category: never saved")
    elif w.held(event.owner_id):
        guard.held_item(out, item, "its owner's side came back empty")
    elif not event.created_by_sync:
        message = "This event was not created by sync, so sync will not delete it."
        out.issue(R.UNSYNC, IssueCode.UNSYNC_NOT_ALLOWED, message, item=item, event_id=event.id)
        out.note(item, "keep", R.UNSYNC, f"event {event.id} was not created by sync")
        out.status.issue()
    else:
        out.act(DeleteEvent(event_id=event.id, rule=R.UNSYNC.id))
        out.status.unlink(R.UNSYNC)
        out.note(item, "delete", R.UNSYNC, f"unsynced: event {event.id} deleted")
        out.decide(event.id, "delete", R.UNSYNC, f"its item {item.id} was unsynced")
