"""R-CANCEL, R-ATTACHMENTS, R-EMPTY-GUARD and the bad-input cases of meetings."""

from __future__ import annotations

import datetime as dt

import attrs

import calsync_core as cs
from helpers import (
    PAT,
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
    drop,
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
    sf_user,
    snap,
    upward,
    user,
)

TEAM = org(user("alice"), user("bob"))


def _pats_meeting() -> cs.Snapshot:
    """pat (external) organizes; alice and bob each saved their copy: two events."""
    copies = [
        meeting("m-alice", mailbox="alice", uid="uid-pat", attendees=["bob"]),
        meeting("m-bob", mailbox="bob", uid="uid-pat", attendees=["alice"]),
    ]
    return converge(snap(*copies, PAT_CONTACT), TEAM)


def _deleted(plan: cs.Plan) -> set[str]:
    return {a.event_id for a in actions_of(plan, cs.DeleteEvent)}


# -- R-CANCEL ------------------------------------------------------------------------------------


def test_r_cancel_organizer_cancels_every_event_of_the_meeting_is_deleted() -> None:
    synced = _pats_meeting()
    cancelled = put(synced, *(edit(i, is_cancelled=True) for i in synced.items))

    plan = run(synced, cancelled, TEAM)

    assert _deleted(plan) == {e.id for e in synced.events}
    assert all(a.rule == "R-CANCEL" for a in actions_of(plan, cs.DeleteEvent))
    assert categories_set(plan, "m-alice").remove == {SALESFORCE}
    assert settled(cs.apply(cancelled, plan), TEAM).actions == ()


def test_r_cancel_an_attendee_removing_their_copy_deletes_nothing() -> None:
    synced = _pats_meeting()
    plan = run(synced, drop(synced, "m-bob"), TEAM)
    assert upward(plan) == []


def test_r_cancel_internal_organizer_deleting_their_item_deletes_the_event() -> None:
    copies = [
        meeting("m-alice", mailbox="alice", organizer=None, uid="uid-a", attendees=["bob", PAT]),
        meeting("m-bob", mailbox="bob", organizer="alice", uid="uid-a", attendees=["bob", PAT]),
    ]
    synced = converge(snap(*copies, PAT_CONTACT), TEAM)

    plan = run(synced, drop(synced, "m-alice"), TEAM)

    assert _deleted(plan) == {only(synced.events).id}
    assert decision_for(plan, "m-bob").rule == "R-CANCEL"


def test_r_cancel_appointment_deleted_by_its_owner_counts_as_cancelled() -> None:
    settings = org(user("alice", appointment_autosave=True))
    synced = converge(snap(appointment()), settings)

    plan = run(synced, drop(synced, "appointment-1"), settings)

    assert _deleted(plan) == {only(synced.events).id}


def test_r_cancel_item_gone_outside_the_window_deletes_nothing() -> None:
    settings = org(user("alice", appointment_autosave=True))
    old = appointment(start=at(days=-40), categories={SALESFORCE})
    synced = converge(snap(old), settings)
    assert len(synced.events) == 1

    plan = run(synced, drop(synced, "appointment-1"), settings)

    assert upward(plan) == []


def test_r_cancel_organizer_copy_behind_the_window_unlinks_no_attendee_later() -> None:
    # alice organized with bob 20 days ago, behind the window: her copy is out of view
    # (the read no longer shows it, and the next ``before`` no longer holds it), bob's
    # still shows. Her event sync made is still there: no run ever saw her copy go.
    when = at(days=-20)
    it, ev = linked(
        meeting("m-alice", organizer=None, uid="uid-team", attendees=["bob"], start=when),
        invitee_ids=(sf_user("bob"),),
    )
    bobs = meeting("m-bob", mailbox="bob", organizer="alice", uid="uid-team", start=when,
                   categories={SALESFORCE})  # fmt: skip
    synced = snap(it, ev, bobs)
    out_of_view = drop(synced, "m-alice")

    plan = run(synced, out_of_view, TEAM)
    done = cs.apply(out_of_view, plan)

    assert plan.actions == ()
    assert settled(done, TEAM).actions == ()  # was: SetCategories removing bob's Salesforce
    assert decision_for(settled(done, TEAM), "m-bob").rule != "R-CANCEL"


