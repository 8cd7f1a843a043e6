"""R-CATEGORIES and R-ISSUES: what a user sees on items, and how problems are reported.

Also ``Plan.explain``: every item examined gets a decision that says why.
"""

from __future__ import annotations

import calsync_core as cs
from helpers import (
    PAT_CONTACT,
    SALESFORCE,
    SYNC_ERROR,
    actions_of,
    at,
    categories_set,
    converge,
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
    user,
)

# -- R-CATEGORIES ------------------------------------------------------------------------------


def test_r_categories_saved_item_gets_the_salesforce_category() -> None:
    plan = run(None, snap(meeting(), PAT_CONTACT), org())

    change = categories_set(plan, "meeting-1")
    assert (change.add, change.remove) == (frozenset({SALESFORCE}), frozenset())


def test_r_categories_manually_saved_item_already_has_it() -> None:
    plan = run(None, snap(meeting(categories={SALESFORCE}), PAT_CONTACT), org())

    assert actions_of(plan, cs.CreateEvent) != ()
    assert actions_of(plan, cs.SetCategories) == ()


def test_r_categories_item_with_an_issue_gets_sync_error() -> None:
    plan = run(None, snap(meeting(categories={SALESFORCE})), org())  # unresolved

    assert plan.issues != ()
    change = categories_set(plan, "meeting-1")
    assert (change.add, change.remove) == (frozenset({SYNC_ERROR}), frozenset())


def test_r_categories_sync_error_is_removed_when_the_issue_clears() -> None:
    first = converge(snap(meeting(categories={SALESFORCE})), org())
    assert SYNC_ERROR in item_in(first, "meeting-1").categories
    second = put(first, PAT_CONTACT)

    synced = cs.apply(second, run(first, second, org()))

    assert item_in(synced, "meeting-1").categories == {SALESFORCE}
    assert settled(synced, org()).actions == ()


def test_r_categories_other_categories_are_never_touched() -> None:
    own = {"Customer", "Red category", "Status: mine"}
    s = snap(meeting(categories=own), meeting("bad", categories=own | {SALESFORCE}), PAT_CONTACT)
    s = put(s, edit(item_in(s, "bad"), organizer="nobody@nowhere.example"))  # unresolved

    plan = run(None, s, org())

    for change in actions_of(plan, cs.SetCategories):
        assert not (change.add | change.remove) & own
    synced = cs.apply(s, plan)
    assert item_in(synced, "meeting-1").categories == own | {SALESFORCE}
    assert item_in(synced, "bad").categories == own | {SALESFORCE, SYNC_ERROR}


def test_r_categories_skipped_item_gets_no_category() -> None:
    plan = run(None, snap(meeting(start=at(days=90)), PAT_CONTACT), org())

    assert actions_of(plan, cs.SetCategories) == ()


def test_r_categories_invalid_item_gets_sync_error() -> None:
    # An INVALID_ITEM issue is an issue like any other; this one's mailbox and id
    # are sound, so the red category can be set on it.
    backwards = meeting(start=at(days=2), end=at(days=1))

    plan = run(None, snap(backwards, PAT_CONTACT), org())

    assert [i.code for i in plan.issues] == [cs.IssueCode.INVALID_ITEM]
    assert SYNC_ERROR in categories_set(plan, "meeting-1").add


# -- R-ISSUES ----------------------------------------------------------------------------------


def test_r_issues_every_issue_names_mailbox_item_code_and_sentence() -> None:
    s = snap(
        meeting("unanswered", response=cs.Response.NOT_RESPONDED, categories={SALESFORCE}),
        meeting("unknown", organizer="nobody@nowhere.example", categories={SALESFORCE}),
        meeting("long", hours=24 * 20),
        meeting("group", calendar_id="group-1", hours=30),
        meeting("backwards", start=at(days=2), end=at(days=1)),
        PAT_CONTACT,
    )

    plan = run(None, s, org())

    assert {i.item_id for i in plan.issues} == {
        "unanswered",
        "unknown",
        "long",
        "group",
        "backwards",
    }
    for issue in plan.issues:
        assert issue.mailbox == "alice@acme.example"
        assert isinstance(issue.code, cs.IssueCode)
        assert issue.rule in cs.RULES
        assert len(issue.message) > 10
        assert issue.message[0].isupper()


def test_r_issues_end_before_start_is_invalid_for_that_item_only() -> None:
    s = snap(meeting("bad", start=at(days=2), end=at(days=1)), meeting("good"), PAT_CONTACT)

    plan = run(None, s, org())

    issue = only(plan.issues)
    assert (issue.code, issue.rule) == (cs.IssueCode.INVALID_ITEM, "R-ISSUES")
    assert (issue.mailbox, issue.item_id) == ("alice@acme.example", "bad")
    assert [c.source_item_id for c in actions_of(plan, cs.CreateEvent)] == ["good"]
    assert decision_for(plan, "bad").outcome == "skip"


def test_r_issues_empty_id_is_invalid_for_that_item_only() -> None:
    s = snap(meeting("", uid="uid-x"), meeting("good"), PAT_CONTACT)

    plan = run(None, s, org())

    issue = only(plan.issues)
    assert (issue.code, issue.mailbox, issue.item_id) == (
        cs.IssueCode.INVALID_ITEM,
        "alice@acme.example",
        "",
    )
    assert [c.source_item_id for c in actions_of(plan, cs.CreateEvent)] == ["good"]


