"""R-LIMIT-ALLDAY, R-GROUP-CALENDAR, R-FIELD-LIMITS, R-REQUIRED-FIELDS: what Salesforce refuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import calsync_core as cs
from helpers import (
    PAT,
    PAT_CONTACT,
    SALESFORCE,
    SYNC_ERROR,
    actions_of,
    at,
    categories_set,
    contact,
    converge,
    created_event,
    decision_for,
    edit,
    item_in,
    linked,
    meeting,
    only,
    org,
    put,
    run,
    settled,
    snap,
)

DAY = dt.timedelta(days=1)
MIDNIGHT = at(days=1, hours=-9)  # 2026-11-25T00:00Z: where all-day items start
STATUS = "Status: Required fields are missing: "


def _cuts(plan: cs.Plan, item_id: str) -> list[str]:
    return [d.note for d in plan.explain(item_id) if d.rule == "R-FIELD-LIMITS"]


# -- R-LIMIT-ALLDAY ----------------------------------------------------------------------------


def test_r_limit_allday_all_day_item_over_14_days_is_not_saved() -> None:
    long = meeting(is_all_day=True, start=MIDNIGHT, end=MIDNIGHT + 15 * DAY)

    plan = run(None, snap(long, PAT_CONTACT), org())

    issue = only(plan.issues)
    assert (issue.code, issue.rule) == (cs.IssueCode.ALL_DAY_TOO_LONG, "R-LIMIT-ALLDAY")
    assert (issue.mailbox, issue.item_id) == ("alice@acme.example", "meeting-1")
    assert actions_of(plan, cs.CreateEvent) == ()
    assert actions_of(plan, cs.UpdateItem) == ()
    assert categories_set(plan, "meeting-1").add == {SYNC_ERROR}


def test_r_limit_allday_timed_event_over_14_days_is_event_too_long() -> None:
    long = meeting(start=at(days=1), end=at(days=15, hours=1))

    plan = run(None, snap(long, PAT_CONTACT), org())

    assert [i.code for i in plan.issues] == [cs.IssueCode.EVENT_TOO_LONG]
    assert only(plan.issues).rule == "R-LIMIT-ALLDAY"
    assert actions_of(plan, cs.CreateEvent) == ()


@pytest.mark.parametrize("all_day", [True, False])
def test_r_limit_allday_exactly_14_days_is_saved(all_day: bool) -> None:
    fortnight = meeting(is_all_day=all_day, start=MIDNIGHT, end=MIDNIGHT + 14 * DAY)

    plan = run(None, snap(fortnight, PAT_CONTACT), org())

    assert plan.issues == ()
    assert created_event(plan).end == MIDNIGHT + 14 * DAY


def test_r_limit_allday_linked_item_stretched_over_14_days_is_not_updated() -> None:
    saved, ev = linked(meeting(is_all_day=True, start=MIDNIGHT, end=MIDNIGHT + DAY))
    before = snap(saved, ev, PAT_CONTACT)
    after = put(before, edit(saved, end=MIDNIGHT + 20 * DAY))

    plan = run(before, after, org())

    assert [i.code for i in plan.issues] == [cs.IssueCode.ALL_DAY_TOO_LONG]
    assert actions_of(plan, cs.UpdateEvent) == ()
    assert actions_of(plan, cs.DeleteEvent) == ()


# -- R-GROUP-CALENDAR --------------------------------------------------------------------------


def test_r_group_calendar_item_of_24_hours_is_saved() -> None:
    group = meeting(calendar_id="group-sales", hours=24)

    plan = run(None, snap(group, PAT_CONTACT), org())

    assert plan.issues == ()
    assert created_event(plan).source_item_id == "meeting-1"


def test_r_group_calendar_item_over_24_hours_is_group_event_too_long() -> None:
    group = meeting(calendar_id="group-sales", hours=25)

    plan = run(None, snap(group, PAT_CONTACT), org())

    issue = only(plan.issues)
    assert (issue.code, issue.rule) == (cs.IssueCode.GROUP_EVENT_TOO_LONG, "R-GROUP-CALENDAR")
    assert issue.item_id == "meeting-1"
    assert actions_of(plan, cs.CreateEvent) == ()


def test_r_group_calendar_limit_does_not_apply_to_the_own_calendar() -> None:
    plan = run(None, snap(meeting(hours=30), PAT_CONTACT), org())

    assert plan.issues == ()
    assert created_event(plan).source_item_id == "meeting-1"


# -- R-FIELD-LIMITS ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_field", "event_field", "limit"),
    [("subject", "subject", 255), ("location", "location", 255), ("body", "description", 32_000)],
)
def test_r_field_limits_long_text_is_cut_and_the_decision_says_so(
    item_field: str, event_field: str, limit: int
) -> None:
    text = "x" * (limit + 45)
    fields: dict[str, Any] = {item_field: text}
    long = meeting(**fields)

    plan = run(None, snap(long, PAT_CONTACT), org())

    assert plan.issues == ()
    assert getattr(created_event(plan), event_field) == "x" * limit
    cuts = _cuts(plan, "meeting-1")
    assert len(cuts) == 1
    assert event_field in cuts[0]


def test_r_field_limits_text_at_the_limit_is_not_cut() -> None:
    plan = run(None, snap(meeting(subject="s" * 255), PAT_CONTACT), org())

    assert created_event(plan).subject == "s" * 255
    assert _cuts(plan, "meeting-1") == []


def test_r_field_limits_update_is_cut_too() -> None:
    saved, ev = linked(meeting())
    before = snap(saved, ev, PAT_CONTACT)
    after = put(before, edit(saved, subject="y" * 300))

    plan = run(before, after, org())

    change = only(only(actions_of(plan, cs.UpdateEvent)).changes)
    assert (change.field, change.new) == ("subject", "y" * 255)
    assert _cuts(plan, "meeting-1") != []


def test_r_field_limits_update_notes_only_the_fields_it_sends() -> None:
    # The long body is not sent (SAFE description), so no note about cutting it.
    saved, ev = linked(meeting(body="b" * 40_000), description="b" * 32_000)
    before = snap(saved, ev, PAT_CONTACT)
    after = put(before, edit(saved, location="Room 2"))

    plan = run(before, after, org())

    assert only(only(actions_of(plan, cs.UpdateEvent)).changes).field == "location"
    assert _cuts(plan, "meeting-1") == []


def test_r_field_limits_cut_text_converges() -> None:
    synced = converge(snap(meeting(subject="z" * 300), PAT_CONTACT), org())

    assert only(synced.events).subject == "z" * 255
    assert settled(synced, org()).actions == ()


# -- R-REQUIRED-FIELDS -------------------------------------------------------------------------


def test_r_required_fields_missing_field_gives_issue_and_status_category() -> None:
    settings = org(required_fields=frozenset({"location"}))

    plan = run(None, snap(meeting(location=""), PAT_CONTACT), settings)

    issue = only(plan.issues)
    assert (issue.code, issue.rule) == (cs.IssueCode.REQUIRED_FIELDS_MISSING, "R-REQUIRED-FIELDS")
    assert "location" in issue.message
    assert actions_of(plan, cs.CreateEvent) == ()
    assert categories_set(plan, "meeting-1").add == {SYNC_ERROR, STATUS + "location"}
    assert decision_for(plan, "meeting-1").rule == "R-REQUIRED-FIELDS"


def test_r_required_fields_filled_field_is_saved() -> None:
    settings = org(required_fields=frozenset({"location"}))

    plan = run(None, snap(meeting(location="Room 1"), PAT_CONTACT), settings)

    assert plan.issues == ()
    assert created_event(plan).location == "Room 1"


def test_r_required_fields_issue_and_categories_clear_when_filled() -> None:
    settings = org(required_fields=frozenset({"location"}))
    first = converge(snap(meeting(location="", categories={"Customer"}), PAT_CONTACT), settings)
    assert item_in(first, "meeting-1").categories == {"Customer", SYNC_ERROR, STATUS + "location"}
    second = put(first, edit(item_in(first, "meeting-1"), location="Room 1"))

    plan = run(first, second, settings)

    assert plan.issues == ()
    assert created_event(plan).location == "Room 1"
    change = categories_set(plan, "meeting-1")
    assert change.add == {SALESFORCE}
    assert change.remove == {SYNC_ERROR, STATUS + "location"}
    synced = cs.apply(second, plan)
    assert item_in(synced, "meeting-1").categories == {"Customer", SALESFORCE}
    assert settled(synced, settings).actions == ()


def test_r_required_fields_every_missing_field_is_named() -> None:
    settings = org(required_fields=frozenset({"location", "description"}))

    plan = run(None, snap(meeting(location="", body=""), PAT_CONTACT), settings)

    status = only(c for c in categories_set(plan, "meeting-1").add if c.startswith(STATUS))
    named = {name.strip() for name in status.removeprefix(STATUS).split(",")}
    assert named == {"location", "description"}


def test_r_required_fields_relations_count_as_fields() -> None:
    settings = org(required_fields=frozenset({"what_ids"}))
    no_account = contact(PAT)  # pat's Contact, in no account
    with_account = contact("kim@partner.example", account="001kim")

    missing = run(None, snap(meeting(), no_account), settings)
    filled = run(None, snap(meeting(organizer="kim@partner.example"), with_account), settings)

    assert [i.code for i in missing.issues] == [cs.IssueCode.REQUIRED_FIELDS_MISSING]
    assert created_event(filled).what_ids == ("001kim",)
