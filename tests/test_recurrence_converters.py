"""R-RECURRING-FORMAT and R-TIMEZONE for series: the converters of ``calsync_core.recurrence``.

Each Graph pattern type both ways, EWS day groups, ranges, the day-31 mismatch,
Classic's fields for each RecurrenceType, Lightning's limits, bad input, and
expansion across DST whatever library made the zone.
"""

from __future__ import annotations

import datetime as dt
import doctest
import importlib.resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytz
from dateutil import tz as dtz

from calsync_core import CalsyncError, recurrence
from calsync_core.recurrence import (
    ClassicRecurrence,
    RecurrenceError,
    check_lightning,
    classic_to_rrule,
    expand,
    graph_first_occurrence,
    graph_to_rrule,
    lightning_to_rrule,
    rrule_to_classic,
    rrule_to_graph,
    rrule_to_lightning,
    validate,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
#: Friday 1 March 2024, 09:00 in New York.
START = dt.datetime(2024, 3, 1, 9, tzinfo=NY)
NO_END = {"type": "noEnd", "startDate": "2024-03-01", "recurrenceTimeZone": "America/New_York"}


def graph(pattern: dict[str, Any], span: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"pattern": pattern, "range": NO_END if span is None else span}


def dates(rule: str, start: dt.datetime = START, days: int = 400) -> list[str]:
    found = expand(
        rule, start=start, time_zone=start.tzinfo or NY, after=start,
        before=start + dt.timedelta(days=days),
    )  # fmt: skip
    return [occurrence.date().isoformat() for occurrence in found]


def test_recurrence_doctests_run() -> None:
    result = doctest.testmod(recurrence)
    assert result.attempted > 10
    assert result.failed == 0


def test_recurrence_error_is_a_calsync_error_and_a_value_error() -> None:
    with pytest.raises(RecurrenceError) as caught:
        validate("FREQ=SOMETIMES", start=START)
    assert isinstance(caught.value, CalsyncError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.problems == ("unknown FREQ=SOMETIMES",)


# -- Graph patterns, both ways ---------------------------------------------------

GRAPH_BOTH_WAYS = [
    pytest.param(
        {"type": "daily", "interval": 3},
        "FREQ=DAILY;INTERVAL=3",
        id="daily",
    ),
    pytest.param(
        {"type": "weekly", "interval": 2, "daysOfWeek": ["tuesday", "thursday"],
         "firstDayOfWeek": "sunday"},
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU",
        id="weekly",
    ),
    pytest.param(
        {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 15},
        "FREQ=MONTHLY;BYMONTHDAY=15",
        id="absoluteMonthly",
    ),
    pytest.param(
        {"type": "relativeMonthly", "interval": 2, "daysOfWeek": ["thursday"], "index": "second"},
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TH",
        id="relativeMonthly",
    ),
    pytest.param(
        {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["sunday", "saturday"],
         "index": "last"},
        "FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS=-1",
        id="relativeMonthly-several-days",
    ),
    pytest.param(
        {"type": "absoluteYearly", "interval": 1, "dayOfMonth": 4, "month": 7},
        "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4",
        id="absoluteYearly",
    ),
    pytest.param(
        {"type": "relativeYearly", "interval": 1, "daysOfWeek": ["thursday"], "index": "fourth",
         "month": 11},
        "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
        id="relativeYearly",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "rule"), GRAPH_BOTH_WAYS)
def test_r_recurring_format_graph_pattern_to_rrule(pattern: dict[str, Any], rule: str) -> None:
    assert graph_to_rrule(graph(pattern)) == rule


@pytest.mark.parametrize(("pattern", "rule"), GRAPH_BOTH_WAYS)
def test_r_recurring_format_rrule_to_graph_pattern(pattern: dict[str, Any], rule: str) -> None:
    back = rrule_to_graph(rule, start=START, time_zone="America/New_York")
    assert back["pattern"] == pattern
    # startDate is the first occurrence's date, which need not be the start's.
    assert back["range"] == {**NO_END, "startDate": dates(rule)[0]}


# Microsoft Graph, "Schedule repeating appointments as recurring events in Outlook"
# (learn.microsoft.com/graph/outlook-schedule-recurring-events): "first Thursday of every
# other month starting August 29, 2017" -- "Because the value of startDate is after the
# first Thursday in August, the first occurrence of this series will be in September."
EVERY_OTHER_FIRST_THURSDAY = {
    "pattern": {"type": "relativeMonthly", "interval": 2, "daysOfWeek": ["Thursday"],
                "index": "first"},
    "range": {"type": "noEnd", "startDate": "2017-08-29"},
}  # fmt: skip


def test_r_recurring_format_graph_interval_counts_from_the_first_occurrence() -> None:
    start = dt.datetime(2017, 8, 29, 14, tzinfo=NY)  # 2:00 PM, the event's start
    rule = graph_to_rrule(EVERY_OTHER_FIRST_THURSDAY)
    first = graph_first_occurrence(
        EVERY_OTHER_FIRST_THURSDAY, start=start, time_zone="America/New_York"
    )
    assert first == dt.datetime(2017, 9, 7, 14, tzinfo=NY)
    assert dates(rule, start=first, days=150) == ["2017-09-07", "2017-11-02", "2018-01-04"]


def test_r_recurring_format_graph_yearly_interval_counts_from_the_first_occurrence() -> None:
    yearly = {
        "pattern": {"type": "absoluteYearly", "interval": 2, "dayOfMonth": 15, "month": 4},
        "range": {"type": "noEnd", "startDate": "2024-05-01",
                  "recurrenceTimeZone": "America/New_York"},
    }  # fmt: skip
    first = graph_first_occurrence(yearly, start=dt.datetime(2024, 5, 1, 9, tzinfo=NY))
    assert first == dt.datetime(2025, 4, 15, 9, tzinfo=NY)
    assert dates(graph_to_rrule(yearly), start=first, days=1500) == [
        "2025-04-15", "2027-04-15", "2029-04-15",
    ]  # fmt: skip


def test_r_recurring_format_graph_first_occurrence_needs_a_zone() -> None:
    with pytest.raises(RecurrenceError, match="recurrenceTimeZone is missing"):
        graph_first_occurrence(EVERY_OTHER_FIRST_THURSDAY, start=START)


def test_r_recurring_format_rrule_to_graph_start_date_is_the_first_occurrence() -> None:
    # Written from August 29, the series' first occurrence is October 5 (RFC 5545 counts
    # INTERVAL from DTSTART's month); startDate 2017-08-29 would make Exchange start on
    # September 7, a month early.
    start = dt.datetime(2017, 8, 29, 14, tzinfo=NY)
    rule = "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TH"
    assert dates(rule, start=start, days=120) == ["2017-10-05", "2017-12-07"]
    found = rrule_to_graph(rule, start=start, time_zone="America/New_York")
    assert found["range"]["startDate"] == "2017-10-05"
    first = graph_first_occurrence(found, start=start)
    assert dates(graph_to_rrule(found), start=first, days=70) == ["2017-10-05", "2017-12-07"]


def test_r_recurring_format_graph_filler_values_are_ignored() -> None:
    # Graph returns every pattern field, zeroed where the type does not use it.
    filled = {
        "type": "weekly", "interval": 1, "month": 0, "dayOfMonth": 0, "daysOfWeek": ["monday"],
        "firstDayOfWeek": "monday", "index": "first",
    }  # fmt: skip
    assert graph_to_rrule(graph(filled)) == "FREQ=WEEKLY;BYDAY=MO"


def test_r_recurring_format_graph_type_and_day_names_are_case_insensitive() -> None:
    ews_like = {"type": "RelativeMonthly", "interval": 1, "daysOfWeek": ["Friday"], "index": "Last"}
    assert graph_to_rrule(graph(ews_like)) == "FREQ=MONTHLY;BYDAY=-1FR"


@pytest.mark.parametrize(
    ("value", "days"),
    [("day", "MO,TU,WE,TH,FR,SA,SU"), ("weekday", "MO,TU,WE,TH,FR"), ("weekendDay", "SA,SU")],
)
def test_r_recurring_format_ews_day_groups(value: str, days: str) -> None:
    pattern = {"type": "relativeMonthly", "interval": 1, "daysOfWeek": [value], "index": "first"}
    rule = graph_to_rrule(graph(pattern))
    assert rule == f"FREQ=MONTHLY;BYDAY={days};BYSETPOS=1"
    yearly = {**pattern, "type": "relativeYearly", "month": 3}
    assert graph_to_rrule(graph(yearly)) == f"FREQ=YEARLY;BYMONTH=3;BYDAY={days};BYSETPOS=1"


def test_r_recurring_format_ews_weekday_means_the_nth_weekday() -> None:
    # "The first weekday" of June 2024 is Monday the 3rd; "the last weekend day" of
    # March 2024 is Sunday the 31st.
    first_weekday = graph_to_rrule(graph(
        {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["weekday"], "index": "first"}
    ))  # fmt: skip
    assert dates(first_weekday, days=120)[3] == "2024-06-03"
    last_weekend_day = graph_to_rrule(graph(
        {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["weekendDay"], "index": "last"}
    ))  # fmt: skip
    assert dates(last_weekend_day, days=40)[0] == "2024-03-31"


@pytest.mark.parametrize(("first", "wkst"), [("sunday", ";WKST=SU"), ("monday", ""),
                                              ("saturday", ";WKST=SA")])  # fmt: skip
def test_r_recurring_format_first_day_of_week_is_wkst(first: str, wkst: str) -> None:
    pattern = {"type": "weekly", "interval": 2, "daysOfWeek": ["sunday", "monday"],
               "firstDayOfWeek": first}  # fmt: skip
    rule = graph_to_rrule(graph(pattern))
    assert rule == f"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU{wkst}"
    assert rrule_to_graph(rule, start=START, time_zone="America/New_York")["pattern"] == pattern


def test_r_recurring_format_weekly_without_first_day_uses_graphs_sunday() -> None:
    pattern = {"type": "weekly", "interval": 2, "daysOfWeek": ["monday"]}
    assert graph_to_rrule(graph(pattern)) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=SU"


def test_r_recurring_format_wkst_changes_which_weeks_a_fortnightly_series_uses() -> None:
    # Start Friday 1 March; every other week on Saturday and Sunday.
    monday_weeks = dates("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU", days=20)
    sunday_weeks = dates("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU;WKST=SU", days=20)
    assert monday_weeks == ["2024-03-02", "2024-03-03", "2024-03-16", "2024-03-17"]
    assert sunday_weeks == ["2024-03-02", "2024-03-10", "2024-03-16"]


# -- Ranges ----------------------------------------------------------------------


def test_r_recurring_format_end_date_is_until_at_the_end_of_that_local_day() -> None:
    span = {"type": "endDate", "startDate": "2024-03-01", "endDate": "2024-03-31",
            "recurrenceTimeZone": "W. Europe Standard Time"}  # fmt: skip
    rule = graph_to_rrule(graph({"type": "daily", "interval": 1}, span))
    # 31 March 2024 ends at 24:00 CEST (UTC+2): 21:59:59 UTC.
    assert rule == "FREQ=DAILY;UNTIL=20240331T215959Z"
    late = dt.datetime(2024, 3, 1, 23, 30, tzinfo=BERLIN)
    assert dates(rule, start=late)[-1] == "2024-03-31"


def test_r_recurring_format_end_date_without_zone_takes_the_events_zone() -> None:
    span = {"type": "endDate", "startDate": "2024-03-01", "endDate": "2024-03-31"}
    pattern = graph({"type": "daily", "interval": 1}, span)
    assert graph_to_rrule(pattern, time_zone="Eastern Standard Time") == (
        "FREQ=DAILY;UNTIL=20240401T035959Z"
    )
    with pytest.raises(RecurrenceError, match="recurrenceTimeZone is missing"):
        graph_to_rrule(pattern)


def test_r_recurring_format_numbered_and_no_end_ranges() -> None:
    numbered = {"type": "numbered", "startDate": "2024-03-01", "numberOfOccurrences": 5}
    assert graph_to_rrule(graph({"type": "daily", "interval": 1}, numbered)) == (
        "FREQ=DAILY;COUNT=5"
    )
    assert graph_to_rrule(graph({"type": "daily", "interval": 1})) == "FREQ=DAILY"


def test_r_recurring_format_rrule_ends_become_graph_ranges() -> None:
    def span(rule: str) -> dict[str, Any]:
        found: dict[str, Any] = rrule_to_graph(rule, start=START, time_zone="America/New_York")
        result: dict[str, Any] = found["range"]
        return result

    base = {"startDate": "2024-03-01", "recurrenceTimeZone": "America/New_York"}
    assert span("FREQ=DAILY;COUNT=4") == {**base, "type": "numbered", "numberOfOccurrences": 4}
    assert span("FREQ=DAILY") == {**base, "type": "noEnd"}
    # UNTIL 12:00 local on 10 March keeps that day's 09:00 occurrence ...
    assert span("FREQ=DAILY;UNTIL=20240310T160000Z")["endDate"] == "2024-03-10"
    # ... UNTIL 08:00 local does not: the last occurrence is on the 9th.
    assert span("FREQ=DAILY;UNTIL=20240310T120000Z")["endDate"] == "2024-03-09"
    with pytest.raises(RecurrenceError, match="before the start"):
        span("FREQ=DAILY;UNTIL=20240301T120000Z")


def test_r_recurring_format_graph_problems_are_all_reported() -> None:
    broken = {
        "pattern": {"type": "absoluteYearly", "interval": 0, "dayOfMonth": 0, "month": 13},
        "range": {"type": "endDate", "endDate": "31/12/2024"},
    }
    with pytest.raises(RecurrenceError) as caught:
        graph_to_rrule(broken)
    assert [p.split(" ")[0] for p in caught.value.problems] == [
        "pattern.interval", "pattern.dayOfMonth", "pattern.month", "range.endDate",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("recurrence", "problem"),
    [
        (graph({"type": "hourly", "interval": 1}), "pattern.type"),
        (graph({"type": "weekly", "interval": 1, "daysOfWeek": []}), "pattern.daysOfWeek"),
        (graph({"type": "weekly", "interval": 1, "daysOfWeek": ["funday"]}), "funday"),
        (
            graph(
                {
                    "type": "relativeMonthly",
                    "interval": 1,
                    "daysOfWeek": ["monday"],
                    "index": "fifth",
                }
            ),
            "pattern.index",
        ),
        (graph({"type": "daily", "interval": 1}, {"type": "someday"}), "range.type"),
        (
            graph({"type": "daily", "interval": 1}, {"type": "numbered", "numberOfOccurrences": 0}),
            "range.numberOfOccurrences",
        ),
        (
            graph(
                {"type": "daily", "interval": 1},
                {"type": "endDate", "endDate": "2024-01-01", "recurrenceTimeZone": "Mars/Olympus"},
            ),
            "recurrenceTimeZone",
        ),
        ({"pattern": {"type": "daily"}}, "'pattern' and a 'range'"),
    ],
)
def test_r_recurring_format_bad_graph_input(recurrence: dict[str, Any], problem: str) -> None:
    with pytest.raises(RecurrenceError, match=problem):
        graph_to_rrule(recurrence)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=HOURLY", "FREQ=HOURLY"),
        ("FREQ=DAILY;BYHOUR=9,17", "BYHOUR"),
        ("FREQ=DAILY;BYMINUTE=30", "BYMINUTE"),
        ("FREQ=YEARLY;BYYEARDAY=100", "BYYEARDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "BYMONTHDAY=1,15"),
        ("FREQ=MONTHLY;BYMONTHDAY=31", "BYMONTHDAY=31"),
        ("FREQ=MONTHLY;BYMONTHDAY=-2", "BYMONTHDAY=-2"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,2,3;BYSETPOS=2", "BYMONTHDAY=1,2,3"),
        ("FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1,2", "BYSETPOS"),
        ("FREQ=MONTHLY;BYDAY=5MO", "ordinal 5"),
        ("FREQ=MONTHLY;BYDAY=MO", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=1MO,1TU", "BYDAY"),
        ("FREQ=MONTHLY;BYMONTH=1,7;BYMONTHDAY=1", "BYMONTH"),
        ("FREQ=YEARLY;BYMONTH=1,7", "one month"),
        ("FREQ=YEARLY;BYMONTHDAY=1", "no BYMONTH"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "BYMONTHDAY=29"),
        ("FREQ=WEEKLY;BYMONTH=3", "BYMONTH"),
        ("FREQ=DAILY;INTERVAL=2;BYDAY=MO,FR", "INTERVAL=1"),
    ],
)
def test_r_recurring_format_graph_refuses_what_it_cannot_express(rule: str, problem: str) -> None:
    with pytest.raises(RecurrenceError, match=problem.replace("+", r"\+")):
        rrule_to_graph(rule, start=START, time_zone="America/New_York")


def test_r_recurring_format_rrule_parts_taken_from_the_start() -> None:
    # FREQ=WEEKLY / MONTHLY / YEARLY without BY parts take them from DTSTART (Friday 1 March).
    def pattern(rule: str, start: dt.datetime = START) -> dict[str, Any]:
        found: dict[str, Any] = rrule_to_graph(rule, start=start, time_zone="America/New_York")
        result: dict[str, Any] = found["pattern"]
        return result

    assert pattern("FREQ=WEEKLY")["daysOfWeek"] == ["friday"]
    assert pattern("FREQ=MONTHLY")["dayOfMonth"] == 1
    assert pattern("FREQ=YEARLY") == {"type": "absoluteYearly", "interval": 1, "dayOfMonth": 1,
                                      "month": 3}  # fmt: skip
    assert pattern("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR")["type"] == "weekly"
    with pytest.raises(RecurrenceError, match="skips shorter months"):
        pattern("FREQ=MONTHLY", start=dt.datetime(2024, 1, 31, 9, tzinfo=NY))


# -- Day 31 ----------------------------------------------------------------------


def test_r_recurring_format_day_31_falls_on_the_last_day_of_shorter_months() -> None:
    rule = graph_to_rrule(graph({"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31}))
    assert rule == "FREQ=MONTHLY;BYMONTHDAY=-1"
    start = dt.datetime(2023, 1, 31, 9, tzinfo=NY)
    assert dates(rule, start=start, days=400)[:6] == [
        "2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30",
    ]  # fmt: skip
    assert "2024-02-29" in dates(rule, start=start, days=400)
    # RFC 5545's own BYMONTHDAY=31 would skip February and April instead.
    assert dates("FREQ=MONTHLY;BYMONTHDAY=31", start=start, days=100) == [
        "2023-01-31", "2023-03-31",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("day", "rule", "february"),
    [
        (29, "FREQ=MONTHLY;BYMONTHDAY=28,29;BYSETPOS=-1", ["2023-02-28", "2024-02-29"]),
        (30, "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1", ["2023-02-28", "2024-02-29"]),
    ],
)
def test_r_recurring_format_days_29_and_30_fall_on_februarys_last_day(
    day: int, rule: str, february: list[str]
) -> None:
    assert graph_to_rrule(graph({"type": "absoluteMonthly", "interval": 1, "dayOfMonth": day})) == (
        rule
    )
    found = dates(rule, start=dt.datetime(2023, 1, 1, 9, tzinfo=NY), days=500)
    assert [d for d in found if d[5:7] == "02"] == february
    assert f"2023-01-{day}" in found
    assert f"2023-04-{day}" in found
    assert (
        rrule_to_graph(rule, start=START, time_zone="America/New_York")["pattern"]["dayOfMonth"]
        == day
    )


def test_r_recurring_format_the_other_day_31_encoding_is_read_too() -> None:
    rule = "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"
    assert rrule_to_graph(rule, start=START, time_zone="America/New_York")["pattern"] == {
        "type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31,
    }  # fmt: skip


def test_r_recurring_format_yearly_february_29_falls_on_the_28th_in_common_years() -> None:
    pattern = {"type": "absoluteYearly", "interval": 1, "dayOfMonth": 29, "month": 2}
    rule = graph_to_rrule(graph(pattern))
    assert rule == "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
    assert dates(rule, start=dt.datetime(2024, 1, 1, 9, tzinfo=NY), days=1100) == [
        "2024-02-29", "2025-02-28", "2026-02-28",
    ]  # fmt: skip
    assert rrule_to_graph(rule, start=START, time_zone="America/New_York")["pattern"] == pattern


# -- Salesforce Classic ----------------------------------------------------------

CLASSIC_BOTH_WAYS = [
    pytest.param(
        "FREQ=DAILY;INTERVAL=2;COUNT=3",
        {"type": "RecursDaily", "interval": 2},
        "2024-03-05",
        id="RecursDaily",
    ),
    pytest.param(
        "FREQ=DAILY;COUNT=3;BYDAY=MO,TU,WE,TH,FR",
        {"type": "RecursEveryWeekday", "day_of_week_mask": 62},
        "2024-03-05",
        id="RecursEveryWeekday",
    ),
    pytest.param(
        "FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE,FR,SU",
        {"type": "RecursWeekly", "interval": 1, "day_of_week_mask": 1 + 2 + 8 + 32},
        "2024-03-06",
        id="RecursWeekly",
    ),
    pytest.param(
        "FREQ=WEEKLY;INTERVAL=3;COUNT=2;BYDAY=SA",
        {"type": "RecursWeekly", "interval": 3, "day_of_week_mask": 64},
        "2024-03-23",
        id="RecursWeekly-interval",
    ),
    pytest.param(
        "FREQ=MONTHLY;INTERVAL=2;COUNT=3;BYMONTHDAY=-1",
        {"type": "RecursMonthly", "interval": 2, "day_of_month": 31},
        "2024-07-31",
        id="RecursMonthly",
    ),
    pytest.param(
        "FREQ=MONTHLY;COUNT=2;BYDAY=-1TH",
        {"type": "RecursMonthlyNth", "interval": 1, "day_of_week_mask": 16, "instance": "Last"},
        "2024-04-25",
        id="RecursMonthlyNth",
    ),
    pytest.param(
        "FREQ=MONTHLY;COUNT=2;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=3",
        {"type": "RecursMonthlyNth", "interval": 1, "day_of_week_mask": 62, "instance": "Third"},
        "2024-04-03",
        id="RecursMonthlyNth-weekday",
    ),
    pytest.param(
        "FREQ=YEARLY;COUNT=2;BYMONTH=12;BYMONTHDAY=25",
        {"type": "RecursYearly", "day_of_month": 25, "month_of_year": "December"},
        "2025-12-25",
        id="RecursYearly",
    ),
    pytest.param(
        "FREQ=YEARLY;COUNT=2;BYMONTH=5;BYDAY=1SU",
        {"type": "RecursYearlyNth", "day_of_week_mask": 1, "instance": "First",
         "month_of_year": "May"},
        "2025-05-04",
        id="RecursYearlyNth",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "expected", "end"), CLASSIC_BOTH_WAYS)
def test_r_recurring_format_rrule_to_classic_fields(
    rule: str, expected: dict[str, Any], end: str
) -> None:
    classic = rrule_to_classic(rule, start=START, time_zone="Eastern Standard Time")
    optional = ("interval", "day_of_week_mask", "day_of_month", "instance", "month_of_year")
    assert {name: getattr(classic, name) for name in ("type", *optional)} == {
        "type": expected["type"], **{name: expected.get(name) for name in optional},
    }  # fmt: skip
    assert classic.end_date.isoformat() == end
    assert classic.time_zone == "America/New_York"


@pytest.mark.parametrize(("rule", "expected", "end"), CLASSIC_BOTH_WAYS)
def test_r_recurring_format_classic_fields_to_rrule_keep_the_occurrences(
    rule: str, expected: dict[str, Any], end: str
) -> None:
    classic = rrule_to_classic(rule, start=START, time_zone="America/New_York")
    back = classic_to_rrule(classic)
    assert dates(back, start=classic.start, days=800) == dates(rule, days=800)
    assert dates(back, start=classic.start, days=800)[-1] == end
    # And Classic → RRULE → Classic is the identity.
    assert rrule_to_classic(back, start=classic.start, time_zone=classic.time_zone) == classic


def test_r_recurring_format_classic_fields_use_salesforce_api_names() -> None:
    classic = rrule_to_classic(
        "FREQ=MONTHLY;COUNT=3;BYDAY=2TU", start=START, time_zone="America/New_York"
    )
    assert classic.fields() == {
        "RecurrenceType": "RecursMonthlyNth",
        "RecurrenceInterval": 1,
        "RecurrenceDayOfWeekMask": 4,
        "RecurrenceDayOfMonth": None,
        "RecurrenceInstance": "Second",
        "RecurrenceMonthOfYear": None,
        # The first occurrence, Tuesday 12 March 09:00 EDT, not the rule's start.
        "RecurrenceStartDateTime": "2024-03-12T13:00:00Z",
        "RecurrenceEndDateOnly": "2024-05-14",
        "RecurrenceTimeZoneSidKey": "America/New_York",
    }


@pytest.mark.parametrize(
    ("mask", "days"),
    [(1, "SU"), (2, "MO"), (4, "TU"), (8, "WE"), (16, "TH"), (32, "FR"), (64, "SA"),
     (62, "MO,TU,WE,TH,FR"), (65, "SA,SU"), (127, "MO,TU,WE,TH,FR,SA,SU")],
)  # fmt: skip
def test_r_recurring_format_classic_day_mask_values(mask: int, days: str) -> None:
    classic = ClassicRecurrence(
        type="RecursWeekly", interval=1, day_of_week_mask=mask, start=START,
        end_date=dt.date(2024, 3, 31), time_zone="America/New_York",
    )  # fmt: skip
    assert classic_to_rrule(classic) == f"FREQ=WEEKLY;UNTIL=20240401T035959Z;BYDAY={days}"


@pytest.mark.parametrize(
    ("instance", "byday"),
    [("First", "1WE"), ("Second", "2WE"), ("Third", "3WE"), ("Fourth", "4WE"), ("Last", "-1WE")],
)
def test_r_recurring_format_classic_instance_names(instance: str, byday: str) -> None:
    classic = ClassicRecurrence(
        type="RecursMonthlyNth", interval=1, day_of_week_mask=8, instance=instance,
        start=START, end_date=dt.date(2024, 12, 31), time_zone="America/New_York",
    )  # fmt: skip
    assert classic_to_rrule(classic).endswith(f";BYDAY={byday}")


@pytest.mark.parametrize(
    ("month", "number"),
    [("January", 1), ("February", 2), ("March", 3), ("April", 4), ("May", 5), ("June", 6),
     ("July", 7), ("August", 8), ("September", 9), ("October", 10), ("November", 11),
     ("December", 12)],
)  # fmt: skip
def test_r_recurring_format_classic_month_names(month: str, number: int) -> None:
    classic = ClassicRecurrence(
        type="RecursYearly", day_of_month=1, month_of_year=month, start=START,
        end_date=dt.date(2030, 12, 31), time_zone="America/New_York",
    )  # fmt: skip
    assert f";BYMONTH={number};BYMONTHDAY=1" in classic_to_rrule(classic)
    back = rrule_to_classic(classic_to_rrule(classic), start=START, time_zone="America/New_York")
    assert back.month_of_year == month


def test_r_recurring_format_classic_refuses_a_series_without_end() -> None:
    pattern = graph({"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]})
    with pytest.raises(RecurrenceError, match="Classic needs an end date"):
        rrule_to_classic(graph_to_rrule(pattern), start=START, time_zone="America/New_York")


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=YEARLY;INTERVAL=2;COUNT=3", "no interval"),
        ("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=MO,TH", "several days needs interval 1"),
        ("FREQ=DAILY;UNTIL=20240229T000000Z", "before the first occurrence"),
        ("FREQ=MONTHLY;COUNT=3;BYMONTHDAY=30", "BYMONTHDAY=30"),
        ("FREQ=HOURLY;COUNT=3", "FREQ=HOURLY"),
    ],
)
def test_r_recurring_format_classic_refuses_what_it_cannot_express(rule: str, problem: str) -> None:
    with pytest.raises(RecurrenceError, match=problem):
        rrule_to_classic(rule, start=START, time_zone="America/New_York")


def test_r_recurring_format_classic_refuses_a_first_occurrence_in_a_dst_gap() -> None:
    # 02:30 on 10 March 2024 does not happen in New York; RecurrenceStartDateTime,
    # an instant, would turn it into 03:30.
    start = dt.datetime(2024, 3, 9, 2, 30, tzinfo=NY)
    with pytest.raises(RecurrenceError, match="DST gap"):
        rrule_to_classic("FREQ=WEEKLY;COUNT=3;BYDAY=SU", start=start, time_zone="America/New_York")


def test_r_recurring_format_classic_reads_fortnightly_days_with_a_sunday_week() -> None:
    classic = ClassicRecurrence(
        type="RecursWeekly", interval=2, day_of_week_mask=2 + 32, start=START,
        end_date=dt.date(2024, 6, 30), time_zone="America/New_York",
    )  # fmt: skip
    assert classic_to_rrule(classic) == (
        "FREQ=WEEKLY;INTERVAL=2;UNTIL=20240701T035959Z;BYDAY=MO,FR;WKST=SU"
    )


def test_r_recurring_format_classic_every_weekday_mask_may_be_left_out() -> None:
    classic = ClassicRecurrence(
        type="RecursEveryWeekday", start=START, end_date=dt.date(2024, 3, 8),
        time_zone="America/New_York",
    )  # fmt: skip
    assert classic.fields()["RecurrenceDayOfWeekMask"] == 62
    assert classic_to_rrule(classic) == "FREQ=DAILY;UNTIL=20240309T045959Z;BYDAY=MO,TU,WE,TH,FR"


def test_r_recurring_format_classic_fields_are_checked_when_built() -> None:
    with pytest.raises(RecurrenceError) as caught:
        ClassicRecurrence(
            type="RecursYearly", interval=2, day_of_month=40, instance="Fifth",
            month_of_year="Smarch", start=dt.datetime(2024, 3, 1, 9),
            end_date=dt.date(2024, 12, 31), time_zone="Eastern Standard Time",
        )  # fmt: skip
    assert caught.value.problems == (
        "RecursYearly does not use interval; it must be None",
        "RecursYearly does not use instance; it must be None",
        "day_of_month 40 is not 1-31",
        "instance 'Fifth' is not one of First, Second, Third, Fourth, Last",
        "month_of_year 'Smarch' is not a month name (January...)",
        "time_zone 'Eastern Standard Time' is not an IANA zone id",
    )
    with pytest.raises(RecurrenceError, match="RecursMonthly needs day_of_month"):
        ClassicRecurrence(type="RecursMonthly", interval=1, start=START,
                          end_date=dt.date(2024, 12, 31), time_zone="America/New_York")  # fmt: skip
    with pytest.raises(RecurrenceError, match="end_date 2024-02-01 is before"):
        ClassicRecurrence(type="RecursDaily", interval=1, start=START,
                          end_date=dt.date(2024, 2, 1), time_zone="America/New_York")  # fmt: skip
    with pytest.raises(RecurrenceError, match="RecurrenceType 'RecursHourly'"):
        ClassicRecurrence(type="RecursHourly", start=START, end_date=dt.date(2024, 12, 31),
                          time_zone="America/New_York")  # fmt: skip


# -- Lightning -------------------------------------------------------------------


def test_r_recurring_format_lightning_takes_a_rule_within_its_limits() -> None:
    # One weekday with BYSETPOS: Lightning refuses several (BYDAY=MO,TU;BYSETPOS=-1).
    rule = "FREQ=MONTHLY;INTERVAL=99;COUNT=999;BYDAY=TU;BYSETPOS=-1;WKST=SU"
    assert check_lightning(rule) == rule
    assert check_lightning("FREQ=DAILY;INTERVAL=999") == "FREQ=DAILY;INTERVAL=999"


def test_r_recurring_format_lightning_only_takes_its_parts() -> None:
    with pytest.raises(RecurrenceError, match="Lightning does not take BYHOUR, BYMINUTE"):
        check_lightning("FREQ=DAILY;BYHOUR=9;BYMINUTE=30")


def test_r_recurring_format_lightning_only_takes_its_frequencies() -> None:
    with pytest.raises(RecurrenceError, match="Lightning does not take FREQ=HOURLY"):
        check_lightning("FREQ=HOURLY")


def test_r_recurring_format_lightning_takes_at_most_512_characters() -> None:
    days = ",".join(["1", "2", "3", "4", "5", "6", "7", "8", "9"] * 60)
    long_rule = f"FREQ=MONTHLY;BYMONTHDAY={days}"
    assert len(long_rule) > 512
    with pytest.raises(RecurrenceError, match="at most 512 characters"):
        check_lightning(long_rule)
    fits = "FREQ=DAILY;BYMONTH=1" + ",1" * 246
    assert len(fits) == 512
    assert check_lightning(fits) == fits


def test_r_recurring_format_lightning_daily_interval_1_to_999() -> None:
    with pytest.raises(RecurrenceError, match="INTERVAL 1-999 with FREQ=DAILY, not 1000"):
        check_lightning("FREQ=DAILY;INTERVAL=1000")


def test_r_recurring_format_lightning_weekly_interval_1_to_99() -> None:
    assert check_lightning("FREQ=WEEKLY;INTERVAL=99")
    with pytest.raises(RecurrenceError, match="INTERVAL 1-99 with FREQ=WEEKLY"):
        check_lightning("FREQ=WEEKLY;INTERVAL=100")


def test_r_recurring_format_lightning_monthly_interval_1_to_99() -> None:
    with pytest.raises(RecurrenceError, match="INTERVAL 1-99 with FREQ=MONTHLY"):
        check_lightning("FREQ=MONTHLY;INTERVAL=100")


def test_r_recurring_format_lightning_yearly_interval_only_1() -> None:
    assert check_lightning("FREQ=YEARLY;INTERVAL=1")
    with pytest.raises(RecurrenceError, match="only INTERVAL=1 with FREQ=YEARLY"):
        check_lightning("FREQ=YEARLY;INTERVAL=2")


def test_r_recurring_format_lightning_interval_at_least_1() -> None:
    with pytest.raises(RecurrenceError, match="INTERVAL 1-999 with FREQ=DAILY, not 0"):
        check_lightning("FREQ=DAILY;INTERVAL=0")


def test_r_recurring_format_lightning_count_1_to_999() -> None:
    with pytest.raises(RecurrenceError, match="COUNT 1-999"):
        check_lightning("FREQ=DAILY;COUNT=1000")
    with pytest.raises(RecurrenceError, match="COUNT 1-999"):
        check_lightning("FREQ=DAILY;COUNT=0")


def test_r_recurring_format_lightning_never_count_with_until() -> None:
    with pytest.raises(RecurrenceError, match="never takes COUNT and UNTIL together"):
        check_lightning("FREQ=DAILY;COUNT=5;UNTIL=20240101T000000Z")


def test_r_recurring_format_lightning_names_every_broken_limit() -> None:
    with pytest.raises(RecurrenceError) as caught:
        check_lightning("FREQ=YEARLY;INTERVAL=5;COUNT=2000;BYWEEKNO=5")
    assert len(caught.value.problems) == 3


# Salesforce Object Reference, "Event", field Recurrence2PatternText
# (developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/
# sforce_api_objects_event.htm): BYMONTHDAY 1-31 only, BYSETPOS 1-4 or -1 with one
# BYDAY weekday, no BYDAY with FREQ=DAILY, and its own example BYDAY=1SU,-1SU.
@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "BYMONTHDAY 1-31 only, not -1"),
        ("FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1", "no BYSETPOS with BYMONTHDAY"),
        ("FREQ=MONTHLY;BYDAY=TH,FR;BYSETPOS=1", "BYSETPOS only with one plain BYDAY"),
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "no BYDAY with FREQ=DAILY"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5", "one BYSETPOS of 1-4 or -1, not 5"),
        ("FREQ=MONTHLY;BYDAY=1SU,-1SU", "numbered BYDAY only as one day"),
        ("FREQ=MONTHLY;BYDAY=5FR", "numbered BYDAY only as one day"),
    ],
)
def test_r_recurring_format_lightning_refuses_what_salesforce_refuses(
    rule: str, problem: str
) -> None:
    with pytest.raises(RecurrenceError, match=problem):
        check_lightning(rule)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=1",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=YEARLY;BYMONTH=11;BYDAY=WE;BYSETPOS=-1",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ],
)
def test_r_recurring_format_lightning_takes_its_monthly_and_weekly_forms(rule: str) -> None:
    assert check_lightning(rule) == rule


def test_r_recurring_format_graph_day_31_is_lightning_bymonthday_31() -> None:
    # Salesforce: BYMONTHDAY=31 falls on the last day of shorter months, as Exchange's 31 does.
    rule = graph_to_rrule(graph({"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31}))
    assert rrule_to_lightning(rule) == "FREQ=MONTHLY;BYMONTHDAY=31"
    assert rrule_to_lightning("FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1") == (
        "FREQ=MONTHLY;BYMONTHDAY=31"
    )
    yearly = graph({"type": "absoluteYearly", "interval": 1, "dayOfMonth": 31, "month": 4})
    assert rrule_to_lightning(graph_to_rrule(yearly)) == "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30"


@pytest.mark.parametrize(
    "pattern",
    [
        {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 29},
        {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 30},
        {"type": "absoluteYearly", "interval": 1, "dayOfMonth": 29, "month": 2},
    ],
)
def test_r_recurring_format_graph_days_29_30_and_february_29_have_no_lightning_form(
    pattern: dict[str, Any],
) -> None:
    rule = graph_to_rrule(graph(pattern))
    with pytest.raises(RecurrenceError, match="no Lightning form"):
        rrule_to_lightning(rule)


def test_r_recurring_format_rfc_day_31_that_skips_has_no_lightning_form() -> None:
    with pytest.raises(RecurrenceError, match="skips shorter months"):
        rrule_to_lightning("FREQ=MONTHLY;BYMONTHDAY=31")


def test_r_recurring_format_lightning_bymonthday_31_reads_as_the_last_day() -> None:
    rule = lightning_to_rrule("RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31")
    assert rule == "FREQ=MONTHLY;BYMONTHDAY=-1"
    assert dates(rule, days=130)[:4] == ["2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"]
    assert rrule_to_graph(rule, start=START, time_zone="America/New_York")["pattern"] == {
        "type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31,
    }  # fmt: skip
    assert lightning_to_rrule("FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=31") == (
        "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=31"
    )
    with pytest.raises(RecurrenceError, match="BYMONTHDAY 1-31 only"):
        lightning_to_rrule("FREQ=MONTHLY;BYMONTHDAY=-1")


# -- Bad RRULE input -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("", "empty"),
        ("FREQ=DAILY;;COUNT=2", "NAME=VALUE"),
        ("FREQ=DAILY;COUNT", "NAME=VALUE"),
        ("DTSTART:20240101T090000Z\nRRULE:FREQ=DAILY", "one RRULE value"),
        ("FREQ=FORTNIGHTLY", "unknown FREQ"),
        ("FREQ=DAILY;BYEASTER=0", "unknown RRULE part BYEASTER"),
        ("FREQ=DAILY;X-NAME=1", "unknown RRULE part X-NAME"),
        ("COUNT=2", "no FREQ"),
        ("FREQ=DAILY;FREQ=WEEKLY", "given twice"),
        ("FREQ=DAILY;COUNT=two", "not a whole number"),
        ("FREQ=DAILY;UNTIL=2024-01-01", "UNTIL=2024-01-01"),
        ("FREQ=DAILY;UNTIL=20240230T000000Z", "not a real date"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY value '0'"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH value '13'"),
        ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY value '0MO'"),
        ("FREQ=WEEKLY;WKST=XX", "WKST=XX"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20240105T000000Z", "COUNT and UNTIL given together"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0 must be 1 or more"),
        ("FREQ=DAILY;COUNT=0", "COUNT=0 must be 1 or more"),
        ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS needs another"),
        ("FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO only goes with FREQ=YEARLY"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY does not go with FREQ=WEEKLY"),
        ("FREQ=WEEKLY;BYDAY=2MO", "numbered BYDAY"),
        ("FREQ=DAILY;UNTIL=20240105T000000", "UNTIL is floating but the start is timezone-aware"),
        ("FREQ=DAILY;UNTIL=20240105", "UNTIL is a DATE"),
    ],
)
def test_r_recurring_format_bad_rrule_is_refused(rule: str, problem: str) -> None:
    with pytest.raises(RecurrenceError, match=problem):
        validate(rule, start=START)


def test_r_recurring_format_floating_start_needs_a_floating_until() -> None:
    floating = dt.datetime(2024, 3, 1, 9)
    assert validate("FREQ=DAILY;UNTIL=20240305T090000", start=floating) == (
        "FREQ=DAILY;UNTIL=20240305T090000"
    )
    with pytest.raises(RecurrenceError, match="UNTIL is UTC"):
        validate("FREQ=DAILY;UNTIL=20240305T090000Z", start=floating)


def test_r_recurring_format_validate_writes_canonical_text() -> None:
    messy = "rrule:wkst=mo;bysetpos=-1;byday=fr,mo,+2tu;bymonth=3,1,3;interval=1;freq=yearly"
    assert validate(messy, start=START) == "FREQ=YEARLY;BYMONTH=1,3;BYDAY=MO,2TU,FR;BYSETPOS=-1"
    assert validate("FREQ=WEEKLY;INTERVAL=1000;WKST=SU", start=START) == (
        "FREQ=WEEKLY;INTERVAL=1000;WKST=SU"
    )


def test_r_recurring_format_converters_need_an_aware_start() -> None:
    with pytest.raises(RecurrenceError, match="must be timezone-aware"):
        rrule_to_graph("FREQ=DAILY", start=dt.datetime(2024, 3, 1, 9), time_zone="UTC")


# -- Time zones and expansion ----------------------------------------------------

#: Per zone, a Monday start two weeks before a DST change (none in Kolkata).
DST_CASES = [
    ("America/New_York", dt.date(2024, 2, 26), "-05:00", "-04:00"),
    ("America/New_York", dt.date(2024, 10, 21), "-04:00", "-05:00"),
    ("Europe/Berlin", dt.date(2024, 3, 18), "+01:00", "+02:00"),
    ("Europe/Berlin", dt.date(2024, 10, 14), "+02:00", "+01:00"),
    ("Australia/Sydney", dt.date(2024, 3, 25), "+11:00", "+10:00"),
    ("Australia/Sydney", dt.date(2024, 9, 23), "+10:00", "+11:00"),
    ("Asia/Kolkata", dt.date(2024, 3, 25), "+05:30", "+05:30"),
]


@pytest.mark.parametrize(("zone", "monday", "before", "after"), DST_CASES)
def test_r_timezone_expansion_keeps_nine_oclock_across_dst(
    zone: str, monday: dt.date, before: str, after: str
) -> None:
    start = dt.datetime.combine(monday, dt.time(9), tzinfo=ZoneInfo(zone))
    found = expand("FREQ=DAILY;COUNT=28", start=start, time_zone=zone, after=start,
                   before=start + dt.timedelta(days=40))  # fmt: skip
    assert len(found) == 28
    assert {occurrence.time() for occurrence in found} == {dt.time(9)}
    assert {occurrence.tzinfo for occurrence in found} == {ZoneInfo(zone)}
    assert found[0].isoformat().endswith(before)
    assert found[-1].isoformat().endswith(after)


def _zone_inputs(name: str) -> list[str | dt.tzinfo]:
    from_dateutil = dtz.gettz(name)
    assert from_dateutil is not None
    return [name, ZoneInfo(name), pytz.timezone(name), from_dateutil]


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Australia/Sydney",
                                  "Asia/Kolkata"])  # fmt: skip
def test_r_timezone_same_occurrences_whatever_library_made_the_zone(zone: str) -> None:
    rule = "FREQ=WEEKLY;UNTIL=20250101T000000Z;BYDAY=MO,TH"
    wall = dt.datetime(2024, 1, 4, 9)
    starts = [
        wall.replace(tzinfo=ZoneInfo(zone)),
        pytz.timezone(zone).localize(wall),
        wall.replace(tzinfo=dtz.gettz(zone)),
        wall.replace(tzinfo=pytz.timezone(zone)),  # pytz misused: LMT offset, same wall time
        wall.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC),
    ]
    after, before = dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    results = {
        tuple(expand(rule, start=start, time_zone=series_zone,
                     after=after, before=before))
        for start in starts
        for series_zone in _zone_inputs(zone)
    }  # fmt: skip
    assert len(results) == 1
    (occurrences,) = results
    assert len(occurrences) == 104  # the Mondays and Thursdays of 2024 from 4 January
    assert {o.time() for o in occurrences} == {dt.time(9)}
    assert {o.utcoffset() for o in occurrences} == {
        ZoneInfo(zone).utcoffset(dt.datetime(2024, m, 1)) for m in (1, 7)
    }


