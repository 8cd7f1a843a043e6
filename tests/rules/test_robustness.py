"""R-ISSUES and P-ISOLATION at the edges of what a datetime holds, and series that cost too much.

One bad item never stops a run (RULES.md): an UNTIL of 99991231T000000Z (a common
"forever"), a snapshot taken near year 1 or 9999, a series spanning everything a
datetime holds -- each plans like any other item. A window larger than ten years
each way is a settings mistake, refused before planning (SettingsError).

Series are expanded over the window they are asked about, never from their first
occurrence, and what no calendar system holds (a rule finer than daily, COUNT over
999, a rule that never occurs) is refused with INVALID_ITEM before anything is
expanded. The work is counted in steps (periods walked plus candidate days looked
at), never timed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest

import calsync_core as cs
from calsync_core.recurrence import _walk as _recurrence
from helpers import (
    AS_OF,
    PAT_CONTACT,
    actions_of,
    appointment,
    at,
    converge,
    created_event,
    decision_for,
    event,
    issue_codes,
    meeting,
    org,
    run,
    settled,
    snap,
    upward,
    user,
)

ENABLED = {"advanced_calendaring": True, "recurring_events": True}
FOREVER = "FREQ=DAILY;UNTIL=99991231T000000Z"
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)
#: East and west of UTC as far as zones go, and UTC itself.
EDGE_ZONES = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"]


def appointments() -> cs.OrgSettings:
    """alice autosaves appointments; series are enabled."""
    return org(user("alice", appointment_autosave=True), **ENABLED)


def series(rule: str, **kw: object) -> cs.Recurrence:
    return cs.Recurrence(rule=rule, **kw)  # type: ignore[arg-type]


@pytest.fixture
def steps_spent(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """How many steps series expansion has taken since the test began, caches emptied."""
    spent = [0]
    spend = _recurrence.Steps.spend

    def counting(self: _recurrence.Steps, steps: int) -> None:
        spent[0] += steps
        spend(self, steps)

    for cached in (_recurrence._first_or_why, _recurrence._count_end_or_why):
        cached.cache_clear()
    monkeypatch.setattr(_recurrence.Steps, "spend", counting)
    return lambda: spent[0]


@pytest.fixture
def no_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any series is expanded at all."""

    def walk(*args: object, **kw: object) -> Iterator[dt.datetime]:
        raise AssertionError("a series was expanded")

    for cached in (_recurrence._first_or_why, _recurrence._count_end_or_why):
        cached.cache_clear()
    monkeypatch.setattr(_recurrence, "_walk", walk)


# -- item 9: nothing overflows -------------------------------------------------------------


