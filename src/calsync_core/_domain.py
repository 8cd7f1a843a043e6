"""Facts about the two systems that every layer shares, and no decisions.

The planner, the session driver and the test generators all need the same few
facts: the category names sync owns, what counts as an address, which UID sync
gives an item it copies down, where an item's series meets a span of time, and
the lengths and durations Salesforce holds (DOMAIN.md). They live here, below
the planner, so nothing above it has to reach into the planner's insides.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Literal

import attrs

from ._enums import RecordKind
from ._errors import SettingsError
from ._timezones import iana_name
from ._values import CalendarItem, OrgSettings, SfEvent
from .recurrence._walk import occurs_between

#: Category names the planner owns (R-CATEGORIES); it never touches any other.
SALESFORCE = "Salesforce"
SYNC_ERROR = "Sync Error"
UNSYNC = "Salesforce Unsync"
REQUIRED_STATUS_PREFIX = "Status: Required fields are missing: "

#: Salesforce's text field lengths; longer text is cut (R-FIELD-LIMITS).
TEXT_LIMITS: Mapping[str, int] = {"subject": 255, "location": 255, "description": 32_000}
#: A multiday event lasts at most 14 days (R-LIMIT-ALLDAY).
LONGEST_EVENT = dt.timedelta(days=14)
#: The vendor saves group-calendar items only up to 24 hours (R-GROUP-CALENDAR).
LONGEST_GROUP_EVENT = dt.timedelta(hours=24)
#: A Classic series' occurrences last 24 hours or less (R-LIMIT-RECURRING).
LONGEST_OCCURRENCE = dt.timedelta(hours=24)

#: The longest window reach either way, in days (``past_days``, ``future_days``).
#: Ten years is far beyond any sync window in use (the vendor's defaults are 14
#: and 60 days) and it bounds the work per run: every series is asked whether it
#: occurs in the window, and that question costs up to one step per day of the
#: window (see :mod:`.recurrence._walk`). Larger values are settings mistakes
#: (days typed as minutes, a "forever" sentinel) and are refused, not clamped.
MAX_WINDOW_DAYS = 3650
#: The earliest and latest instants a datetime holds: a window is cut there.
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)

# Deliberately loose: one "@", something on both sides, no blanks. Mail servers
# are the authority on addresses; this only catches values that are not one.
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")

#: Why Salesforce cannot hold an item's or event's times, in the order checked.
DurationFault = Literal["time_zone", "recurring", "all_day", "event", "group"]


@functools.lru_cache(maxsize=1 << 16)
def is_address(value: str) -> bool:
    # Cached: the same few thousand addresses recur across every meeting's copies.
    return _ADDRESS.fullmatch(value) is not None


def domain(address: str) -> str:
    return address.rpartition("@")[2]


def organizer_of(item: CalendarItem) -> str:
    return item.mailbox if item.organizer is None else item.organizer


def downsync_uid(event: SfEvent) -> str:
    """The iCalendar UID given to the item created for a Salesforce-made event."""
    return f"sf-{event.id}@calsync"


#: How far past the window an out-of-view thing is still kept, and a series asked
#: whether it occurs again: what lies further, or behind the window, is let go.
AHEAD = dt.timedelta(days=5 * 366)


def overlaps(thing: CalendarItem | SfEvent, lo: dt.datetime, hi: dt.datetime) -> bool:
    """Whether ``thing`` -- or any occurrence of its series -- overlaps ``[lo, hi]``."""
    if thing.recurrence is None:
        return thing.start <= hi and thing.end >= lo
    series = thing.recurrence
    return occurs_between(
        series.rule,
        thing.start,
        thing.end - thing.start,
        lo,
        hi,
        time_zone=thing.time_zone,
        cancelled=series.cancelled,
    )


def duration_fault(thing: CalendarItem | SfEvent) -> DurationFault | None:
    """The first reason Salesforce cannot hold ``thing``'s times: its zone, then its length."""
    if iana_name(thing.time_zone) is None:
        return "time_zone"
    length = thing.end - thing.start
    if thing.recurrence is not None and (thing.is_all_day or length > LONGEST_OCCURRENCE):
        return "recurring"
    if length > LONGEST_EVENT:
        return "all_day" if thing.is_all_day else "event"
    if isinstance(thing, CalendarItem) and thing.calendar_id is not None:
        return "group" if length > LONGEST_GROUP_EVENT else None
    return None


def moved(at: dt.datetime, days: int) -> dt.datetime:
    """``at`` moved by ``days``, stopping at the first or last instant a datetime holds.

    A snapshot taken near year 1 or 9999 still has a window: the part that
    calendars cannot reach anyway is cut off rather than raising OverflowError.
    """
    try:
        return at + dt.timedelta(days=days)
    except OverflowError:
        return EARLIEST if days < 0 else LATEST


_EVENT_FIELDS = frozenset(a.name for a in attrs.fields(SfEvent))


def check_settings(settings: OrgSettings) -> None:
    """Raise :class:`SettingsError` listing every way ``settings`` contradict themselves."""
    problems: list[str] = []
    seen_email: dict[str, int] = {}
    seen_sf: dict[str, int] = {}
    for n, user in enumerate(settings.users):
        where = f"users[{n}]"
        if "@" not in user.email:
            problems.append(f"{where}.email: not an address: {user.email!r}")
        if not user.sf_user_id:
            problems.append(f"{where}.sf_user_id: empty")
        if user.email in seen_email:
            problems.append(f"{where}.email: same as users[{seen_email[user.email]}]")
        if user.sf_user_id in seen_sf:
            problems.append(f"{where}.sf_user_id: same as users[{seen_sf[user.sf_user_id]}]")
        seen_email.setdefault(user.email, n)
        seen_sf.setdefault(user.sf_user_id, n)
    for name in ("past_days", "future_days", "max_attachment_bytes", "empty_guard"):
        if getattr(settings, name) < 0:
            problems.append(f"{name}: must not be negative")
    for name in ("past_days", "future_days"):
        if getattr(settings, name) > MAX_WINDOW_DAYS:
            problems.append(f"{name}: at most {MAX_WINDOW_DAYS} days (ten years)")
    if settings.auto_create not in (None, RecordKind.CONTACT, RecordKind.LEAD):
        problems.append("auto_create: only CONTACT or LEAD records are created (R-AUTO-CREATE)")
    for name in sorted(settings.required_fields - _EVENT_FIELDS):
        problems.append(f"required_fields: {name!r} is not an SfEvent field")
    if problems:
        raise SettingsError(problems)


def window(settings: OrgSettings, as_of: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The sync window at ``as_of`` (R-WINDOW), clamped at the ends of time.

    Settings that contradict themselves raise :class:`SettingsError` first: the
    window of a bad configuration is no window at all.
    """
    check_settings(settings)
    return moved(as_of, -settings.past_days), moved(as_of, settings.future_days)
