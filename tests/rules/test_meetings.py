"""R-OWNER (a), R-WAIT-ORGANIZER, R-DEDUP's duplicates and R-ATTENDEES: one meeting seen
from several mailboxes."""

from __future__ import annotations

import calsync_core as cs
from helpers import (
    PAT,
    PAT_CONTACT,
    SALESFORCE,
    SYNC_ERROR,
    UNSYNC,
    actions_of,
    categories_set,
    contact,
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
    upward,
    user,
)

TEAM = org(user("alice"), user("bob"))
QUIET_ALICE = org(user("alice", meeting_autosave=False), user("bob"))
SHARING = org(user("alice"), user("bob"), user("carol"), smart_auto_sharing=True)


def _alices_meeting(**kw: object) -> tuple[cs.CalendarItem, cs.CalendarItem]:
    """alice organizes with bob (internal user) and pat (external contact); both copies."""
    common: dict[str, object] = {"uid": "uid-team", "attendees": ["bob", PAT], **kw}
    return (
        meeting("m-alice", mailbox="alice", organizer=None, **common),  # type: ignore[arg-type]
        meeting("m-bob", mailbox="bob", organizer="alice", **common),  # type: ignore[arg-type]
    )


# -- R-OWNER (a) ---------------------------------------------------------------------------------


def test_r_owner_internal_organizer_owns_the_one_event_with_attendees_as_invitees() -> None:
    plan = run(None, snap(*_alices_meeting(), PAT_CONTACT), TEAM)

    created = created_event(plan)
    assert (created.owner_id, created.invitee_ids) == ("005alice", ("005bob",))
    assert created.who_ids == (PAT_CONTACT.id,)
    assert created.source_item_id == "m-alice"
    assert decision_for(plan, "m-bob").outcome == "invitee"
    assert decision_for(plan, "m-bob").rule == "R-WAIT-ORGANIZER"
    assert categories_set(plan, "m-bob").add == {SALESFORCE}


def test_r_owner_attendee_copy_gets_no_event_and_no_stamp_of_its_own() -> None:
    synced = converge(snap(*_alices_meeting(), PAT_CONTACT), TEAM)

    assert [e.owner_id for e in synced.events] == ["005alice"]
    assert item_in(synced, "m-bob").sf_event_id is None
    assert item_in(synced, "m-alice").sf_event_id == synced.events[0].id
    assert settled(synced, TEAM).actions == ()


def test_r_owner_private_organizer_item_invites_nobody() -> None:
    alice, bob = _alices_meeting(sensitivity=cs.Sensitivity.PRIVATE, categories={SALESFORCE})
    plan = run(None, snap(alice, bob, PAT_CONTACT), TEAM)

    created = created_event(plan)
    assert created.is_private
    assert (created.who_ids, created.what_ids, created.invitee_ids) == ((), (), ())


# -- R-WAIT-ORGANIZER ---------------------------------------------------------------------------


def test_r_wait_organizer_attendee_waits_while_the_organizer_has_not_saved() -> None:
    plan = run(None, snap(*_alices_meeting(), PAT_CONTACT), QUIET_ALICE)

    assert upward(plan) == []
    issue = only(plan.issues)
    assert (issue.code, issue.item_id) == (cs.IssueCode.WAITING_FOR_ORGANIZER, "m-bob")
    assert "waiting for the organizer to synchronize the event" in issue.message.lower()
    assert decision_for(plan, "m-bob").outcome == "wait"
    assert categories_set(plan, "m-bob").add == {SYNC_ERROR}


