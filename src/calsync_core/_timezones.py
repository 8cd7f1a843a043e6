"""R-TIMEZONE: which time zone ids Salesforce can take, and their IANA names.

Exchange speaks Windows zone ids ("Pacific Standard Time") as well as IANA
ids; Salesforce's TimeZoneSidKey is a subset of IANA plus ``GMT``. Windows ids
are mapped with CLDR's ``windowsZones.xml`` (territory ``001``) as generated
into the ``tzlocal`` package -- a maintained table, never one written by hand.
IANA ids are checked against pytz's static list of zone names, which reads no
file. Custom zones (``tzone://Microsoft/Custom``, ``Customized Time Zone``),
display names ("(UTC+01:00) Amsterdam, ...") and anything unknown resolve to
None: the item then gets PROBLEMATIC_TIME_ZONE and is not saved.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

import pytz
from tzlocal.windows_tz import win_tz

#: Zone ids Exchange uses for UTC itself, beyond the IANA names.
_UTC_ALIASES = frozenset({"tzone://Microsoft/Utc", "UTC", "GMT", "Etc/UTC", "Etc/GMT"})
_IANA = frozenset(pytz.all_timezones)


@functools.lru_cache(maxsize=1024)
def iana_name(zone: str) -> str | None:
    """The IANA name for a Windows or IANA zone id, or None when there is none."""
    name = zone.strip()
    if name in _UTC_ALIASES:
        return "UTC"
    if name in _IANA:
        return name
    mapped = win_tz.get(name)
    if mapped is not None and mapped in _IANA:
        return mapped
    return None


def all_day_dates(start: dt.datetime, end: dt.datetime, time_zone: str) -> tuple[dt.date, dt.date]:
    """An all-day span as dates: its first day and the day after its last.

    All-day values are calendar dates, not instants. The adapters read them as
    midnight UTC of the date (as Salesforce stores date-only fields), so that a
    date written to one side reads back equal from the other whatever the
    zone; a span at local midnights of ``time_zone`` (an item built by hand)
    is taken in that zone. Anything else is not an all-day span: ValueError.
    """
    known = iana_name(time_zone)
    zones: list[dt.tzinfo] = [dt.UTC]
    if known is not None and known != "UTC":
        zones.append(_zone(known))
    for zone in zones:
        first, after = start.astimezone(zone), end.astimezone(zone)
        if first.time() == after.time() == dt.time():
            return first.date(), after.date()
    raise ValueError(
        f"an all-day span is whole days, midnight to midnight: {start.isoformat()} to "
        f"{end.isoformat()} is not, in UTC nor in {time_zone!r}"
    )


def day_start(day: dt.date) -> dt.datetime:
    """Midnight UTC of ``day``: how the adapters hold an all-day date as a datetime."""
    return dt.datetime.combine(day, dt.time(), dt.UTC)


@functools.lru_cache(maxsize=256)
def _zone(key: str) -> dt.tzinfo:
    return zoneinfo.ZoneInfo(key)
