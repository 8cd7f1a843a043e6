"""What makes a calendar item or a Salesforce event unplannable (R-ISSUES, P-ISOLATION).

Semantic faults are found while indexing rather than at construction
(API.md): an item or event with a fault is left out of every lookup and
reported INVALID_ITEM for itself alone.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from .._domain import is_address
from .._values import Attendee, CalendarItem, SfEvent
from ..recurrence import _walk as recurrence

_EMAIL: Callable[[Attendee], str] = operator.attrgetter("email")


def sound(item: CalendarItem, known: set[str]) -> bool:
    """The common case, a sound single item, answered with the fewest checks.

    ``known`` holds the addresses this snapshot has already shown to be
    addresses: the same few thousand recur on every copy of every meeting, so
    a set lookup answers for most of them. The ones it does not hold are
    checked, and the good ones added.
    """
    if not (
        item.recurrence is None
        and item.id
        and item.ical_uid
        and item.end >= item.start
        and not item.attachments
    ):
        return False
    if (
        item.mailbox in known
        and (item.organizer is None or item.organizer in known)
        and known.issuperset(map(_EMAIL, item.attendees))
    ):
        return True
    fresh = [item.mailbox, *map(_EMAIL, item.attendees)]
    if item.organizer is not None:
        fresh.append(item.organizer)
    if all(map(is_address, fresh)):
        known.update(fresh)
        return True
    return False


def item_problems(item: CalendarItem) -> list[str]:
    problems = []
    if not item.id:
        problems.append("empty id")
    if not item.ical_uid:
        problems.append("empty ical_uid")
    if not is_address(item.mailbox):
        problems.append(f"mailbox is not an address: {item.mailbox!r}")
    if item.end < item.start:
        problems.append("end before start")
    if item.organizer is not None and not is_address(item.organizer):
        problems.append(f"organizer is not an address: {item.organizer!r}")
    problems.extend(
        f"attendee {a.email!r} is not an address" for a in item.attendees if not is_address(a.email)
    )
    problems.extend(
        f"attachment {a.id!r} has a negative size" for a in item.attachments if a.size < 0
    )
    if item.recurrence is not None:
        fault = recurrence.problem(item.recurrence.rule, item.start, time_zone=item.time_zone)
        if fault is not None:
            problems.append(fault)
    return problems


def event_problems(event: SfEvent) -> list[str]:
    problems = []
    if not event.id:
        problems.append("empty id")
    if not event.owner_id:
        problems.append("empty owner_id")
    if event.end < event.start:
        problems.append("end before start")
    if event.recurrence is not None:
        fault = recurrence.problem(event.recurrence.rule, event.start, time_zone=event.time_zone)
        if fault is not None:
            problems.append(fault)
    return problems