def test_r_issues_bad_attendee_address_is_invalid_for_that_item_only() -> None:
    bad = meeting("bad", attendees=[cs.Attendee(email="not an address")])
    s = snap(bad, meeting("good"), PAT_CONTACT)

    plan = run(None, s, org())

    issue = only(plan.issues)
    assert (issue.code, issue.item_id) == (cs.IssueCode.INVALID_ITEM, "bad")
    assert "not an address" in issue.message
    assert [c.source_item_id for c in actions_of(plan, cs.CreateEvent)] == ["good"]


def test_r_issues_bad_organizer_address_is_invalid_for_that_item_only() -> None:
    s = snap(meeting("bad", organizer="pat@"), meeting("good"), PAT_CONTACT)

    plan = run(None, s, org())

    assert [(i.code, i.item_id) for i in plan.issues] == [(cs.IssueCode.INVALID_ITEM, "bad")]
    assert [c.source_item_id for c in actions_of(plan, cs.CreateEvent)] == ["good"]


def _broken_event() -> tuple[cs.Snapshot, cs.SfEvent]:
    """alice's saved meeting whose event has an end before its start, and a good meeting."""
    saved, ev = linked(meeting())
    broken = edit(ev, end=ev.start - (ev.end - ev.start))
    return snap(saved, broken, meeting("good", uid="uid-good"), PAT_CONTACT), broken


def test_r_issues_invalid_event_is_reported_for_that_event_only() -> None:
    s, broken = _broken_event()

    plan = run(None, s, org())

    issue = only(plan.issues)
    assert (issue.code, issue.event_id) == (cs.IssueCode.INVALID_ITEM, broken.id)
    assert issue.message != ""
    assert [c.source_item_id for c in actions_of(plan, cs.CreateEvent)] == ["good"]
    assert actions_of(plan, cs.DeleteEvent) == ()


def test_r_issues_invalid_event_names_its_owners_mailbox() -> None:
    s, broken = _broken_event()

    issue = only(i for i in run(None, s, org()).issues if i.event_id == broken.id)

    assert issue.mailbox == "alice@acme.example"  # the owner, 005alice


def test_r_issues_invalid_event_does_not_unlink_its_item() -> None:
    # P-ISOLATION: the fault is reported on the event; it is no deletion in
    # Salesforce (R-DOWN-DELETE), so the item keeps its link and category.
    s, _ = _broken_event()

    plan = run(None, s, org())

    assert not [a for a in actions_of(plan, cs.SetCategories) if a.item_id == "meeting-1"]


# -- Plan.explain ------------------------------------------------------------------------------


def test_decisions_explain_why_an_item_was_skipped() -> None:
    plan = run(None, snap(meeting(response=cs.Response.DECLINED), PAT_CONTACT), org())

    (decision,) = plan.explain("meeting-1")
    assert (decision.outcome, decision.rule) == ("skip", "R-UNRESPONDED")
    assert "declined" in decision.note


def test_decisions_explain_why_an_item_was_saved() -> None:
    plan = run(None, snap(meeting(), PAT_CONTACT), org())

    decision = decision_for(plan, "meeting-1")
    assert (decision.outcome, decision.rule) == ("save", "R-AUTOSAVE-MEETING")
    assert "005alice" in decision.note


def test_decisions_one_for_every_item_examined() -> None:
    s = snap(
        meeting("saved"),
        meeting("declined", response=cs.Response.DECLINED),
        meeting("far", start=at(days=100)),
        meeting("private", sensitivity=cs.Sensitivity.PRIVATE),
        meeting("unknown", organizer="nobody@nowhere.example"),
        meeting("elsewhere", mailbox="zed@acme.example"),
        PAT_CONTACT,
    )

    plan = run(None, s, org())

    rules = {i.id: decision_for(plan, i.id).rule for i in s.items}
    assert rules == {
        "saved": "R-AUTOSAVE-MEETING",
        "declined": "R-UNRESPONDED",
        "far": "R-WINDOW",
        "private": "R-PRIVATE",
        "unknown": "R-NOT-LINKED",
        "elsewhere": "R-OWNER",
    }


def test_decisions_explain_an_updated_event() -> None:
    saved, ev = linked(meeting())
    before = snap(saved, ev, PAT_CONTACT)

    plan = run(before, put(before, edit(saved, subject="Renewal")), org())

    decision = decision_for(plan, ev.id)
    assert (decision.outcome, decision.rule) == ("update", "R-UPDATE")
    assert "subject" in decision.note


def test_r_issues_decisions_name_the_mailbox_so_shared_item_ids_stay_apart() -> None:
    alice_copy = meeting("same-id", mailbox="alice", uid="uid-a")
    bob_copy = meeting("same-id", mailbox="bob", uid="uid-b", response=cs.Response.DECLINED)
    plan = run(None, snap(alice_copy, bob_copy, PAT_CONTACT), org(user("alice"), user("bob")))

    assert [d.outcome for d in plan.explain("same-id", mailbox="alice@acme.example")] == ["save"]
    assert [d.rule for d in plan.explain("same-id", mailbox="BOB@acme.example")] == [
        "R-UNRESPONDED"
    ]
    assert len(plan.explain("same-id")) == 2