def test_r_cancel_event_not_made_by_sync_is_never_deleted() -> None:
    saved, ev = linked(meeting(), "00Uforeign", created_by_sync=False)
    plan = run(None, snap(edit(saved, is_cancelled=True), ev, PAT_CONTACT), org())

    assert actions_of(plan, cs.DeleteEvent) == ()
    assert decision_for(plan, "00Uforeign").outcome == "keep"


# -- R-ATTACHMENTS ------------------------------------------------------------------------------

DECK = cs.Attachment(id="att-1", name="deck.pdf", size=2_000, content_type="application/pdf")
HUGE = cs.Attachment(id="att-2", name="video.mp4", size=30 * 1024 * 1024)


def test_r_attachments_saved_once_with_the_new_event() -> None:
    settings = org(save_attachments=True)
    plan = run(None, snap(meeting(attachments=(DECK,)), PAT_CONTACT), settings)

    save = only(actions_of(plan, cs.SaveAttachment))
    assert (save.event_id, save.attachment) == (created_event(plan).ref, DECK)
    assert plan.actions.index(save) > plan.actions.index(created_event(plan))
    synced = cs.apply(snap(meeting(attachments=(DECK,)), PAT_CONTACT), plan)
    assert only(synced.events).attachment_ids == {"att-1"}
    assert settled(synced, settings).actions == ()


def test_r_attachments_too_large_is_an_issue_and_the_event_is_still_saved() -> None:
    settings = org(save_attachments=True)
    plan = run(None, snap(meeting(attachments=(DECK, HUGE)), PAT_CONTACT), settings)

    assert issue_codes(plan) == [cs.IssueCode.ATTACHMENT_TOO_LARGE]
    assert created_event(plan).source_item_id == "meeting-1"
    assert [a.attachment.id for a in actions_of(plan, cs.SaveAttachment)] == ["att-1"]
    assert categories_set(plan, "meeting-1").add == {SALESFORCE, SYNC_ERROR}


def test_r_attachments_off_saves_none() -> None:
    plan = run(None, snap(meeting(attachments=(DECK,)), PAT_CONTACT), org())
    assert actions_of(plan, cs.SaveAttachment) == ()


def test_r_attachments_added_later_to_a_linked_item_is_saved() -> None:
    settings = org(save_attachments=True)
    synced = converge(snap(meeting(), PAT_CONTACT), settings)
    item = item_in(synced, "meeting-1")

    plan = run(synced, put(synced, edit(item, attachments=(DECK,))), settings)

    assert only(actions_of(plan, cs.SaveAttachment)).event_id == only(synced.events).id


# -- R-EMPTY-GUARD ------------------------------------------------------------------------------


def _five_appointments() -> tuple[cs.OrgSettings, cs.Snapshot]:
    settings = org(user("alice", appointment_autosave=True))
    items = [appointment(f"a{n}", start=at(days=n + 1)) for n in range(5)]
    return settings, converge(snap(*items), settings)


def test_r_empty_guard_mailbox_that_suddenly_shows_nothing_deletes_nothing() -> None:
    settings, synced = _five_appointments()
    emptied = drop(synced, *(i.id for i in synced.items))

    plan = run(synced, emptied, settings)

    assert actions_of(plan, cs.DeleteEvent) == ()
    issue = only(plan.issues)
    assert (issue.code, issue.mailbox) == (cs.IssueCode.MAILBOX_EMPTIED, "alice@acme.example")


