"""R-RECURRING-ENABLED, R-LIMIT-RECURRING and unreadable series (R-ISSUES), as far as the
calendar → Salesforce planner reads series: whether they are in the window, allowed, and
short enough."""

from __future__ import annotations

import datetime as dt

import calsync_core as cs
from helpers import (
    PAT_CONTACT,
    at,
    created_event,
    decision_for,
    issue_codes,
    meeting,
    org,
    run,
    snap,
    upward,
)

WEEKLY = cs.Recurrence(rule="FREQ=WEEKLY;BYDAY=MO;COUNT=5")
ENABLED = {"advanced_calendaring": True, "recurring_events": True}


def test_r_recurring_enabled_autosave_skips_a_series_when_either_switch_is_off() -> None:
    series = meeting(recurrence=WEEKLY)
    for switches in ({}, {"advanced_calendaring": True}, {"recurring_events": True}):
        plan = run(None, snap(series, PAT_CONTACT), org(**switches))
        assert upward(plan) == []
        assert issue_codes(plan) == []
        assert decision_for(plan, series.id).rule == "R-RECURRING-ENABLED"


def test_r_recurring_enabled_manual_save_gives_the_issue() -> None:
    series = meeting(recurrence=WEEKLY, categories={"Salesforce"})
    plan = run(None, snap(series, PAT_CONTACT), org())
    assert issue_codes(plan) == [cs.IssueCode.RECURRING_NOT_ENABLED]
    assert upward(plan) == []


def test_r_recurring_enabled_both_switches_on_saves_the_series_as_one_event() -> None:
    series = meeting(recurrence=WEEKLY)
    plan = run(None, snap(series, PAT_CONTACT), org(**ENABLED))
    assert created_event(plan).recurrence == WEEKLY


def test_r_window_series_whose_occurrences_all_ended_is_skipped() -> None:
    # Two weekly occurrences, both over before the window (14 days back) opens.
    old = meeting(start=at(days=-40), recurrence=cs.Recurrence(rule="FREQ=WEEKLY;COUNT=2"))
    plan = run(None, snap(old, PAT_CONTACT), org(**ENABLED))
    assert upward(plan) == []
    assert decision_for(plan, old.id).rule == "R-WINDOW"


def test_r_window_endless_series_started_long_ago_is_in_the_window() -> None:
    endless = meeting(start=at(days=-400), recurrence=cs.Recurrence(rule="FREQ=MONTHLY"))
    plan = run(None, snap(endless, PAT_CONTACT), org(**ENABLED))
    assert created_event(plan).ical_uid == endless.ical_uid


def test_r_limit_recurring_all_day_series_is_not_saved() -> None:
    series = meeting(recurrence=WEEKLY, is_all_day=True, start=at(days=1), end=at(days=2), hours=24)
    plan = run(None, snap(series, PAT_CONTACT), org(**ENABLED))
    assert issue_codes(plan) == [cs.IssueCode.RECURRING_TOO_LONG]
    assert upward(plan) == []


def test_r_limit_recurring_occurrences_over_24_hours_are_not_saved() -> None:
    series = meeting(recurrence=WEEKLY, hours=25)
    plan = run(None, snap(series, PAT_CONTACT), org(**ENABLED))
    assert issue_codes(plan) == [cs.IssueCode.RECURRING_TOO_LONG]
    assert decision_for(plan, series.id).rule == "R-LIMIT-RECURRING"


def test_r_limit_recurring_24_hours_exactly_is_fine() -> None:
    series = meeting(recurrence=WEEKLY, hours=24)
    plan = run(None, snap(series, PAT_CONTACT), org(**ENABLED))
    assert created_event(plan).end - created_event(plan).start == dt.timedelta(hours=24)


def test_r_issues_unreadable_rrule_is_invalid_item_for_that_item_only() -> None:
    bad = meeting("bad", recurrence=cs.Recurrence(rule="FREQ=SOMETIMES"))
    both = meeting(
        "both", recurrence=cs.Recurrence(rule="FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z")
    )
    good = meeting("good")
    plan = run(None, snap(bad, both, good, PAT_CONTACT), org(**ENABLED))
    assert issue_codes(plan) == [cs.IssueCode.INVALID_ITEM, cs.IssueCode.INVALID_ITEM]
    assert "COUNT and UNTIL" in plan.issues_about("both")[0].message
    assert created_event(plan).source_item_id == "good"