def test_r_timezone_dateutil_zone_read_from_a_file_is_named_by_its_path() -> None:
    path = importlib.resources.files("tzdata") / "zoneinfo" / "Australia" / "Sydney"
    from_file = dtz.tzfile(str(path))
    start = dt.datetime(2024, 4, 1, 9, tzinfo=from_file)
    found = expand("FREQ=WEEKLY;COUNT=2", start=start, time_zone=from_file, after=start,
                   before=start + dt.timedelta(days=14))  # fmt: skip
    assert [o.isoformat() for o in found] == [
        "2024-04-01T09:00:00+11:00", "2024-04-08T09:00:00+10:00",
    ]  # fmt: skip
    assert {o.tzinfo for o in found} == {ZoneInfo("Australia/Sydney")}


def test_r_timezone_windows_ids_are_mapped() -> None:
    assert expand("FREQ=DAILY;COUNT=1", start=START, time_zone="Eastern Standard Time",
                  after=START, before=START) == [START]  # fmt: skip


@pytest.mark.parametrize(
    "zone", ["Pacific Standard Time (Mexico) - not a zone", dt.timezone(dt.timedelta(hours=3)),
             dtz.tzoffset("X", 3600), dtz.tzlocal()],
)  # fmt: skip
def test_r_timezone_zones_without_an_iana_name_are_refused(zone: str | dt.tzinfo) -> None:
    with pytest.raises(RecurrenceError, match="IANA"):
        expand("FREQ=DAILY", start=START, time_zone=zone, after=START, before=START)


