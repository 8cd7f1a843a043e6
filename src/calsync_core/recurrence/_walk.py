"""Where a series occurs: a walk bounded by the span asked about, and the planner's questions.

Owns the parts of R-WINDOW, R-RECURRING-ENABLED and R-LIMIT-RECURRING that need a
series' occurrences -- is its rule one the planner expands, and does any occurrence
(expanded in the series' own zone, DST-correct, cancelled ones left out) overlap a
span -- and the expansion behind :func:`calsync_core.recurrence.expand`.

Why not dateutil's iteration: ``rrule`` walks a rule period by period (a day, week,
month or year per FREQ step) from DTSTART until it has yielded what it was asked
for. Asked about this week, a daily series begun in 2010 first walks sixteen
years; a rule whose periods never yield (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``)
walks on to year 9999. The walk here gives every part dateutil's meaning (the
property tests compare the two, quirks included) but finds the first period that
touches the span by arithmetic on the period number -- which keeps the series'
phase: INTERVAL counts from DTSTART's period -- and stops at the span's end. A
question costs what its span costs, however old the series. What a rule keeps
within one period is :mod:`._periods`'s.

What is refused before anything is expanded (:func:`problem`), and why:

* FREQ finer than DAILY, or several times a day (BYHOUR, BYMINUTE, BYSECOND):
  Exchange patterns repeat at most daily (Graph ``recurrencePattern``), and so do
  Salesforce's (Lightning takes FREQ DAILY at most; Classic's finest type is
  RecursDaily). No calendar that syncs holds such a series.
* COUNT over 999: Lightning's ``Recurrence2PatternText`` takes COUNT 1-999, the
  most either Salesforce scheme holds (DOMAIN.md). Exchange itself documents no
  such ceiling, so this is the Salesforce side's bound.
* More than :data:`MAX_STEPS` steps (periods walked plus candidate days looked at)
  to find the first occurrence, or the last of a COUNT: COUNT is the one part that
  needs the periods before a span, so it is resolved once per rule and start into
  its last occurrence, which then ends the walk as UNTIL does.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import itertools
from collections.abc import Iterator
from typing import Final
from zoneinfo import ZoneInfo

from .._recurrence_values import RecurrenceError
from .._timezones import iana_name
from ._periods import Shape, period_number, period_occurrences, period_span, shape_of
from ._rrule import LIGHTNING_MAX_COUNT, RRule, checked
from ._zones import instant_of, moved, until_date, utc, wall, zoneinfo

#: The most steps one question may take: periods walked plus candidate days looked
#: at. A question about a span takes about a step per day of it (two for a daily
#: rule), so the widest window ``_check`` allows (2 x 3650 days) fits; a first
#: occurrence or a COUNT that needs more is refused with the item's issue.
MAX_STEPS: Final = 50_000
#: The frequencies a calendar series has (see the module docstring).
CALENDAR_FREQS: Final = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


class TooCostly(RecurrenceError):
    """A question about a series needed more than its step budget."""


class Steps:
    """The step budget of one question, and what it has spent (``used``)."""

    __slots__ = ("limit", "used")

    def __init__(self, limit: int | None = MAX_STEPS) -> None:
        self.limit = limit  # None: bounded by the span asked about alone
        self.used = 0

    def spend(self, steps: int) -> None:
        self.used += steps
        if self.limit is not None and self.used > self.limit:
            raise TooCostly(f"the rule needs more than {self.limit:,} steps to answer")


# -- the planner's questions -------------------------------------------------------


def problem(rule: str, first_start: dt.datetime, *, time_zone: str = "UTC") -> str | None:
    """Why the planner cannot read or expand ``rule``, or None if it can.

    The item or event is then INVALID_ITEM, before anything is expanded.
    """
    parsed = _checked(rule, first_start)
    if isinstance(parsed, RecurrenceError):
        return f"invalid recurrence rule {rule!r}: {parsed}"
    try:
        zone = zoneinfo(iana_name(time_zone) or "UTC")
        _limits(parsed)
        start = wall(first_start, zone).replace(microsecond=0)
        shape = shape_of(parsed, start)
        if parsed.count is not None:
            _count_end(shape, start, parsed.count)
        elif _first(shape, start) is None:
            raise RecurrenceError("it has no occurrence")
    except RecurrenceError as exc:
        return f"recurrence rule {rule!r} is not expanded: {exc}"
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
    steps: Steps | None = None,
) -> bool:
    """Whether an occurrence ``[start, start + length]`` that is not cancelled overlaps
    ``[lo, hi]``. A zone without an IANA name is expanded in UTC: R-TIMEZONE refuses
    such an item anyway.

    False when the rule cannot be answered within its budget (``steps``): "not
    found" is the answer that neither saves, updates nor deletes anything, and
    :func:`problem` has already reported such a rule as the item's issue.
    """
    budget = Steps() if steps is None else steps
    parsed = _checked(rule, first_start)
    if isinstance(parsed, RecurrenceError):
        return False
    try:
        zone = zoneinfo(iana_name(time_zone) or "UTC")
        starts = occurrences(parsed, first_start, zone, moved(lo, -length), hi, budget)
        return any(start not in cancelled for start in starts)
    except RecurrenceError:
        return False


def first_between(
    rule: str,
    first_start: dt.datetime,
    lo: dt.datetime,
    hi: dt.datetime,
    *,
    time_zone: str = "UTC",
    cancelled: frozenset[dt.datetime] = frozenset(),
) -> dt.datetime | None:
    """The first start in ``[lo, hi]`` of an occurrence that is not cancelled, or None.

    None too when the rule cannot be read or answered within its budget, as
    :func:`occurs_between` answers "none" then: a kept state asks this to learn
    when a series' overlap with a moving window can next change.
    """
    parsed = _checked(rule, first_start)
    if isinstance(parsed, RecurrenceError):
        return None
    try:
        zone = zoneinfo(iana_name(time_zone) or "UTC")
        starts = occurrences(parsed, first_start, zone, lo, hi, Steps())
        return next((start for start in starts if start not in cancelled), None)
    except RecurrenceError:
        return None


# -- occurrences of a rule, in instants ------------------------------------------


def occurrences(
    rule: RRule,
    start: dt.datetime,
    zone: ZoneInfo,
    after: dt.datetime,
    before: dt.datetime,
    steps: Steps,
) -> Iterator[dt.datetime]:
    """Occurrences of ``rule`` from ``start`` (aware) within the instants [after, before].

    Ascending, aware, in ``zone``, walked on wall times there (DST-correct; a wall
    time in a DST gap is kept as is, an ambiguous one gets ``fold=0``). ``UNTIL`` is
    an instant. RecurrenceError for a rule the walk does not take (see the module
    docstring), TooCostly when ``steps`` runs out.
    """
    _limits(rule)
    first = wall(start, zone).replace(microsecond=0)
    shape = shape_of(rule, first)
    low, high = utc(after), utc(before)
    # Wall-time bounds a day wider than the instants, then the exact cut on instants:
    # an offset moves a wall time by hours at most.
    wall_low = moved(wall(low, zone), dt.timedelta(days=-1))
    wall_high = moved(wall(high, zone), dt.timedelta(days=1))
    until = rule.until if isinstance(rule.until, dt.datetime) else None
    if until is not None:
        wall_high = min(wall_high, moved(wall(until, zone), dt.timedelta(days=1)))
    if rule.count is not None:
        last = _count_end(shape, first, rule.count)
        if last is None:
            return
        wall_high = min(wall_high, last)
    for local in _walk(shape, first, wall_low, wall_high, steps):
        occurrence = local.replace(tzinfo=zone)  # fold=0 for ambiguous wall times
        moment = instant_of(occurrence)
        if moment is not None and low <= moment <= high and (until is None or moment <= until):
            yield occurrence


def expand(
    rule: RRule, start: dt.datetime, zone: ZoneInfo, after: dt.datetime, before: dt.datetime
) -> list[dt.datetime]:
    """Every occurrence within [after, before]: the work is bounded by that span alone."""
    return list(occurrences(rule, start, zone, after, before, Steps(limit=None)))


def first_occurrence(rule: RRule, start: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The first occurrence of ``rule`` from ``start`` (aware, in ``zone``), COUNT and UNTIL
    aside; RecurrenceError if there is none."""
    _limits(rule)
    begin = wall(start, zone).replace(microsecond=0)
    first = _first(shape_of(rule, begin), begin)
    if first is None:
        raise RecurrenceError("the rule has no occurrences")
    return first.replace(tzinfo=zone)


