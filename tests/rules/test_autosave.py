"""R-AUTOSAVE-MEETING, R-AUTOSAVE-APPOINTMENT and R-UNRESPONDED: what settings alone save."""

from __future__ import annotations

import pytest

import calsync_core as cs
from helpers import (
    ISE_013_TEXT,
    PAT,
    PAT_ACCOUNT,
    PAT_CONTACT,
    SALESFORCE,
    SYNC_ERROR,
    appointment,
    categories_set,
    contact,
    converge,
    created_event,
    decision_for,
    edit,
    item_in,
    meeting,
    only,
    org,
    put,
    run,
    settled,
    snap,
    user,
)

# -- R-AUTOSAVE-MEETING ------------------------------------------------------------------


@pytest.mark.parametrize("answer", [cs.Response.ACCEPTED, cs.Response.TENTATIVE])
def test_r_autosave_meeting_accepted_or_tentative_meeting_is_saved(answer: cs.Response) -> None:
    plan = run(None, snap(meeting(response=answer), PAT_CONTACT), org())

    created = created_event(plan)
    assert created.rule == "R-AUTOSAVE-MEETING"
    assert created.owner_id == "005alice"
    assert created.source_item_id == "meeting-1"
    assert created.who_ids == (PAT_CONTACT.id,)


def test_r_autosave_meeting_organized_meeting_is_saved() -> None:
    organized = meeting(organizer=None, attendees=[PAT])

    plan = run(None, snap(organized, PAT_CONTACT), org())

    assert created_event(plan).owner_id == "005alice"
    assert decision_for(plan, "meeting-1").outcome == "save"


def test_r_autosave_meeting_off_skips_the_meeting() -> None:
    settings = org(user("alice", meeting_autosave=False))

    plan = run(None, snap(meeting(), PAT_CONTACT), settings)

    assert plan.actions == ()
    assert plan.issues == ()
    assert decision_for(plan, "meeting-1").rule == "R-AUTOSAVE-MEETING"


def test_r_autosave_meeting_off_still_saves_on_manual_save() -> None:
    settings = org(user("alice", meeting_autosave=False))

    plan = run(None, snap(meeting(categories={SALESFORCE}), PAT_CONTACT), settings)

    assert created_event(plan).source_item_id == "meeting-1"


def test_r_autosave_meeting_saved_meeting_converges() -> None:
    s = snap(meeting(), PAT_CONTACT)

    synced = converge(s, org())

    saved = item_in(synced, "meeting-1")
    event = only(synced.events)
    assert saved.sf_event_id == event.id
    assert SALESFORCE in saved.categories
    assert settled(synced, org()).actions == ()


# -- R-AUTOSAVE-APPOINTMENT -----------------------------------------------------------------


def test_r_autosave_appointment_off_by_default() -> None:
    plan = run(None, snap(appointment()), org())

    assert plan.actions == ()
    assert decision_for(plan, "appointment-1").rule == "R-AUTOSAVE-APPOINTMENT"


def test_r_autosave_appointment_on_saves_with_no_who_and_no_what() -> None:
    settings = org(user("alice", appointment_autosave=True))
    # A record for the owner's own address must not be linked either.
    s = snap(appointment(), PAT_CONTACT, contact("alice@acme.example", account="001self"))

    created = created_event(run(None, s, settings))

    assert created.rule == "R-AUTOSAVE-APPOINTMENT"
    assert created.who_ids == ()
    assert created.what_ids == ()
    assert created.invitee_ids == ()


def test_r_autosave_appointment_is_exempt_from_internal_and_not_linked() -> None:
    # Every participant of an appointment is internal (the owner), and nobody is
    # resolved; neither R-INTERNAL nor R-NOT-LINKED stops it.
    settings = org(user("alice", appointment_autosave=True), autosave_internal=False)

    plan = run(None, snap(appointment()), settings)

    assert created_event(plan).source_item_id == "appointment-1"
    assert plan.issues == ()


def test_r_autosave_appointment_link_choice_names_who_and_what() -> None:
    choice = cs.LinkChoice(who_id=PAT_CONTACT.id, what_id="006deal")

    plan = run(None, snap(appointment(link_choice=choice), PAT_CONTACT), org())

    created = created_event(plan)
    assert created.who_ids == (PAT_CONTACT.id,)
    assert created.what_ids == ("006deal",)


def test_r_autosave_appointment_manual_save_with_autosave_off() -> None:
    plan = run(None, snap(appointment(categories={SALESFORCE})), org())

    created = created_event(plan)
    assert created.owner_id == "005alice"
    assert created.who_ids == ()


# -- R-UNRESPONDED ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [cs.Response.NOT_RESPONDED, cs.Response.DECLINED])
def test_r_unresponded_meeting_is_not_autosaved(answer: cs.Response) -> None:
    plan = run(None, snap(meeting(response=answer), PAT_CONTACT), org())

    assert plan.actions == ()
    assert plan.issues == ()
    assert decision_for(plan, "meeting-1").rule == "R-UNRESPONDED"


@pytest.mark.parametrize("answer", [cs.Response.NOT_RESPONDED, cs.Response.DECLINED])
def test_r_unresponded_setting_on_autosaves_like_accepted(answer: cs.Response) -> None:
    settings = org(sync_unresponded_and_declined=True)

    plan = run(None, snap(meeting(response=answer), PAT_CONTACT), settings)

    created = created_event(plan)
    assert created.who_ids == (PAT_CONTACT.id,)
    assert created.what_ids == (PAT_ACCOUNT,)


@pytest.mark.parametrize("answer", [cs.Response.NOT_RESPONDED, cs.Response.DECLINED])
def test_r_unresponded_manual_save_gives_ise_013(answer: cs.Response) -> None:
    unanswered = meeting(response=answer, categories={SALESFORCE})

    plan = run(None, snap(unanswered, PAT_CONTACT), org())

    issue = only(plan.issues)
    assert issue.code is cs.IssueCode.ISE_013
    assert issue.message == ISE_013_TEXT
    assert issue.rule == "R-UNRESPONDED"
    assert (issue.mailbox, issue.item_id) == ("alice@acme.example", "meeting-1")
    assert not any(isinstance(a, cs.CreateEvent) for a in plan.actions)
    assert categories_set(plan, "meeting-1").add == {SYNC_ERROR}


def test_r_unresponded_manual_save_with_setting_on_saves() -> None:
    settings = org(sync_unresponded_and_declined=True)
    unanswered = meeting(response=cs.Response.NOT_RESPONDED, categories={SALESFORCE})

    plan = run(None, snap(unanswered, PAT_CONTACT), settings)

    assert plan.issues == ()
    assert created_event(plan).source_item_id == "meeting-1"


def test_r_unresponded_ise_013_clears_once_the_user_accepts() -> None:
    unanswered = meeting(response=cs.Response.NOT_RESPONDED, categories={SALESFORCE})
    first = converge(snap(unanswered, PAT_CONTACT), org())
    accepted = put(first, edit(item_in(first, "meeting-1"), response=cs.Response.ACCEPTED))

    plan = run(first, accepted, org())

    assert plan.issues == ()
    assert created_event(plan).source_item_id == "meeting-1"
    assert categories_set(plan, "meeting-1").remove == {SYNC_ERROR}