def test_r_timezone_utc_zones_from_each_library() -> None:
    start = dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)
    for zone in (dt.UTC, pytz.utc, dtz.UTC, ZoneInfo("UTC"), "tzone://Microsoft/Utc"):
        found = expand("FREQ=DAILY;COUNT=2", start=start, time_zone=zone, after=start,
                       before=start + dt.timedelta(days=3))  # fmt: skip
        assert [o.isoformat() for o in found] == [
            "2024-03-01T09:00:00+00:00", "2024-03-02T09:00:00+00:00",
        ]  # fmt: skip


def test_r_timezone_nonexistent_wall_time_is_kept_as_dateutil_gives_it() -> None:
    start = dt.datetime(2024, 3, 9, 2, 30, tzinfo=NY)
    found = expand("FREQ=DAILY;COUNT=3", start=start, time_zone=NY, after=start,
                   before=start + dt.timedelta(days=3))  # fmt: skip
    assert [(o.day, o.hour, o.minute, o.fold) for o in found] == [
        (9, 2, 30, 0), (10, 2, 30, 0), (11, 2, 30, 0),
    ]  # fmt: skip


def test_r_timezone_ambiguous_wall_time_gets_fold_0() -> None:
    start = dt.datetime(2024, 11, 2, 1, 30, tzinfo=NY)
    found = expand("FREQ=DAILY;COUNT=3", start=start, time_zone=NY, after=start,
                   before=start + dt.timedelta(days=3))  # fmt: skip
    assert found[1].fold == 0
    assert found[1].isoformat() == "2024-11-03T01:30:00-04:00"


