"""R-PRIVATE, R-INTERNAL and R-BLOCKLIST: what autosave leaves alone and a manual save saves."""

from __future__ import annotations

import pytest

import calsync_core as cs
from helpers import (
    PAT,
    PAT_CONTACT,
    SALESFORCE,
    actions_of,
    appointment,
    contact,
    converge,
    created_event,
    decision_for,
    event_in,
    item_in,
    meeting,
    org,
    run,
    snap,
    user,
)

PRIVATE = [cs.Sensitivity.PRIVATE, cs.Sensitivity.CONFIDENTIAL]
CAROL = "carol@acme.example"  # an internal address, not a synced user
RIVAL = "boss@rival.example"
RIVAL_CONTACT = contact(RIVAL, account="001rival")

# -- R-PRIVATE -------------------------------------------------------------------------------


@pytest.mark.parametrize("sensitivity", PRIVATE)
def test_r_private_meeting_is_not_autosaved(sensitivity: cs.Sensitivity) -> None:
    plan = run(None, snap(meeting(sensitivity=sensitivity), PAT_CONTACT), org())

    assert plan.actions == ()
    assert plan.issues == ()
    assert decision_for(plan, "meeting-1").rule == "R-PRIVATE"


def test_r_private_appointment_is_not_autosaved() -> None:
    settings = org(user("alice", appointment_autosave=True))

    plan = run(None, snap(appointment(sensitivity=cs.Sensitivity.PRIVATE)), settings)

    assert plan.actions == ()
    assert decision_for(plan, "appointment-1").rule == "R-PRIVATE"


def test_r_private_personal_sensitivity_is_not_private() -> None:
    plan = run(None, snap(meeting(sensitivity=cs.Sensitivity.PERSONAL), PAT_CONTACT), org())

    created = created_event(plan)
    assert created.is_private is False
    assert created.who_ids == (PAT_CONTACT.id,)


@pytest.mark.parametrize("sensitivity", PRIVATE)
def test_r_private_autosave_private_saves_a_private_event_with_no_relations(
    sensitivity: cs.Sensitivity,
) -> None:
    settings = org(autosave_private=True)

    plan = run(None, snap(meeting(sensitivity=sensitivity), PAT_CONTACT), settings)

    created = created_event(plan)
    assert created.is_private is True
    assert (created.who_ids, created.what_ids, created.invitee_ids) == ((), (), ())


def test_r_private_manual_save_links_nothing() -> None:
    private = meeting(sensitivity=cs.Sensitivity.PRIVATE, categories={SALESFORCE})

    synced = converge(snap(private, PAT_CONTACT), org())

    event = event_in(synced, item_in(synced, "meeting-1").sf_event_id or "")
    assert event.is_private is True
    assert (event.who_ids, event.what_ids, event.invitee_ids) == ((), (), ())


def test_r_private_link_choice_cannot_relate_a_private_event() -> None:
    choice = cs.LinkChoice(who_id=PAT_CONTACT.id, what_id="006deal")
    private = meeting(sensitivity=cs.Sensitivity.CONFIDENTIAL, link_choice=choice)

    created = created_event(run(None, snap(private, PAT_CONTACT), org()))

    assert created.is_private is True
    assert (created.who_ids, created.what_ids) == ((), ())


# -- R-INTERNAL ------------------------------------------------------------------------------


def test_r_internal_meeting_of_internal_addresses_is_not_autosaved() -> None:
    internal = meeting(organizer=CAROL, attendees=["dave@acme.example"])

    plan = run(None, snap(internal), org())

    assert plan.actions == ()
    assert plan.issues == ()
    assert decision_for(plan, "meeting-1").rule == "R-INTERNAL"


def test_r_internal_internal_users_count_as_internal_whatever_their_domain() -> None:
    # No company domain at all: bob is internal because he is an internal user.
    settings = org(user("alice"), user("bob"), company_domains=frozenset())
    internal = meeting(organizer=None, attendees=["bob"])

    plan = run(None, snap(internal), settings)

    assert plan.actions == ()
    assert decision_for(plan, "meeting-1").rule == "R-INTERNAL"


def test_r_internal_addresses_compare_case_insensitively() -> None:
    settings = org(company_domains=frozenset({"ACME.Example"}))
    internal = meeting(organizer="Carol@ACME.example", attendees=["Dave@Acme.Example"])

    plan = run(None, snap(internal), settings)

    assert plan.actions == ()
    assert decision_for(plan, "meeting-1").rule == "R-INTERNAL"


def test_r_internal_autosave_internal_saves_with_no_who() -> None:
    internal = meeting(organizer=CAROL, attendees=["dave@acme.example"])
    # A contact for an internal address is never a Who.
    s = snap(internal, contact(CAROL, account="001self"))

    created = created_event(run(None, s, org(autosave_internal=True)))

    assert created.owner_id == "005alice"
    assert (created.who_ids, created.what_ids) == ((), ())


def test_r_internal_manual_save_works() -> None:
    internal = meeting(organizer=CAROL, categories={SALESFORCE})

    plan = run(None, snap(internal), org())

    assert plan.issues == ()
    assert created_event(plan).source_item_id == "meeting-1"


def test_r_internal_one_external_participant_makes_the_meeting_external() -> None:
    mixed = meeting(organizer=CAROL, attendees=[PAT])

    created = created_event(run(None, snap(mixed, PAT_CONTACT), org()))

    assert created.who_ids == (PAT_CONTACT.id,)


# -- R-BLOCKLIST -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocklist", "organizer", "attendee"),
    [
        ({RIVAL}, PAT, RIVAL),  # an attendee's whole address
        ({"rival.example"}, PAT, RIVAL),  # an attendee's domain
        ({PAT}, PAT, RIVAL),  # the organizer's address
        ({"partner.example"}, PAT, RIVAL),  # the organizer's domain
        ({"Rival.EXAMPLE"}, PAT, "Boss@Rival.Example"),  # compared case-insensitively
    ],
)
def test_r_blocklist_meeting_with_a_blocked_participant_is_not_autosaved(
    blocklist: set[str], organizer: str, attendee: str
) -> None:
    blocked = meeting(organizer=organizer, attendees=[attendee])
    settings = org(blocklist=frozenset(blocklist))

    plan = run(None, snap(blocked, PAT_CONTACT, RIVAL_CONTACT), settings)

    assert plan.actions == ()
    assert plan.issues == ()
    assert decision_for(plan, "meeting-1").rule == "R-BLOCKLIST"


def test_r_blocklist_domain_entry_matches_only_that_domain() -> None:
    settings = org(blocklist=frozenset({"rival.example"}))
    other = meeting(attendees=["kim@notrival.example"])

    plan = run(None, snap(other, PAT_CONTACT), settings)

    assert created_event(plan).source_item_id == "meeting-1"


def test_r_blocklist_manual_save_works_and_never_links_a_blocked_address() -> None:
    settings = org(blocklist=frozenset({"rival.example"}))
    # The blocked address is the organizer: it would otherwise be the primary Who.
    blocked = meeting(organizer=RIVAL, attendees=[PAT], categories={SALESFORCE})

    plan = run(None, snap(blocked, PAT_CONTACT, RIVAL_CONTACT), settings)

    created = created_event(plan)
    assert created.who_ids == (PAT_CONTACT.id,)
    assert "001rival" not in created.what_ids
    assert actions_of(plan, cs.CreateRecord) == ()
