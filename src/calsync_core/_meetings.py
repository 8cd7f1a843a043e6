"""One meeting across mailboxes: who organizes it, who owns its event, who is invited.

Owns R-OWNER. A meeting is every copy of one iCalendar UID in the org's
mailboxes. When its organizer is an internal user (case a) the organizer owns
the meeting's single event and the internal attendees are invitees of it;
otherwise (case b) each internal attendee whose copy is saved owns an event
of their own; an appointment (case c) belongs to its mailbox owner.
"""

from __future__ import annotations

import attrs

from ._context import Org
from ._eligibility import is_meeting, is_private, organizer_of
from ._values import CalendarItem, UserSettings


@attrs.frozen(kw_only=True)
class Meeting:
    """The copies of one UID, organizer's own copy first, and its internal organizer if any."""

    uid: str
    copies: tuple[CalendarItem, ...]
    organizer: str
    host: UserSettings | None  # the organizer, when an internal user: R-OWNER (a)

    def owner_for(self, item: CalendarItem, user: UserSettings) -> str:
        """The Salesforce user who owns the event ``item`` is saved as."""
        if self.host is not None and is_meeting(item):
            return self.host.sf_user_id
        return user.sf_user_id

    def is_attendee_copy(self, item: CalendarItem) -> bool:
        """An attendee's copy of a meeting an internal user organizes (R-WAIT-ORGANIZER)."""
        return self.host is not None and item.mailbox != self.host.email and is_meeting(item)


def meeting_of(uid: str, copies: tuple[CalendarItem, ...], org: Org) -> Meeting:
    """Group the copies (already sorted by mailbox and id) into a ``Meeting``."""
    own = [c for c in copies if organizer_of(c) == c.mailbox]
    # Copies normally agree on the organizer; when they do not, the organizer's
    # own copy is the authority, and failing that the smallest address decides.
    organizer = organizer_of(own[0]) if own else min(organizer_of(c) for c in copies)
    host = org.users.get(organizer)
    first = [c for c in copies if c.mailbox == organizer]
    rest = [c for c in copies if c.mailbox != organizer]
    return Meeting(uid=uid, copies=(*first, *rest), organizer=organizer, host=host)


def invitees(item: CalendarItem, org: Org) -> tuple[str, ...]:
    """Salesforce ids of the internal users invited to ``item``, in attendee order.

    A private event may be related to nobody (R-PRIVATE), invitees included.
    """
    if is_private(item):
        return ()
    organizer = organizer_of(item)
    found: dict[str, None] = {}
    for attendee in item.attendees:
        user = org.users.get(attendee.email)
        if user is not None and attendee.email != organizer:
            found.setdefault(user.sf_user_id)
    return tuple(found)
