"""Salesforce Lightning's ``Recurrence2PatternText`` for :mod:`calsync_core.recurrence`.

Owns what Lightning takes as RRULE text and how the hub's text maps onto it.
Source: the Event object's ``Recurrence2PatternText`` field in the Salesforce
Object Reference ("Event",
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm).
That section's text was not at hand when these rules were written (as
tests/fixtures/NOTES.md records for the earlier ones): they are its rules as
reported, including its own ``1SU,-1SU`` example, and want checking against the
page or an org. The parts it takes, INTERVAL and COUNT ceilings, 512 characters, and

* ``BYMONTHDAY`` takes 1-31 only, no negative days;
* ``BYSETPOS`` takes one of 1, 2, 3, 4 or -1, and only with a ``BYDAY`` of one
  weekday, in a monthly or yearly rule (so never with ``BYMONTHDAY``, nor with
  several days such as ``BYDAY=TH,FR;BYSETPOS=1``);
* a numbered ``BYDAY`` is one day, numbered 1-4 or -1: the reference gives
  ``BYDAY=1SU,-1SU`` as not supported;
* ``FREQ=DAILY`` takes no ``BYDAY`` (a series on some weekdays is weekly);
* ``BYMONTHDAY=31`` falls on the last day of shorter months.

The last point is the day-31 mismatch again (see :mod:`._pattern`): the hub's
"day 31, or the month's last day" is ``BYMONTHDAY=-1``, Lightning's is
``BYMONTHDAY=31``. Exchange's days 29 and 30 (and February 29 yearly), which
also fall on the last day of shorter months, have no Lightning form at all.
"""

from __future__ import annotations

import calendar

import attrs

from .._recurrence_values import RecurrenceError
from ._rrule import (
    LIGHTNING_MAX_COUNT,
    LIGHTNING_MAX_INTERVAL,
    LIGHTNING_MAX_LENGTH,
    LIGHTNING_PARTS,
    RRule,
    parse,
    render,
    rfc_problems,
)

#: The BYSETPOS values (and BYDAY ordinals) Lightning takes.
LIGHTNING_POSITIONS = frozenset({1, 2, 3, 4, -1})


def lightning_problems(text: str) -> list[str]:
    """Every Lightning limit ``text`` breaks (empty when Lightning takes it)."""
    rule, spelled = parse(text)
    problems: list[str] = []
    if len(text) > LIGHTNING_MAX_LENGTH:
        problems.append(
            f"Lightning takes at most {LIGHTNING_MAX_LENGTH} characters, this rule has {len(text)}"
        )
    unsupported = [name for name in spelled if name not in LIGHTNING_PARTS]
    if unsupported:
        problems.append(f"Lightning does not take {', '.join(unsupported)}")
    ceiling = LIGHTNING_MAX_INTERVAL.get(rule.freq)
    if ceiling is None:
        problems.append(f"Lightning does not take FREQ={rule.freq}")
    elif not 1 <= rule.interval <= ceiling:
        span = "only INTERVAL=1" if ceiling == 1 else f"INTERVAL 1-{ceiling}"
        problems.append(f"Lightning takes {span} with FREQ={rule.freq}, not {rule.interval}")
    if rule.count is not None and not 1 <= rule.count <= LIGHTNING_MAX_COUNT:
        problems.append(f"Lightning takes COUNT 1-{LIGHTNING_MAX_COUNT}")
    if rule.count is not None and rule.until is not None:
        problems.append("Lightning never takes COUNT and UNTIL together")
    problems.extend(_day_problems(rule))
    # The RFC's own rules, except the ones already named above in Lightning's words.
    problems.extend(
        p for p in rfc_problems(rule) if not p.startswith(("INTERVAL=", "COUNT=", "COUNT and"))
    )
    return problems


