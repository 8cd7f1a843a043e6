"""Exchange-style patterns for :mod:`calsync_core.recurrence`, and Graph's JSON for them.

Owns what an RRULE must look like for Exchange (and, through it, Salesforce
Classic) to express it. :class:`Pattern` is the pivot: Microsoft Graph's
``patternedRecurrence`` and Salesforce Classic's fields both describe exactly a
Pattern, and RRULE text maps onto one where it can.

The day-29/30/31 mismatch (DOMAIN.md, "Day 31"): Exchange's ``dayOfMonth`` falls
on the *last* day of shorter months, RFC 5545's ``BYMONTHDAY`` skips them. The
encoding written here, one per case, and read back (with ``28..31;BYSETPOS=-1``,
the other faithful form for 31, also read):

=====================  =================================================
Exchange               RRULE
=====================  =================================================
monthly, day 1-28      ``BYMONTHDAY=d``
monthly, day 29        ``BYMONTHDAY=28,29;BYSETPOS=-1``
monthly, day 30        ``BYMONTHDAY=28,29,30;BYSETPOS=-1``
monthly, day 31        ``BYMONTHDAY=-1``
yearly, day fits       ``BYMONTH=m;BYMONTHDAY=d`` (d at most the month's
                       shortest length: 28 for February)
yearly, day too big    ``BYMONTH=m;BYMONTHDAY=-1`` (February 29 or 30,
                       April 31 ...: the month's last day)
=====================  =================================================

A plain ``BYMONTHDAY=29``, ``30`` or ``31`` (monthly), or February 29 (yearly),
keeps the RFC meaning -- skip -- which Exchange cannot express, so it is refused.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from .._recurrence_values import RecurrenceError
from ._rrule import Day, RRule
from ._zones import end_of_day, until_date, zoneinfo

DAILY: Final = "daily"
WEEKLY: Final = "weekly"
ABSOLUTE_MONTHLY: Final = "absoluteMonthly"
RELATIVE_MONTHLY: Final = "relativeMonthly"
ABSOLUTE_YEARLY: Final = "absoluteYearly"
RELATIVE_YEARLY: Final = "relativeYearly"
KINDS: Final = (DAILY, WEEKLY, ABSOLUTE_MONTHLY, RELATIVE_MONTHLY, ABSOLUTE_YEARLY, RELATIVE_YEARLY)
_KIND_BY_LOWER: Final = {kind.lower(): kind for kind in KINDS}

#: Graph's day names, indexed like ``date.weekday()`` (Monday 0).
GRAPH_DAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: EWS's day groups, allowed where a relative pattern takes one day value.
EWS_DAY_GROUPS: Final = {
    "day": frozenset(range(7)),
    "weekday": frozenset(range(5)),
    "weekendday": frozenset({5, 6}),
}
#: Exchange's ``index`` and its BYSETPOS / BYDAY ordinal.
INDEXES: Final = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_INDEX_NAMES: Final = {number: name for name, number in INDEXES.items()}
WEEKDAYS: Final = frozenset(range(5))
ALL_DAYS: Final = frozenset(range(7))
#: Graph's documented default week start.
GRAPH_DEFAULT_WKST: Final = 6


@attrs.frozen(kw_only=True)
class Pattern:
    """A recurrence Exchange can hold. ``until`` is an aware UTC datetime.

    ``daily`` with ``days`` is RRULE's ``FREQ=DAILY;BYDAY=...`` (interval 1), kept
    apart from ``weekly`` only so Classic's RecursEveryWeekday reads back as itself.
    """

    kind: str
    interval: int = 1
    days: frozenset[int] = frozenset()
    day_of_month: int | None = None
    month: int | None = None
    index: int | None = None
    wkst: int = 0
    count: int | None = None
    until: dt.datetime | None = None


def shortest(month: int) -> int:
    """The fewest days ``month`` has in any year."""
    return 28 if month == 2 else calendar.monthrange(2001, month)[1]


def longest(month: int) -> int:
    """The most days ``month`` has in any year."""
    return calendar.monthrange(2000, month)[1]


# -- Pattern -> RRULE ------------------------------------------------------------


def to_rule(p: Pattern) -> RRule:
    """The RRULE for ``p`` (the encodings in the module docstring)."""
    end: dict[str, Any] = {"interval": p.interval, "count": p.count, "until": p.until}
    plain = tuple((None, d) for d in sorted(p.days))
    if p.kind == DAILY:
        return RRule(freq="DAILY", byday=plain, **end)
    if p.kind == WEEKLY:
        return RRule(freq="WEEKLY", byday=plain, wkst=p.wkst, **end)
    freq = "MONTHLY" if p.kind in (ABSOLUTE_MONTHLY, RELATIVE_MONTHLY) else "YEARLY"
    month = () if p.month is None else (p.month,)
    if p.kind in (RELATIVE_MONTHLY, RELATIVE_YEARLY):
        assert p.index is not None
        if len(p.days) == 1:
            (day,) = p.days
            return RRule(freq=freq, bymonth=month, byday=((p.index, day),), **end)
        return RRule(freq=freq, bymonth=month, byday=plain, bysetpos=(p.index,), **end)
    assert p.day_of_month is not None
    monthdays, setpos = _encode_day(p.day_of_month, p.month)
    return RRule(freq=freq, bymonth=month, bymonthday=monthdays, bysetpos=setpos, **end)


def _encode_day(day: int, month: int | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """BYMONTHDAY and BYSETPOS that land on ``day`` or, in shorter months, the last day."""
    if month is not None:  # yearly: one month, so "the last day" is exact once day won't fit
        return ((day,), ()) if day <= shortest(month) else ((-1,), ())
    if day <= 28:
        return (day,), ()
    if day >= 31:
        return (-1,), ()
    return tuple(range(28, day + 1)), (-1,)


# -- RRULE -> Pattern ------------------------------------------------------------


def from_rule(rule: RRule, start: dt.datetime) -> Pattern:
    """The pattern ``rule`` describes from ``start`` (local, aware); RecurrenceError if none."""
    for name, given in (
        ("BYHOUR", rule.byhour),
        ("BYMINUTE", rule.byminute),
        ("BYSECOND", rule.bysecond),
        ("BYYEARDAY", rule.byyearday),
        ("BYWEEKNO", rule.byweekno),
    ):
        if given:
            raise RecurrenceError(f"{name} cannot be expressed as an Exchange pattern")
    if rule.freq not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        raise RecurrenceError(f"FREQ={rule.freq} cannot be expressed as an Exchange pattern")
    if not isinstance(rule.until, dt.datetime | None) or (
        rule.until is not None and rule.until.tzinfo is None
    ):
        raise RecurrenceError("UNTIL must be UTC (…Z) for an Exchange pattern")
    end: dict[str, Any] = {"interval": rule.interval, "count": rule.count, "until": rule.until}
    if rule.freq in ("DAILY", "WEEKLY"):
        return _daily_or_weekly(rule, start, end)
    if rule.freq == "MONTHLY":
        if rule.bymonth:
            raise RecurrenceError("BYMONTH with FREQ=MONTHLY cannot be expressed as a pattern")
        return _in_month(rule, None, start, end)
    if len(rule.bymonth) > 1:
        raise RecurrenceError("a yearly pattern has one month; BYMONTH lists several")
    if not rule.bymonth and (rule.byday or rule.bymonthday):
        raise RecurrenceError(
            "FREQ=YEARLY with BYDAY or BYMONTHDAY but no BYMONTH repeats within the year;"
            " an Exchange yearly pattern needs one BYMONTH"
        )
    month = rule.bymonth[0] if rule.bymonth else start.month
    return _in_month(rule, month, start, end)


def _daily_or_weekly(rule: RRule, start: dt.datetime, end: dict[str, Any]) -> Pattern:
    if rule.bymonth or rule.bymonthday or rule.bysetpos:
        raise RecurrenceError(
            f"FREQ={rule.freq} with BYMONTH, BYMONTHDAY or BYSETPOS cannot be expressed"
        )
    days = frozenset(d for _, d in rule.byday)
    if rule.freq == "WEEKLY":
        days = days or frozenset({start.weekday()})  # the RFC takes the day from DTSTART
        return Pattern(kind=WEEKLY, days=days, wkst=rule.wkst, **end)
    if days in (frozenset(), ALL_DAYS):
        return Pattern(kind=DAILY, **end)
    if rule.interval != 1:
        raise RecurrenceError("FREQ=DAILY with BYDAY needs INTERVAL=1 to be a weekly pattern")
    return Pattern(kind=DAILY, days=days, **end)


def _in_month(rule: RRule, month: int | None, start: dt.datetime, end: dict[str, Any]) -> Pattern:
    yearly = month is not None
    where = "yearly" if yearly else "monthly"
    if rule.byday and rule.bymonthday:
        raise RecurrenceError(f"a {where} pattern takes BYDAY or BYMONTHDAY, not both")
    if rule.byday:
        days, index = _relative(rule.byday, rule.bysetpos)
        kind = RELATIVE_YEARLY if yearly else RELATIVE_MONTHLY
        return Pattern(kind=kind, days=days, index=index, month=month, **end)
    kind = ABSOLUTE_YEARLY if yearly else ABSOLUTE_MONTHLY
    if rule.bymonthday:
        day = _decode_day(rule.bymonthday, rule.bysetpos, month)
    elif rule.bysetpos:
        raise RecurrenceError("BYSETPOS without BYDAY or BYMONTHDAY cannot be expressed")
    else:
        day = start.day  # the RFC takes the day from DTSTART; it must not be one that skips
        if day > (28 if month is None else shortest(month)):
            raise RecurrenceError(
                f"a {where} rule on day {day} (from its start) skips shorter months in"
                f" RFC 5545 but not in Exchange; give BYMONTHDAY (e.g. -1 for the last day)"
            )
    return Pattern(kind=kind, day_of_month=day, month=month, **end)


def _relative(byday: Iterable[Day], bysetpos: tuple[int, ...]) -> tuple[frozenset[int], int]:
    days = tuple(byday)
    numbered = [n for n, _ in days if n is not None]
    if len(days) == 1 and numbered and not bysetpos:
        ((index, day),) = days
        if index in _INDEX_NAMES:
            return frozenset({day}), index
        raise RecurrenceError(f"BYDAY ordinal {index}: Exchange takes first-fourth or last")
    if not numbered and len(bysetpos) == 1 and bysetpos[0] in _INDEX_NAMES:
        return frozenset(d for _, d in days), bysetpos[0]
    raise RecurrenceError(
        "BYDAY in a monthly or yearly pattern must be one numbered day (2MO, -1FR) or plain"
        " days with one BYSETPOS of 1-4 or -1"
    )


def _decode_day(monthdays: tuple[int, ...], setpos: tuple[int, ...], month: int | None) -> int:
    top = 31 if month is None else longest(month)
    fits = 28 if month is None else shortest(month)
    if setpos == (-1,) and len(monthdays) > 1 and monthdays == tuple(range(28, monthdays[-1] + 1)):
        return min(monthdays[-1], top)  # 28..k, last of them: day k or the month's last day
    if not setpos and monthdays == (-1,):
        return top
    if not setpos and len(monthdays) == 1 and 1 <= monthdays[0] <= fits:
        return monthdays[0]
    text = ",".join(map(str, monthdays)) + ("" if not setpos else f" with BYSETPOS={setpos}")
    raise RecurrenceError(
        f"BYMONTHDAY={text} cannot be expressed: Exchange takes one day, which falls on the"
        f" last day of shorter months (write -1 or 28,...,d;BYSETPOS=-1 for that)"
    )


# -- Graph JSON -> Pattern -------------------------------------------------------


def from_graph(recurrence: Mapping[str, Any], fallback_zone: str | None) -> Pattern:
    """The pattern in Graph's ``patternedRecurrence``; every problem at once if unreadable."""
    problems: list[str] = []
    pattern, span = recurrence.get("pattern"), recurrence.get("range")
    if not isinstance(pattern, Mapping) or not isinstance(span, Mapping):
        raise RecurrenceError("recurrence needs a 'pattern' and a 'range' object")
    raw_kind = pattern.get("type")
    kind = _KIND_BY_LOWER.get(raw_kind.lower()) if isinstance(raw_kind, str) else None
    if kind is None:
        raise RecurrenceError(f"pattern.type {raw_kind!r} is not one of {', '.join(KINDS)}")
    interval = _number(pattern, "interval", 1, 1_000_000, problems, default=1)
    values: dict[str, Any] = {"kind": kind, "interval": interval}
    if kind in (WEEKLY, RELATIVE_MONTHLY, RELATIVE_YEARLY):
        values["days"] = _graph_days(pattern.get("daysOfWeek"), problems)
    if kind == WEEKLY:
        first = pattern.get("firstDayOfWeek", "sunday")
        values["wkst"] = _graph_day(first, "pattern.firstDayOfWeek", problems)
    if kind in (RELATIVE_MONTHLY, RELATIVE_YEARLY):
        index = pattern.get("index", "first")
        values["index"] = INDEXES.get(index.lower()) if isinstance(index, str) else None
        if values["index"] is None:
            problems.append(f"pattern.index {index!r} is not one of {', '.join(INDEXES)}")
    if kind in (ABSOLUTE_MONTHLY, ABSOLUTE_YEARLY):
        values["day_of_month"] = _number(pattern, "dayOfMonth", 1, 31, problems)
    if kind in (ABSOLUTE_YEARLY, RELATIVE_YEARLY):
        values["month"] = _number(pattern, "month", 1, 12, problems)
    values.update(_graph_range(span, fallback_zone, problems))
    if problems:
        raise RecurrenceError(*problems)
    return Pattern(**values)


