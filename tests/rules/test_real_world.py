"""What real calendars and real users do every day, rule by rule.

Each test is one situation a mail server or a user produces that an engine
built only against its own generators gets wrong: a meeting rescheduled out
of the window, a cancellation sent to a removed attendee, an Outlook copy
that keeps the stamp, privacy toggled on one side, a fetch that comes back
empty. Each asserts that nothing is deleted, leaked or overwritten.
"""

from __future__ import annotations

import random

import attrs

import calsync_core as cs
from helpers import (
    PAT,
    PAT_ACCOUNT,
    PAT_CONTACT,
    SALESFORCE,
    SYNC_ERROR,
    UNSYNC,
    actions_of,
    appointment,
    at,
    categories_set,
    contact,
    converge,
    created_event,
    decision_for,
    drop,
    edit,
    event,
    event_in,
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
ENABLED = {"advanced_calendaring": True, "recurring_events": True}
WEEKLY = cs.Recurrence(rule="FREQ=WEEKLY;COUNT=3")


def _alices_meeting(**kw: object) -> tuple[cs.CalendarItem, cs.CalendarItem]:
    """alice organizes with bob (internal) and pat (external contact); both copies."""
    common: dict[str, object] = {"uid": "uid-team", "attendees": ["bob", PAT], **kw}
    return (
        meeting("m-alice", mailbox="alice", organizer=None, **common),  # type: ignore[arg-type]
        meeting("m-bob", mailbox="bob", organizer="alice", **common),  # type: ignore[arg-type]
    )


def _deleted_events(plan: cs.Plan) -> set[str]:
    return {a.event_id for a in actions_of(plan, cs.DeleteEvent)}


# -- 1. out of view is not gone (R-WINDOW, R-CANCEL, R-DOWN-DELETE) --------------------------


def test_r_window_meeting_rescheduled_past_the_window_deletes_no_event() -> None:
    synced = converge(snap(*_alices_meeting(), PAT_CONTACT), TEAM)
    # The organizer moves it 90 days out; the session looked it up by id.
    moved = [edit(i, start=at(days=90), end=at(days=90, hours=1)) for i in synced.items]
    later = put(synced, *moved)

    plan = run(synced, later, TEAM)

    assert _deleted_events(plan) == set()
    assert actions_of(plan, cs.SetCategories) == ()
    # The move itself still reaches the event (R-UPDATE); after that it is left alone.
    done = cs.apply(later, plan)
    assert only(done.events).start == at(days=90)
    assert settled(done, TEAM).actions == ()
    assert decision_for(settled(done, TEAM), "m-alice").rule == "R-WINDOW"


def test_r_cancel_organizer_item_absent_and_last_seen_outside_the_new_window_is_out_of_view() -> (
    None
):
    # before saw the meeting 20 days ago; the window (14 days back) no longer covers it.
    it, ev = linked(meeting("m-alice", organizer=None, attendees=[PAT], start=at(days=-20)))
    synced = snap(it, ev, PAT_CONTACT)
    plan = run(synced, drop(synced, "m-alice"), TEAM)
    assert plan.actions == ()


def test_r_cancel_organizer_item_absent_and_last_seen_inside_the_window_is_deleted() -> None:
    synced = converge(snap(*_alices_meeting(), PAT_CONTACT), TEAM)
    plan = run(synced, drop(synced, "m-alice"), TEAM)
    assert _deleted_events(plan) == {only(synced.events).id}


def test_r_down_delete_event_moved_past_the_window_keeps_its_item_linked() -> None:
    settings = org(delete_items_deleted_in_salesforce=True)
    it, ev = linked(appointment())
    synced = snap(it, ev)
    moved = put(synced, edit(ev, start=at(days=100), end=at(days=100, hours=1)))

    plan = run(synced, moved, settings)

    assert actions_of(plan, cs.DeleteItem) == ()
    assert actions_of(plan, cs.SetCategories) == ()


def test_r_down_delete_event_absent_and_last_seen_outside_the_window_is_out_of_view() -> None:
    settings = org(delete_items_deleted_in_salesforce=True)
    it, ev = linked(appointment())
    far = edit(ev, start=at(days=100), end=at(days=100, hours=1))
    before = snap(it, far)

    plan = run(before, drop(before, far.id), settings)

    assert plan.actions == ()
    assert decision_for(plan, "appointment-1").rule == "R-WINDOW"


def test_r_down_delete_event_absent_and_never_seen_is_left_alone() -> None:
    settings = org(delete_items_deleted_in_salesforce=True)
    it, _ = linked(appointment())
    plan = run(None, snap(it), settings)
    assert plan.actions == ()
    assert decision_for(plan, "appointment-1").outcome == "keep"


def test_r_down_delete_event_absent_and_last_seen_inside_the_window_is_deleted() -> None:
    settings = org(delete_items_deleted_in_salesforce=True)
    it, ev = linked(appointment())
    before = snap(it, ev)
    plan = run(before, drop(before, ev.id), settings)
    assert actions_of(plan, cs.DeleteItem) == (
        cs.DeleteItem(mailbox="alice@acme.example", item_id=it.id, rule="R-DOWN-DELETE"),
    )


# -- 2. only the organizer cancels a meeting (R-CANCEL) ---------------------------------------


def test_r_cancel_removed_attendees_cancelled_copy_keeps_the_organizers_event() -> None:
    synced = converge(snap(*_alices_meeting(), PAT_CONTACT), TEAM)
    ev = only(synced.events)
    assert ev.invitee_ids == ("005bob",)
    alice = item_in(synced, "m-alice")
    # alice removes bob; Exchange sends bob a cancellation.
    trimmed = edit(
        alice, attendees=tuple(a for a in alice.attendees if a.email != "bob@acme.example")
    )
    later = put(synced, trimmed, edit(item_in(synced, "m-bob"), is_cancelled=True))

    plan = run(synced, later, TEAM)

    assert _deleted_events(plan) == set()
    assert only(actions_of(plan, cs.UpdateEvent)).changes == (
        cs.FieldChange(field="invitee_ids", old=("005bob",), new=()),
    )
    # The organizer's live item keeps its category, on this run and every later one.
    assert all(a.item_id != "m-alice" for a in actions_of(plan, cs.SetCategories))
    done = cs.apply(later, plan)
    assert settled(done, TEAM).actions == ()
    assert event_in(done, ev.id).invitee_ids == ()


def test_r_cancel_removed_attendee_of_an_external_meeting_loses_only_their_own_event() -> None:
    copies = [
        meeting("m-alice", mailbox="alice", uid="uid-pat", attendees=["bob"]),
        meeting("m-bob", mailbox="bob", uid="uid-pat", attendees=["alice"]),
    ]
    synced = converge(snap(*copies, PAT_CONTACT), TEAM)
    bobs = only(e for e in synced.events if e.owner_id == "005bob")

    plan = run(synced, put(synced, edit(item_in(synced, "m-bob"), is_cancelled=True)), TEAM)

    assert _deleted_events(plan) == {bobs.id}
    assert categories_set(plan, "m-bob").remove == {SALESFORCE}
    assert all(a.item_id != "m-alice" for a in actions_of(plan, cs.SetCategories))


def _linked_series() -> tuple[cs.Snapshot, cs.OrgSettings]:
    settings = org(**ENABLED)
    series = meeting(organizer=None, attendees=[PAT], recurrence=WEEKLY, start=at(days=1))
    synced = converge(snap(series, PAT_CONTACT), settings)
    master = only(synced.events)
    occurrences = [
        attrs.evolve(master, id=f"00Uocc{n}", recurrence=None, original_start=at(days=1 + 7 * n))
        for n in range(3)
    ]
    return put(synced, *occurrences), settings


def test_r_cancel_one_cancelled_occurrence_deletes_only_that_occurrence() -> None:
    synced, settings = _linked_series()
    gone = meeting(
        "meeting-1-ex",
        organizer=None,
        attendees=[PAT],
        uid="uid-meeting-1",
        original_start=at(days=8),
        start=at(days=8),
        is_cancelled=True,
        version="x1",
    )
    plan = run(synced, put(synced, gone), settings)

    assert _deleted_events(plan) == {"00Uocc1"}
    assert all(a.item_id != "meeting-1" for a in actions_of(plan, cs.SetCategories))


def test_r_cancel_organizer_deleting_one_modified_occurrence_cancels_nothing_else() -> None:
    synced, settings = _linked_series()
    modified = meeting(
        "meeting-1-ex",
        organizer=None,
        attendees=[PAT],
        uid="uid-meeting-1",
        original_start=at(days=8),
        start=at(days=8, hours=2),
    )
    with_exception = converge(put(synced, modified), settings, before=synced)
    plan = run(with_exception, drop(with_exception, "meeting-1-ex"), settings)
    assert _deleted_events(plan) == set()


# -- 3. smart sharing is three-way (R-ATTENDEES) ---------------------------------------------


def test_r_attendees_smart_sharing_keeps_who_and_what_set_in_salesforce() -> None:
    settings = org(smart_auto_sharing=True)
    made = event(
        "00Umade1",
        uid=None,
        created_by_sync=False,
        subject="Pricing call",
        who_ids=(PAT_CONTACT.id,),
        what_ids=("006deal",),
    )
    first = converge(snap(made, PAT_CONTACT), settings)
    assert len(first.items) == 1

    plan = run(first, first, settings)
    assert plan.actions == ()
    # A later edit of the item does not erase them either.
    item = only(first.items)
    plan = run(first, put(first, edit(item, subject="Pricing call (moved)")), settings)
    relations = [
        c for a in actions_of(plan, cs.UpdateEvent) for c in a.changes if c.field != "subject"
    ]
    assert relations == []


def test_r_attendees_smart_sharing_removes_only_what_sync_derived() -> None:
    settings = org(smart_auto_sharing=True)
    eve = contact("eve@partner.example", id="003eve")
    synced = converge(snap(meeting(attendees=["eve@partner.example"]), PAT_CONTACT, eve), settings)
    ev = only(synced.events)
    assert ev.who_ids == (PAT_CONTACT.id, "003eve")
    # Someone relates a Contact in Salesforce; then eve leaves the meeting.
    related = edit(ev, who_ids=(*ev.who_ids, "003boss"))
    item = only(synced.items)
    left = edit(item, attendees=tuple(a for a in item.attendees if a.email != eve.email))
    later = put(synced, related, left)

    plan = run(put(synced, related), later, settings)

    update = only(actions_of(plan, cs.UpdateEvent))
    assert update.changes == (
        cs.FieldChange(
            field="who_ids",
            old=(PAT_CONTACT.id, "003eve", "003boss"),
            new=(PAT_CONTACT.id, "003boss"),
        ),
    )


# -- 4. a route copy is what sync made, not a category name (R-PUBLIC-CALENDAR) ----------------


def test_r_public_calendar_users_own_item_with_a_route_category_is_not_a_route_copy() -> None:
    route = cs.PublicCalendarRoute(
        calendar_id="023company", mailboxes=("alice@acme.example",), category="Company"
    )
    settings = org(
        user("alice", direction=cs.Direction.TO_SALESFORCE),
        public_calendar_routes=(route,),
        delete_items_deleted_in_salesforce=True,
    )
    it, ev = linked(appointment(categories=frozenset({"Company"})))
    before = snap(it, ev)

    plan = run(before, drop(before, ev.id), settings)

    assert actions_of(plan, cs.DeleteItem) == ()
    removed = {name for a in actions_of(plan, cs.SetCategories) for name in a.remove}
    assert "Company" not in removed


# -- 5. a stamp is checked before it is trusted (R-DEDUP) --------------------------------------


def test_r_dedup_outlook_copy_of_a_linked_item_moves_nothing() -> None:
    it, ev = linked(appointment())
    synced = snap(it, ev)
    copy = attrs.evolve(
        it, id="appointment-copy", ical_uid="uid-copy", start=at(days=3), end=at(days=3, hours=1)
    )

    plan = run(synced, put(synced, copy), org())

    assert upward(plan) == []
    issue = only(plan.issues)
    assert (issue.code, issue.item_id, issue.event_id) == (
        cs.IssueCode.STAMP_MISMATCH,
        "appointment-copy",
        ev.id,
    )
    assert categories_set(plan, "appointment-copy").add == {SYNC_ERROR}
    # The next run moves the original neither.
    done = cs.apply(put(synced, copy), plan)
    assert [a for a in settled(done, org()).actions if not isinstance(a, cs.SetCategories)] == []


def test_r_dedup_item_stamped_with_another_users_private_event_copies_nothing() -> None:
    settings = org(user("alice"), user("bob"), conflict_policy=cs.ConflictPolicy.SALESFORCE_WINS)
    secret = event(
        "00Usecret",
        owner="bob",
        uid="uid-secret",
        is_private=True,
        subject="Reorg plans",
        description="Confidential",
    )
    stamped = appointment(sf_event_id=secret.id, categories=frozenset({SALESFORCE}))

    for policy in cs.ConflictPolicy:
        settings = attrs.evolve(settings, conflict_policy=policy)
        plan = run(None, snap(stamped, secret), settings)
        assert [a for a in plan.actions if not isinstance(a, cs.SetCategories)] == []
        assert issue_codes(plan) == [cs.IssueCode.STAMP_MISMATCH]


def test_r_dedup_two_copies_stamped_with_one_event_only_one_holds_it() -> None:
    it, ev = linked(appointment())
    synced = snap(it, ev)
    twin = edit(
        it,
        id="appointment-0",
        subject="Moved by the twin",
        start=at(days=2),
        end=at(days=2, hours=1),
    )
    moved = edit(it, subject="Moved by the original")

    plan = run(synced, put(synced, twin, moved), org())

    assert issue_codes(plan) == [cs.IssueCode.STAMP_MISMATCH]
    update = only(actions_of(plan, cs.UpdateEvent))
    assert update.changes == (
        cs.FieldChange(field="subject", old=ev.subject, new="Moved by the original"),
    )
    assert only(plan.issues).item_id == "appointment-0"
    cs.apply(put(synced, twin, moved), plan)  # one old value per field: apply accepts it


# -- 6 and 7. privacy wins, and each update names what the previous one left (P-SAFETY) --------


def test_p_safety_event_made_private_while_an_attendee_joins_gets_no_invitee() -> None:
    settings = org(user("alice"), user("bob"), user("carol"))
    alice, _ = _alices_meeting(attendees=["carol", PAT])
    first = converge(snap(alice, PAT_CONTACT), settings)
    assert only(first.events).invitee_ids == ("005carol",)
    # The organizer makes it private in the same run bob joins by a forwarded invite.
    private = edit(item_in(first, "m-alice"), sensitivity=cs.Sensitivity.PRIVATE)
    bob = meeting("m-bob", mailbox="bob", organizer="alice", uid="uid-team", attendees=[PAT])
    later = put(first, private, bob)

    plan = run(first, later, settings)
    done = cs.apply(later, plan)  # raises on a stale ``old``

    ev = only(done.events)
    assert ev.is_private
    assert (ev.who_ids, ev.what_ids, ev.invitee_ids) == ((), (), ())


def test_p_safety_updates_of_one_event_chain_their_old_values() -> None:
    carol = user("carol")
    settings = org(user("alice"), user("bob"), carol, smart_auto_sharing=True)
    alice, bob = _alices_meeting(attendees=["bob", "carol", PAT])
    first = converge(snap(alice, bob, PAT_CONTACT), settings)
    assert only(first.events).invitee_ids == ("005bob", "005carol")
    # alice removes carol and adds dan@partner; carol's copy arrives cancelled.
    now_alice = item_in(first, "m-alice")
    edited = edit(
        now_alice,
        attendees=(
            *(a for a in now_alice.attendees if a.email != "carol@acme.example"),
            cs.Attendee(email="dan@partner.example"),
        ),
    )
    carols = meeting(
        "m-carol", mailbox="carol", organizer="alice", uid="uid-team", is_cancelled=True
    )
    dan = contact("dan@partner.example", id="003dan")
    later = put(first, edited, carols, dan)

    plan = run(first, later, settings)

    done = cs.apply(later, plan)
    assert only(done.events).invitee_ids == ("005bob",)
    assert settled(done, settings).actions == ()


def test_r_private_event_made_private_in_salesforce_gets_no_relations_back() -> None:
    settings = org(user("alice", direction=cs.Direction.TO_SALESFORCE), smart_auto_sharing=True)
    synced = converge(snap(meeting(), PAT_CONTACT), settings)
    ev = only(synced.events)
    assert ev.who_ids
    private = edit(ev, is_private=True, who_ids=(), what_ids=())
    later = put(synced, private)

    for before in (synced, later):
        plan = run(before, later, settings)
        assert upward(plan) == [], plan.actions


# -- 8. the guard holds every consequence of an emptied mailbox (R-EMPTY-GUARD) ----------------


def test_r_empty_guard_emptied_organizer_mailbox_keeps_attendees_categories() -> None:
    settings = org(user("alice"), user("bob"), empty_guard=2)
    meetings = []
    for n in range(3):
        a, b = _alices_meeting(uid=f"uid-team-{n}")
        meetings += [attrs.evolve(a, id=f"a{n}"), attrs.evolve(b, id=f"b{n}")]
    synced = converge(snap(*meetings, PAT_CONTACT), settings)
    assert len(synced.events) == 3
    emptied = attrs.evolve(
        synced, items=tuple(i for i in synced.items if i.mailbox != "alice@acme.example")
    )

    plan = run(synced, emptied, settings)

    assert cs.IssueCode.MAILBOX_EMPTIED in issue_codes(plan)
    assert _deleted_events(plan) == set()
    assert all(not a.remove for a in actions_of(plan, cs.SetCategories))
    assert cs.IssueCode.WAITING_FOR_ORGANIZER not in issue_codes(plan)
    # The next good fetch plans nothing to put back.
    assert run(synced, synced, settings).actions == ()


# -- 13. input order never shows (P-DETERMINISM) ------------------------------------------------


def test_p_determinism_two_events_with_one_id_and_different_owners() -> None:
    one = event("00Utwin", owner="alice", uid=None)
    two = event("00Utwin", owner="bob", uid=None)
    plans = {
        cs.dumps(run(None, cs.Snapshot(as_of=at(), events=order), TEAM))
        for order in ((one, two), (two, one))
    }
    assert len(plans) == 1


def test_p_determinism_shuffled_real_world_snapshot() -> None:
    alice, bob = _alices_meeting()
    it, ev = linked(appointment())
    copy = attrs.evolve(it, id="appointment-copy", ical_uid="uid-copy")
    things: list[cs.CalendarItem | cs.SfEvent | cs.Record] = [
        alice,
        bob,
        it,
        ev,
        copy,
        PAT_CONTACT,
        edit(bob, id="m-bob-2", is_cancelled=True),
    ]
    base = cs.dumps(run(None, snap(*things), TEAM))
    rng = random.Random(11)
    for _ in range(5):
        rng.shuffle(things)
        assert cs.dumps(run(None, snap(*things), TEAM)) == base


# -- 14. one run where one run should do --------------------------------------------------------


def test_r_wait_organizer_forwarded_invite_joins_the_event_created_in_the_same_run() -> None:
    alice = meeting("m-alice", mailbox="alice", organizer=None, uid="uid-fwd", attendees=[PAT])
    # bob got the invite forwarded: alice's own copy does not list him.
    bob = meeting("m-bob", mailbox="bob", organizer="alice", uid="uid-fwd", attendees=[PAT, "bob"])

    plan = run(None, snap(alice, bob, PAT_CONTACT), TEAM)

    assert created_event(plan).invitee_ids == ("005bob",)
    assert settled(cs.apply(snap(alice, bob, PAT_CONTACT), plan), TEAM).actions == ()


def test_r_wait_organizer_forwarded_invite_joins_with_smart_sharing_and_stays() -> None:
    settings = attrs.evolve(TEAM, smart_auto_sharing=True)
    alice = meeting("m-alice", mailbox="alice", organizer=None, uid="uid-fwd", attendees=[PAT])
    bob = meeting("m-bob", mailbox="bob", organizer="alice", uid="uid-fwd", attendees=[PAT, "bob"])
    done = converge(snap(alice, PAT_CONTACT), settings)
    done = converge(put(done, bob), settings, before=done)
    assert only(done.events).invitee_ids == ("005bob",)
    assert settled(done, settings).actions == ()


def test_r_limit_allday_salesforce_event_over_14_days_is_not_downsynced() -> None:
    long = event("00Ulong", uid=None, created_by_sync=False, start=at(days=1), end=at(days=20))
    plan = run(None, snap(long), org())
    assert actions_of(plan, cs.CreateItem) == ()
    issue = only(plan.issues)
    assert (issue.code, issue.event_id) == (cs.IssueCode.EVENT_TOO_LONG, "00Ulong")


def test_r_timezone_salesforce_event_in_a_zone_with_no_match_is_not_downsynced() -> None:
    odd = event("00Uodd", uid=None, created_by_sync=False, time_zone="tzone://Microsoft/Custom")
    plan = run(None, snap(odd), org())
    assert actions_of(plan, cs.CreateItem) == ()
    assert issue_codes(plan) == [cs.IssueCode.PROBLEMATIC_TIME_ZONE]


# -- acceptance: R-LINK and R-UNSYNC as RULES.md now reads ---------------------------------------


def test_r_link_choice_made_on_a_saved_item_updates_its_event() -> None:
    synced = converge(snap(meeting(), PAT_CONTACT), org())
    ev = only(synced.events)
    assert ev.who_ids == (PAT_CONTACT.id,)
    chosen = edit(
        only(synced.items), link_choice=cs.LinkChoice(who_id="003other", what_id="006deal")
    )

    plan = run(synced, put(synced, chosen), org())

    update = only(actions_of(plan, cs.UpdateEvent))
    assert update.rule == "R-LINK"
    assert update.changes == (
        cs.FieldChange(field="who_ids", old=(PAT_CONTACT.id,), new=("003other",)),
        cs.FieldChange(field="what_ids", old=(PAT_ACCOUNT,), new=("006deal",)),
    )
    done = cs.apply(put(synced, chosen), plan)
    assert run(done, done, org()).actions == ()


def test_r_unsync_unstamped_item_whose_event_sync_did_not_create_is_unsync_not_allowed() -> None:
    it = appointment(categories=frozenset({UNSYNC}))
    theirs = event("00Utheirs", uid=it.ical_uid, created_by_sync=False)

    plan = run(None, snap(it, theirs), org())

    assert upward(plan) == []
    assert issue_codes(plan) == [cs.IssueCode.UNSYNC_NOT_ALLOWED]


def test_r_unsync_unstamped_item_whose_event_sync_created_deletes_it() -> None:
    it = appointment(categories=frozenset({UNSYNC}))
    ours = event("00Uours", uid=it.ical_uid, created_by_sync=True)
    plan = run(None, snap(it, ours), org())
    assert _deleted_events(plan) == {"00Uours"}


def test_r_unsync_attendee_copy_never_deletes_the_organizers_event() -> None:
    synced = converge(snap(*_alices_meeting(), PAT_CONTACT), TEAM)
    bob = edit(item_in(synced, "m-bob"), categories=frozenset({UNSYNC}))
    plan = run(synced, put(synced, bob), TEAM)
    assert _deleted_events(plan) == set()


# -- more of the same classes: twins, exceptions, routes, reassignment, lags ----------------------


def test_r_dedup_twin_copy_never_takes_over_the_event_on_later_runs() -> None:
    it, ev = linked(appointment(subject="Original"))
    s0 = snap(it, ev)
    twin = edit(it, id="appointment-0", subject="Copy", start=at(days=2), end=at(days=2, hours=1))
    first = run(s0, put(s0, twin), org())
    # The copy loses the stamp, so no later run has to guess which copy holds it.
    assert cs.UpdateItem(
        mailbox=it.mailbox,
        item_id="appointment-0",
        changes=(cs.FieldChange(field="sf_event_id", old=ev.id, new=None),),
        rule="R-DEDUP",
    ) in actions_of(first, cs.UpdateItem)
    s1 = cs.apply(put(s0, twin), first)
    s2 = cs.apply(s1, run(s1, s1, org()))
    s3 = put(s2, edit(item_in(s2, "appointment-0"), subject="Copy edited"))

    plan = run(s2, s3, org())

    assert actions_of(plan, cs.UpdateEvent) == ()
    assert [(i.code, i.item_id) for i in plan.issues] == [
        (cs.IssueCode.STAMP_MISMATCH, "appointment-0")
    ]


def test_r_dedup_unstamped_duplicate_in_the_mailbox_does_not_overwrite_the_event() -> None:
    real = meeting("AAMk-real", subject="Pricing call", location="Room 1")
    s0 = converge(snap(real, PAT_CONTACT), org())
    dup = meeting(
        "zz-dup",
        uid=real.ical_uid,
        subject="Pricing call (old)",
        start=at(days=3),
        location="Old room",
        version="d1",
    )
    plan = run(s0, put(s0, dup), org())
    assert actions_of(plan, cs.UpdateEvent) == ()
    assert issue_codes(plan) == [cs.IssueCode.STAMP_MISMATCH]


def test_r_update_exception_carrying_the_series_stamp_updates_only_its_occurrence() -> None:
    synced, settings = _linked_series()
    master = item_in(synced, "meeting-1")
    ex = meeting(
        "aa-exception",
        organizer=None,
        attendees=[PAT],
        uid=master.ical_uid,
        original_start=at(days=8),
        start=at(days=8, hours=3),
        sf_event_id=master.sf_event_id,  # Exchange copies the series' properties
        categories=master.categories,
        version="x1",
    )
    s1 = cs.apply(put(synced, ex), run(synced, put(synced, ex), settings))
    assert item_in(s1, "aa-exception").sf_event_id == "00Uocc1"
    s2 = put(s1, edit(item_in(s1, "aa-exception"), subject="Only this week"))

    plan = run(s1, s2, settings)

    update = only(actions_of(plan, cs.UpdateEvent))
    assert update.event_id == "00Uocc1"
    assert plan.issues == ()


def test_r_public_calendar_users_item_whose_event_moved_to_the_calendar_is_never_deleted() -> None:
    route = cs.PublicCalendarRoute(
        calendar_id="023company",
        mailboxes=("alice@acme.example", "bob@acme.example"),
        category="Company",
    )
    settings = org(
        user("alice", direction=cs.Direction.TO_SALESFORCE),
        user("bob"),
        public_calendar_routes=(route,),
        delete_items_deleted_in_salesforce=True,
    )
    it, ev = linked(appointment(subject="Dentist"))
    s0 = snap(it, ev)
    moved = put(s0, edit(ev, owner_id="023company"))
    s1 = cs.apply(moved, run(s0, moved, settings))

    plan = run(s1, drop(s1, ev.id), settings)

    assert actions_of(plan, cs.DeleteItem) == ()
    assert all(SALESFORCE not in a.remove for a in actions_of(plan, cs.SetCategories))


def _routed(*events: cs.SfEvent, **settings: object) -> tuple[cs.Snapshot, cs.OrgSettings]:
    route = cs.PublicCalendarRoute(
        calendar_id="023company",
        mailboxes=("alice@acme.example", "bob@acme.example"),
        category="Company",
    )
    org_settings = org(user("alice"), user("bob"), public_calendar_routes=(route,), **settings)
    return converge(snap(*events), org_settings), org_settings


def _company_event(id: str, **kw: object) -> cs.SfEvent:
    made = event(id, uid=None, created_by_sync=False, **kw)  # type: ignore[arg-type]
    return attrs.evolve(made, owner_id="023company")


def test_r_empty_guard_public_calendar_read_back_empty_deletes_no_copy() -> None:
    events = [_company_event(f"00Uhol{n}", start=at(days=n + 1)) for n in range(6)]
    synced, settings = _routed(*events, delete_items_deleted_in_salesforce=True)
    assert len(synced.items) == 12

    plan = run(synced, attrs.evolve(synced, events=()), settings)

    assert actions_of(plan, cs.DeleteItem) == ()
    assert all(not a.remove for a in actions_of(plan, cs.SetCategories))
    assert cs.IssueCode.MAILBOX_EMPTIED in issue_codes(plan)


def test_r_private_public_calendars_private_event_is_not_copied_to_mailboxes() -> None:
    secret = _company_event("00Uhr1", subject="Layoffs: ops team", is_private=True)
    synced, _ = _routed(secret)
    assert synced.items == ()


def test_r_link_choice_seen_before_is_not_applied_again_over_salesforce_edits() -> None:
    choice = cs.LinkChoice(who_id=PAT_CONTACT.id, what_id="006deal")
    s0 = converge(snap(meeting(link_choice=choice), PAT_CONTACT), org())
    s1 = put(s0, edit(only(s0.events), who_ids=("003boss",), what_ids=("006bigger",)))
    for before in (None, drop(s1, only(s1.items).id), s1):
        assert actions_of(run(before, s1, org()), cs.UpdateEvent) == ()


def test_r_attendees_smart_sharing_never_removes_from_an_event_made_in_salesforce() -> None:
    settings = org(smart_auto_sharing=True)
    made = event(
        "00Umade1",
        uid=None,
        created_by_sync=False,
        who_ids=(PAT_CONTACT.id,),
        what_ids=("006deal",),
    )
    s0 = converge(snap(made, PAT_CONTACT), settings)
    it = only(s0.items)
    invited = put(s0, edit(it, attendees=(cs.Attendee(email=PAT),)))
    s1 = cs.apply(invited, run(s0, invited, settings))
    uninvited = put(s1, edit(item_in(s1, it.id), attendees=()))

    plan = run(s1, uninvited, settings)

    assert actions_of(plan, cs.UpdateEvent) == ()


def test_r_direction_to_calendar_user_cancelling_an_occurrence_deletes_nothing() -> None:
    synced, _ = _linked_series()
    settings = org(user("alice", direction=cs.Direction.TO_CALENDAR), **ENABLED)
    gone = meeting(
        "meeting-1-ex",
        organizer=None,
        attendees=[PAT],
        uid="uid-meeting-1",
        original_start=at(days=8),
        start=at(days=8),
        is_cancelled=True,
        version="x1",
    )
    assert upward(run(synced, put(synced, gone), settings)) == []


def test_r_conflict_one_side_without_earlier_state_loses_no_salesforce_edit() -> None:
    # The item was made for an event made in Salesforce; the event's UID stamp
    # failed, so ``before`` holds the item but not the event's earlier state.
    made = event("00Umade1", uid=None, created_by_sync=False, subject="Call")
    s0 = converge(snap(made), org())
    it = only(s0.items)
    before = snap(it)
    edited = put(before, edit(made, subject="Call (moved to Friday)"))

    plan = run(before, edited, org())

    assert all(c.field != "subject" for a in actions_of(plan, cs.UpdateEvent) for c in a.changes)
    down = only(actions_of(plan, cs.UpdateItem))
    assert down.changes == (
        cs.FieldChange(field="subject", old="Call", new="Call (moved to Friday)"),
    )


def test_r_dedup_event_given_to_a_colleague_is_theirs_run_after_run() -> None:
    it, ev = linked(appointment(subject="Call"))
    s0 = snap(it, ev)
    given = put(s0, edit(ev, owner_id="005bob"))
    s1 = cs.apply(given, run(s0, given, TEAM))
    edited = put(s1, edit(item_in(s1, it.id), subject="Call 2"))
    for before, after in ((s0, given), (s1, s1), (s1, edited)):
        plan = run(before, after, TEAM)
        assert upward(plan) == []
        assert issue_codes(plan) == [cs.IssueCode.STAMP_MISMATCH]
    assert settled(s1, TEAM).actions == ()


def test_r_wait_organizer_organizers_copy_out_of_view_keeps_attendees_invited() -> None:
    synced = converge(snap(*_alices_meeting(), PAT_CONTACT), TEAM)
    # Exchange updated alice's copy first: it left the window before bob's did.
    far = put(synced, edit(item_in(synced, "m-alice"), start=at(days=90), end=at(days=90, hours=1)))
    s1 = cs.apply(far, run(synced, far, TEAM))

    plan = run(s1, drop(s1, "m-alice"), TEAM)

    assert all(a.item_id != "m-bob" for a in actions_of(plan, cs.SetCategories))
    assert decision_for(plan, "m-bob").outcome == "invitee"


def test_r_wait_organizer_organizers_copy_turned_invalid_unlinks_no_attendee() -> None:
    synced = converge(snap(*_alices_meeting(), PAT_CONTACT), TEAM)
    alice = item_in(synced, "m-alice")
    bad = edit(alice, attendees=(*alice.attendees, cs.Attendee(email="Room 12")))
    plan = run(synced, put(synced, bad), TEAM)
    assert all(a.item_id != "m-bob" for a in actions_of(plan, cs.SetCategories))


def test_r_limit_allday_event_stretched_past_14_days_in_salesforce_is_not_copied_down() -> None:
    it, ev = linked(appointment())
    stretched = put(snap(it, ev), edit(ev, end=at(days=21)))
    plan = run(snap(it, ev), stretched, org())
    assert actions_of(plan, cs.UpdateItem) == ()
    assert issue_codes(plan) == [cs.IssueCode.EVENT_TOO_LONG]
    assert settled(cs.apply(stretched, plan), org()).actions == ()


def test_r_dedup_two_items_made_for_one_salesforce_event_are_settled_in_one_run() -> None:
    # The UID stamp failed, then a fetch came back empty (below the guard) and a
    # second item was made for the same event: both carry its id and sync's UID.
    made = event("00Umade1", uid=None, created_by_sync=False, subject="Review")
    first = only(converge(snap(made), org()).items)
    second = attrs.evolve(first, id="AAMk-second")
    now = snap(made, first, second)

    plan = run(snap(first), now, org())
    done = cs.apply(now, plan)

    assert issue_codes(plan) == [cs.IssueCode.STAMP_MISMATCH]
    assert only(done.events).ical_uid == first.ical_uid
    assert settled(done, org()).actions == ()


def test_r_cancel_organizer_deleting_one_of_two_copies_of_the_meeting_cancels_nothing() -> None:
    it, ev = linked(appointment())
    s0 = snap(it, ev)
    copy = attrs.evolve(it, id="appointment-copy")  # Outlook's Copy kept the UID and stamp
    s1 = cs.apply(put(s0, copy), run(s0, put(s0, copy), org()))

    plan = run(s1, drop(s1, it.id), org())
    done = cs.apply(drop(s1, it.id), plan)

    assert _deleted_events(plan) == set()
    assert item_in(done, "appointment-copy").categories == {SALESFORCE}
    assert settled(done, org()).actions == ()


def test_r_cancel_removed_attendee_is_not_invited_to_the_event_made_in_the_same_run() -> None:
    alice, bob = _alices_meeting()
    # alice's copy still lists bob, but bob already holds the cancellation.
    cancelled = edit(bob, is_cancelled=True)
    now = snap(alice, cancelled, PAT_CONTACT)

    plan = run(None, now, TEAM)

    assert created_event(plan).invitee_ids == ()
    assert settled(cs.apply(now, plan), TEAM).actions == ()


def test_r_cancel_attendees_stay_unlinked_beside_an_event_sync_could_not_delete() -> None:
    synced = converge(snap(*_alices_meeting(), PAT_CONTACT), TEAM)
    ev = only(synced.events)
    theirs = attrs.evolve(ev, id=f"{ev.id}-twin", created_by_sync=False)  # someone's own copy
    with_twin = put(synced, theirs)
    gone = drop(with_twin, "m-alice")

    plan = run(with_twin, gone, TEAM)
    done = cs.apply(gone, plan)

    assert _deleted_events(plan) == {ev.id}
    assert SALESFORCE not in item_in(done, "m-bob").categories
    assert settled(done, TEAM).actions == ()
