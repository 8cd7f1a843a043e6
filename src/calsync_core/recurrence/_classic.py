"""Salesforce Classic recurrence fields for :mod:`calsync_core.recurrence`.

Owns the Classic scheme of DOMAIN.md ("Classic recurrence"): which fields each
``RecurrenceType`` uses (the rest must be null), the day mask, instance and
month names, and what Classic cannot hold.

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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

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
from ._rrule import RecurrenceError
from ._walk import first_and_last
from ._zones import end_of_day, exists, zoneinfo

#: The fields each RecurrenceType uses; Salesforce wants every other one null.
USES: Final[dict[str, frozenset[str]]] = {
    "RecursDaily": frozenset({"interval"}),
    "RecursEveryWeekday": frozenset({"day_of_week_mask"}),
    "RecursWeekly": frozenset({"interval", "day_of_week_mask"}),
    "RecursMonthly": frozenset({"interval", "day_of_month"}),
    "RecursMonthlyNth": frozenset({"interval", "day_of_week_mask", "instance"}),
    "RecursYearly": frozenset({"day_of_month", "month_of_year"}),
    "RecursYearlyNth": frozenset({"day_of_week_mask", "instance", "month_of_year"}),
}
_OPTIONAL: Final = ("interval", "day_of_week_mask", "day_of_month", "instance", "month_of_year")
#: RecurrenceInstance names and their Exchange index.
INSTANCES: Final = {"First": 1, "Second": 2, "Third": 3, "Fourth": 4, "Last": -1}
_INSTANCE_NAMES: Final = {number: name for name, number in INSTANCES.items()}
MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
#: RecurrenceDayOfWeekMask for Monday to Friday.
WEEKDAY_MASK: Final = 62
_SUNDAY: Final = 6


def mask(days: frozenset[int]) -> int:
    """RecurrenceDayOfWeekMask for weekdays numbered like ``date.weekday()``: Sun 1 ... Sat 64."""
    return sum(1 << ((day + 1) % 7) for day in days)


def mask_days(value: int) -> frozenset[int]:
    """The weekdays (Monday 0) in a RecurrenceDayOfWeekMask."""
    return frozenset(day for day in range(7) if value & (1 << ((day + 1) % 7)))


@attrs.frozen(kw_only=True)
class ClassicRecurrence:
    """Salesforce Classic recurrence fields of one series (``IsRecurrence``).

    Fields the type does not use are None (Salesforce wants them null); every
    problem is reported at once when the value is built. ``fields()`` gives the
    values under their Salesforce API names.
    """

    type: str
    interval: int | None = None
    day_of_week_mask: int | None = None
    day_of_month: int | None = None
    instance: str | None = None
    month_of_year: str | None = None
    start: dt.datetime
    end_date: dt.date
    time_zone: str

    def __attrs_post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise RecurrenceError(*problems)

    def fields(self) -> dict[str, object]:
        """The Salesforce ``Event`` fields, API name to value (None for null).

        RecursEveryWeekday always carries its mask, 62.
        """
        weekday_mask = WEEKDAY_MASK if self.type == "RecursEveryWeekday" else None
        return {
            "RecurrenceType": self.type,
            "RecurrenceInterval": self.interval,
            "RecurrenceDayOfWeekMask": self.day_of_week_mask or weekday_mask,
            "RecurrenceDayOfMonth": self.day_of_month,
            "RecurrenceInstance": self.instance,
            "RecurrenceMonthOfYear": self.month_of_year,
            "RecurrenceStartDateTime": self.start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "RecurrenceEndDateOnly": self.end_date.isoformat(),
            "RecurrenceTimeZoneSidKey": self.time_zone,
        }


def _problems(c: ClassicRecurrence) -> list[str]:
    uses = USES.get(c.type)
    if uses is None:
        return [f"RecurrenceType {c.type!r} is not one of {', '.join(USES)}"]
    problems: list[str] = []
    for name in _OPTIONAL:
        value = getattr(c, name)
        if name in uses and value is None:
            if not (c.type == "RecursEveryWeekday" and name == "day_of_week_mask"):
                problems.append(f"{c.type} needs {name}")
        elif name not in uses and value is not None:
            problems.append(f"{c.type} does not use {name}; it must be None")
    if c.interval is not None and c.interval < 1:
        problems.append(f"interval {c.interval} must be 1 or more")
    if c.day_of_week_mask is not None and not 1 <= c.day_of_week_mask <= 127:
        problems.append(f"day_of_week_mask {c.day_of_week_mask} is not 1-127")
    if c.type == "RecursEveryWeekday" and c.day_of_week_mask not in (None, WEEKDAY_MASK):
        problems.append(f"RecursEveryWeekday takes day_of_week_mask {WEEKDAY_MASK} (Mon-Fri)")
    if c.day_of_month is not None and not 1 <= c.day_of_month <= 31:
        problems.append(f"day_of_month {c.day_of_month} is not 1-31")
    if c.instance is not None and c.instance not in INSTANCES:
        problems.append(f"instance {c.instance!r} is not one of {', '.join(INSTANCES)}")
    if c.month_of_year is not None and c.month_of_year not in MONTHS:
        problems.append(f"month_of_year {c.month_of_year!r} is not a month name (January...)")
    try:  # TimeZoneSidKey is IANA (plus GMT, which the zone database has too): no Windows ids
        zone = ZoneInfo(c.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return [*problems, f"time_zone {c.time_zone!r} is not an IANA zone id"]
    if c.start.tzinfo is None or c.start.utcoffset() is None:
        problems.append("start must be timezone-aware")
    elif c.start.astimezone(zone).date() > c.end_date:
        problems.append(f"end_date {c.end_date} is before the start's date")
    return problems


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