def _number(
    where: Mapping[str, Any],
    key: str,
    low: int,
    high: int,
    problems: list[str],
    default: int | None = None,
    path: str = "pattern",
) -> int:
    value = where.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{path}.{key} {value!r} is not a whole number {low}-{high}")
        return low
    return value


def _graph_day(value: object, path: str, problems: list[str]) -> int:
    name = value.lower() if isinstance(value, str) else None
    if name not in GRAPH_DAYS:
        problems.append(f"{path} {value!r} is not a day name")
        return 0
    return GRAPH_DAYS.index(name)


def _graph_days(value: object, problems: list[str]) -> frozenset[int]:
    if not isinstance(value, list | tuple) or not value:
        problems.append(f"pattern.daysOfWeek {value!r} must list at least one day")
        return frozenset()
    days: set[int] = set()
    for item in value:
        group = EWS_DAY_GROUPS.get(item.lower()) if isinstance(item, str) else None
        if group is not None:
            days |= group
        else:
            days.add(_graph_day(item, "pattern.daysOfWeek item", problems))
    return frozenset(days)


def _graph_range(
    span: Mapping[str, Any], fallback_zone: str | None, problems: list[str]
) -> dict[str, Any]:
    kind = span.get("type")
    kind = kind.lower() if isinstance(kind, str) else kind
    if kind == "noend":
        return {}
    if kind == "numbered":
        count = _number(span, "numberOfOccurrences", 1, 1_000_000, problems, path="range")
        return {"count": count}
    if kind != "enddate":
        problems.append(f"range.type {span.get('type')!r} is not endDate, noEnd or numbered")
        return {}
    raw = span.get("endDate")
    try:
        end = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    except ValueError:
        problems.append(f"range.endDate {raw!r} is not a date (YYYY-MM-DD)")
        return {}
    zone_id = span.get("recurrenceTimeZone") or fallback_zone
    if not isinstance(zone_id, str):
        problems.append(
            "range.recurrenceTimeZone is missing: endDate is a date in it"
            " (pass time_zone= with the event's zone)"
        )
        return {}
    try:
        zone = zoneinfo(zone_id)
    except RecurrenceError as exc:
        problems.append(f"range.recurrenceTimeZone: {exc}")
        return {}
    return {"until": end_of_day(end, zone)}