def first_and_last(rule: RRule, start: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, dt.date]:
    """The first occurrence (aware, in ``zone``) and the local date of the last.

    Only for rules that end and whose occurrences all fall at ``start``'s wall time
    (what Exchange and Classic patterns describe); RecurrenceError if none occurs.
    """
    _limits(rule)
    begin = wall(start, zone).replace(microsecond=0)
    shape = shape_of(rule, begin)
    first = _first(shape, begin)
    if first is None:
        raise RecurrenceError("the rule has no occurrences")
    first_local = first.replace(tzinfo=zone)
    if rule.count is not None:
        last = _count_end(shape, begin, rule.count)
        assert last is not None  # the first occurrence is one
        return first_local, last.date()
    if not isinstance(rule.until, dt.datetime):
        raise RecurrenceError("the rule never ends")
    moment = instant_of(first_local)
    if moment is None or moment > rule.until:
        raise RecurrenceError("UNTIL falls before the first occurrence: the rule has none")
    return first_local, until_date(rule.until, first_local, zone)


def _limits(rule: RRule) -> None:
    problems = []
    if rule.freq not in CALENDAR_FREQS:
        problems.append(
            f"FREQ={rule.freq}: Exchange and Salesforce repeat a calendar item at most daily"
        )
    elif len(rule.byhour or (0,)) * len(rule.byminute or (0,)) * len(rule.bysecond or (0,)) > 1:
        problems.append(
            "BYHOUR, BYMINUTE or BYSECOND repeat it within a day, which neither Exchange"
            " nor Salesforce holds"
        )
    if rule.count is not None and rule.count > LIGHTNING_MAX_COUNT:
        problems.append(
            f"COUNT={rule.count}: Salesforce holds at most {LIGHTNING_MAX_COUNT} occurrences"
        )
    if problems:
        raise RecurrenceError(*problems)


