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
question costs what its span costs, however old the series.

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

import calendar
import collections
import datetime as dt
import functools
import itertools
from collections.abc import Iterator
from typing import Final
from zoneinfo import ZoneInfo

import attrs

from .._recurrence_values import RecurrenceError
from .._timezones import iana_name
from ._rrule import LIGHTNING_MAX_COUNT, RRule, checked
from ._zones import instant_of, moved, until_date, utc, wall, zoneinfo

#: The most steps one question may take: periods walked plus candidate days looked
#: at. A question about a span takes about a step per day of it (two for a daily
#: rule), so the widest window ``_check`` allows (2 x 3650 days) fits; a first
#: occurrence or a COUNT that needs more is refused with the item's issue.
MAX_STEPS: Final = 50_000
#: The frequencies a calendar series has (see the module docstring).
CALENDAR_FREQS: Final = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_LAST_DAY: Final = dt.date.max.toordinal()


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
        shape = _shape(parsed, start)
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
    shape = _shape(rule, first)
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


def first_and_last(rule: RRule, start: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, dt.date]:
    """The first occurrence (aware, in ``zone``) and the local date of the last.

    Only for rules that end and whose occurrences all fall at ``start``'s wall time
    (what Exchange and Classic patterns describe); RecurrenceError if none occurs.
    """
    _limits(rule)
    begin = wall(start, zone).replace(microsecond=0)
    shape = _shape(rule, begin)
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


@attrs.frozen
class _Shape:
    """A rule with the parts it leaves to DTSTART filled in: what each period keeps."""

    freq: str
    interval: int
    wkst: int
    months: frozenset[int]
    weeknos: tuple[int, ...]
    yeardays: frozenset[int]
    monthdays: frozenset[int]  # 1..31
    last_monthdays: frozenset[int]  # -31..-1
    weekdays: frozenset[int] | None  # plain BYDAY; None: any
    nth_weekdays: tuple[tuple[int, int], ...]  # (weekday, ordinal)
    times: tuple[dt.time, ...]
    setpos: tuple[int, ...]


def _shape(rule: RRule, start: dt.datetime) -> _Shape:
    months, monthdays, byday = rule.bymonth, rule.bymonthday, rule.byday
    if not (rule.byweekno or rule.byyearday or monthdays or byday):
        # RFC 5545: what the rule leaves unsaid comes from DTSTART.
        if rule.freq == "YEARLY":
            months = months or (start.month,)
            monthdays = (start.day,)
        elif rule.freq == "MONTHLY":
            monthdays = (start.day,)
        elif rule.freq == "WEEKLY":
            byday = ((None, start.weekday()),)
    plain = frozenset(day for n, day in byday if n is None)
    # As dateutil reads BYDAY: plain and numbered days together must *both* match
    # (BYDAY=MO,1TU never occurs), where RFC 5545 would take either.
    return _Shape(
        freq=rule.freq,
        interval=rule.interval,
        wkst=rule.wkst,
        months=frozenset(months),
        weeknos=rule.byweekno,
        yeardays=frozenset(rule.byyearday),
        monthdays=frozenset(d for d in monthdays if d > 0),
        last_monthdays=frozenset(d for d in monthdays if d < 0),
        weekdays=plain or None,
        nth_weekdays=tuple(sorted((day, n) for n, day in byday if n is not None)),
        times=tuple(
            sorted(
                dt.time(hour, minute, second)
                for hour, minute, second in itertools.product(
                    rule.byhour or (start.hour,),
                    rule.byminute or (start.minute,),
                    rule.bysecond or (start.second,),
                )
            )
        ),
        setpos=rule.bysetpos,
    )


def _unit(shape: _Shape, day: int) -> int:
    """The number of the day, week, month or year (by FREQ) that ordinal ``day`` is in."""
    if shape.freq == "DAILY":
        return day
    if shape.freq == "WEEKLY":
        return (day - 1 - shape.wkst) // 7  # weeks start on WKST; ordinal 1 is a Monday
    date = dt.date.fromordinal(day)
    return date.year * 12 + date.month - 1 if shape.freq == "MONTHLY" else date.year


def _span(shape: _Shape, unit: int) -> tuple[int, int] | None:
    """The first and last ordinal of a unit; None once past the last day a date holds."""
    if shape.freq == "DAILY":
        first, last = unit, unit
    elif shape.freq == "WEEKLY":
        first = unit * 7 + 1 + shape.wkst
        first, last = max(first, 1), first + 6
    else:
        year, month = divmod(unit, 12) if shape.freq == "MONTHLY" else (unit, None)
        if year > dt.MAXYEAR:
            return None
        first, last = _month_span(year, month + 1) if month is not None else _year_span(year)
    return None if first > _LAST_DAY else (first, min(last, _LAST_DAY))


