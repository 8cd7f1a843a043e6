"""R-RECURRING-ENABLED, R-LIMIT-RECURRING and unreadable series (R-ISSUES), as far as the
calendar → Salesforce planner reads series: whether they are in the window, allowed, and
short enough."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import calsync_core as cs
from helpers import (
    PAT_CONTACT,
    actions_of,
    at,
    converge,
    created_event,
    decision_for,
    edit,
    issue_codes,
    item_in,
    meeting,
    only,
    org,
    put,
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


def test_r_window_series_started_long_ago_is_in_the_window() -> None:
    rule = cs.Recurrence(rule="FREQ=MONTHLY;UNTIL=20271231T000000Z")
    long_running = meeting(start=at(days=-400), recurrence=rule)
    plan = run(None, snap(long_running, PAT_CONTACT), org(**ENABLED))
    assert created_event(plan).ical_uid == long_running.ical_uid


def test_r_recurring_format_series_is_written_as_classic_fields() -> None:
    plan = run(None, snap(meeting(recurrence=WEEKLY), PAT_CONTACT), org(**ENABLED))
    classic = created_event(plan).classic
    assert classic is not None
    assert (classic.type, classic.day_of_week_mask) == ("RecursWeekly", 2)


def test_r_recurring_format_endless_series_is_an_issue_not_an_approximation() -> None:
    # Classic needs RecurrenceEndDateOnly; inventing one would change the series.
    endless = meeting(start=at(days=-400), recurrence=cs.Recurrence(rule="FREQ=MONTHLY"))
    plan = run(None, snap(endless, PAT_CONTACT), org(**ENABLED))
    assert issue_codes(plan) == [cs.IssueCode.RECURRENCE_NOT_SUPPORTED]
    assert upward(plan) == []


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


# -- R-TIMEZONE --------------------------------------------------------------------------------


def test_r_timezone_windows_zone_id_is_saved_under_its_iana_name() -> None:
    item = meeting(time_zone="W. Europe Standard Time")
    plan = run(None, snap(item, PAT_CONTACT), org())
    assert created_event(plan).time_zone == "Europe/Berlin"


def test_r_timezone_iana_zone_id_is_saved_as_it_is() -> None:
    plan = run(None, snap(meeting(time_zone="Australia/Sydney"), PAT_CONTACT), org())
    assert created_event(plan).time_zone == "Australia/Sydney"


@pytest.mark.parametrize(
    "zone",
    [
        "tzone://Microsoft/Custom",
        "Customized Time Zone",
        "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
        "Mitteleuropäische Zeit",
        "Mars/Olympus_Mons",
    ],
)
def test_r_timezone_problematic_zone_is_an_issue_and_not_saved(zone: str) -> None:
    plan = run(None, snap(meeting(time_zone=zone), PAT_CONTACT), org())
    assert issue_codes(plan) == [cs.IssueCode.PROBLEMATIC_TIME_ZONE]
    assert upward(plan) == []
    assert decision_for(plan, "meeting-1").rule == "R-TIMEZONE"


def test_r_timezone_microsoft_utc_is_utc() -> None:
    plan = run(None, snap(meeting(time_zone="tzone://Microsoft/Utc"), PAT_CONTACT), org())
    assert created_event(plan).time_zone == "UTC"


# -- a series as one unit: exceptions and cancelled occurrences ----------------------------------


def _linked_series() -> tuple[cs.Snapshot, cs.OrgSettings, cs.SfEvent]:
    settings = org(**ENABLED)
    series = meeting(recurrence=WEEKLY, start=at(days=1))
    synced = converge(snap(series, PAT_CONTACT), settings)
    master = only(synced.events)
    # Salesforce made the series' occurrences itself when the series was saved.
    occurrences = [
        attrs.evolve(master, id=f"00Uocc{n}", recurrence=None, original_start=at(days=1 + 7 * n))
        for n in range(3)
    ]
    return put(synced, *occurrences), settings, master


def test_r_recurring_enabled_occurrences_are_not_duplicates_of_their_series() -> None:
    synced, settings, _ = _linked_series()
    plan = run(synced, synced, settings)
    assert plan.actions == ()
    assert plan.issues == ()


def test_r_update_exception_updates_only_its_own_occurrence() -> None:
    synced, settings, _ = _linked_series()
    moved = meeting(
        "meeting-1-ex",
        uid="uid-meeting-1",
        original_start=at(days=8),
        start=at(days=8, hours=3),
        subject="Quarterly review (moved)",
        version="x1",
    )
    plan = run(synced, put(synced, moved), settings)

    update = only(actions_of(plan, cs.UpdateEvent))
    assert update.event_id == "00Uocc1"
    assert {c.field for c in update.changes} == {"start", "end", "subject"}
    stamp = only(actions_of(plan, cs.UpdateItem))
    assert stamp.changes == (cs.FieldChange(field="sf_event_id", old=None, new="00Uocc1"),)


def test_r_update_exception_without_its_occurrence_waits() -> None:
    settings = org(**ENABLED)
    series = meeting(recurrence=WEEKLY)
    moved = meeting("ex", uid=series.ical_uid, original_start=at(days=8), start=at(days=8, hours=2))
    plan = run(None, snap(series, moved, PAT_CONTACT), settings)

    assert [a.source_item_id for a in actions_of(plan, cs.CreateEvent)] == ["meeting-1"]
    assert decision_for(plan, "ex").outcome == "wait"


def test_r_cancel_cancelled_occurrence_is_deleted_from_the_series() -> None:
    synced, settings, _ = _linked_series()
    item = item_in(synced, "meeting-1")
    cancelled = edit(item, recurrence=cs.Recurrence(rule=WEEKLY.rule, cancelled={at(days=15)}))

    plan = run(synced, put(synced, cancelled), settings)

    assert actions_of(plan, cs.DeleteEvent) == (
        cs.DeleteEvent(event_id="00Uocc2", rule="R-CANCEL"),
    )
