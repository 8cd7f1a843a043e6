"""One period of a series: the days and times a rule keeps in it, as dateutil reads each part.

:mod:`._walk` decides which periods (days, weeks, months or years, by FREQ) a
question needs, and numbers them from DTSTART's; this module says what a rule
keeps *within* one of them. It is kept apart because it is the part that must
match dateutil to the letter -- every BYxxx part, BYSETPOS and BYWEEKNO with their
quirks (the property tests compare the two) -- while the walk around it is this
package's own.

Days are proleptic ordinals (:meth:`datetime.date.toordinal`), times naive wall
times: zones are :mod:`._walk`'s concern. The cost of a period -- the candidate
days looked at -- is paid through ``spend``, the question's step budget.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import itertools
from collections.abc import Callable
from typing import Final

import attrs

from ._rrule import RRule

#: The ordinal of 31 December 9999: no period runs past it.
_LAST_DAY: Final = dt.date.max.toordinal()


@attrs.frozen
class Shape:
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


def shape_of(rule: RRule, start: dt.datetime) -> Shape:
    """What ``rule`` keeps in each period when its series starts at ``start`` (naive, wall)."""
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
    return Shape(
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


def period_number(shape: Shape, day: int) -> int:
    """The number of the day, week, month or year (by FREQ) that ordinal ``day`` is in."""
    if shape.freq == "DAILY":
        return day
    if shape.freq == "WEEKLY":
        return (day - 1 - shape.wkst) // 7  # weeks start on WKST; ordinal 1 is a Monday
    date = dt.date.fromordinal(day)
    return date.year * 12 + date.month - 1 if shape.freq == "MONTHLY" else date.year


def period_span(shape: Shape, number: int) -> tuple[int, int] | None:
    """The first and last ordinal of period ``number`` (see :func:`period_number`); None
    once past the last day a date holds."""
    if shape.freq == "DAILY":
        first, last = number, number
    elif shape.freq == "WEEKLY":
        first = number * 7 + 1 + shape.wkst
        first, last = max(first, 1), first + 6
    else:
        year, month = divmod(number, 12) if shape.freq == "MONTHLY" else (number, None)
        if year > dt.MAXYEAR:
            return None
        first, last = _month_span(year, month + 1) if month is not None else _year_span(year)
    return None if first > _LAST_DAY else (first, min(last, _LAST_DAY))


def period_occurrences(
    shape: Shape, begin: int, end: int, spend: Callable[[int], None]
) -> list[dt.datetime]:
    """The occurrences of one period, looking only at days ``begin``..``end``.

    ``spend`` is charged the candidate days looked at, before they are matched.
    """
    date = dt.date.fromordinal(begin)
    nth = weeks = None
    if shape.nth_weekdays:
        month = date.month if shape.freq == "MONTHLY" else None
        nth = _nth_days(date.year, month, shape.nth_weekdays, shape.months)
    if shape.weeknos:  # BYWEEKNO goes only with YEARLY: the period is one year
        weeks = _week_days(date.year, shape.weeknos, shape.wkst)
    days = _candidates(shape, begin, end, nth, weeks)
    spend(len(days))
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
    shape: Shape, begin: int, end: int, nth: frozenset[int] | None, weeks: frozenset[int] | None
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


def _month_days(shape: Shape, begin: int, end: int) -> list[int]:
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
    shape: Shape, day: int, nth: frozenset[int] | None, weeks: frozenset[int] | None
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
