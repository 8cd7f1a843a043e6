"""The recurrence values plan actions carry, below both the planner and :mod:`.recurrence`.

A :class:`ClassicRecurrence` travels in a plan action (``CreateEvent.classic`` ...)
as a plain value, and checks itself when built, raising :class:`RecurrenceError`.
Both live here rather than in the :mod:`calsync_core.recurrence` package so that
the plan's modules import them without the converters: importing anything from
the package runs its ``__init__``, which imports every converter -- and those
import this module. The package re-exports both names as its own (and sets their
``__module__`` to it, for the documentation, pickles and tracebacks).

Owns the Classic scheme's fields (DOMAIN.md, "Classic recurrence"): which fields
each ``RecurrenceType`` uses (the rest must be null), the day mask, instance and
month names. Converting them to and from RRULE text is
:mod:`calsync_core.recurrence._classic`'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ._errors import CalsyncError


class RecurrenceError(CalsyncError, ValueError):
    """A recurrence that is malformed, or that the target system cannot express.

    ``problems`` lists every fault found; ``str(error)`` joins them.
    """

    def __init__(self, *problems: str) -> None:
        self.problems: tuple[str, ...] = problems
        super().__init__("; ".join(problems) if problems else "invalid recurrence")


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
MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
#: RecurrenceDayOfWeekMask for Monday to Friday.
WEEKDAY_MASK: Final = 62


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
