"""R-LINK and R-AUTO-CREATE: which records an event's Who and What hold."""

from __future__ import annotations

import calsync_core as cs
from helpers import (
    PAT,
    PAT_ACCOUNT,
    PAT_CONTACT,
    SALESFORCE,
    actions_of,
    contact,
    converge,
    created_event,
    item_in,
    lead,
    meeting,
    only,
    org,
    run,
    settled,
    snap,
    user,
)

KIM = "kim@partner.example"
LOU = "lou@other.example"
RIVAL = "boss@rival.example"

# -- R-LINK: Who -----------------------------------------------------------------------------


def test_r_link_organizer_first_then_attendees_in_their_order() -> None:
    # Ids sort the other way round, so an id order would show.
    records = (contact(PAT, id="003c"), contact(KIM, id="003b"), contact(LOU, id="003a"))
    m = meeting(attendees=[KIM, LOU])

    created = created_event(run(None, snap(m, *records), org()))

    assert created.who_ids == ("003c", "003b", "003a")


def test_r_link_internal_participants_are_never_whos() -> None:
    colleague = "carol@acme.example"
    m = meeting(attendees=[colleague])

    created = created_event(run(None, snap(m, PAT_CONTACT, contact(colleague)), org()))

    assert created.who_ids == (PAT_CONTACT.id,)


def test_r_link_contact_preferred_to_lead_for_one_address() -> None:
    # The lead is listed first and has the smaller id; the contact still wins.
    s = snap(meeting(), lead(PAT, id="00Q0"), contact(PAT, id="0zz"))

    assert created_event(run(None, s, org())).who_ids == ("0zz",)


def test_r_link_lead_is_never_combined_with_contacts() -> None:
    # The organizer has only a lead: Salesforce takes a lead as the single Who only.
    s = snap(meeting(attendees=[KIM]), lead(PAT), contact(KIM))

    assert created_event(run(None, s, org())).who_ids == (contact(KIM).id,)


def test_r_link_only_leads_give_one_lead_the_organizers() -> None:
    s = snap(meeting(attendees=[KIM]), lead(PAT), lead(KIM))

    created = created_event(run(None, s, org()))

    assert created.who_ids == (lead(PAT).id,)
    assert created.what_ids == ()


def test_r_link_at_most_50_whos() -> None:
    guests = [f"guest{n:02d}@partner.example" for n in range(60)]
    s = snap(meeting(attendees=guests), PAT_CONTACT, *(contact(g) for g in guests))

    created = created_event(run(None, s, org()))

    assert len(created.who_ids) == 50
    assert created.who_ids == (PAT_CONTACT.id, *(contact(g).id for g in guests[:49]))


# -- R-LINK: What ----------------------------------------------------------------------------


def test_r_link_what_is_the_primary_contacts_account() -> None:
    s = snap(meeting(attendees=[KIM]), PAT_CONTACT, contact(KIM, account="001kim"))

    assert created_event(run(None, s, org())).what_ids == (PAT_ACCOUNT,)


def test_r_link_what_is_empty_when_the_primary_contact_has_no_account() -> None:
    s = snap(meeting(attendees=[KIM]), contact(PAT), contact(KIM, account="001kim"))

    assert created_event(run(None, s, org())).what_ids == ()


def test_r_link_multiple_business_records_relates_every_contacts_account() -> None:
    s = snap(
        meeting(attendees=[KIM, LOU, "max@partner.example"]),
        contact(PAT, account="001a"),
        contact(KIM),
        contact(LOU, account="001b"),
        contact("max@partner.example", account="001a"),
    )

    created = created_event(run(None, s, org(multiple_business_records=True)))

    assert created.what_ids == ("001a", "001b")


# -- R-LINK: the link choice -----------------------------------------------------------------


def test_r_link_link_choice_who_replaces_the_computed_whos() -> None:
    chosen = contact("someone@else.example", id="003chosen", account="001chosen")
    m = meeting(attendees=[KIM], link_choice=cs.LinkChoice(who_id="003chosen"))

    created = created_event(run(None, snap(m, PAT_CONTACT, contact(KIM), chosen), org()))

    assert created.who_ids == ("003chosen",)
    assert created.what_ids == ("001chosen",)


def test_r_link_link_choice_what_replaces_the_computed_what() -> None:
    m = meeting(link_choice=cs.LinkChoice(what_id="006deal"))

    created = created_event(run(None, snap(m, PAT_CONTACT), org()))

    assert created.who_ids == (PAT_CONTACT.id,)
    assert created.what_ids == ("006deal",)


def test_r_link_link_choice_is_a_manual_save() -> None:
    settings = org(user("alice", meeting_autosave=False))
    m = meeting(link_choice=cs.LinkChoice(who_id=PAT_CONTACT.id, what_id="006deal"))

    created = created_event(run(None, snap(m, PAT_CONTACT), settings))

    assert (created.who_ids, created.what_ids) == ((PAT_CONTACT.id,), ("006deal",))


# -- R-AUTO-CREATE ---------------------------------------------------------------------------


def test_r_auto_create_record_comes_before_the_event_that_refers_to_it() -> None:
    plan = run(None, snap(meeting()), org(auto_create=cs.RecordKind.CONTACT))

    record = only(actions_of(plan, cs.CreateRecord))
    created = created_event(plan)
    assert (record.kind, record.email, record.rule) == (cs.RecordKind.CONTACT, PAT, "R-AUTO-CREATE")
    assert created.who_ids == (record.ref,)
    assert plan.actions.index(record) < plan.actions.index(created)


def test_r_auto_create_lead_kind() -> None:
    plan = run(None, snap(meeting()), org(auto_create=cs.RecordKind.LEAD))

    record = only(actions_of(plan, cs.CreateRecord))
    assert record.kind is cs.RecordKind.LEAD
    assert created_event(plan).who_ids == (record.ref,)


def test_r_auto_create_never_for_internal_blocklisted_or_resolved_addresses() -> None:
    settings = org(auto_create=cs.RecordKind.CONTACT, blocklist=frozenset({"rival.example"}))
    # A blocked participant stops autosave, so the user saves it.
    m = meeting(attendees=["carol@acme.example", RIVAL, KIM], categories={SALESFORCE})

    plan = run(None, snap(m, PAT_CONTACT), settings)

    record = only(actions_of(plan, cs.CreateRecord))
    assert record.email == KIM
    assert created_event(plan).who_ids == (PAT_CONTACT.id, record.ref)


def test_r_auto_create_nothing_for_a_meeting_that_is_not_saved() -> None:
    declined = meeting(response=cs.Response.DECLINED)

    plan = run(None, snap(declined), org(auto_create=cs.RecordKind.CONTACT))

    assert plan.actions == ()


def test_r_auto_create_apply_adds_the_records_and_links_them() -> None:
    settings = org(auto_create=cs.RecordKind.CONTACT)

    synced = converge(snap(meeting(attendees=[KIM])), settings)

    records = {r.email: r for r in synced.records}
    assert set(records) == {PAT, KIM}
    assert {r.kind for r in records.values()} == {cs.RecordKind.CONTACT}
    event = only(synced.events)
    assert item_in(synced, "meeting-1").sf_event_id == event.id
    assert event.who_ids == (records[PAT].id, records[KIM].id)
    assert settled(synced, settings).actions == ()