def test_r_timezone_until_is_an_instant() -> None:
    # 9 March 09:00 EST is 14:00 UTC; 10 March 09:00 EDT is 13:00 UTC.
    def last(until: str) -> str:
        found = expand(f"FREQ=DAILY;UNTIL={until}", start=START, time_zone=NY, after=START,
                       before=START + dt.timedelta(days=30))  # fmt: skip
        return found[-1].isoformat()

    assert last("20240310T130000Z") == "2024-03-10T09:00:00-04:00"
    assert last("20240310T125959Z") == "2024-03-09T09:00:00-05:00"


def test_r_timezone_expansion_window_is_inclusive_and_in_instants() -> None:
    in_berlin = START.astimezone(BERLIN)  # the same instant, another zone
    found = expand("FREQ=DAILY", start=START, time_zone=NY, after=in_berlin,
                   before=in_berlin + dt.timedelta(days=1))  # fmt: skip
    assert found == [START, START + dt.timedelta(days=1)]
    assert expand("FREQ=DAILY", start=START, time_zone=NY, after=START + dt.timedelta(hours=1),
                  before=START + dt.timedelta(hours=2)) == []  # fmt: skip
    with pytest.raises(RecurrenceError, match=r"after .* must be timezone-aware"):
        expand("FREQ=DAILY", start=START, time_zone=NY, after=dt.datetime(2024, 3, 1),
               before=START)  # fmt: skip


