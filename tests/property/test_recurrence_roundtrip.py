"""R-RECURRING-FORMAT round trips: a series keeps its occurrences through every conversion.

Graph → RRULE → Classic → RRULE → Graph, wherever Classic can hold the series,
and RRULE → Graph → RRULE; the occurrences over two years from a start in New
York, Berlin, Sydney or Kolkata are the same at every step.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from calsync_core.recurrence import (
    RecurrenceError,
    classic_to_rrule,
    expand,
    graph_first_occurrence,
    graph_to_rrule,
    rrule_to_classic,
    rrule_to_graph,
    validate,
)

pytestmark = pytest.mark.property

#: The four zones of the spec, each with its Windows id (Graph may send either).
ZONES = {
    "America/New_York": "Eastern Standard Time",
    "Europe/Berlin": "W. Europe Standard Time",
    "Australia/Sydney": "AUS Eastern Standard Time",
    "Asia/Kolkata": "India Standard Time",
}
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EWS_GROUPS = {"day": set(DAY_NAMES), "weekday": set(DAY_NAMES[:5]),
              "weekendDay": set(DAY_NAMES[5:])}  # fmt: skip
INDEXES = ("first", "second", "third", "fourth", "last")
CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: Two years, and a little: every endDate drawn lies inside.
WINDOW = dt.timedelta(days=800)


@attrs.frozen
class Series:
    """A start in one of the four zones; ``zone_id`` is how the series names its zone."""

    start: dt.datetime
    zone_id: str


@st.composite
def series_starts(draw: st.DrawFn) -> Series:
    zone = draw(st.sampled_from(sorted(ZONES)))
    day = draw(st.dates(dt.date(2023, 1, 1), dt.date(2026, 12, 31)))
    # Wall times outside every DST gap and fold of the four zones.
    time = draw(st.sampled_from([dt.time(9), dt.time(0, 30), dt.time(12, 15), dt.time(23, 30)]))
    zone_id = draw(st.sampled_from([zone, ZONES[zone]]))
    return Series(dt.datetime.combine(day, time, tzinfo=ZoneInfo(zone)), zone_id)


def _longest(month: int) -> int:
    return calendar.monthrange(2000, month)[1]


@st.composite
def graph_patterns(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["daily", "weekly", "absoluteMonthly", "relativeMonthly",
                                 "absoluteYearly", "relativeYearly"]))  # fmt: skip
    yearly = kind.endswith("Yearly")
    pattern: dict[str, Any] = {
        "type": kind,
        "interval": draw(st.integers(1, 2) if yearly else st.integers(1, 4)),
    }
    some_days = st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=7, unique=True)
    if kind == "weekly":
        pattern["daysOfWeek"] = draw(some_days)
        first = draw(st.none() | st.sampled_from(DAY_NAMES))
        if first is not None:
            pattern["firstDayOfWeek"] = first
    if kind.startswith("relative"):
        groups = st.sampled_from([[group] for group in EWS_GROUPS])
        pattern["daysOfWeek"] = draw(some_days | groups)
        pattern["index"] = draw(st.sampled_from(INDEXES))
    if yearly:
        pattern["month"] = draw(st.integers(1, 12))
    if kind == "absoluteMonthly":
        pattern["dayOfMonth"] = draw(st.integers(1, 31) | st.sampled_from([29, 30, 31]))
    if kind == "absoluteYearly":
        pattern["dayOfMonth"] = draw(st.integers(1, _longest(pattern["month"])))
    return pattern


@st.composite
def graph_recurrences(draw: st.DrawFn) -> tuple[dict[str, Any], Series]:
    series = draw(series_starts())
    local_start = series.start.date()
    span: dict[str, Any] = {
        "type": draw(st.sampled_from(["endDate", "noEnd", "numbered"])),
        "startDate": local_start.isoformat(),
        "recurrenceTimeZone": series.zone_id,
    }
    if span["type"] == "numbered":
        span["numberOfOccurrences"] = draw(st.integers(1, 60))
    if span["type"] == "endDate":
        span["endDate"] = (local_start + dt.timedelta(days=draw(st.integers(0, 730)))).isoformat()
    return {"pattern": draw(graph_patterns()), "range": span}, series


def occurrences(rule: str, start: dt.datetime, series: Series) -> list[dt.datetime]:
    """Occurrences over the test window, which opens at the original start."""
    return expand(
        rule, start=start, time_zone=series.zone_id, after=series.start,
        before=series.start + WINDOW,
    )  # fmt: skip


def days(pattern: Mapping[str, Any]) -> frozenset[str]:
    named: set[str] = set()
    for value in pattern["daysOfWeek"]:
        named |= EWS_GROUPS.get(value, {value})
    return frozenset(named)


def normal(pattern: Mapping[str, Any], *, week_start_matters: bool = True) -> dict[str, Any]:
    """What a Graph pattern means: the fields its type reads, day groups spelled out."""
    kind = pattern["type"]
    out: dict[str, Any] = {"type": kind, "interval": pattern.get("interval", 1)}
    if kind == "weekly" or kind.startswith("relative"):
        out["days"] = days(pattern)
    if kind == "weekly" and week_start_matters:
        out["firstDayOfWeek"] = pattern.get("firstDayOfWeek", "sunday")
    if kind.startswith("relative"):
        out["index"] = pattern["index"]
    if kind.startswith("absolute"):
        out["dayOfMonth"] = pattern["dayOfMonth"]
    if kind.endswith("Yearly"):
        out["month"] = pattern["month"]
    return out


def classic_can_hold(recurrence: Mapping[str, Any], found: list[dt.datetime]) -> bool:
    """Whether Classic can hold the series (what ``rrule_to_classic`` must refuse otherwise)."""
    pattern, span = recurrence["pattern"], recurrence["range"]
    if span["type"] == "noEnd":
        return False  # Classic needs RecurrenceEndDateOnly
    if pattern["type"].endswith("Yearly") and pattern["interval"] > 1:
        return False  # Classic yearly series have no interval
    if pattern["type"] == "weekly" and pattern["interval"] > 1 and len(days(pattern)) > 1:
        return False  # Classic has no week start
    # An endDate series that never occurs: every endDate lies inside the window.
    return span["type"] != "endDate" or bool(found)


@given(graph_recurrences())
def test_p_recurring_format_graph_rrule_graph(drawn: tuple[dict[str, Any], Series]) -> None:
    recurrence, series = drawn
    rule = graph_to_rrule(recurrence)
    assert validate(rule, start=series.start) == rule
    # The rule runs from the series' first occurrence, which Graph writes as startDate.
    first = graph_first_occurrence(recurrence, start=series.start)
    assert first >= series.start
    span = {**recurrence["range"], "startDate": first.date().isoformat()}
    if span["type"] == "endDate" and span["endDate"] < span["startDate"]:
        with pytest.raises(RecurrenceError, match="before the start"):
            rrule_to_graph(rule, start=first, time_zone=series.zone_id)
        return
    back = rrule_to_graph(rule, start=first, time_zone=series.zone_id)
    assert normal(back["pattern"]) == normal(recurrence["pattern"])
    assert back["range"] == span
    assert graph_to_rrule(back) == rule
    assert graph_first_occurrence(back, start=first) == first


@given(graph_recurrences())
def test_p_recurring_format_graph_classic_graph_keeps_the_occurrences(
    drawn: tuple[dict[str, Any], Series],
) -> None:
    recurrence, series = drawn
    first_rule = graph_to_rrule(recurrence)
    first = graph_first_occurrence(recurrence, start=series.start)
    found = occurrences(first_rule, first, series)
    if not classic_can_hold(recurrence, found):
        with pytest.raises(RecurrenceError):
            rrule_to_classic(first_rule, start=first, time_zone=series.zone_id)
    assume(classic_can_hold(recurrence, found))

    classic = rrule_to_classic(first_rule, start=first, time_zone=series.zone_id)
    assert classic.start >= series.start
    classic_rule = classic_to_rrule(classic)
    assert occurrences(classic_rule, classic.start, series) == found
    # Classic → RRULE → Classic is the identity.
    assert rrule_to_classic(classic_rule, start=classic.start, time_zone=classic.time_zone) == (
        classic
    )

    back = rrule_to_graph(classic_rule, start=classic.start, time_zone=series.zone_id)
    last_rule = graph_to_rrule(back)
    assert occurrences(last_rule, classic.start, series) == found
    # Classic keeps the pattern, except a week start no occurrence depends on any more.
    assert normal(back["pattern"], week_start_matters=False) == normal(
        recurrence["pattern"], week_start_matters=False
    )
    span = recurrence["range"]
    assert back["range"]["type"] == "endDate"  # Classic has no count: the last date instead
    if span["type"] == "endDate":
        assert back["range"]["endDate"] == span["endDate"]
    else:
        everything = expand(
            first_rule, start=first, time_zone=series.zone_id, after=series.start,
            before=series.start + dt.timedelta(days=366 * 62),
        )  # fmt: skip
        assert len(everything) == span["numberOfOccurrences"]
        assert back["range"]["endDate"] == everything[-1].date().isoformat()


@st.composite
def graph_shaped_rules(draw: st.DrawFn) -> str:
    """RRULE text Graph can hold, canonical or not (parts left to DTSTART, BYSETPOS forms ...)."""
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 3))
    if interval > 1 or draw(st.booleans()):
        parts.append(f"INTERVAL={interval}")
    some_days = st.lists(st.sampled_from(CODES), min_size=1, max_size=7, unique=True)
    in_month: list[str] = []
    if freq == "DAILY" and interval == 1 and draw(st.booleans()):
        parts.append(f"BYDAY={','.join(draw(some_days))}")
    if freq == "WEEKLY":
        if draw(st.booleans()):
            parts.append(f"BYDAY={','.join(draw(some_days))}")
        if draw(st.booleans()):
            parts.append(f"WKST={draw(st.sampled_from(CODES))}")
    if freq == "YEARLY" and draw(st.booleans()):
        parts.append(f"BYMONTH={draw(st.integers(1, 12))}")
    if freq in ("MONTHLY", "YEARLY") and (freq == "MONTHLY" or "BYMONTH" in parts[-1]):
        index = draw(st.sampled_from([1, 2, 3, 4, -1]))
        in_month = draw(st.sampled_from([
            [],
            [f"BYMONTHDAY={draw(st.integers(1, 28))}"],
            ["BYMONTHDAY=-1"],
            [f"BYMONTHDAY={','.join(map(str, range(28, draw(st.integers(29, 31)) + 1)))}",
             "BYSETPOS=-1"],
            [f"BYDAY={index}{draw(st.sampled_from(CODES))}"],
            [f"BYDAY={','.join(draw(some_days))}", f"BYSETPOS={index}"],
        ]))  # fmt: skip
    end = draw(st.sampled_from(["none", "count", "until"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 60))}")
    if end == "until":
        moment = draw(st.datetimes(dt.datetime(2023, 1, 1), dt.datetime(2028, 12, 31)))
        parts.append(f"UNTIL={moment:%Y%m%dT%H%M%S}Z")
    rest = draw(st.permutations(parts[1:] + in_month))
    return ";".join([parts[0], *rest])


@given(graph_shaped_rules(), series_starts())
def test_p_recurring_format_rrule_graph_rrule(rule: str, series: Series) -> None:
    try:
        graph = rrule_to_graph(rule, start=series.start, time_zone=series.zone_id)
    except RecurrenceError as exc:
        # Only what Graph genuinely cannot hold: a month day taken from a start on the
        # 29th-31st (RFC skips shorter months), or an UNTIL before the start.
        assume("skips shorter months" not in str(exc) and "before the start" not in str(exc))
        raise
    again = graph_to_rrule(graph)
    # Exchange's reading: from startDate, the first occurrence of the rule's.
    first = graph_first_occurrence(graph, start=series.start)
    assert graph["range"]["startDate"] == first.date().isoformat()
    assert occurrences(again, first, series) == occurrences(rule, series.start, series)
    # One trip reaches the canonical form: a second changes nothing.
    assert rrule_to_graph(again, start=series.start, time_zone=series.zone_id) == graph
    assert graph_to_rrule(graph) == again
