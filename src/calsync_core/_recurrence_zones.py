"""Time zones and expansion for :mod:`calsync_core.recurrence`.

Owns R-TIMEZONE as far as a series is concerned: every zone, whichever library
made it, becomes a :class:`zoneinfo.ZoneInfo` under its IANA key before any date
arithmetic, and a series is expanded on naive wall-clock times in its own zone.

Why naive: dateutil's ``rrule`` adds ``timedelta``\\ s to DTSTART. With a pytz
zone that keeps the first occurrence's UTC offset for ever (dateutil issues #102
and #641, closed won't-fix), so a 09:00 series drifts to 08:00 or 10:00 after a
DST change. Expanding wall times and attaching the zone afterwards keeps 09:00
whatever the input zone was. Wall times that do not exist (the spring-forward
gap) are kept as dateutil gives them; ambiguous ones get ``fold=0``.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import tz as dtz

from ._recurrence_rrule import RecurrenceError, RRule, dateutil_series
from ._timezones import iana_name

_DAY = dt.timedelta(days=1)
_SECOND = dt.timedelta(seconds=1)


def zone_key(zone: str | dt.tzinfo) -> str:
    """The IANA key of a zone id (Windows or IANA) or of a pytz, zoneinfo or dateutil zone."""
    if isinstance(zone, str):
        key = iana_name(zone)
        if key is None:
            raise RecurrenceError(f"time zone {zone!r} has no IANA name")
        return key
    if isinstance(zone, ZoneInfo):
        return zone.key
    if isinstance(zone, dtz.tzutc) or zone is dt.UTC:
        return "UTC"
    pytz_name = getattr(zone, "zone", None)  # every pytz zone, pytz.utc included
    if isinstance(pytz_name, str):
        return zone_key(pytz_name)
    # A dateutil tzfile remembers the key it was asked for, or at least its file's path;
    # never its abbreviations (tzname), which are ambiguous ("IST", "CST").
    key = getattr(zone, "_key", None)
    if isinstance(key, str) and iana_name(key) is not None:
        return zone_key(key)
    filename = getattr(zone, "_filename", None)
    if isinstance(filename, str):
        parts = filename.replace("\\", "/").split("/")
        for first in range(len(parts)):
            candidate = "/".join(parts[first:])
            if iana_name(candidate) is not None:
                return zone_key(candidate)
    raise RecurrenceError(f"time zone {zone!r} has no IANA name to expand a series in")


@functools.lru_cache(maxsize=256)
def _zoneinfo(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecurrenceError(f"time zone {key!r} is not in the zone database") from None


def zoneinfo(zone: str | dt.tzinfo) -> ZoneInfo:
    """The zoneinfo zone for any accepted zone (see :func:`zone_key`)."""
    return _zoneinfo(zone_key(zone))


def instant(value: dt.datetime, what: str) -> dt.datetime:
    """``value`` as an aware datetime whose UTC offset is right.

    A pytz datetime is re-attached to zoneinfo at the same wall time: pytz needs
    ``localize`` for a right offset, and a zone attached with ``tzinfo=`` gets the
    zone's first (local mean time) offset instead -- the wall time is what was meant.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise RecurrenceError(f"{what} {value.isoformat()} must be timezone-aware")
    tzinfo = value.tzinfo
    if not (hasattr(tzinfo, "localize") and isinstance(getattr(tzinfo, "zone", None), str)):
        return value
    zone = zoneinfo(tzinfo)
    wall = value.replace(tzinfo=None)
    for fold in (0, 1):
        candidate = wall.replace(tzinfo=zone, fold=fold)
        if candidate.utcoffset() == value.utcoffset():
            return candidate
    return wall.replace(tzinfo=zone)


def local(value: dt.datetime, zone: ZoneInfo, what: str) -> dt.datetime:
    """``value`` in ``zone``; kept as is (wall time and all) when already in it."""
    return instant(value, what).astimezone(zone)


def exists(wall: dt.datetime, zone: ZoneInfo) -> bool:
    """Whether the naive wall time ``wall`` happens in ``zone`` (not in a DST gap)."""
    there = wall.replace(tzinfo=zone)
    return there.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall


def expand(
    rule: RRule, start: dt.datetime, zone: ZoneInfo, after: dt.datetime, before: dt.datetime
) -> list[dt.datetime]:
    """Occurrences of ``rule`` from ``start`` (aware, in ``zone``) within [after, before]."""
    series = dateutil_series(rule, start.replace(tzinfo=None), with_until=False)
    low, high = after.astimezone(dt.UTC), before.astimezone(dt.UTC)
    until = rule.until if isinstance(rule.until, dt.datetime) else None
    # Wall-time bounds a day wider than the instants, then the exact cut on instants:
    # an offset moves a wall time by hours at most.
    wall_low = low.astimezone(zone).replace(tzinfo=None) - _DAY
    wall_high = high.astimezone(zone).replace(tzinfo=None) + _DAY
    if until is not None:
        wall_high = min(wall_high, until.astimezone(zone).replace(tzinfo=None) + _DAY)
    if wall_high < wall_low:
        return []
    found: list[dt.datetime] = []
    for wall in series.between(wall_low, wall_high, inc=True):
        occurrence = wall.replace(tzinfo=zone)  # fold=0 for ambiguous wall times
        moment = occurrence.astimezone(dt.UTC)
        if low <= moment <= high and (until is None or moment <= until):
            found.append(occurrence)
    return found


def first_and_last(rule: RRule, start: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, dt.date]:
    """The first occurrence (aware, in ``zone``) and the local date of the last.

    Only for rules that end and whose occurrences all fall at ``start``'s wall time
    (what Exchange and Classic patterns describe); RecurrenceError if none occurs.
    """
    series = dateutil_series(rule, start.replace(tzinfo=None), with_until=False)
    first = next(iter(series), None)
    if first is None:
        raise RecurrenceError("the rule has no occurrences")
    first_local = first.replace(tzinfo=zone)
    if rule.count is not None:
        *_, last = series  # COUNT bounds the walk
        return first_local, last.date()
    if not isinstance(rule.until, dt.datetime):
        raise RecurrenceError("the rule never ends")
    if first_local.astimezone(dt.UTC) > rule.until:
        raise RecurrenceError("UNTIL falls before the first occurrence: the rule has none")
    return first_local, until_date(rule.until, start, zone)


def end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The last whole second of local ``day`` in ``zone``, in UTC.

    How an Exchange ``endDate`` or a Classic ``RecurrenceEndDateOnly`` (a date in the
    series' zone) becomes an RRULE UNTIL: every occurrence that starts on that day is in.
    """
    next_midnight = dt.datetime.combine(day + _DAY, dt.time(), tzinfo=zone)
    return next_midnight.astimezone(dt.UTC) - _SECOND


def until_date(until: dt.datetime, start: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The last local date whose occurrence, at ``start``'s wall time, is not after ``until``.

    The inverse of :func:`end_of_day` for series with at most one occurrence a day,
    all at the start's wall time: a date bound keeps exactly the occurrences the
    instant bound kept.
    """
    day = until.astimezone(zone).date()
    that_day = dt.datetime.combine(day, start.time(), tzinfo=zone)
    if that_day.astimezone(dt.UTC) > until:
        day -= _DAY
    return day