def test_r_wait_organizer_a_refused_stamp_on_the_organizers_copy_is_no_sign_of_their_event() -> (
    None
):
    # The organizer's copy carries a stamp the last run refused (another owner's
    # duplicate, deleted since): Sync Error says so. The event it names is gone,
    # not out of view, so bob still waits -- as he did on the run that refused it.
    alice, bob = _alices_meeting()
    alice = edit(alice, sf_event_id="00Ugone", categories={SALESFORCE, SYNC_ERROR})
    bob = edit(bob, categories={SALESFORCE, SYNC_ERROR})
    s = snap(alice, bob, PAT_CONTACT)

    plan = run(s, s, QUIET_ALICE)

    assert decision_for(plan, "m-bob").outcome == "wait"
    assert cs.IssueCode.WAITING_FOR_ORGANIZER in issue_codes(plan)
    assert not any(a for a in plan.actions if getattr(a, "item_id", None) == "m-bob")


def test_r_wait_organizer_an_unsyncing_organizers_stamp_is_no_sign_of_their_event() -> None:
    # Alice's copy is stamped with an event nobody has seen and carries
    # 'Salesforce Unsync': she is taking the meeting out of Salesforce, so the
    # stamp says nothing about an event of hers out of view. Bob still waits, as
    # on the run that saw her event deleted.
    alice, bob = _alices_meeting()
    alice = edit(alice, sf_event_id="00Ugone", categories={SALESFORCE, UNSYNC})
    bob = edit(bob, categories={SALESFORCE, SYNC_ERROR})
    s = snap(alice, bob, PAT_CONTACT)

    plan = run(s, s, QUIET_ALICE)

    assert decision_for(plan, "m-bob").outcome == "wait"
    assert not any(a for a in plan.actions if getattr(a, "item_id", None) == "m-bob")


def test_r_wait_organizer_issue_clears_once_the_organizer_saves() -> None:
    first = converge(snap(*_alices_meeting(), PAT_CONTACT), QUIET_ALICE)
    alice = item_in(first, "m-alice")
    saved_by_hand = put(first, edit(alice, categories=alice.categories | {SALESFORCE}))

    plan = run(first, saved_by_hand, QUIET_ALICE)

    assert created_event(plan).invitee_ids == ("005bob",)
    assert issue_codes(plan) == []
    assert categories_set(plan, "m-bob").remove == {SYNC_ERROR}
    assert categories_set(plan, "m-bob").add == {SALESFORCE}
    assert settled(cs.apply(saved_by_hand, plan), QUIET_ALICE).actions == ()


def test_r_wait_organizer_existing_event_gains_the_attendee_as_invitee() -> None:
    alice, bob = _alices_meeting()
    saved, ev = linked(alice, "00Uteam", invitee_ids=(), who_ids=(PAT_CONTACT.id,))
    plan = run(None, snap(saved, ev, bob, PAT_CONTACT), TEAM)

    update = only(actions_of(plan, cs.UpdateEvent))
    assert update.rule == "R-WAIT-ORGANIZER"
    assert update.changes == (cs.FieldChange(field="invitee_ids", old=(), new=("005bob",)),)


def test_r_wait_organizer_attendee_who_would_not_save_does_not_wait() -> None:
    declined = org(user("alice", meeting_autosave=False), user("bob", meeting_autosave=False))
    plan = run(None, snap(*_alices_meeting(), PAT_CONTACT), declined)

    assert plan.issues == ()
    assert decision_for(plan, "m-bob").rule == "R-AUTOSAVE-MEETING"


# -- R-DEDUP: duplicates ------------------------------------------------------------------------


def test_r_dedup_duplicates_made_by_sync_are_deleted_and_the_oldest_kept() -> None:
    saved, kept = linked(meeting(), "00U1")
    twin = event("00U2", uid=saved.ical_uid, subject=saved.subject)
    item_on_twin = edit(saved, sf_event_id="00U2")
    plan = run(None, snap(item_on_twin, kept, twin, PAT_CONTACT), org())

    issue = only(plan.issues)
    assert (issue.code, issue.event_id) == (cs.IssueCode.DUPLICATE_EVENT, "00U2")
    assert actions_of(plan, cs.DeleteEvent) == (cs.DeleteEvent(event_id="00U2", rule="R-DEDUP"),)
    stamp = only(actions_of(plan, cs.UpdateItem))
    assert stamp.changes == (cs.FieldChange(field="sf_event_id", old="00U2", new="00U1"),)


