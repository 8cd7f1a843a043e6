"""RRULE text for :mod:`calsync_core.recurrence`: reading, checking and writing it canonically.

Owns the RFC 5545 section 3.3.10 grammar and its cross-part rules, and the numbers
of Salesforce Lightning's limits on ``Recurrence2PatternText`` (checked in
:mod:`._lightning`). Expansion is :mod:`._walk`'s,
with dateutil's meaning of each part; this module reads the text into parts, because
dateutil neither exposes the parts it parsed nor refuses what RFC 5545 forbids (COUNT
with UNTIL only warns, unknown FREQ values raise a bare KeyError-turned-ValueError,
BYEASTER is accepted).

Canonical text: no ``RRULE:`` prefix, upper case, parts in :data:`PART_ORDER`,
list values sorted and without repeats, and the two RFC defaults ``INTERVAL=1``
and ``WKST=MO`` left out -- so that equal rules written differently compare equal.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from typing import Final

import attrs
from dateutil import rrule as du

from .._recurrence_values import RecurrenceError

FREQS: Final = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
#: RFC 5545 weekday codes, indexed like :meth:`datetime.date.weekday` (Monday 0).
DAY_CODES: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: The order of parts in canonical text.
PART_ORDER: Final = (
    "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY",
    "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "BYSETPOS", "WKST",
)  # fmt: skip
#: Integer-list parts: (smallest, largest, negatives allowed), from RFC 5545's grammar.
_INT_LISTS: Final[dict[str, tuple[int, int, bool]]] = {
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}

#: Salesforce Lightning ``Recurrence2PatternText``: the parts it takes, its INTERVAL
#: ceiling per FREQ, its COUNT ceiling and its length (Object Reference, "Event").
LIGHTNING_PARTS: Final = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
)
LIGHTNING_MAX_INTERVAL: Final = {"DAILY": 999, "WEEKLY": 99, "MONTHLY": 99, "YEARLY": 1}
LIGHTNING_MAX_COUNT: Final = 999
LIGHTNING_MAX_LENGTH: Final = 512

_WHOLE: Final = re.compile(r"\d{1,9}")
_INT: Final = re.compile(r"[+-]?\d{1,3}")
_DAY: Final = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL: Final = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?")

#: One BYDAY entry: (ordinal or None, weekday with Monday 0).
Day = tuple[int | None, int]


@attrs.frozen(kw_only=True)
class RRule:
    """The parts of one RRULE; empty tuples for absent BYxxx parts."""

    freq: str
    interval: int = 1
    count: int | None = None
    #: A date, a floating datetime or an aware UTC datetime, as the text said.
    until: dt.date | None = None
    bymonth: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[Day, ...] = ()
    byhour: tuple[int, ...] = ()
    byminute: tuple[int, ...] = ()
    bysecond: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    wkst: int = 0


def parse(text: str) -> tuple[RRule, tuple[str, ...]]:
    """The parts of ``text`` and the names it spelled out; RecurrenceError if unreadable.

    Only the grammar is checked here; :func:`rfc_problems` checks how parts combine.
    """
    body = text.strip()
    if body[:6].upper() == "RRULE:":
        body = body[6:]
    if not body:
        raise RecurrenceError("malformed RRULE: empty text")
    if ":" in body or any(c.isspace() for c in body):
        raise RecurrenceError(
            f"malformed RRULE {text!r}: expected one RRULE value, without DTSTART or other lines"
        )
    problems: list[str] = []
    raw: dict[str, str] = {}
    for part in body.split(";"):
        name, eq, value = part.partition("=")
        name = name.strip().upper()
        if not eq or not name or not value:
            problems.append(f"malformed RRULE part {part!r}: NAME=VALUE expected")
        elif name not in PART_ORDER:
            problems.append(f"unknown RRULE part {name}")
        elif name in raw:
            problems.append(f"RRULE part {name} given twice")
        else:
            raw[name] = value.strip().upper()
    if "FREQ" not in raw and not problems:
        problems.append("RRULE has no FREQ")
    if problems:
        raise RecurrenceError(*problems)
    values: dict[str, object] = {}
    for name, value in raw.items():
        parsed = _value(name, value, problems)
        if parsed is not None:
            values[name.lower()] = parsed
    if problems:
        raise RecurrenceError(*problems)
    rule = RRule(**values)  # type: ignore[arg-type]  # keys and types made by _value
    return rule, tuple(name for name in PART_ORDER if name in raw)


def _value(name: str, value: str, problems: list[str]) -> object:
    """One part's value, parsed; None (with a problem added) when it is malformed."""
    if name == "FREQ":
        if value not in FREQS:
            problems.append(f"unknown FREQ={value}")
            return None
        return value
    if name in ("INTERVAL", "COUNT"):
        if not _WHOLE.fullmatch(value):
            problems.append(f"{name}={value} is not a whole number")
            return None
        return int(value)
    if name == "UNTIL":
        return _until(value, problems)
    if name == "WKST":
        if value not in DAY_CODES:
            problems.append(f"WKST={value} is not a weekday code")
            return None
        return DAY_CODES.index(value)
    if name == "BYDAY":
        return _days(value, problems)
    low, high, negatives = _INT_LISTS[name]
    numbers: list[int] = []
    for item in value.split(","):
        number = int(item) if _INT.fullmatch(item) else None
        if number is None or not (low <= abs(number) <= high) or (number < 0 and not negatives):
            span = f"{low}-{high}" + (f" or -{high} to -1" if negatives else "")
            problems.append(f"{name} value {item!r} outside {span}")
        else:
            numbers.append(number)
    return tuple(sorted(set(numbers)))


