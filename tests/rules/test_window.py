"""R-WINDOW: autosave looks only at items overlapping [as_of - past_days, as_of + future_days]."""

from __future__ import annotations

import calsync_core as cs
from helpers import (
    PAT_CONTACT,
    SALESFORCE,
    actions_of,
    at,
    created_event,
    decision_for,
    edit,
    linked,
    meeting,
    org,
    run,
    snap,
    user,
)


def test_r_window_item_inside_window_is_autosaved() -> None:
    plan = run(None, snap(meeting(start=at(days=59)), PAT_CONTACT), org())

    assert created_event(plan).source_item_id == "meeting-1"


def test_r_window_item_after_window_is_skipped_without_issue() -> None:
    plan = run(None, snap(meeting(start=at(days=61)), PAT_CONTACT), org())

    assert plan.actions == ()
    assert plan.issues == ()
    assert decision_for(plan, "meeting-1").rule == "R-WINDOW"
    assert decision_for(plan, "meeting-1").outcome == "skip"


def test_r_window_item_before_window_is_skipped_without_issue() -> None:
    plan = run(None, snap(meeting(start=at(days=-15)), PAT_CONTACT), org())

    assert plan.actions == ()
    assert plan.issues == ()
    assert decision_for(plan, "meeting-1").rule == "R-WINDOW"


def test_r_window_item_overlapping_the_window_start_is_autosaved() -> None:
    # Starts before the window, ends inside it: it overlaps.
    plan = run(None, snap(meeting(start=at(days=-15), hours=48), PAT_CONTACT), org())

    assert created_event(plan).source_item_id == "meeting-1"


def test_r_window_past_and_future_days_come_from_settings() -> None:
    settings = org(past_days=30, future_days=5)
    s = snap(meeting("old", start=at(days=-20)), meeting("far", start=at(days=10)), PAT_CONTACT)

    plan = run(None, s, settings)

    assert [a.source_item_id for a in actions_of(plan, cs.CreateEvent)] == ["old"]
    assert decision_for(plan, "far").rule == "R-WINDOW"


def test_r_window_manual_save_ignores_the_window() -> None:
    far = meeting(start=at(days=200), categories={SALESFORCE})

    plan = run(None, snap(far, PAT_CONTACT), org())

    assert created_event(plan).start == at(days=200)


def test_r_window_linked_item_that_left_the_window_is_neither_updated_nor_deleted() -> None:
    saved, ev = linked(meeting(start=at(days=-20)))
    # Ten days ago the item was inside the window and got linked.
    before = snap(saved, ev, PAT_CONTACT, as_of=at(days=-10))
    after = snap(edit(saved, subject="Renamed"), ev, PAT_CONTACT)

    plan = run(before, after, org())

    assert actions_of(plan, cs.UpdateEvent) == ()
    assert actions_of(plan, cs.DeleteEvent) == ()
    assert decision_for(plan, "meeting-1").rule == "R-WINDOW"


def test_r_window_series_with_an_occurrence_in_the_window_is_autosaved() -> None:
    # "a series: any occurrence overlaps" -- the first occurrence is 30 days ago,
    # but weekly occurrences continue well into the window.
    series = meeting(start=at(days=-30), recurrence=cs.Recurrence(rule="FREQ=WEEKLY;COUNT=10"))
    settings = org(advanced_calendaring=True, recurring_events=True)

    plan = run(None, snap(series, PAT_CONTACT), settings)

    assert created_event(plan).recurrence == cs.Recurrence(rule="FREQ=WEEKLY;COUNT=10")


def test_r_window_attendee_copy_behind_the_window_waits_for_nothing_and_keeps_its_category() -> (
    None
):
    # alice organizes; bob's copy was saved as an invitee of her event. Weeks on,
    # the meeting is behind the window: alice's copy and her event are out of view,
    # which the next run cannot tell from never having existed. bob's copy stays.
    team = org(user("alice"), user("bob"))
    old = at(days=-20)
    bobs = meeting("m-bob", mailbox="bob", organizer="alice", uid="uid-old", start=old)
    bobs = edit(bobs, categories=frozenset({SALESFORCE}))
    plan = run(snap(bobs), snap(bobs), team)

    assert plan.actions == ()
    assert plan.issues == ()
    assert decision_for(plan, "m-bob").rule == "R-WINDOW"


def test_r_window_attendee_of_an_organizer_linked_to_an_event_out_of_view_does_not_wait() -> None:
    # alice's copy is linked to her event, which Salesforce's windowed read does
    # not show (moved out, or never looked up): she has synchronized, so bob's
    # copy is still an invitee of it, not waiting for her.
    team = org(user("alice"), user("bob"))
    alices = meeting("m-alice", mailbox="alice", organizer=None, uid="uid-m", attendees=["bob"])
    alices = edit(alices, sf_event_id="00Ufar", categories=frozenset({SALESFORCE}))
    bobs = meeting("m-bob", mailbox="bob", organizer="alice", uid="uid-m")
    bobs = edit(bobs, categories=frozenset({SALESFORCE}))
    synced = snap(alices, bobs)

    plan = run(synced, synced, team)

    assert plan.issues == ()
    assert plan.actions == ()
    assert decision_for(plan, "m-bob").rule == "R-WINDOW"