@pytest.mark.parametrize("zone", EDGE_ZONES)
def test_r_issues_until_year_9999_plans_without_overflow(zone: str) -> None:
    forever = appointment(recurrence=series(FOREVER), time_zone=zone)
    plan = run(None, snap(forever), appointments())
    assert issue_codes(plan) == []
    classic = created_event(plan).classic
    assert classic is not None
    # 09:00 UTC every day: the last one at or before 9999-12-31 00:00 UTC is on the 30th
    # at 09:00 UTC, and Classic's end date is that occurrence's date in the series' zone.
    last = dt.datetime(9999, 12, 30, 9, tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
    assert (classic.type, classic.end_date) == ("RecursDaily", last.date())


@pytest.mark.parametrize("zone", EDGE_ZONES)
def test_r_issues_until_year_9999_on_a_salesforce_series_plans_without_overflow(zone: str) -> None:
    made_there = event("00Uforever", uid=None, created_by_sync=False, recurrence=series(FOREVER),
                       time_zone=zone)  # fmt: skip
    plan = run(None, snap(made_there), org())
    assert issue_codes(plan) == []
    (created,) = actions_of(plan, cs.CreateItem)
    assert created.recurrence == series(FOREVER)


def test_r_window_as_of_near_year_one_plans() -> None:
    as_of = dt.datetime(1, 1, 3, 9, tzinfo=dt.UTC)  # 14 days back is before year 1
    early = appointment(start=as_of + dt.timedelta(days=1))
    weekly = appointment(
        "weekly", start=as_of - dt.timedelta(days=2), recurrence=series("FREQ=WEEKLY;COUNT=3"),
        time_zone="Europe/Berlin",
    )  # fmt: skip
    plan = run(None, snap(early, weekly, as_of=as_of), appointments())
    assert decision_for(plan, early.id).outcome == "save"
    assert decision_for(plan, weekly.id).outcome == "save"
    assert issue_codes(plan) == []


def test_r_window_as_of_near_year_9999_plans() -> None:
    as_of = dt.datetime(9999, 12, 30, 9, tzinfo=dt.UTC)  # 60 days on is past year 9999
    late = appointment(start=as_of + dt.timedelta(days=1))
    daily = appointment(
        "daily", start=as_of - dt.timedelta(days=3), recurrence=series(FOREVER),
        time_zone="Pacific/Kiritimati",
    )  # fmt: skip
    plan = run(None, snap(late, daily, as_of=as_of), appointments())
    assert decision_for(plan, late.id).outcome == "save"
    assert decision_for(plan, daily.id).outcome == "save"
    assert issue_codes(plan) == []


def test_r_window_item_far_from_a_snapshot_near_year_one_is_outside() -> None:
    as_of = dt.datetime(1, 1, 3, 9, tzinfo=dt.UTC)
    later = appointment(start=dt.datetime(1, 6, 1, 9, tzinfo=dt.UTC))
    plan = run(None, snap(later, as_of=as_of), appointments())
    assert decision_for(plan, later.id).rule == "R-WINDOW"
    assert upward(plan) == []


@pytest.mark.parametrize("name", ["past_days", "future_days"])
@pytest.mark.parametrize("days", [3651, 10**6, 10**9])
def test_settings_past_days_out_of_range_is_settings_error(name: str, days: int) -> None:
    with pytest.raises(cs.SettingsError, match=f"{name}: at most 3650 days"):
        run(None, snap(appointment()), org(**{name: days}))


def test_settings_ten_years_each_way_is_the_widest_window() -> None:
    settings = org(user("alice", appointment_autosave=True), past_days=3650, future_days=3650)
    old = appointment("old", start=at(days=-3649))
    too_old = appointment("too-old", start=at(days=-3651))
    plan = run(None, snap(old, too_old), settings)
    assert decision_for(plan, old.id).outcome == "save"
    assert decision_for(plan, too_old.id).rule == "R-WINDOW"


def test_settings_every_window_problem_is_listed_at_once() -> None:
    with pytest.raises(cs.SettingsError) as raised:
        run(None, snap(), org(past_days=10**6, future_days=-1))
    assert sorted(raised.value.problems) == [
        "future_days: must not be negative",
        "past_days: at most 3650 days (ten years)",
    ]


def test_r_limit_recurring_series_spanning_everything_a_datetime_holds_plans() -> None:
    everything = appointment(start=EARLIEST, end=LATEST, recurrence=series("FREQ=DAILY"),
                             time_zone="Europe/Berlin")  # fmt: skip
    plan = run(None, snap(everything), appointments())
    assert issue_codes(plan) == [cs.IssueCode.RECURRING_TOO_LONG]
    assert upward(plan) == []


def test_r_limit_allday_single_item_spanning_everything_plans() -> None:
    everything = appointment(start=EARLIEST, end=LATEST)
    plan = run(None, snap(everything), appointments())
    assert issue_codes(plan) == [cs.IssueCode.EVENT_TOO_LONG]


@pytest.mark.parametrize("zone", EDGE_ZONES)
@pytest.mark.parametrize(
    "start", [EARLIEST, LATEST - dt.timedelta(hours=1)], ids=["year-1", "year-9999"]
)
def test_r_issues_series_at_the_edges_of_time_plans(zone: str, start: dt.datetime) -> None:
    # Wall times there lie before year 1 or after 9999 in some zones: no instant holds them.
    edge = appointment(start=start, end=start + dt.timedelta(minutes=30), time_zone=zone,
                       recurrence=series("FREQ=YEARLY;COUNT=3"))  # fmt: skip
    plan = run(None, snap(edge), appointments())
    assert decision_for(plan, edge.id).rule == "R-WINDOW"
    assert upward(plan) == []


def test_r_issues_forever_series_with_a_cancelled_occurrence_converges() -> None:
    start = at(days=1)
    one = start.astimezone(ZoneInfo("Pacific/Kiritimati"))
    forever = appointment(start=start, time_zone="Pacific/Kiritimati",
                          recurrence=series(FOREVER, cancelled=frozenset({one})))  # fmt: skip
    settled_once = converge(snap(forever), appointments())
    assert settled(settled_once, appointments()).actions == ()


# -- item 11: bounded expansion ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=SECONDLY", "at most daily"),
        ("FREQ=MINUTELY;INTERVAL=5", "at most daily"),
        ("FREQ=HOURLY;COUNT=3", "at most daily"),
        ("FREQ=DAILY;BYHOUR=9,17", "within a day"),
        ("FREQ=WEEKLY;BYMINUTE=0,30", "within a day"),
        ("FREQ=DAILY;COUNT=999999999", "at most 999 occurrences"),
        ("FREQ=WEEKLY;COUNT=1000", "at most 999 occurrences"),
    ],
)
def test_r_issues_series_no_calendar_holds_is_refused_before_expanding(
    rule: str, why: str, no_walk: None
) -> None:
    refused = appointment(start=at(days=-3), recurrence=series(rule))
    saved_by_hand = appointment("by-hand", recurrence=series(rule), categories={"Salesforce"})
    plan = run(None, snap(refused, saved_by_hand), appointments())
    assert issue_codes(plan) == [cs.IssueCode.INVALID_ITEM, cs.IssueCode.INVALID_ITEM]
    for item_id in (refused.id, saved_by_hand.id):
        (issue,) = plan.issues_about(item_id)
        assert why in issue.message
    assert upward(plan) == []