def _until(value: str, problems: list[str]) -> dt.date | None:
    match = _UNTIL.fullmatch(value)
    if match is None:
        problems.append(f"UNTIL={value} is not YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ")
        return None
    year, month, day, hour, minute, second, utc = match.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day))
        zone = dt.UTC if utc else None
        return dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError as exc:
        problems.append(f"UNTIL={value} is not a real date and time ({exc})")
        return None


def _days(value: str, problems: list[str]) -> tuple[Day, ...]:
    days: set[Day] = set()
    for item in value.split(","):
        match = _DAY.fullmatch(item)
        ordinal = int(match.group(1)) if match and match.group(1) else None
        if match is None or ordinal == 0 or (ordinal is not None and abs(ordinal) > 53):
            problems.append(f"BYDAY value {item!r} is not [+/-n]MO..SU with n 1-53")
        else:
            days.add((ordinal, DAY_CODES.index(match.group(2))))
    return tuple(sorted(days, key=lambda d: (d[1], d[0] or 0)))


def rfc_problems(rule: RRule) -> list[str]:
    """How the parts of ``rule`` break RFC 5545's rules for combining them."""
    problems: list[str] = []
    if rule.interval < 1:
        problems.append(f"INTERVAL={rule.interval} must be 1 or more")
    if rule.count is not None and rule.count < 1:
        problems.append(f"COUNT={rule.count} must be 1 or more")
    if rule.count is not None and rule.until is not None:
        # RFC 5545 forbids both; dateutil only warns and then stops at whichever comes first.
        problems.append("COUNT and UNTIL given together")
    if rule.bysetpos and not (
        rule.bymonth or rule.byweekno or rule.byyearday or rule.bymonthday or rule.byday
        or rule.byhour or rule.byminute or rule.bysecond
    ):  # fmt: skip
        problems.append("BYSETPOS needs another BYxxx part to pick from")
    if rule.byweekno and rule.freq != "YEARLY":
        problems.append(f"BYWEEKNO only goes with FREQ=YEARLY, not FREQ={rule.freq}")
    if rule.byyearday and rule.freq in ("DAILY", "WEEKLY", "MONTHLY"):
        problems.append(f"BYYEARDAY does not go with FREQ={rule.freq}")
    if rule.bymonthday and rule.freq == "WEEKLY":
        problems.append("BYMONTHDAY does not go with FREQ=WEEKLY")
    if any(n is not None for n, _ in rule.byday) and (
        rule.freq not in ("MONTHLY", "YEARLY") or rule.byweekno
    ):
        problems.append(
            "numbered BYDAY values (like 2MO) only go with FREQ=MONTHLY or YEARLY without BYWEEKNO"
        )
    return problems