def graph_start_date(recurrence: Mapping[str, Any]) -> dt.date | None:
    """``range.startDate`` of Graph's ``patternedRecurrence``, or None when it is absent."""
    span = recurrence.get("range")
    raw = span.get("startDate") if isinstance(span, Mapping) else None
    if raw is None or isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise RecurrenceError(f"range.startDate {raw!r} is not a date (YYYY-MM-DD)") from None


# -- Pattern -> Graph JSON -------------------------------------------------------


def to_graph(p: Pattern, start: dt.datetime, zone: ZoneInfo, zone_id: str) -> dict[str, Any]:
    """Graph's ``patternedRecurrence`` for ``p`` whose first occurrence is ``start`` (aware,
    in ``zone``)."""
    kind = WEEKLY if p.kind == DAILY and p.days else p.kind
    pattern: dict[str, Any] = {"type": kind, "interval": p.interval}
    if p.days:
        # Graph's own order, Sunday first.
        pattern["daysOfWeek"] = [GRAPH_DAYS[d] for d in sorted(p.days, key=lambda d: (d + 1) % 7)]
    if kind == WEEKLY:
        pattern["firstDayOfWeek"] = GRAPH_DAYS[p.wkst]
    if p.day_of_month is not None:
        pattern["dayOfMonth"] = p.day_of_month
    if p.month is not None:
        pattern["month"] = p.month
    if p.index is not None:
        pattern["index"] = _INDEX_NAMES[p.index]
    # Graph's startDate: the first occurrence's date (see rrule_to_graph).
    span: dict[str, Any] = {"startDate": start.date().isoformat(), "recurrenceTimeZone": zone_id}
    if p.count is not None:
        span.update(type="numbered", numberOfOccurrences=p.count)
    elif p.until is not None:
        last = until_date(p.until, start, zone)
        if last < start.date():
            raise RecurrenceError(
                "UNTIL falls before the start (the first occurrence): the series has no occurrences"
            )
        span.update(type="endDate", endDate=last.isoformat())
    else:
        span["type"] = "noEnd"
    return {"pattern": pattern, "range": span}
