"""R-OWNER (external organizer, appointments) and R-DEDUP (one event per UID and owner)."""

from __future__ import annotations

import calsync_core as cs
from helpers import (
    PAT_CONTACT,
    SALESFORCE,
    SYNC_ERROR,
    actions_of,
    appointment,
    at,
    categories_set,
    converge,
    created_event,
    decision_for,
    edit,
    event,
    issue_codes,
    item_in,
    linked,
    meeting,
    only,
    org,
    put,
    run,
    settled,
    snap,
    user,
)

TEAM = org(user("alice"), user("bob"))


def _copies(bob_answers: cs.Response = cs.Response.ACCEPTED) -> tuple[cs.CalendarItem, ...]:
    """pat's meeting as it sits in alice's and in bob's mailbox (one UID, two item ids)."""
    return (
        meeting("m-alice", mailbox="alice", uid="uid-team", attendees=["bob"]),
        meeting("m-bob", mailbox="bob", uid="uid-team", attendees=["alice"], response=bob_answers),
    )


# -- R-OWNER (b): the organizer is not an internal user ---------------------------------------


def test_r_owner_each_internal_attendee_whose_item_is_saved_gets_an_own_event() -> None:
    plan = run(None, snap(*_copies(), PAT_CONTACT), TEAM)

    created = actions_of(plan, cs.CreateEvent)
    assert sorted(c.owner_id for c in created) == ["005alice", "005bob"]
    assert {c.ical_uid for c in created} == {"uid-team"}
    assert all(c.who_ids == (PAT_CONTACT.id,) for c in created)
    stamps = {u.mailbox: u.changes[0].new for u in actions_of(plan, cs.UpdateItem)}
    by_owner = {c.owner_id: c.ref for c in created}
    assert stamps == {
        "alice@acme.example": by_owner["005alice"],
        "bob@acme.example": by_owner["005bob"],
    }


def test_r_owner_attendee_whose_item_is_not_saved_gets_no_event() -> None:
    plan = run(None, snap(*_copies(bob_answers=cs.Response.DECLINED), PAT_CONTACT), TEAM)

    assert created_event(plan).owner_id == "005alice"
    assert decision_for(plan, "m-bob").outcome == "skip"
    assert not any(u.mailbox == "bob@acme.example" for u in actions_of(plan, cs.UpdateItem))


def test_r_owner_external_organizer_converges_to_one_event_per_attendee() -> None:
    synced = converge(snap(*_copies(), PAT_CONTACT), TEAM)

    assert sorted(e.owner_id for e in synced.events) == ["005alice", "005bob"]
    for it in synced.items:
        owner = "005" + it.mailbox.split("@")[0]
        assert only(e for e in synced.events if e.id == it.sf_event_id).owner_id == owner
    assert settled(synced, TEAM).actions == ()


# -- R-OWNER (c): appointments -----------------------------------------------------------------


def test_r_owner_appointment_is_owned_by_the_mailbox_owner() -> None:
    settings = org(user("alice"), user("bob", appointment_autosave=True))

    plan = run(None, snap(appointment(mailbox="bob")), settings)

    assert created_event(plan).owner_id == "005bob"


def test_r_owner_items_of_mailboxes_that_are_not_internal_users_are_not_synced() -> None:
    stranger = meeting(mailbox="zed@acme.example")

    plan = run(None, snap(stranger, PAT_CONTACT), org())

    assert plan.actions == ()
    assert decision_for(plan, "meeting-1").rule == "R-OWNER"


# -- R-DEDUP: adoption ---------------------------------------------------------------------------


def _existing() -> cs.SfEvent:
    """An event that already carries alice's meeting UID, made by someone else."""
    m = meeting()
    return event(
        "00Uold",
        uid=m.ical_uid,
        start=m.start,
        end=m.end,
        subject=m.subject,
        created_by_sync=False,
        who_ids=(PAT_CONTACT.id,),
    )