def test_r_dedup_duplicate_not_made_by_sync_is_reported_never_deleted() -> None:
    saved, kept = linked(meeting(), "00U1")
    foreign = event("00U2", uid=saved.ical_uid, created_by_sync=False)
    plan = run(None, snap(saved, kept, foreign, PAT_CONTACT), org())

    assert issue_codes(plan) == [cs.IssueCode.DUPLICATE_EVENT]
    assert actions_of(plan, cs.DeleteEvent) == ()
    assert decision_for(plan, "00U2").outcome == "keep"


def test_r_dedup_same_uid_different_owners_are_not_duplicates() -> None:
    plan = run(None, snap(event("00U1", owner="alice"), event("00U2", owner="bob")), TEAM)
    assert plan.issues == ()


# -- R-ATTENDEES --------------------------------------------------------------------------------


def test_r_attendees_off_who_is_set_once_at_creation() -> None:
    synced = converge(snap(meeting(attendees=["eve@partner.example"]), PAT_CONTACT), org())
    eve = contact("eve@partner.example", id="003eve")

    plan = run(synced, put(synced, eve), org())

    assert upward(plan) == []


def test_r_attendees_on_a_participant_registered_later_is_added() -> None:
    settings = org(smart_auto_sharing=True)
    synced = converge(snap(meeting(attendees=["eve@partner.example"]), PAT_CONTACT), settings)
    eve = contact("eve@partner.example", id="003eve")

    plan = run(synced, put(synced, eve), settings)

    update = only(actions_of(plan, cs.UpdateEvent))
    assert update.rule == "R-ATTENDEES"
    assert update.changes == (
        cs.FieldChange(field="who_ids", old=(PAT_CONTACT.id,), new=(PAT_CONTACT.id, "003eve")),
    )


def test_r_attendees_on_a_removed_participant_and_invitee_are_removed() -> None:
    alice, bob = _alices_meeting(attendees=["bob", "carol", PAT])
    carol = meeting(
        "m-carol",
        mailbox="carol",
        organizer="alice",
        uid="uid-team",
        attendees=["bob", "carol", PAT],
    )
    synced = converge(snap(alice, bob, carol, PAT_CONTACT), SHARING)
    assert only(synced.events).invitee_ids == ("005bob", "005carol")
    alice_now = item_in(synced, "m-alice")
    trimmed = edit(
        alice_now,
        attendees=tuple(
            a for a in alice_now.attendees if a.email != PAT and not a.email.startswith("carol")
        ),
    )

    plan = run(synced, put(synced, trimmed), SHARING)

    update = only(u for u in actions_of(plan, cs.UpdateEvent) if u.rule == "R-ATTENDEES")
    assert {c.field: c.new for c in update.changes} == {
        "who_ids": (),
        "what_ids": (),
        "invitee_ids": ("005bob",),
    }


def test_r_attendees_sharing_does_not_invite_an_attendee_whose_copy_is_cancelled() -> None:
    # alice's private meeting has no invitees (R-PRIVATE). She makes it public as
    # she removes bob, whose copy comes back cancelled: sharing must not invite
    # him for R-CANCEL to take him off again in the same plan.
    sharing = org(user("alice"), user("bob"), smart_auto_sharing=True, autosave_private=True)
    alice, bob = _alices_meeting(sensitivity=cs.Sensitivity.PRIVATE)
    synced = converge(snap(alice, bob, PAT_CONTACT), sharing)
    assert only(synced.events).invitee_ids == ()
    public = edit(item_in(synced, "m-alice"), sensitivity=cs.Sensitivity.NORMAL, version="v2")
    removed = edit(item_in(synced, "m-bob"), is_cancelled=True, version="v2")

    plan = run(synced, put(synced, public, removed), sharing)

    invited = [
        c.new
        for u in actions_of(plan, cs.UpdateEvent)
        for c in u.changes
        if c.field == "invitee_ids"
    ]
    assert invited == []
