"""Time zones for :mod:`calsync_core.recurrence`, and wall times that never overflow.

Owns R-TIMEZONE as far as a series is concerned: every zone, whichever library
made it, becomes a :class:`zoneinfo.ZoneInfo` under its IANA key before any date
arithmetic, and a series is expanded (:mod:`._walk`) on naive wall-clock
times in its own zone.

Why naive: date arithmetic on aware datetimes adds ``timedelta``\\ s to DTSTART.
With a pytz zone that keeps the first occurrence's UTC offset for ever (dateutil
issues #102 and #641, closed won't-fix), so a 09:00 series drifts to 08:00 or
10:00 after a DST change. Expanding wall times and attaching the zone afterwards
keeps 09:00 whatever the input zone was. Wall times that do not exist (the
spring-forward gap) are kept as they are; ambiguous ones get ``fold=0``.

A datetime holds years 1 to 9999 and no more, and moving one past either end
raises OverflowError: an UNTIL of 99991231T000000Z seen from a zone east of UTC,
or a window around a snapshot taken in year 1. The helpers below stop at those
ends instead, which is always the right answer for a bound: nothing a calendar
holds lies beyond them.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import tz as dtz

from .._recurrence_values import RecurrenceError
from .._timezones import iana_name

_DAY = dt.timedelta(days=1)
_SECOND = dt.timedelta(seconds=1)
#: The first and last instants a datetime holds.
UTC_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)
UTC_MAX = dt.datetime.max.replace(tzinfo=dt.UTC)


def _late(value: dt.datetime | dt.date) -> bool:
    """Which end of the calendar an overflowing ``value`` ran off: the late one?"""
    return value.year > dt.MAXYEAR // 2


def moved(value: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``value + delta``, or the first or last datetime of its kind when that overflows."""
    try:
        return value + delta
    except OverflowError:
        if value.tzinfo is None:
            return dt.datetime.max if delta > dt.timedelta(0) else dt.datetime.min
        return UTC_MAX if delta > dt.timedelta(0) else UTC_MIN


def wall(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The naive wall time of the instant ``moment`` in ``zone``, or datetime's first or last."""
    try:
        return moment.astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        return dt.datetime.max if _late(moment) else dt.datetime.min


def utc(moment: dt.datetime) -> dt.datetime:
    """The instant ``moment`` in UTC, or the first or last instant a datetime holds."""
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        return UTC_MAX if _late(moment) else UTC_MIN


def instant_of(occurrence: dt.datetime) -> dt.datetime | None:
    """``occurrence`` in UTC; None when that instant lies beyond what a datetime holds."""
    try:
        return occurrence.astimezone(dt.UTC)
    except OverflowError:
        return None


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
    try:
        return instant(value, what).astimezone(zone)
    except OverflowError:
        raise RecurrenceError(
            f"{what} {value.isoformat()} has no wall time in {zone.key} before year 1 or"
            " after year 9999"
        ) from None


def exists(wall: dt.datetime, zone: ZoneInfo) -> bool:
    """Whether the naive wall time ``wall`` happens in ``zone`` (not in a DST gap)."""
    there = wall.replace(tzinfo=zone)
    try:
        return there.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall
    except OverflowError:  # within hours of year 1 or 10000: no DST rule is that exact
        return True


def end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The last whole second of local ``day`` in ``zone``, in UTC.

    How an Exchange ``endDate`` or a Classic ``RecurrenceEndDateOnly`` (a date in the
    series' zone) becomes an RRULE UNTIL: every occurrence that starts on that day is in.
    """
    if day == dt.date.max:
        # The last day there is: every occurrence that starts on it is in.
        return UTC_MAX.replace(microsecond=0)
    next_midnight = dt.datetime.combine(day + _DAY, dt.time(), tzinfo=zone)
    return moved(utc(next_midnight), -_SECOND)


def until_date(until: dt.datetime, start: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The last local date whose occurrence, at ``start``'s wall time, is not after ``until``.

    The inverse of :func:`end_of_day` for series with at most one occurrence a day,
    all at the start's wall time: a date bound keeps exactly the occurrences the
    instant bound kept.
    """
    try:
        day = until.astimezone(zone).date()
    except OverflowError:
        day = dt.date.max if _late(until) else dt.date.min
    moment = instant_of(dt.datetime.combine(day, start.time(), tzinfo=zone))
    # No instant: that wall time lies past year 9999 in UTC (after any UNTIL) or before year 1.
    after_until = _late(day) if moment is None else moment > until
    if after_until:
        if day == dt.date.min:
            raise RecurrenceError("UNTIL falls before the first day a date holds")
        day -= _DAY
    return day
