"""One meeting across mailboxes: who organizes it, who owns its event, who is invited.

Owns R-OWNER. A meeting is every copy of one iCalendar UID in the org's
mailboxes. When its organizer is an internal user (case a) the organizer owns
the meeting's single event and the internal attendees are invitees of it;
otherwise (case b) each internal attendee whose copy is saved owns an event
of their own; an appointment (case c) belongs to its mailbox owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import attrs

from .._domain import organizer_of
from .._values import CalendarItem, SfEvent, UserSettings
from .eligibility import is_meeting
from .index import MAILBOX
from .org import Org
from .privacy import is_private


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


@attrs.frozen(kw_only=True)
class Stamp:
    """R-DEDUP's reading of a copy's stamp (its ``sf_event_id``).

    ``event``: the event the stamp links it to, when the stamp holds. ``foreign``:
    why it does not hold -- another owner's event, another meeting's, a twin in
    the mailbox holds it -- with the event named (``event_id``); ``clear``: the
    stamp is a twin's and is cleared, so which copy holds it is settled for good.
    """

    event: SfEvent | None = None
    foreign: str | None = None
    event_id: str = ""
    clear: bool = False


NO_STAMP = Stamp()


class Copy(NamedTuple):
    """One copy of a meeting, with everything the per-item rules ask about it.

    A named tuple rather than an attrs class: one is made for every item that
    takes the full rules, and a tuple is built at C speed (benchmarks/).
    """

    item: CalendarItem
    user: UserSettings
    meeting: Meeting
    prior: CalendarItem | None  # ``before``'s copy of the item
    cancelled: str | None  # why the whole meeting is cancelled (R-CANCEL), if it is
    up: bool  # R-DIRECTION: the user's calendar changes go to Salesforce
    unsync: bool  # the user asked to take it out of Salesforce (R-UNSYNC)
    stamp: Stamp
    event: SfEvent | None  # the event it is linked to: the one R-DEDUP keeps of its stamp's

    @property
    def adopted(self) -> bool:
        """Linked to another event than its stamp's (R-DEDUP kept an older duplicate)."""
        return self.event is not self.stamp.event


def organizer_of_copies(copies: Sequence[CalendarItem]) -> str:
    """The meeting's organizer, from its copies (sorted by mailbox and id).

    Copies normally agree on the organizer; when they do not, the organizer's
    own copy is the authority, and failing that the smallest address decides.
    """
    smallest = None
    for copy in copies:
        organizer = copy.mailbox if copy.organizer is None else copy.organizer  # organizer_of
        if organizer == copy.mailbox:
            return organizer
        if smallest is None or organizer < smallest:
            smallest = organizer
    assert smallest is not None, "a meeting has at least one copy"
    return smallest


def organizer_first(copies: Sequence[CalendarItem], organizer: str) -> Sequence[CalendarItem]:
    """The copies with the organizer's own first, otherwise in their (mailbox, id) order."""
    if copies[0].mailbox == organizer or organizer not in map(MAILBOX, copies):
        return copies
    return (
        *(c for c in copies if c.mailbox == organizer),
        *(c for c in copies if c.mailbox != organizer),
    )


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
