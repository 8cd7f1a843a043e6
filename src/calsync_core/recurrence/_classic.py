"""Salesforce Classic recurrence fields for :mod:`calsync_core.recurrence`.

Owns the Classic scheme of DOMAIN.md ("Classic recurrence") as far as RRULE text
is concerned: how Classic's fields read as a pattern, and what Classic cannot
hold. The fields themselves -- which each ``RecurrenceType`` uses, the instance
and month names -- are :mod:`calsync_core._recurrence_values`'s, a value below
the planner.

Classic's fields are Outlook's ``RecurrencePattern`` (the type names, the
Sunday-1 ... Saturday-64 mask and the instance names all match Outlook's object
model), and this module reads them with Outlook's meaning. Two consequences that
Salesforce does not document, so treat them as assumptions:

* ``RecurrenceDayOfMonth`` 29-31 falls on the last day of shorter months, as in
  Exchange (the same encodings as :mod:`._pattern`);
* weeks start on Sunday, which only matters for RecursWeekly on several days
  with an interval above 1. Such a Classic series is read with ``WKST=SU``, but
  never written: :func:`to_classic` refuses it rather than rely on the guess.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Final

from .._recurrence_values import INSTANCES, MONTHS, WEEKDAY_MASK, ClassicRecurrence, RecurrenceError
from ._pattern import (
    ABSOLUTE_MONTHLY,
    ABSOLUTE_YEARLY,
    DAILY,
    RELATIVE_MONTHLY,
    RELATIVE_YEARLY,
    WEEKDAYS,
    WEEKLY,
    Pattern,
    to_rule,
)
from ._walk import first_and_last
from ._zones import end_of_day, exists, zoneinfo

_INSTANCE_NAMES: Final = {number: name for name, number in INSTANCES.items()}
_SUNDAY: Final = 6


def mask(days: frozenset[int]) -> int:
    """RecurrenceDayOfWeekMask for weekdays numbered like ``date.weekday()``: Sun 1 ... Sat 64."""
    return sum(1 << ((day + 1) % 7) for day in days)


def mask_days(value: int) -> frozenset[int]:
    """The weekdays (Monday 0) in a RecurrenceDayOfWeekMask."""
    return frozenset(day for day in range(7) if value & (1 << ((day + 1) % 7)))


def from_classic(c: ClassicRecurrence) -> Pattern:
    """The pattern the Classic fields describe; it ends at the end of ``end_date`` locally."""
    until = end_of_day(c.end_date, zoneinfo(c.time_zone))
    interval = c.interval or 1
    days = mask_days(c.day_of_week_mask or WEEKDAY_MASK)
    index = INSTANCES.get(c.instance or "")
    month = MONTHS.index(c.month_of_year) + 1 if c.month_of_year else None
    kinds = {
        "RecursDaily": Pattern(kind=DAILY, interval=interval, until=until),
        "RecursEveryWeekday": Pattern(kind=DAILY, days=WEEKDAYS, until=until),
        # The Sunday week start is Outlook's; see the module docstring.
        "RecursWeekly": Pattern(kind=WEEKLY, interval=interval, days=days, until=until,
                                wkst=_SUNDAY if interval > 1 and len(days) > 1 else 0),
        "RecursMonthly": Pattern(kind=ABSOLUTE_MONTHLY, interval=interval,
                                 day_of_month=c.day_of_month, until=until),
        "RecursMonthlyNth": Pattern(kind=RELATIVE_MONTHLY, interval=interval, days=days,
                                    index=index, until=until),
        "RecursYearly": Pattern(kind=ABSOLUTE_YEARLY, day_of_month=c.day_of_month,
                                month=month, until=until),
        "RecursYearlyNth": Pattern(kind=RELATIVE_YEARLY, days=days, index=index,
                                   month=month, until=until),
    }  # fmt: skip
    return kinds[c.type]


def to_classic(p: Pattern, rule_start: dt.datetime, zone_key: str) -> ClassicRecurrence:
    """Classic fields for ``p`` from ``rule_start`` (aware, local); RecurrenceError if none fit.

    RecurrenceStartDateTime is the first occurrence rather than the rule's start:
    how Classic treats a start that is not itself an occurrence is not documented,
    and a start that is one leaves nothing to interpret (nor any week start).
    """
    problems: list[str] = []
    if p.count is None and p.until is None:
        problems.append("Classic needs an end date (RecurrenceEndDateOnly); the rule never ends")
    if p.kind in (ABSOLUTE_YEARLY, RELATIVE_YEARLY) and p.interval > 1:
        problems.append(f"Classic yearly series have no interval; the rule has {p.interval}")
    if p.kind == WEEKLY and p.interval > 1 and len(p.days) > 1:
        problems.append(
            "Classic has no week start, so a weekly series on several days needs interval 1"
        )
    if problems:
        raise RecurrenceError(*problems)
    zone = zoneinfo(zone_key)
    first, last = first_and_last(to_rule(p), rule_start, zone)
    start = rule_start if first.replace(tzinfo=None) == rule_start.replace(tzinfo=None) else first
    if not exists(start.replace(tzinfo=None), zone):
        raise RecurrenceError(
            f"the first occurrence, {start.replace(tzinfo=None)}, is in a DST gap in {zone_key}:"
            " Classic's RecurrenceStartDateTime is an instant and would move it"
        )
    build = functools.partial(ClassicRecurrence, start=start, end_date=last, time_zone=zone_key)
    month = None if p.month is None else MONTHS[p.month - 1]
    instance = None if p.index is None else _INSTANCE_NAMES[p.index]
    if p.kind == DAILY and p.days == WEEKDAYS:
        return build(type="RecursEveryWeekday", day_of_week_mask=WEEKDAY_MASK)
    if p.kind == DAILY and not p.days:
        return build(type="RecursDaily", interval=p.interval)
    if p.kind in (DAILY, WEEKLY):  # a daily rule on some days is weekly, interval 1
        return build(type="RecursWeekly", interval=p.interval, day_of_week_mask=mask(p.days))
    if p.kind == ABSOLUTE_MONTHLY:
        return build(type="RecursMonthly", interval=p.interval, day_of_month=p.day_of_month)
    if p.kind == RELATIVE_MONTHLY:
        return build(
            type="RecursMonthlyNth",
            interval=p.interval,
            day_of_week_mask=mask(p.days),
            instance=instance,
        )
    if p.kind == ABSOLUTE_YEARLY:
        return build(type="RecursYearly", day_of_month=p.day_of_month, month_of_year=month)
    return build(
        type="RecursYearlyNth",
        day_of_week_mask=mask(p.days),
        instance=instance,
        month_of_year=month,
    )