# -- the ends of time, and what is not expanded ---------------------------------------------

KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14: its wall times run past year 9999 first


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=SECONDLY;COUNT=5", "at most daily"),
        ("FREQ=DAILY;BYHOUR=9,17", "within a day"),
        ("FREQ=DAILY;COUNT=1000", "at most 999 occurrences"),
    ],
)
def test_r_timezone_expand_refuses_what_no_calendar_holds(rule: str, problem: str) -> None:
    with pytest.raises(RecurrenceError, match=problem):
        expand(rule, start=START, time_zone=NY, after=START, before=START + dt.timedelta(days=1))


def test_r_timezone_series_begun_long_ago_expands_from_the_span_in_step() -> None:
    # Every third day from Friday 1 March 2024: 1 March 2040 is 5844 days on, a multiple of 3.
    span = dt.datetime(2040, 3, 1, tzinfo=dt.UTC), dt.datetime(2040, 3, 9, tzinfo=dt.UTC)
    found = expand("FREQ=DAILY;INTERVAL=3", start=START, time_zone=NY, after=span[0],
                   before=span[1])  # fmt: skip
    assert [o.date().isoformat() for o in found] == ["2040-03-01", "2040-03-04", "2040-03-07"]
    assert {o.time() for o in found} == {dt.time(9)}


