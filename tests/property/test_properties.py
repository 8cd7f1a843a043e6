"""The whole-plan properties of RULES.md, checked over generated organisations."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core._session_next import ahead_of_view

from . import examples, safety
from .orgs import AS_OF, USERS, History, histories, shuffled

pytestmark = pytest.mark.property


@given(histories(), st.data())
def test_p_determinism_same_plan_whatever_the_input_order(h: History, data: st.DataObject) -> None:
    plan = cs.reconcile(h.before, h.after, h.settings)
    before = None if h.before is None else shuffled(h.before, data)
    again = cs.reconcile(before, shuffled(h.after, data), h.settings)
    assert cs.dumps(again) == cs.dumps(plan)


def _guarded(plan: cs.Plan) -> bool:
    # R-EMPTY-GUARD holds back what an empty fetch would do until a fetch works:
    # that waits on an outside party, like a record or an organizer (P-CONVERGENCE).
    return any(i.code is cs.IssueCode.MAILBOX_EMPTIED for i in plan.issues)


@given(histories())
@example(examples.copy_of_an_item_whose_event_was_deleted())
@example(examples.stamp_of_another_users_event_out_of_view())
@example(examples.organizers_copy_behind_the_window())
def test_p_convergence_one_apply_then_nothing_more(h: History) -> None:
    plan = cs.reconcile(h.before, h.after, h.settings)
    assume(not _guarded(plan))
    synced = cs.apply(h.after, plan)
    # The next run's ``before`` is what a session keeps: the plan carried out, and
    # what ``before`` last saw ahead of the window, which still exists out of view.
    kept = ahead_of_view(synced, h.before, h.after, h.settings)
    follow_up = cs.reconcile(kept, synced, h.settings)
    assert follow_up.actions == ()
    # What waits on an outside party stays reported, never silently dropped.
    waiting = {cs.IssueCode.UNRESOLVED_PARTICIPANTS, cs.IssueCode.ISE_013}
    assert {i.code for i in plan.issues if i.code in waiting} <= {i.code for i in follow_up.issues}


@given(histories())
def test_p_idempotence_converged_snapshot_plans_nothing(h: History) -> None:
    plan = cs.reconcile(h.before, h.after, h.settings)
    assume(not _guarded(plan))
    synced = cs.apply(h.after, plan)
    assert cs.reconcile(synced, synced, h.settings).actions == ()
    assert cs.apply(synced, cs.reconcile(synced, synced, h.settings)) == synced


def _emptied(plan: cs.Plan, mailbox: str) -> bool:
    return any(i.code is cs.IssueCode.MAILBOX_EMPTIED and i.mailbox == mailbox for i in plan.issues)


def _without(plan: cs.Plan, ref: str) -> tuple[object, ...]:
    return (
        tuple(a for a in plan.actions if getattr(a, "item_id", None) != ref),
        tuple(i for i in plan.issues if ref not in (i.item_id, i.event_id)),
        tuple(d for d in plan.decisions if d.ref != ref),
    )


_bad_items = st.sampled_from(
    [
        {"end": AS_OF - dt.timedelta(hours=1)},  # end before start
        {"ical_uid": ""},
        {"organizer": "not-an-address"},
        {"attendees": (cs.Attendee(email="two@@signs example"),)},
    ]
)


@given(histories(), _bad_items, st.sampled_from(USERS))
def test_p_isolation_an_invalid_item_changes_nothing_else(
    h: History, fault: dict[str, object], mailbox: str
) -> None:
    fields: dict[str, object] = {"ical_uid": "bad-uid", "start": AS_OF, "end": AS_OF, **fault}
    bad = cs.CalendarItem(id="bad-1", mailbox=mailbox, **fields)  # type: ignore[arg-type]
    plan = cs.reconcile(h.before, h.after, h.settings)
    assume(not _emptied(plan, mailbox))  # an item there would show the mailbox is back
    with_bad = attrs.evolve(h.after, items=(*h.after.items, bad))
    polluted = cs.reconcile(h.before, with_bad, h.settings)
    assert _without(polluted, "bad-1") == _without(plan, "bad-1")
    assert [i.code for i in polluted.issues_about("bad-1")] == [cs.IssueCode.INVALID_ITEM]
    # Nothing is planned for it but the red category that shows the issue (R-CATEGORIES).
    marks = [a for a in polluted.actions if getattr(a, "item_id", None) == "bad-1"]
    expected = [
        cs.SetCategories(
            mailbox=mailbox, item_id="bad-1", add={"Sync Error"}, remove=(), rule="R-CATEGORIES"
        )
    ]
    assert marks == (expected if mailbox in {u.email for u in h.settings.users} else [])


@given(histories(), st.sampled_from(USERS))
def test_p_isolation_an_unsyncable_item_only_reports_itself(h: History, mailbox: str) -> None:
    long = cs.CalendarItem(
        id="long-1",
        ical_uid="long-uid",
        mailbox=mailbox,
        start=AS_OF,
        end=AS_OF + dt.timedelta(days=20),
        is_all_day=True,
        categories=frozenset({"Salesforce"}),
    )
    plan = cs.reconcile(h.before, h.after, h.settings)
    assume(not _emptied(plan, mailbox))  # an item there would show the mailbox is back
    polluted = cs.reconcile(
        h.before, attrs.evolve(h.after, items=(*h.after.items, long)), h.settings
    )
    assert _without(polluted, "long-1") == _without(plan, "long-1")
    upward = {
        u.email
        for u in h.settings.users
        if (u.direction or h.settings.direction) is not cs.Direction.TO_CALENDAR
    }
    if mailbox in upward:
        assert [i.code for i in polluted.issues_about("long-1")] == [cs.IssueCode.ALL_DAY_TOO_LONG]


@given(histories())
def test_p_safety_updates_name_current_values_and_deletes_only_sync_events(h: History) -> None:
    plan = cs.reconcile(h.before, h.after, h.settings)
    events = {e.id: e for e in h.after.events}
    items = {(i.mailbox, i.id): i for i in h.after.items}
    for action in plan.actions:
        if isinstance(action, cs.UpdateEvent):
            for change in action.changes:
                assert getattr(events[action.event_id], change.field) == change.old
        elif isinstance(action, cs.UpdateItem):
            for change in action.changes:
                assert getattr(items[(action.mailbox, action.item_id)], change.field) == change.old
        elif isinstance(action, cs.DeleteEvent):
            assert events[action.event_id].created_by_sync
        elif isinstance(action, cs.DeleteItem):
            # Only with R-DOWN-DELETE's switch, only an item its mailbox owner organizes.
            assert h.settings.delete_items_deleted_in_salesforce
            item = items[(action.mailbox, action.item_id)]
            assert item.organizer in (None, item.mailbox)


@given(histories())
def test_r_empty_guard_nothing_deleted_or_unlinked_for_an_emptied_mailbox_or_owner(
    h: History,
) -> None:
    plan = cs.reconcile(h.before, h.after, h.settings)
    emptied = {i.mailbox for i in plan.issues if i.code is cs.IssueCode.MAILBOX_EMPTIED}
    owners = {u.sf_user_id for u in h.settings.users if u.email in emptied}
    events = {e.id: e for e in h.after.events}
    for action in plan.actions:
        if isinstance(action, cs.DeleteEvent):
            assert events[action.event_id].owner_id not in owners
        if isinstance(action, cs.SetCategories | cs.DeleteItem):
            assert action.mailbox not in emptied or not getattr(action, "remove", True)


# -- safety over what real users do (R-CANCEL, R-DOWN-DELETE, R-PRIVATE, P-SAFETY) ----------------


def _run(h: History) -> safety.Run:
    return safety.Run(
        settings=h.settings,
        before=h.before,
        after=h.after,
        plan=cs.reconcile(h.before, h.after, h.settings),
    )


def _holds(found: list[str]) -> None:
    assert not found, "\n".join(found)


@given(histories())
def test_r_cancel_no_event_deleted_but_by_its_organizer_an_unsync_or_a_duplicate(
    h: History,
) -> None:
    _holds(safety.event_deletions(_run(h)))


@given(histories())
def test_r_down_delete_no_item_deleted_but_the_organizers_own_with_the_switch_on(
    h: History,
) -> None:
    _holds(safety.item_deletions(_run(h)))


@given(histories())
@example(examples.route_copy_out_of_view())
def test_r_dedup_no_second_item_for_one_event_in_one_mailbox(h: History) -> None:
    _holds(safety.second_copies(_run(h)))


@given(histories())
def test_r_private_no_private_content_crosses_without_consent(h: History) -> None:
    _holds(safety.private_content(_run(h)))


@given(histories())
@example(examples.organizers_salesforce_side_empty())
def test_r_empty_guard_holds_every_consequence_on_every_mailbox(h: History) -> None:
    _holds(safety.guard_holds(_run(h)))


@given(histories())
def test_p_safety_every_old_is_what_the_system_holds_when_the_action_runs(h: History) -> None:
    _holds(safety.stale_updates(_run(h)))


@given(histories())
def test_p_safety_no_run_raises(h: History) -> None:
    # No exception of any kind: reconcile, apply, and the next reconcile over the result.
    plan = cs.reconcile(h.before, h.after, h.settings)
    try:
        synced = cs.apply(h.after, plan)
    except cs.ApplyError:
        return  # a stale plan: its own property above says so
    cs.reconcile(h.after, synced, h.settings)