def test_r_issues_count_999_is_still_planned() -> None:
    plan = run(None, snap(appointment(recurrence=series("FREQ=DAILY;COUNT=999"))), appointments())
    classic = created_event(plan).classic
    assert classic is not None
    assert classic.end_date == (at(days=1) + dt.timedelta(days=998)).date()


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;COUNT=5;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=WEEKLY;BYMONTH=2;BYDAY=MO;BYSETPOS=6",
        "FREQ=MONTHLY;BYDAY=10MO",  # dateutil raised IndexError here, out of reconcile
    ],
)
def test_r_issues_series_that_never_occurs_is_refused_within_its_budget(
    rule: str, steps_spent: Callable[[], int]
) -> None:
    never = appointment(start=dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC), recurrence=series(rule))
    plan = run(None, snap(never), appointments())
    assert issue_codes(plan) == [cs.IssueCode.INVALID_ITEM]
    assert "not expanded" in plan.issues_about(never.id)[0].message
    # The search stops at its budget, far before year 9999 (2.9 million days away).
    assert steps_spent() <= 2 * _recurrence.MAX_STEPS


def test_r_recurring_format_lightning_series_that_never_occurs_is_invalid_not_expanded(
    steps_spent: Callable[[], int],
) -> None:
    never = event("00Unever", uid=None, created_by_sync=False,
                  start=dt.datetime(2010, 1, 4, 9, tzinfo=dt.UTC),
                  recurrence=series("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
                  recurrence_format=cs.RecurrenceFormat.LIGHTNING)  # fmt: skip
    plan = run(None, snap(never), org())
    assert issue_codes(plan) == [cs.IssueCode.INVALID_ITEM]
    assert steps_spent() <= _recurrence.MAX_STEPS + 1


def test_r_recurring_format_lightning_series_since_2010_costs_only_its_window(
    steps_spent: Callable[[], int],
) -> None:
    daily = event("00Udaily", uid=None, created_by_sync=False,
                  start=dt.datetime(2010, 1, 4, 9, tzinfo=dt.UTC), recurrence=series("FREQ=DAILY"),
                  recurrence_format=cs.RecurrenceFormat.LIGHTNING)  # fmt: skip
    plan = run(None, snap(daily), org())
    assert issue_codes(plan) == [cs.IssueCode.LIGHTNING_SERIES_NOT_DOWNSYNCED]
    # Its first occurrence, then the window's first day: never the sixteen years between.
    assert steps_spent() <= 10


def _standups(first: dt.datetime, count: int = 20) -> cs.Snapshot:
    rule = series("FREQ=WEEKLY;UNTIL=20301231T000000Z;BYDAY=MO,TU,WE,TH,FR")
    items = [
        meeting(f"standup-{n}", start=first + dt.timedelta(minutes=15 * n), recurrence=rule,
                time_zone="Europe/Berlin")
        for n in range(count)
    ]  # fmt: skip
    return snap(*items, PAT_CONTACT)


def test_r_window_series_cost_does_not_grow_with_its_age(
    steps_spent: Callable[[], int],
) -> None:
    # Two sets of weekday stand-ups, on the same weekday and time: one since January 2010,
    # one since last month. Converged, then planned again unchanged.
    old = converge(_standups(dt.datetime(2010, 1, 4, 8, tzinfo=dt.UTC)), org(**ENABLED))
    new = converge(_standups(dt.datetime(2026, 10, 26, 8, tzinfo=dt.UTC)), org(**ENABLED))
    assert len(old.events) == len(new.events) == 20

    before = steps_spent()
    assert settled(old, org(**ENABLED)).actions == ()
    old_cost = steps_spent() - before
    before = steps_spent()
    assert settled(new, org(**ENABLED)).actions == ()
    new_cost = steps_spent() - before
    assert old_cost == new_cost
    assert 0 < new_cost < 20 * 20  # a few steps per series: the window's first week


@pytest.mark.parametrize(
    "rule",
    ["FREQ=WEEKLY", "FREQ=WEEKLY;UNTIL=20301231T000000Z", "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,TH",
     "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"],
)  # fmt: skip
def test_r_window_one_question_costs_the_same_for_a_series_of_any_age(rule: str) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    lo, hi = at(days=-14), at(days=60)

    def cost(first: dt.datetime) -> int:
        steps = _recurrence.Steps()
        _recurrence.occurs_between(rule, first, dt.timedelta(hours=1), lo, hi,
                                   time_zone="Europe/Berlin", steps=steps)  # fmt: skip
        return steps.used

    # 2010-01-05 and 2025-12-30 are both Tuesdays, 09:00 in Berlin: the same phase for a
    # weekly rule with INTERVAL=3 (834 weeks apart, a multiple of three).
    old = dt.datetime(2010, 1, 5, 9, tzinfo=berlin)
    new = old + dt.timedelta(weeks=834)
    assert new.date() == dt.date(2025, 12, 30)
    assert cost(old) == cost(new) > 0


def test_r_window_count_series_costs_its_count_not_its_age(
    steps_spent: Callable[[], int],
) -> None:
    def cost(first: dt.datetime) -> int:
        ten = appointment(start=first, recurrence=series("FREQ=WEEKLY;COUNT=10"))
        before = steps_spent()
        plan = run(None, snap(ten), appointments())
        assert decision_for(plan, ten.id).rule == "R-WINDOW"  # its ten weeks are long over
        return steps_spent() - before

    # COUNT needs the periods from the start: ten weeks, a step for each and one for its
    # Monday, once (then kept) -- whether those weeks were in 2010 or in 2025.
    assert cost(dt.datetime(2010, 1, 4, 9, tzinfo=dt.UTC)) == 20
    assert cost(dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)) == 20


def test_r_window_widest_window_question_fits_the_budget() -> None:
    # A sparse rule (29 February only) in a daily walk over twenty years of window.
    leap_days = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29"
    first = dt.datetime(2001, 3, 1, 9, tzinfo=dt.UTC)
    steps = _recurrence.Steps()
    found = _recurrence.occurs_between(leap_days, first, dt.timedelta(hours=1),
                                       at(days=-3650), at(days=3650), steps=steps)  # fmt: skip
    assert found
    assert steps.used <= _recurrence.MAX_STEPS
    # And a window without a 29 February: the answer is no, at the window's cost.
    steps = _recurrence.Steps()
    assert not _recurrence.occurs_between(leap_days, first, dt.timedelta(hours=1),
                                          at(days=-14), at(days=60), steps=steps)  # fmt: skip
    assert steps.used < 3 * 75


def test_r_window_question_past_its_budget_is_no_not_an_exception() -> None:
    steps = _recurrence.Steps(limit=10)
    assert not _recurrence.occurs_between("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29",
                                          AS_OF, dt.timedelta(hours=1), at(days=-14),
                                          at(days=60), steps=steps)  # fmt: skip
    assert steps.used == 11  # stopped at the step that broke the budget