# -- the walk, on naive wall times ------------------------------------------------


def _walk(
    shape: Shape, start: dt.datetime, low: dt.datetime, high: dt.datetime, steps: Steps
) -> Iterator[dt.datetime]:
    """Occurrences (naive wall times) within [low, high], ascending, from ``start`` on.

    Only the periods that touch the span are visited: the first is found from the
    period numbers, so that INTERVAL keeps counting from DTSTART's period.
    """
    low = max(low, start)
    if high < low:
        return
    origin, step = period_number(shape, start.toordinal()), shape.interval
    first = max(0, -((period_number(shape, low.toordinal()) - origin) // -step))
    last = (period_number(shape, high.toordinal()) - origin) // step
    for number in range(first, last + 1):
        steps.spend(1)
        span = period_span(shape, origin + number * step)
        if span is None:
            return
        begin, end = span
        if number == 0 and shape.freq == "WEEKLY":
            begin = max(begin, start.toordinal())  # dateutil's first week opens at DTSTART
        if not shape.setpos:  # then each day stands alone: look only at the span's
            begin, end = max(begin, low.toordinal()), min(end, high.toordinal())
        for occurrence in period_occurrences(shape, begin, end, steps.spend):
            if occurrence > high:
                return
            if occurrence >= low:
                yield occurrence


def _first(shape: Shape, start: dt.datetime) -> dt.datetime | None:
    """The first occurrence; None if there is none before year 10000."""
    return _answer(_first_or_why(shape, start))


def _count_end(shape: Shape, start: dt.datetime, count: int) -> dt.datetime | None:
    """The last of the first ``count`` occurrences (None if there are none)."""
    return _answer(_count_end_or_why(shape, start, count))


def _answer(found: dt.datetime | TooCostly | None) -> dt.datetime | None:
    if isinstance(found, TooCostly):
        raise TooCostly(*found.problems)
    return found


# Cached, failures included: a series is asked about on every run, and where it
# starts and ends never moves. (An exception is kept unraised, without a traceback.)
@functools.lru_cache(maxsize=4096)
def _first_or_why(shape: Shape, start: dt.datetime) -> dt.datetime | TooCostly | None:
    try:
        return next(_walk(shape, start, start, dt.datetime.max, Steps()), None)
    except TooCostly:
        return TooCostly(f"no occurrence within {MAX_STEPS:,} steps of its start")


@functools.lru_cache(maxsize=4096)
def _count_end_or_why(
    shape: Shape, start: dt.datetime, count: int
) -> dt.datetime | TooCostly | None:
    found = _walk(shape, start, start, dt.datetime.max, Steps())
    try:
        return collections.deque(itertools.islice(found, count), maxlen=1).pop()
    except IndexError:
        return None  # no occurrence at all
    except TooCostly:
        return TooCostly(f"its {count} occurrences take more than {MAX_STEPS:,} steps to find")


@functools.lru_cache(maxsize=4096)
def _checked(rule: str, start: dt.datetime) -> RRule | RecurrenceError:
    """:func:`checked`, cached: the planner asks about the same rule and start every run."""
    try:
        return checked(rule, start)
    except RecurrenceError as exc:
        return RecurrenceError(*exc.problems)