def _walk(
    shape: _Shape, start: dt.datetime, low: dt.datetime, high: dt.datetime, steps: Steps
) -> Iterator[dt.datetime]:
    """Occurrences (naive wall times) within [low, high], ascending, from ``start`` on.

    Only the periods that touch the span are visited: the first is found from the
    period numbers, so that INTERVAL keeps counting from DTSTART's period.
    """
    low = max(low, start)
    if high < low:
        return
    origin, step = _unit(shape, start.toordinal()), shape.interval
    first = max(0, -((_unit(shape, low.toordinal()) - origin) // -step))
    last = (_unit(shape, high.toordinal()) - origin) // step
    for number in range(first, last + 1):
        steps.spend(1)
        span = _span(shape, origin + number * step)
        if span is None:
            return
        begin, end = span
        if number == 0 and shape.freq == "WEEKLY":
            begin = max(begin, start.toordinal())  # dateutil's first week opens at DTSTART
        if not shape.setpos:  # then each day stands alone: look only at the span's
            begin, end = max(begin, low.toordinal()), min(end, high.toordinal())
        for occurrence in _period(shape, begin, end, steps):
            if occurrence > high:
                return
            if occurrence >= low:
                yield occurrence


def _first(shape: _Shape, start: dt.datetime) -> dt.datetime | None:
    """The first occurrence; None if there is none before year 10000."""
    return _answer(_first_or_why(shape, start))


def _count_end(shape: _Shape, start: dt.datetime, count: int) -> dt.datetime | None:
    """The last of the first ``count`` occurrences (None if there are none)."""
    return _answer(_count_end_or_why(shape, start, count))


def _answer(found: dt.datetime | TooCostly | None) -> dt.datetime | None:
    if isinstance(found, TooCostly):
        raise TooCostly(*found.problems)
    return found


# Cached, failures included: a series is asked about on every run, and where it
# starts and ends never moves. (An exception is kept unraised, without a traceback.)
@functools.lru_cache(maxsize=4096)
def _first_or_why(shape: _Shape, start: dt.datetime) -> dt.datetime | TooCostly | None:
    try:
        return next(_walk(shape, start, start, dt.datetime.max, Steps()), None)
    except TooCostly:
        return TooCostly(f"no occurrence within {MAX_STEPS:,} steps of its start")


@functools.lru_cache(maxsize=4096)
def _count_end_or_why(
    shape: _Shape, start: dt.datetime, count: int
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


def _period(shape: _Shape, begin: int, end: int, steps: Steps) -> list[dt.datetime]:
    """The occurrences of one period, looking only at days ``begin``..``end``."""
    date = dt.date.fromordinal(begin)
    nth = weeks = None
    if shape.nth_weekdays:
        month = date.month if shape.freq == "MONTHLY" else None
        nth = _nth_days(date.year, month, shape.nth_weekdays, shape.months)
    if shape.weeknos:  # BYWEEKNO goes only with YEARLY: the period is one year
        weeks = _week_days(date.year, shape.weeknos, shape.wkst)
    days = _candidates(shape, begin, end, nth, weeks)
    steps.spend(len(days))
    kept = [day for day in days if _keeps(shape, day, nth, weeks)]
    combine, fromordinal, times = dt.datetime.combine, dt.date.fromordinal, shape.times
    if not shape.setpos:
        return [combine(fromordinal(day), time) for day in kept for time in times]
    total, picked = len(kept) * len(times), set()
    for position in shape.setpos:  # BYSETPOS numbers the period's (day, time) pairs
        index = position - 1 if position > 0 else total + position
        if 0 <= index < total:
            day, time = divmod(index, len(times))
            picked.add(combine(fromordinal(kept[day]), times[time]))
    return sorted(picked)


def _candidates(
    shape: _Shape, begin: int, end: int, nth: frozenset[int] | None, weeks: frozenset[int] | None
) -> list[int]:
    """Days in begin..end that may match: every one, or those one necessary part names."""
    if begin == end:
        return [begin]
    if nth is not None:
        return sorted(day for day in nth if begin <= day <= end)
    if shape.monthdays or shape.last_monthdays:
        return _month_days(shape, begin, end)
    if shape.weekdays is not None:
        firsts = (begin + (weekday - (begin - 1)) % 7 for weekday in shape.weekdays)
        return sorted(itertools.chain.from_iterable(range(d, end + 1, 7) for d in firsts))
    if weeks is not None:
        return sorted(day for day in weeks if begin <= day <= end)
    return list(range(begin, end + 1))


def _month_days(shape: _Shape, begin: int, end: int) -> list[int]:
    found: list[int] = []
    date = dt.date.fromordinal(begin)
    year, month = date.year, date.month
    while year <= dt.MAXYEAR:
        first, last = _month_span(year, month)
        if first > end:
            break
        if not shape.months or month in shape.months:
            length = last - first + 1
            found.extend(first + d - 1 for d in shape.monthdays if d <= length)
            found.extend(last + d + 1 for d in shape.last_monthdays if -d <= length)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(day for day in set(found) if begin <= day <= end)


def _keeps(
    shape: _Shape, day: int, nth: frozenset[int] | None, weeks: frozenset[int] | None
) -> bool:
    """Whether ``day`` matches every BYxxx part (dateutil's masks, one day at a time)."""
    if shape.weekdays is not None and (day - 1) % 7 not in shape.weekdays:
        return False
    if (nth is not None and day not in nth) or (weeks is not None and day not in weeks):
        return False
    if not (shape.months or shape.monthdays or shape.last_monthdays or shape.yeardays):
        return True
    date = dt.date.fromordinal(day)
    if shape.months and date.month not in shape.months:
        return False
    if shape.monthdays or shape.last_monthdays:
        length = calendar.monthrange(date.year, date.month)[1]
        if date.day not in shape.monthdays and date.day - length - 1 not in shape.last_monthdays:
            return False
    if shape.yeardays:
        first, last = _year_span(date.year)
        number = day - first + 1
        if number not in shape.yeardays and number - (last - first + 1) - 1 not in shape.yeardays:
            return False
    return True


def _year_span(year: int) -> tuple[int, int]:
    first = _jan1(year)
    return first, first + 364 + calendar.isleap(year)


def _month_span(year: int, month: int) -> tuple[int, int]:
    first = dt.date(year, month, 1).toordinal()
    return first, first + calendar.monthrange(year, month)[1] - 1


def _jan1(year: int) -> int:
    """The ordinal of 1 January ``year``; year 0 (a leap year, proleptic) included."""
    return dt.date(year, 1, 1).toordinal() if year >= 1 else 1 - 366


@functools.lru_cache(maxsize=1024)
def _nth_days(
    year: int, month: int | None, nth: tuple[tuple[int, int], ...], months: frozenset[int]
) -> frozenset[int]:
    """The days numbered BYDAY values (2MO, -1FR) name: within ``month`` (FREQ=MONTHLY),
    else within each BYMONTH month, else within the year -- as dateutil counts them."""
    if month is not None:
        ranges = [_month_span(year, month)]
    elif months:
        ranges = [_month_span(year, m) for m in sorted(months)]
    else:
        ranges = [_year_span(year)]
    found = set()
    for first, last in ranges:
        for weekday, n in nth:
            if n < 0:
                day = last + (n + 1) * 7
                day -= ((day - 1) % 7 - weekday) % 7
            else:
                day = first + (n - 1) * 7
                day += (weekday - (day - 1) % 7) % 7
            if first <= day <= last:
                found.add(day)
    return frozenset(found)


@functools.lru_cache(maxsize=1024)
def _week_days(year: int, weeknos: tuple[int, ...], wkst: int) -> frozenset[int]:
    """The days of ``year`` in BYWEEKNO's weeks, numbered as dateutil numbers them.

    Weeks start on WKST; week 1 is the first with four days or more in the year
    (RFC 5545). Days of the year in the previous year's last week, or in the next
    year's week 1, count for those weeks. A transcription of dateutil's
    ``_iterinfo`` (``wnomask``), so that both keep the same days.
    """
    first, last = _year_span(year)
    length = last - first + 1
    weekday = (first - 1) % 7
    no1wkst = firstwkst = (7 - weekday + wkst) % 7
    if no1wkst >= 4:
        no1wkst = 0
        wyearlen = length + (weekday - wkst) % 7
    else:
        wyearlen = length - no1wkst
    div, mod = divmod(wyearlen, 7)
    numweeks = div + mod // 4
    marked: set[int] = set()

    def week_from(index: int) -> None:
        for _ in range(7):
            marked.add(index)
            index += 1
            if (weekday + index) % 7 == wkst:
                break

    for n in weeknos:
        if n < 0:
            n += numweeks + 1
        if not 0 < n <= numweeks:
            continue
        index = no1wkst + (n - 1) * 7 if n > 1 else no1wkst
        if n > 1 and no1wkst != firstwkst:
            index -= 7 - firstwkst
        week_from(index)
    if 1 in weeknos:
        index = no1wkst + numweeks * 7
        if no1wkst != firstwkst:
            index -= 7 - firstwkst
        if index < length:
            week_from(index)
    if no1wkst:
        if -1 in weeknos:
            previous = -1
        else:
            last_weekday = (_jan1(year - 1) - 1) % 7
            last_length = 365 + calendar.isleap(year - 1)
            if (7 - last_weekday + wkst) % 7 >= 4:
                previous = 52 + (last_length + (last_weekday - wkst) % 7) % 7 // 4
            else:  # dateutil's own formula, this year's length and all
                previous = 52 + (length - no1wkst) % 7 // 4
        if previous in weeknos:
            marked.update(range(no1wkst))
    return frozenset(first + index for index in marked if index < length)