def test_r_empty_guard_what_time_left_behind_does_not_count() -> None:
    # Weeks later all five appointments are behind the window: the read no longer
    # reaches them, which is no sign of a failed fetch. Only what the new window
    # covers counts, so the mailbox and the owner are not "emptied".
    settings, synced = _five_appointments()
    later = attrs.evolve(
        drop(synced, *(i.id for i in synced.items), *(e.id for e in synced.events)),
        as_of=synced.as_of + dt.timedelta(days=settings.past_days + 10),
    )

    plan = run(synced, later, settings)

    assert plan.issues == ()
    assert plan.actions == ()


def test_r_empty_guard_below_the_threshold_deletions_go_ahead() -> None:
    _, synced = _five_appointments()
    emptied = drop(synced, *(i.id for i in synced.items))

    plan = run(synced, emptied, org(user("alice", appointment_autosave=True), empty_guard=6))

    assert len(actions_of(plan, cs.DeleteEvent)) == 5


def test_r_empty_guard_zero_turns_it_off() -> None:
    _, synced = _five_appointments()
    emptied = drop(synced, *(i.id for i in synced.items))

    plan = run(synced, emptied, org(user("alice", appointment_autosave=True), empty_guard=0))

    assert len(actions_of(plan, cs.DeleteEvent)) == 5
    assert plan.issues == ()


def test_r_empty_guard_owner_with_no_events_left_unlinks_nothing() -> None:
    settings, synced = _five_appointments()
    emptied = drop(synced, *(e.id for e in synced.events))

    plan = run(synced, emptied, settings)

    assert actions_of(plan, cs.SetCategories) == ()
    assert issue_codes(plan) == [cs.IssueCode.MAILBOX_EMPTIED]
    assert decision_for(plan, "a0").rule == "R-EMPTY-GUARD"


def test_r_empty_guard_one_deleted_event_still_unlinks_its_item() -> None:
    settings, synced = _five_appointments()
    plan = run(synced, drop(synced, synced.events[0].id), settings)

    assert only(actions_of(plan, cs.SetCategories)).remove == {SALESFORCE}


# -- bad input -----------------------------------------------------------------------------------


def test_r_issues_same_item_id_twice_in_a_mailbox_plans_nothing_for_either() -> None:
    one = meeting("dup", uid="uid-1")
    two = meeting("dup", uid="uid-2", subject="Other")
    fine = meeting("fine")
    plan = run(None, snap(one, two, fine, PAT_CONTACT), org())

    assert issue_codes(plan) == [cs.IssueCode.INVALID_ITEM, cs.IssueCode.INVALID_ITEM]
    assert not any(getattr(a, "item_id", None) == "dup" for a in plan.actions)
    assert created_event(plan).source_item_id == "fine"


def test_r_issues_duplicate_event_ids_are_invalid_not_duplicates() -> None:
    plan = run(None, snap(event("00U1"), event("00U1", subject="other")), org())
    assert issue_codes(plan) == [cs.IssueCode.INVALID_ITEM, cs.IssueCode.INVALID_ITEM]


def test_r_empty_guard_events_of_an_emptied_mailbox_survive_a_cancellation() -> None:
    settings = org(user("alice"), user("bob"), empty_guard=1)
    synced = _pats_meeting()
    alices_event = only(e for e in synced.events if e.owner_id == "005alice")
    bob = item_in(synced, "m-bob")
    # alice's mailbox comes back empty while bob's copy shows pat cancelled.
    after = put(drop(synced, "m-alice"), edit(bob, is_cancelled=True))

    plan = run(synced, after, settings)

    assert alices_event.id not in _deleted(plan)
    assert _deleted(plan) == {e.id for e in synced.events} - {alices_event.id}
    assert cs.IssueCode.MAILBOX_EMPTIED in issue_codes(plan)


def test_r_cancel_an_organizer_item_that_turned_invalid_is_not_gone() -> None:
    settings = org(user("alice", appointment_autosave=True))
    synced = converge(snap(appointment()), settings)
    broken = edit(item_in(synced, "appointment-1"), end=at(days=-1))  # end before start

    plan = run(synced, put(synced, broken), settings)

    assert actions_of(plan, cs.DeleteEvent) == ()
    assert issue_codes(plan) == [cs.IssueCode.INVALID_ITEM]