def test_r_timezone_count_ends_a_series_begun_long_ago() -> None:
    # The 40th Monday from 4 January 2010 is 4 October 2010.
    monday = dt.datetime(2010, 1, 4, 9, tzinfo=NY)
    found = expand("FREQ=WEEKLY;COUNT=40", start=monday, time_zone=NY,
                   after=dt.datetime(2010, 9, 20, tzinfo=NY),
                   before=dt.datetime(2026, 1, 1, tzinfo=NY))  # fmt: skip
    assert [o.date().isoformat() for o in found] == ["2010-09-20", "2010-09-27", "2010-10-04"]


def test_r_timezone_ordinals_no_month_holds_give_no_occurrence() -> None:
    # dateutil raises IndexError here; a month has no tenth Monday.
    assert expand("FREQ=MONTHLY;BYDAY=10MO", start=START, time_zone=NY, after=START,
                  before=START + dt.timedelta(days=400)) == []  # fmt: skip


def test_r_timezone_until_year_9999_expands_to_the_last_day() -> None:
    start = dt.datetime(9999, 12, 28, 9, tzinfo=KIRITIMATI)
    found = expand("FREQ=DAILY;UNTIL=99991231T000000Z", start=start, time_zone=KIRITIMATI,
                   after=start, before=dt.datetime.max.replace(tzinfo=dt.UTC))  # fmt: skip
    # 09:00 in Kiritimati is 19:00 UTC the day before: the 31st's is still before UNTIL.
    assert [o.day for o in found] == [28, 29, 30, 31]


