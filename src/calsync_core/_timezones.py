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

import functools

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
