"""Incremental runs that once planned otherwise than full ones: each a named regression.

Every case runs a chain of changes and holds each run to API.md's Equivalence:
the same actions as the full ``reconcile``, only its issues and decisions, the
same state afterwards and the same standing issues.
"""

from __future__ import annotations

import datetime as dt

import attrs

import calsync_core as cs
from helpers import AS_OF, PAT_CONTACT, at, event, linked, meeting, org, user


def _sorted(s: cs.Snapshot) -> tuple[list[str], list[str], list[str]]:
    return (sorted(map(repr, s.items)), sorted(map(repr, s.events)), sorted(map(repr, s.records)))


def _agree(
    snapshot: cs.Snapshot, settings: cs.OrgSettings, *changes: cs.Changes, rest: int = 0
) -> list[cs.Plan]:
    """Run ``rest`` quiet runs, then each of ``changes``; every run agrees with the full one."""
    state, current = cs.SyncState.of(snapshot), snapshot
    chain = [cs.Changes(as_of=snapshot.as_of)] * rest + list(changes)
    plans = []
    for change in chain:
        after = change.apply_to(current)
        full = cs.reconcile(current, after, settings)
        plan = cs.reconcile_changes(state, change, settings)
        assert plan.actions == full.actions
        assert set(plan.issues) <= set(full.issues)
        assert {d for d in plan.decisions if d.ref != "run"} <= set(full.decisions)
        state, current = state.advance(change, plan), cs.apply(after, full)
        assert _sorted(state.snapshot()) == _sorted(current)
        assert state.issues == full.issues
        plans.append(full)
    return plans


def test_record_twins_that_tie_resolve_as_the_directory_resolves_them() -> None:
    # A Lead and an Account under one id tie in the directory's order; it keeps
    # the last given, so pat resolves to nobody (an Account is no person).
    twins = [
        cs.Record(id="00Qx", kind=cs.RecordKind.LEAD, email=PAT_CONTACT.email),
        cs.Record(id="00Qx", kind=cs.RecordKind.ACCOUNT, email=PAT_CONTACT.email),
    ]
    _agree(
        cs.Snapshot(as_of=AS_OF, items=[meeting(start=at(days=3))]),
        org(),
        cs.Changes(as_of=AS_OF, records=twins),
        rest=3,
    )


def test_a_resynced_owner_leaves_another_owners_event_under_the_same_id() -> None:
    bobs = event("00Ux", owner="005bob", uid=None, created_by_sync=False)
    alices = event("00Ux", owner="alice", uid=None, created_by_sync=False)
    (plan,) = _agree(
        cs.Snapshot(as_of=AS_OF, events=[bobs, alices]),
        org(),
        cs.Changes(as_of=AS_OF, complete_owners={"005bob"}),
    )
    assert any(isinstance(a, cs.CreateItem) for a in plan.actions)


def test_a_series_at_the_ends_of_time_advances() -> None:
    daily = cs.Recurrence(rule="FREQ=DAILY;COUNT=3")
    for when in (dt.datetime(9999, 12, 28, tzinfo=dt.UTC), dt.datetime(1, 1, 2, tzinfo=dt.UTC)):
        item = meeting(start=when, recurrence=daily)
        settings = org(advanced_calendaring=True, recurring_events=True)
        _agree(cs.Snapshot(as_of=when, items=[item], records=[PAT_CONTACT]), settings, rest=2)


def test_a_record_chosen_in_the_save_dialog_reaches_its_item_when_it_changes() -> None:
    # The item's link choice names a contact by id; the contact's account moves.
    chosen = cs.Record(id="003x", kind=cs.RecordKind.CONTACT, account_id="001a", name="X")
    item = meeting(start=at(days=3), link_choice=cs.LinkChoice(who_id="003x"))
    saved, ev = linked(item, who_ids=(PAT_CONTACT.id,), what_ids=("001a",))
    *_, plan = _agree(
        cs.Snapshot(as_of=AS_OF, items=[saved], events=[ev], records=[PAT_CONTACT, chosen]),
        org(smart_auto_sharing=True),
        cs.Changes(as_of=AS_OF, records=[attrs.evolve(chosen, account_id="001b")]),
        rest=3,
    )
    assert plan.actions


def test_ids_held_twice_are_planned_again_once_they_collapse() -> None:
    item = meeting(start=at(days=3))
    made = event("00Usf", uid=None, created_by_sync=False)
    twins = cs.Snapshot(
        as_of=AS_OF,
        items=[item, attrs.evolve(item, subject="other")],
        events=[made, attrs.evolve(made, subject="other")],
        records=[PAT_CONTACT],
    )
    plans = _agree(twins, org(), rest=2)
    assert plans[1].actions  # the second run saves what the first could not read
    zed = cs.Record(id="003x", kind=cs.RecordKind.CONTACT, email="zed@partner.example")
    pat = cs.Record(id="003x", kind=cs.RecordKind.CONTACT, email=PAT_CONTACT.email)
    _agree(cs.Snapshot(as_of=AS_OF, items=[item], records=[zed, pat]), org(), rest=2)


def test_an_event_a_plan_deletes_reaches_the_items_stamped_with_it_next_run() -> None:
    settings = org(user("alice"), user("bob"))
    bobs, eb = linked(meeting("b1", mailbox="bob", uid="uid-b", start=at(days=2)), "00Ub")
    alices = meeting(
        "a1",
        mailbox="alice",
        uid="uid-a",
        start=at(days=3),
        sf_event_id="00Ub",
        categories=frozenset({"Sync Error"}),
    )
    older = attrs.evolve(eb, id="00Ua", version="o1", created_by_sync=False)
    _agree(
        cs.Snapshot(as_of=AS_OF, items=[bobs, alices], events=[eb], records=[PAT_CONTACT]),
        settings,
        cs.Changes(as_of=at(hours=1), events=[older]),
        cs.Changes(as_of=at(hours=2)),
        cs.Changes(as_of=at(hours=2)),
        rest=3,
    )


def test_a_clock_jump_of_centuries_is_planned_as_a_full_run_plans_it() -> None:
    item = meeting(start=at(days=3), recurrence=cs.Recurrence(rule="FREQ=DAILY;COUNT=3"))
    settings = org(advanced_calendaring=True, recurring_events=True)
    far = AS_OF.replace(year=2900)
    _agree(
        cs.Snapshot(as_of=AS_OF, items=[item], records=[PAT_CONTACT]),
        settings,
        cs.Changes(as_of=far),
        rest=2,
    )