def test_r_timezone_start_with_no_wall_time_in_its_zone_is_refused() -> None:
    start = dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.UTC)  # still year 0 in New York
    with pytest.raises(RecurrenceError, match="no wall time"):
        expand("FREQ=DAILY", start=start, time_zone=NY, after=start, before=start)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def test_r_recurring_format_until_year_9999_converts_both_ways(zone: str) -> None:
    start = dt.datetime(2024, 3, 1, 9, tzinfo=ZoneInfo(zone))
    forever = "FREQ=DAILY;UNTIL=99991231T235959Z"
    classic = rrule_to_classic(forever, start=start, time_zone=zone)
    # 09:00 on 31 December 9999 is at or before UNTIL in each of the three zones.
    assert classic.end_date == dt.date.max
    graph = rrule_to_graph(forever, start=start, time_zone=zone)
    assert graph["range"]["endDate"] == "9999-12-31"
    back = classic_to_rrule(classic)
    assert rrule_to_classic(back, start=classic.start, time_zone=zone) == classic


def test_r_recurring_format_end_date_on_the_last_day_there_is() -> None:
    classic = ClassicRecurrence(type="RecursDaily", interval=1, start=START,
                                end_date=dt.date.max, time_zone="America/New_York")  # fmt: skip
    assert classic_to_rrule(classic) == "FREQ=DAILY;UNTIL=99991231T235959Z"
    span = {"type": "endDate", "startDate": "2024-03-01", "endDate": "9999-12-31",
            "recurrenceTimeZone": "Pacific/Kiritimati"}  # fmt: skip
    assert graph_to_rrule(graph({"type": "daily", "interval": 1}, span)) == (
        "FREQ=DAILY;UNTIL=99991231T235959Z"
    )
