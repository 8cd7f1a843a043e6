"""R-DIRECTION: a one-way direction plans nothing the other way (here: nothing upward)."""

from __future__ import annotations

import calsync_core as cs
from helpers import (
    PAT_CONTACT,
    SALESFORCE,
    UNSYNC,
    created_event,
    decision_for,
    edit,
    linked,
    meeting,
    org,
    put,
    run,
    snap,
    upward,
    user,
)

TO_CALENDAR = cs.Direction.TO_CALENDAR


def test_r_direction_to_calendar_plans_nothing_upward() -> None:
    plan = run(None, snap(meeting(), PAT_CONTACT), org(direction=TO_CALENDAR))

    assert upward(plan) == []
    assert decision_for(plan, "meeting-1").rule == "R-DIRECTION"


def test_r_direction_user_override_to_calendar() -> None:
    settings = org(user("alice", direction=TO_CALENDAR), direction=cs.Direction.BOTH)

    plan = run(None, snap(meeting(), PAT_CONTACT), settings)

    assert upward(plan) == []


def test_r_direction_user_override_both_beats_the_orgs_to_calendar() -> None:
    settings = org(user("alice", direction=cs.Direction.BOTH), direction=TO_CALENDAR)

    plan = run(None, snap(meeting(), PAT_CONTACT), settings)

    assert created_event(plan).owner_id == "005alice"


def test_r_direction_to_salesforce_saves() -> None:
    plan = run(None, snap(meeting(), PAT_CONTACT), org(direction=cs.Direction.TO_SALESFORCE))

    assert created_event(plan).owner_id == "005alice"


def test_r_direction_to_calendar_manual_save_plans_nothing_upward() -> None:
    manual = meeting(categories={SALESFORCE})

    plan = run(None, snap(manual, PAT_CONTACT), org(direction=TO_CALENDAR))

    assert upward(plan) == []


def test_r_direction_to_calendar_linked_item_changes_are_not_sent() -> None:
    saved, ev = linked(meeting())
    before = snap(saved, ev, PAT_CONTACT)

    plan = run(before, put(before, edit(saved, subject="Renewal")), org(direction=TO_CALENDAR))

    assert upward(plan) == []
    assert decision_for(plan, "meeting-1").rule == "R-DIRECTION"


def test_r_direction_to_calendar_unsync_deletes_no_event() -> None:
    # Deleting the Salesforce event is a calendar → Salesforce write.
    saved, ev = linked(meeting())
    before = snap(saved, ev, PAT_CONTACT)
    after = put(before, edit(saved, categories=saved.categories | {UNSYNC}))

    plan = run(before, after, org(direction=TO_CALENDAR))

    assert upward(plan) == []
