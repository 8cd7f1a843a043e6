"""Clocks and the two services' ways of writing times.

The server stamps every write (Graph ``lastModifiedDateTime``, Salesforce
``SystemModstamp``) from a clock. Stamps strictly increase, a millisecond at
least, so two writes never share a version. A test that must see Salesforce's
``If-Unmodified-Since`` refuse an edit passes a :class:`TickingClock`: HTTP
dates have one-second resolution, and on a real clock an edit made within the
second of the version read is not detected (as on Salesforce).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from ..._timezones import iana_name


class Clock(Protocol):
    """A source of the current instant."""

    def __call__(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


_WALL: Final = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?")
_MS: Final = dt.timedelta(milliseconds=1)


def system_clock() -> dt.datetime:
    """The machine's clock, in UTC."""
    return dt.datetime.now(dt.UTC)


class TickingClock:
    """A clock that moves ``step`` forward each time it is read, from ``start``.

    Deterministic, and every write lands in a second of its own with the
    default step.
    """

    def __init__(
        self,
        start: dt.datetime = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC),
        step: dt.timedelta = dt.timedelta(seconds=1),
    ) -> None:
        if start.utcoffset() is None:
            raise ValueError("start must be timezone-aware")
        self._now = start.astimezone(dt.UTC)
        self._step = step
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            self._now += self._step
            return self._now


class Stamps:
    """Strictly increasing stamps from ``clock``, whole milliseconds (Salesforce keeps those)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last = dt.datetime.min.replace(tzinfo=dt.UTC)

    def next(self) -> dt.datetime:
        """The next stamp: the clock's instant, or a millisecond after the last stamp."""
        now = self._clock().astimezone(dt.UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self._last = max(now, self._last + _MS)
        return self._last


def graph_instant(moment: dt.datetime) -> str:
    """A DateTimeOffset as Graph writes it: ``2024-03-12T16:00:00.1230000Z``."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}0Z"


def graph_wall(moment: dt.datetime) -> str:
    """A ``dateTimeTimeZone.dateTime`` as Graph answers it: seven fractional digits."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"


def sf_instant(moment: dt.datetime) -> str:
    """A Salesforce datetime as REST answers it: ``2024-03-12T17:00:00.000+0000``."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def wall_time(text: object) -> dt.datetime | None:
    """The naive wall time in a Graph ``dateTime``, or None when it is not one."""
    match = _WALL.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    digits = (match[2] or "")[:6].ljust(6, "0")
    try:
        return dt.datetime.fromisoformat(f"{match[1]}.{digits}")
    except ValueError:
        return None


def zone(name: str) -> dt.tzinfo | None:
    """The zone a Windows or IANA id names, or None for one no table knows."""
    found = iana_name(name)
    return None if found is None else ZoneInfo(found)


def parse_instant(text: str) -> dt.datetime | None:
    """An ISO 8601 instant (``Z``, ``+00:00`` or ``+0000``; naive is UTC), or None."""
    value = text.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", value):
        value = f"{value[:-2]}:{value[-2:]}"
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.utcoffset() is None else moment
