"""Kept state and incremental runs: ``Changes``, ``SyncState``, ``reconcile_changes``.

Each example runs a kept state to rest (the changes' reach and what the last
run acted on planned again, so nothing is left over), then makes one change
that only one mechanism can find -- the window moving over a series, a record
appearing -- and checks the incremental run plans what the full run does.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import calsync_core as cs
from calsync_core.incremental import Touched
from helpers import AS_OF, PAT_CONTACT, at, created_event, linked, meeting, org, snap


def _rested(snapshot: cs.Snapshot, settings: cs.OrgSettings) -> tuple[cs.SyncState, cs.Snapshot]:
    """A state that has run three times on ``snapshot``: nothing is left to plan again."""
    state, current = cs.SyncState.of(snapshot), snapshot
    for _ in range(3):
        changes = cs.Changes(as_of=current.as_of)
        plan = cs.reconcile_changes(state, changes, settings)
        state = state.advance(changes, plan)
        current = cs.apply(current, plan)
    assert cs.reconcile(current, current, settings).actions == ()
    return state, current


def _both(
    state: cs.SyncState, current: cs.Snapshot, changes: cs.Changes, settings: cs.OrgSettings
) -> tuple[cs.Plan, cs.Plan]:
    full = cs.reconcile(current, changes.apply_to(current), settings)
    return cs.reconcile_changes(state, changes, settings), full


def test_r_window_a_series_whose_next_occurrence_enters_the_window_is_planned() -> None:
    # A yearly meeting: its first occurrence long past, its next just beyond the
    # window's end. Nothing changes but the clock, and only the series' own
    # occurrences say it is in the window now.
    settings = org(advanced_calendaring=True, recurring_events=True)
    series = meeting(start=at(days=-300), recurrence=cs.Recurrence(rule="FREQ=YEARLY;COUNT=5"))
    state, current = _rested(snap(series, PAT_CONTACT), settings)
    assert state.run is not None
    assert current.items == (series,)

    plan, full = _both(state, current, cs.Changes(as_of=at(days=10)), settings)

    assert created_event(full).source_item_id == "meeting-1"
    assert plan.actions == full.actions


def test_r_window_a_meeting_the_window_reaches_is_planned() -> None:
    state, current = _rested(snap(meeting(start=at(days=65)), PAT_CONTACT), org())

    plan, full = _both(state, current, cs.Changes(as_of=at(days=10)), org())

    assert created_event(full).source_item_id == "meeting-1"
    assert plan.actions == full.actions


def test_r_link_a_new_contact_reaches_the_meeting_waiting_for_it() -> None:
    # Pat has no record: the meeting waits. Then the contact appears, and
    # nothing else changes.
    state, current = _rested(snap(meeting(start=at(days=3))), org())
    assert cs.reconcile(current, current, org()).actions == ()

    plan, full = _both(state, current, cs.Changes(as_of=AS_OF, records=[PAT_CONTACT]), org())

    assert created_event(full).source_item_id == "meeting-1"
    assert plan.actions == full.actions


def test_a_state_is_not_changed_by_advancing_it() -> None:
    state = cs.SyncState.of(snap(meeting(start=at(days=3)), PAT_CONTACT))
    changes = cs.Changes(as_of=AS_OF)
    plan = cs.reconcile_changes(state, changes, org())
    before = state.snapshot()

    later = state.advance(changes, plan)

    assert state.snapshot() == before  # the old state is still what it was
    assert later.snapshot() != before  # the autosave's event is in the new one
    assert state.run is None
    assert later.run is not None


def test_the_first_run_of_a_bare_state_is_full_and_says_so() -> None:
    state = cs.SyncState.of(snap(meeting(start=at(days=3)), PAT_CONTACT))

    plan = cs.reconcile_changes(state, cs.Changes(as_of=AS_OF), org())

    (note,) = plan.explain("run")
    assert (note.outcome, note.rule) == ("full", "P-CONVERGENCE")
    assert "planned in full" in note.note


def test_settings_that_differ_from_the_last_runs_mean_a_full_run() -> None:
    state, _ = _rested(snap(meeting(start=at(days=3)), PAT_CONTACT), org())

    plan = cs.reconcile_changes(state, cs.Changes(as_of=AS_OF), org(past_days=20))

    assert "settings differ" in plan.explain("run")[0].note


def test_a_run_at_rest_plans_nothing_and_reports_nothing_new() -> None:
    state, _ = _rested(snap(meeting(start=at(days=3)), PAT_CONTACT), org())

    plan = cs.reconcile_changes(state, cs.Changes(as_of=AS_OF), org())

    assert plan == cs.Plan()


def test_standing_issues_stay_on_the_state_when_nothing_touches_their_item() -> None:
    # An unanswered meeting of pat's, with nobody to link it to: its issue stands.
    waiting = meeting("w", start=at(days=3), response=cs.Response.NOT_RESPONDED)
    other = meeting("o", start=at(days=4))
    state, current = _rested(snap(waiting, other, PAT_CONTACT), org())
    standing = state.issues

    changes = cs.Changes(as_of=AS_OF, items=[attrs.evolve(other, subject="Moved", version="v2")])
    plan = cs.reconcile_changes(state, changes, org())
    later = state.advance(changes, plan)

    full = cs.reconcile(current, changes.apply_to(current), org())
    assert later.issues == full.issues
    assert set(standing) <= set(later.issues) or not standing


def test_a_plan_advance_did_not_make_gives_a_state_whose_next_run_is_full() -> None:
    state, current = _rested(snap(meeting(start=at(days=3)), PAT_CONTACT), org())
    changes = cs.Changes(as_of=AS_OF)

    later = state.advance(changes, cs.reconcile(current, current, org()))

    assert later.run is None
    assert later.snapshot() == state.snapshot()


# -- Changes ----------------------------------------------------------------------------------


def test_changes_refuse_a_key_both_upserted_and_removed() -> None:
    item = meeting()
    with pytest.raises(ValueError, match="upserted and removed"):
        cs.Changes(as_of=AS_OF, items=[item], removed_items=[(item.mailbox, item.id)])


def test_changes_apply_to_a_resync_keeps_only_the_mailboxs_upserts() -> None:
    a, b = meeting("a"), meeting("b")
    changes = cs.Changes(as_of=AS_OF, items=[a], complete_mailboxes={a.mailbox.upper()})

    after = changes.apply_to(snap(a, b))

    assert after.items == (a,)


def test_changes_between_gives_back_after() -> None:
    a, b, event = meeting("a"), meeting("b"), linked(meeting("c"))[1]
    before = snap(a, b, event, PAT_CONTACT)
    after = snap(attrs.evolve(a, subject="New"), event, as_of=AS_OF + dt.timedelta(hours=1))

    changes = cs.Changes.between(before, after)

    assert changes.removed_items == (cs.ItemKey(b.mailbox, "b"),)
    assert changes.removed_records == (PAT_CONTACT.id,)
    assert changes.apply_to(before) == after


def test_removing_what_is_not_there_does_nothing() -> None:
    before = snap(meeting("a"))
    changes = cs.Changes(
        as_of=AS_OF, removed_items=[("x@acme.example", "nope")], removed_events=["00Unope"]
    )

    assert changes.apply_to(before) == before


# -- what a store keeps ------------------------------------------------------------------------


def test_a_restored_state_plans_its_next_run_as_the_saved_one_would() -> None:
    state, _current = _rested(snap(meeting(start=at(days=65)), PAT_CONTACT), org())
    restored = cs.SyncState.restore(state.snapshot(), token=state.token, run_json=state.run_json())
    changes = cs.Changes(as_of=at(days=10))

    plan = cs.reconcile_changes(restored, changes, org())

    assert plan == cs.reconcile_changes(state, changes, org())
    assert plan.explain("run") == ()  # incremental: the facts came back with it
    assert restored.issues == state.issues
    assert restored.token == state.token


def test_touched_since_names_what_changed_since_a_saved_token() -> None:
    state, _ = _rested(snap(meeting("a", start=at(days=3)), PAT_CONTACT), org())
    saved = state.token
    moved = attrs.evolve(state.snapshot().items[0], subject="Moved", version="v9")
    changes = cs.Changes(as_of=AS_OF, items=[moved])
    later = state.advance(changes, cs.reconcile_changes(state, changes, org()))

    touched = later.touched_since(saved)

    assert touched is not None
    assert cs.ItemKey(moved.mailbox, "a") in touched.items
    assert later.touched_since(later.token) == type(touched)()
    assert later.touched_since("not-a-token") is None
    assert cs.SyncState.of(state.snapshot()).touched_since("") is None


def test_restore_refuses_run_text_it_did_not_write() -> None:
    with pytest.raises(cs.LoadError, match="run"):
        cs.SyncState.restore(snap(), token="t", run_json='{"format": 99}')


# -- sessions that carry out part of a plan ----------------------------------------------------


def test_work_a_session_did_not_carry_out_is_planned_again() -> None:
    state = cs.SyncState.of(snap(meeting(start=at(days=3)), PAT_CONTACT))
    changes = cs.Changes(as_of=AS_OF)
    plan = cs.reconcile_changes(state, changes, org())
    created_event(plan)  # the plan creates one event

    later = state.advance(changes, plan, done=())
    again = cs.reconcile_changes(later, cs.Changes(as_of=AS_OF), org())

    assert again.actions == plan.actions
    assert later.run is not None  # still incremental: the last run's work is planned again


def test_advance_gives_created_things_the_ids_the_systems_gave() -> None:
    state = cs.SyncState.of(snap(meeting(start=at(days=3)), PAT_CONTACT))
    changes = cs.Changes(as_of=AS_OF)
    plan = cs.reconcile_changes(state, changes, org())
    ref = created_event(plan).ref

    later = state.advance(changes, plan, ids={ref: "00U000000000000ABC"})

    assert [e.id for e in later.snapshot().events] == ["00U000000000000ABC"]


def test_advance_refuses_done_actions_that_are_not_the_plans() -> None:
    state = cs.SyncState.of(snap(meeting(start=at(days=3)), PAT_CONTACT))
    changes = cs.Changes(as_of=AS_OF)
    plan = cs.reconcile_changes(state, changes, org())

    with pytest.raises(ValueError, match="actions of the plan"):
        state.advance(changes, plan, done=tuple(reversed(plan.actions)))


def test_advance_keeps_what_a_failed_action_touched_as_it_was() -> None:
    item = meeting(start=at(days=3))
    state, _ = _rested(snap(item, PAT_CONTACT), org())
    moved = attrs.evolve(state.snapshot().items[0], subject="Moved", version="v9")
    changes = cs.Changes(as_of=AS_OF, items=[moved])
    plan = cs.reconcile_changes(state, changes, org())
    key = cs.ItemKey(moved.mailbox, moved.id)

    later = state.advance(changes, plan, done=(), keep=Touched(items=frozenset({key})))

    assert later.snapshot().items == state.snapshot().items  # read again next session
    assert later.run is not None
    assert cs.reconcile_changes(later, changes, org()).actions == plan.actions
