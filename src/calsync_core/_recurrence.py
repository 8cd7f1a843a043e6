"""Recurring series: reading RRULE text and asking whether a series occurs in a span.

Owns the parts of R-WINDOW, R-RECURRING-ENABLED and R-LIMIT-RECURRING that
need a series' occurrences. Parsing and expansion are dateutil's
(``rrulestr``), never hand-written.

Occurrences are expanded from the series' first start in UTC. Across a DST
change a wall-clock series drifts by the offset difference (an hour) when
expanded in UTC; for the window question -- does *any* occurrence fall inside
a span of weeks -- that hour cannot change the answer except at the window's
very edge.
"""

from __future__ import annotations

import datetime as dt
import functools

from dateutil import rrule


class RuleError(ValueError):
    """RRULE text that cannot be read (the item is then INVALID_ITEM)."""


@functools.lru_cache(maxsize=4096)
def parse(rule: str, first_start: dt.datetime) -> rrule.rrule:
    """The series ``rule`` describes, starting at ``first_start``; RuleError if unreadable."""
    parts = {p.partition("=")[0].strip().upper() for p in rule.split(";") if p.strip()}
    if {"COUNT", "UNTIL"} <= parts:
        # RFC 5545 forbids both; dateutil only warns, and would guess.
        raise RuleError("COUNT and UNTIL together")
    try:
        parsed = rrule.rrulestr(rule, dtstart=first_start, forceset=False)
    except (ValueError, TypeError, OverflowError) as exc:
        raise RuleError(str(exc) or "unreadable") from None
    if not isinstance(parsed, rrule.rrule):
        raise RuleError("expected one RRULE")
    return parsed


def problem(rule: str, first_start: dt.datetime) -> str | None:
    """Why ``rule`` cannot be read, or None if it can."""
    try:
        parse(rule, first_start)
    except RuleError as exc:
        return f"invalid recurrence rule {rule!r}: {exc}"
    return None


def occurs_between(
    rule: str, first_start: dt.datetime, length: dt.timedelta, lo: dt.datetime, hi: dt.datetime
) -> bool:
    """Whether any occurrence ``[start, start + length]`` overlaps ``[lo, hi]``."""
    series = parse(rule, first_start)
    try:
        first = series.after(lo - length, inc=True)
    except (ValueError, OverflowError):
        return False  # the series runs past the last representable date without a hit
    return first is not None and first <= hi