def _day_problems(rule: RRule) -> list[str]:
    """How BYMONTHDAY, BYDAY and BYSETPOS break Lightning's rules (module docstring)."""
    problems: list[str] = []
    negative = [day for day in rule.bymonthday if day < 0]
    if negative:
        problems.append(
            f"Lightning takes BYMONTHDAY 1-31 only, not {','.join(map(str, negative))}"
            " (BYMONTHDAY=31 is the last day of shorter months)"
        )
    numbered = [(n, d) for n, d in rule.byday if n is not None]
    if rule.freq == "DAILY" and rule.byday:
        problems.append("Lightning takes no BYDAY with FREQ=DAILY (write FREQ=WEEKLY)")
    if numbered and (len(rule.byday) > 1 or numbered[0][0] not in LIGHTNING_POSITIONS):
        problems.append(
            "Lightning takes a numbered BYDAY only as one day numbered 1-4 or -1 (not 1SU,-1SU)"
        )
    if rule.bysetpos:
        if len(rule.bysetpos) > 1 or rule.bysetpos[0] not in LIGHTNING_POSITIONS:
            setpos = ",".join(map(str, rule.bysetpos))
            problems.append(f"Lightning takes one BYSETPOS of 1-4 or -1, not {setpos}")
        if rule.freq not in ("MONTHLY", "YEARLY") or len(rule.byday) != 1 or numbered:
            problems.append(
                "Lightning takes BYSETPOS only with one plain BYDAY weekday, monthly or yearly"
            )
        if rule.bymonthday:
            problems.append("Lightning takes no BYSETPOS with BYMONTHDAY")
    return problems


def _longest(month: int) -> int:
    return calendar.monthrange(2000, month)[1]


def to_lightning(text: str) -> str:
    """Lightning's text for the hub's ``text``; RecurrenceError if Lightning has none."""
    rule, _ = parse(text)
    problems = rfc_problems(rule)
    if problems:
        raise RecurrenceError(*problems)
    days, setpos = rule.bymonthday, rule.bysetpos
    if days and rule.freq in ("MONTHLY", "YEARLY"):
        days, setpos = _lightning_days(rule)
    written = render(attrs.evolve(rule, bymonthday=days, bysetpos=setpos))
    problems = lightning_problems(written)
    if problems:
        raise RecurrenceError(*problems)
    return written


def _lightning_days(rule: RRule) -> tuple[tuple[int, ...], tuple[int, ...]]:
    days, setpos = rule.bymonthday, rule.bysetpos
    yearly_in = rule.bymonth if rule.freq == "YEARLY" else ()
    last_day = days == (-1,) and not setpos
    last_of_28_to = setpos == (-1,) and len(days) > 1 and days == tuple(range(28, days[-1] + 1))
    if last_of_28_to and days[-1] == 31:
        last_day = True
    elif last_of_28_to:
        raise RecurrenceError(
            f"day {days[-1]} of the month, falling on the last day of shorter months, has no"
            " Lightning form: Lightning's BYMONTHDAY=31 alone falls on a shorter month's last day"
        )
    if last_day and len(yearly_in) == 1 and yearly_in[0] != 2:
        return (_longest(yearly_in[0]),), ()  # the month's last day is always that day
    if last_day and 2 in yearly_in:
        raise RecurrenceError(
            "the last day of February (February 29, or 28 in other years) has no Lightning form"
        )
    if last_day:
        return (31,), ()
    if 31 in days and (not yearly_in or any(_longest(m) < 31 for m in yearly_in)):
        raise RecurrenceError(
            "BYMONTHDAY=31 skips shorter months (RFC 5545), but in Lightning it falls on their"
            " last day: Lightning cannot hold this rule"
        )
    return days, setpos


def from_lightning(text: str) -> str:
    """The hub's canonical text for Lightning's ``text`` (BYMONTHDAY=31 is a month's last day)."""
    problems = lightning_problems(text)
    if problems:
        raise RecurrenceError(*problems)
    rule, _ = parse(text)
    yearly_in = rule.bymonth if rule.freq == "YEARLY" else ()
    short = not yearly_in or any(_longest(m) < 31 for m in yearly_in)
    if rule.freq in ("MONTHLY", "YEARLY") and rule.bymonthday == (31,) and short:
        rule = attrs.evolve(rule, bymonthday=(-1,))
    return render(rule)
