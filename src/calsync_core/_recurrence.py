"""The planner's questions about a series, answered with :mod:`calsync_core.recurrence`.

Owns the parts of R-WINDOW, R-RECURRING-ENABLED and R-LIMIT-RECURRING that
need a series' occurrences: is its rule readable, and does any occurrence --
expanded in the series' own zone, DST-correct, cancelled ones left out --
overlap a span.
"""

from __future__ import annotations

import datetime as dt

from . import recurrence
from ._timezones import iana_name


def problem(rule: str, first_start: dt.datetime) -> str | None:
    """Why ``rule`` cannot be read (the item is then INVALID_ITEM), or None if it can."""
    try:
        recurrence.validate(rule, start=first_start)
    except recurrence.RecurrenceError as exc:
        return f"invalid recurrence rule {rule!r}: {exc}"
    return None


def occurs_between(
    rule: str,
    first_start: dt.datetime,
    length: dt.timedelta,
    lo: dt.datetime,
    hi: dt.datetime,
    *,
    time_zone: str = "UTC",
    cancelled: frozenset[dt.datetime] = frozenset(),
) -> bool:
    """Whether an occurrence ``[start, start + length]`` that is not cancelled overlaps
    ``[lo, hi]``. A zone without an IANA name is expanded in UTC: R-TIMEZONE refuses
    such an item anyway."""
    zone = iana_name(time_zone) or "UTC"
    try:
        starts = recurrence.expand(rule, start=first_start, time_zone=zone, after=lo - length,
                                   before=hi)  # fmt: skip
    except recurrence.RecurrenceError:
        return False
    return any(start not in cancelled for start in starts)