def test_r_dedup_existing_event_with_same_uid_and_owner_is_adopted_on_a_first_run() -> None:
    plan = run(None, snap(meeting(), _existing(), PAT_CONTACT), org())

    assert actions_of(plan, cs.CreateEvent) == ()
    stamp = only(actions_of(plan, cs.UpdateItem))
    assert stamp.rule == "R-DEDUP"
    assert stamp.changes == (cs.FieldChange(field="sf_event_id", old=None, new="00Uold"),)
    assert decision_for(plan, "meeting-1").rule == "R-DEDUP"
    assert categories_set(plan, "meeting-1").add == {SALESFORCE}


def test_r_dedup_existing_event_is_adopted_with_a_before_snapshot() -> None:
    before = snap(meeting(), PAT_CONTACT)
    after = put(before, _existing())

    plan = run(before, after, org())

    assert actions_of(plan, cs.CreateEvent) == ()
    assert only(actions_of(plan, cs.UpdateItem)).changes[0].new == "00Uold"


def test_r_dedup_adoption_converges_without_a_second_event() -> None:
    synced = converge(snap(meeting(), _existing(), PAT_CONTACT), org())

    assert [e.id for e in synced.events] == ["00Uold"]
    assert item_in(synced, "meeting-1").sf_event_id == "00Uold"
    assert settled(synced, org()).actions == ()


def test_r_dedup_event_of_another_owner_is_not_adopted() -> None:
    bobs = event("00Ubob", owner="bob", uid="uid-meeting-1")

    plan = run(None, snap(meeting(), bobs, PAT_CONTACT), org())

    assert created_event(plan).owner_id == "005alice"


def test_r_dedup_an_item_that_would_not_be_saved_adopts_nothing() -> None:
    # Declined: autosave would not save it, so the existing event is left alone.
    declined = meeting(response=cs.Response.DECLINED)
    plan = run(None, snap(declined, _existing(), PAT_CONTACT), org())

    assert plan.actions == ()
    assert decision_for(plan, "meeting-1").rule == "R-UNRESPONDED"


def test_r_dedup_the_oldest_of_several_events_smallest_id_is_adopted() -> None:
    newer = event("00Uzzz", uid="uid-meeting-1", subject="Quarterly review")  # larger id
    plan = run(None, snap(meeting(), newer, _existing(), PAT_CONTACT), org())

    assert only(actions_of(plan, cs.UpdateItem)).changes[0].new == "00Uold"


def test_r_dedup_copy_of_an_item_out_of_view_with_its_event_makes_no_second_event() -> None:
    # alice's linked appointment and its event were moved 90 days out (ahead of the
    # window: out of view, not gone). The Outlook copy she made of it, whose stamp an
    # earlier run cleared, still shows with the Salesforce category.
    it, ev = linked(appointment(start=at(days=90)))
    copy = edit(it, id="appointment-copy", start=at(days=1), end=at(days=1, hours=1),
                sf_event_id=None, categories={SALESFORCE, SYNC_ERROR})  # fmt: skip
    before = snap(it, ev, copy)
    after = snap(copy)

    plan = run(before, after, org())

    assert plan.actions == ()  # was: CreateEvent, a second event of (UID, alice)
    assert issue_codes(plan) == [cs.IssueCode.STAMP_MISMATCH]
    assert decision_for(plan, "appointment-copy").rule == "R-DEDUP"


def test_r_dedup_a_copy_behind_the_window_is_no_twin() -> None:
    # The same appointment, last seen linked three weeks back (behind the window),
    # and a copy of it tomorrow. A session lets go of what lies behind the window,
    # so the run after this one will not know the old pair: taking it as a twin
    # now would raise a STAMP_MISMATCH whose Sync Error the next run removes.
    it, ev = linked(appointment(start=at(days=-21)))
    copy = edit(it, id="appointment-copy", start=at(days=1), end=at(days=1, hours=1),
                sf_event_id=None, categories=frozenset())  # fmt: skip
    before = snap(it, ev, copy)
    after = snap(copy)

    plan = run(before, after, org(user("alice", appointment_autosave=True)))

    assert cs.IssueCode.STAMP_MISMATCH not in issue_codes(plan)
    assert created_event(plan).source_item_id == "appointment-copy"
    synced = cs.apply(after, plan)
    assert settled(synced, org(user("alice", appointment_autosave=True))).actions == ()
