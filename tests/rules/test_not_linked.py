"""R-NOT-LINKED: a meeting whose external participants are all unknown to Salesforce."""

from __future__ import annotations

import calsync_core as cs
from helpers import (
    PAT,
    SALESFORCE,
    SYNC_ERROR,
    actions_of,
    categories_set,
    contact,
    converge,
    created_event,
    decision_for,
    lead,
    meeting,
    only,
    org,
    put,
    run,
    settled,
    snap,
)

KIM = "kim@partner.example"


def test_r_not_linked_unresolved_meeting_is_not_autosaved_without_issue() -> None:
    plan = run(None, snap(meeting(attendees=[KIM])), org())

    assert plan.actions == ()
    assert plan.issues == ()
    assert decision_for(plan, "meeting-1").rule == "R-NOT-LINKED"


def test_r_not_linked_one_resolved_participant_is_enough() -> None:
    # The organizer is unknown; one attendee has a Lead.
    plan = run(None, snap(meeting(attendees=[KIM]), lead(KIM)), org())

    assert created_event(plan).who_ids == (lead(KIM).id,)


def test_r_not_linked_manual_save_gives_unresolved_participants() -> None:
    plan = run(None, snap(meeting(categories={SALESFORCE})), org())

    issue = only(plan.issues)
    assert issue.code is cs.IssueCode.UNRESOLVED_PARTICIPANTS
    assert issue.rule == "R-NOT-LINKED"
    assert (issue.mailbox, issue.item_id) == ("alice@acme.example", "meeting-1")
    assert issue.message != ""
    assert actions_of(plan, cs.CreateEvent) == ()
    assert categories_set(plan, "meeting-1").add == {SYNC_ERROR}


def test_r_not_linked_manual_save_is_retried_on_every_run() -> None:
    first = converge(snap(meeting(categories={SALESFORCE})), org())

    again = settled(first, org())

    assert [i.code for i in again.issues] == [cs.IssueCode.UNRESOLVED_PARTICIPANTS]
    assert again.actions == ()  # Sync Error is already there; nothing else to do


def test_r_not_linked_manual_save_succeeds_once_a_record_exists() -> None:
    first = converge(snap(meeting(categories={SALESFORCE})), org())
    record = contact(PAT, account="001partner")
    second = put(first, record)

    plan = run(first, second, org())

    assert plan.issues == ()
    created = created_event(plan)
    assert (created.who_ids, created.what_ids) == ((record.id,), ("001partner",))
    assert categories_set(plan, "meeting-1").remove == {SYNC_ERROR}
    assert settled(cs.apply(second, plan), org()).actions == ()


def test_r_not_linked_does_not_apply_when_records_are_auto_created() -> None:
    plan = run(None, snap(meeting()), org(auto_create=cs.RecordKind.CONTACT))

    assert plan.issues == ()
    assert only(actions_of(plan, cs.CreateRecord)).email == PAT
    assert created_event(plan).source_item_id == "meeting-1"
