"""Graph's two ways of writing a time: ``dateTimeTimeZone`` and DateTimeOffset."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .._timezones import day_start, iana_name
from ._read import Reader

# Responses give seven fractional digits, requests none; never an offset: the
# zone is the separate ``timeZone``. Python keeps six digits (the seventh is cut
# off, as ``datetime.fromisoformat`` does on 3.11).
_WALL: Final = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?")
_OFFSET: Final = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?(Z|[+-]\d\d:\d\d)")


def _parse(base: str, fraction: str | None, suffix: str = "") -> dt.datetime | None:
    digits = (fraction or "")[:6].ljust(6, "0")
    try:
        return dt.datetime.fromisoformat(f"{base}.{digits}{suffix.replace('Z', '+00:00')}")
    except ValueError:
        return None


def wall_time(text: str) -> dt.datetime | None:
    """The naive wall time in ``dateTime`` text, or None if it is not one."""
    match = _WALL.fullmatch(text)
    return None if match is None else _parse(match[1], match[2])


def offset_time(text: str) -> dt.datetime | None:
    """The instant in DateTimeOffset text (``...Z`` or ``...+01:00``), in UTC, or None."""
    match = _OFFSET.fullmatch(text)
    moment = None if match is None else _parse(match[1], match[2], match[3])
    try:
        return None if moment is None else moment.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first instant Python has
        return None


@functools.lru_cache(maxsize=256)
def zone_of(name: str) -> dt.tzinfo:
    """The zone a Windows or IANA id names; UTC for one that names none.

    An unknown zone (``tzone://Microsoft/Custom``, ``""``) is not a payload fault:
    the item keeps the name, and the planner refuses to save it (R-TIMEZONE), so
    the instants read in UTC meanwhile are never written anywhere.
    """
    key = iana_name(name)
    if key is None:
        return dt.UTC
    try:
        return ZoneInfo(key)
    except ZoneInfoNotFoundError:  # pragma: no cover - pytz and tzdata disagree
        return dt.UTC


def read_when(
    r: Reader, event: Mapping[str, Any], key: str, *, all_day: bool = False
) -> tuple[dt.datetime, str] | None:
    """``start`` or ``end``: the instant in UTC and the ``timeZone`` it was written in.

    ``all_day``: the value is a date (Graph gives midnight), held as midnight UTC of
    that date as Salesforce holds ``ActivityDate``: an instant in the zone would land
    on the day before in Salesforce east of UTC.
    """
    value = r.mapping(event, key, key, required=True)
    if value is None:
        return None
    before = len(r.problems)
    text = r.text(value, "dateTime", f"{key}.dateTime", required=True)
    read = len(r.problems) == before
    zone = r.text(value, "timeZone", f"{key}.timeZone", required=True, empty=True)
    if not read:
        return None
    wall = wall_time(text)
    if wall is None:
        r.fault(
            f"{key}.dateTime",
            f"{text!r} is not a date and time without offset (YYYY-MM-DDThh:mm:ss[.fffffff])",
        )
        return None
    if all_day:
        if wall.time() != dt.time():
            r.fault(f"{key}.dateTime", f"{text!r}: an all-day item starts and ends at midnight")
            return None
        return day_start(wall.date()), zone
    try:
        return wall.replace(tzinfo=zone_of(zone)).astimezone(dt.UTC), zone
    except OverflowError:
        r.fault(f"{key}.dateTime", f"{text!r} in {zone!r} is out of the range of dates")
        return None


def read_offset_time(
    r: Reader, where: Mapping[str, Any], key: str, path: str
) -> dt.datetime | None:
    """An optional DateTimeOffset field, in UTC."""
    text = r.text(where, key, path)
    if not text:
        return None
    moment = offset_time(text)
    if moment is None:
        r.fault(path, f"{text!r} is not a date and time with offset (…Z or …+hh:mm)")
    return moment