def until_problem(rule: RRule, start: dt.datetime) -> str | None:
    """Why ``rule``'s UNTIL does not fit ``start`` (RFC 5545: same kind, UTC when aware)."""
    until = rule.until
    if until is None:
        return None
    aware = start.tzinfo is not None and start.utcoffset() is not None
    if not isinstance(until, dt.datetime):
        return "UNTIL is a DATE but the start is a DATE-TIME: give UNTIL as a date-time"
    if aware and until.tzinfo is None:
        return "UNTIL is floating but the start is timezone-aware: UNTIL must be UTC (…Z)"
    if not aware and until.tzinfo is not None:
        return "UNTIL is UTC (…Z) but the start is floating: UNTIL must be floating too"
    return None


def checked(text: str, start: dt.datetime) -> RRule:
    """The parts of ``text`` after every check :func:`calsync_core.recurrence.validate` makes."""
    rule, _ = parse(text)
    problems = rfc_problems(rule)
    until = until_problem(rule, start)
    if until is not None:
        problems.append(until)
    if problems:
        raise RecurrenceError(*problems)
    dateutil_series(rule, start, with_until=True)  # dateutil must read it too
    return rule


def dateutil_series(rule: RRule, start: dt.datetime, *, with_until: bool) -> du.rrule:
    """``rule`` from ``start`` as a dateutil rrule, read from its canonical text.

    WKST is always written out: without it dateutil falls back on the
    process-wide ``calendar.firstweekday()``.
    """
    text = render(rule, with_until=with_until, with_wkst=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            series = du.rrulestr(text, dtstart=start)
    except (ValueError, TypeError, OverflowError) as exc:
        raise RecurrenceError(f"RRULE {text!r} cannot be read: {exc}") from None
    if not isinstance(series, du.rrule):  # pragma: no cover - one RRULE line gives one rrule
        raise RecurrenceError(f"RRULE {text!r} is not one rule")
    return series


def render(rule: RRule, *, with_until: bool = True, with_wkst: bool = False) -> str:
    """Canonical text of ``rule`` (see the module docstring)."""
    parts = [f"FREQ={rule.freq}"]
    if rule.interval != 1:
        parts.append(f"INTERVAL={rule.interval}")
    if rule.count is not None:
        parts.append(f"COUNT={rule.count}")
    if rule.until is not None and with_until:
        parts.append(f"UNTIL={_render_until(rule.until)}")
    lists = {
        "BYMONTH": rule.bymonth,
        "BYWEEKNO": rule.byweekno,
        "BYYEARDAY": rule.byyearday,
        "BYMONTHDAY": rule.bymonthday,
        "BYHOUR": rule.byhour,
        "BYMINUTE": rule.byminute,
        "BYSECOND": rule.bysecond,
        "BYSETPOS": rule.bysetpos,
    }
    values = {name: ",".join(map(str, numbers)) for name, numbers in lists.items()}
    values["BYDAY"] = ",".join(f"{'' if n is None else n}{DAY_CODES[d]}" for n, d in rule.byday)
    # PART_ORDER is the canonical order; an absent part has no text.
    parts.extend(f"{name}={values[name]}" for name in PART_ORDER if values.get(name))
    if rule.wkst != 0 or with_wkst:
        parts.append(f"WKST={DAY_CODES[rule.wkst]}")
    return ";".join(parts)


def _render_until(until: dt.date) -> str:
    if not isinstance(until, dt.datetime):
        return until.strftime("%Y%m%d")
    suffix = "Z" if until.tzinfo is not None else ""
    return until.strftime("%Y%m%dT%H%M%S") + suffix
