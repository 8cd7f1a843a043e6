"""API.md's Equivalence over chains of runs: ``reconcile_changes`` plans as ``reconcile`` does.

An organisation lives through many runs: users on both sides edit, the clock
moves (the window with it), mailboxes come back empty and are resynced, the
directory grows, settings change now and then. Each run is planned twice --
in full from the kept snapshot, and incrementally from the kept state and the
changes -- and the two must agree: the same actions in the same order, only
issues and decisions the full run reports, every one of them about what the
changes name, the same standing issues, and the same state afterwards.
"""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core.testing import _arguments, _histories, _orgs

ROUNDS = 20
OPTS = _arguments.Options(
    as_of=None,
    min_meetings=0,
    max_meetings=10,
    min_copies=1,
    max_copies=None,
    linked=True,
    recurring=True,
    max_sf_events=3,
)


@st.composite
def organisations(draw: st.DrawFn) -> _orgs.Org:
    return _orgs.organisation(draw, None, OPTS)


@st.composite
def edited(draw: st.DrawFn, org: _orgs.Org) -> cs.Snapshot:
    return _histories._edited(draw, org, OPTS)


@st.composite
def changes_between(draw: st.DrawFn, before: cs.Snapshot, after: cs.Snapshot) -> cs.Changes:
    """What a connector reports: the differences, sometimes a resync, sometimes noise."""
    changes = cs.Changes.between(before, after)
    how = draw(st.sampled_from(("delta",) * 4 + ("resync", "noise")))
    if how == "resync":
        mailboxes = sorted({i.mailbox for i in (*before.items, *after.items)})
        owners = sorted({e.owner_id for e in (*before.events, *after.events)})
        boxes = draw(st.sets(st.sampled_from(mailboxes))) if mailboxes else set()
        held = draw(st.sets(st.sampled_from(owners))) if owners else set()
        upserted = {(i.mailbox, i.id) for i in changes.items}
        return attrs.evolve(
            changes,
            # A resync reads the whole mailbox: everything in it comes as an upsert.
            items=(
                *changes.items,
                *(
                    i
                    for i in after.items
                    if i.mailbox in boxes and (i.mailbox, i.id) not in upserted
                ),
            ),
            removed_items=[k for k in changes.removed_items if k.mailbox not in boxes],
            events=(
                *changes.events,
                *(
                    e
                    for e in after.events
                    if e.owner_id in held
                    and e not in changes.events
                    and e.id not in {x.id for x in changes.events}
                ),
            ),
            removed_events=[
                e
                for e in changes.removed_events
                if not any(x.id == e and x.owner_id in held for x in before.events)
            ],
            complete_mailboxes=boxes,
            complete_owners=held,
        )
    if how == "noise":
        # Delta feeds repeat what did not change and remove what is already gone.
        unchanged = [i for i in after.items if i not in changes.items][:2]
        present = {(i.mailbox, i.id) for i in after.items}
        return attrs.evolve(
            changes,
            items=(*changes.items, *unchanged),
            removed_items=(*changes.removed_items, ("nobody@example.com", "gone"))
            if ("nobody@example.com", "gone") not in present
            else changes.removed_items,
        )
    return changes


@st.composite
def next_round(draw: st.DrawFn, org: _orgs.Org) -> cs.Snapshot:
    """The next run's ``after``: users' edits, some of them only, or just time passing."""
    current = org.snapshot
    kind = draw(st.sampled_from(("edits", "some", "some", "time", "time", "time")))
    if kind == "time":
        # Nothing but the clock: what the window makes enter or leave, and what
        # the last run left to do. Half the time no time passes at all.
        hours = draw(st.sampled_from((0, 0, 0, 1, 6, 30, 24 * 9, 24 * 40)))
        return attrs.evolve(current, as_of=current.as_of + dt.timedelta(hours=hours))
    after = draw(edited(org))
    if kind == "edits":
        return after
    # Only some of the edits: a run between the users' steps sees those alone.
    changes = cs.Changes.between(current, after)
    items = draw(st.sets(st.sampled_from(changes.items))) if changes.items else set()
    events = draw(st.sets(st.sampled_from(changes.events))) if changes.events else set()
    removed = (
        draw(st.sets(st.sampled_from(changes.removed_items))) if changes.removed_items else set()
    )
    some = attrs.evolve(
        changes,
        items=[i for i in changes.items if i in items],
        events=[e for e in changes.events if e in events],
        removed_items=[k for k in changes.removed_items if k in removed],
        removed_events=changes.removed_events[: draw(st.integers(0, len(changes.removed_events)))],
        records=changes.records[: draw(st.integers(0, len(changes.records)))],
    )
    return some.apply_to(current)


def _flipped(org_settings: cs.OrgSettings, name: str) -> cs.OrgSettings:
    if name == "smart_auto_sharing":
        return attrs.evolve(org_settings, smart_auto_sharing=not org_settings.smart_auto_sharing)
    return attrs.evolve(
        org_settings, multiple_business_records=not org_settings.multiple_business_records
    )


def _sorted(snapshot: cs.Snapshot) -> tuple[list[str], list[str], list[str]]:
    return (
        sorted(map(repr, snapshot.items)),
        sorted(map(repr, snapshot.events)),
        sorted(map(repr, snapshot.records)),
    )


def _named(changes: cs.Changes, before: cs.Snapshot) -> tuple[set[tuple[str, str]], set[str]]:
    """The items and events ``changes`` names, a resynced mailbox's or owner's all."""
    items = {(i.mailbox, i.id) for i in changes.items} | set(changes.removed_items)
    items |= {(i.mailbox, i.id) for i in before.items if i.mailbox in changes.complete_mailboxes}
    events = {e.id for e in changes.events} | set(changes.removed_events)
    events |= {e.id for e in before.events if e.owner_id in changes.complete_owners}
    return items, events


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_p_equivalence_incremental_runs_equal_full_runs_over_chains(data: st.DataObject) -> None:
    org = data.draw(organisations())
    org_settings = org.settings
    current = org.snapshot
    state = cs.SyncState.of(current)
    for _ in range(ROUNDS):
        org = attrs.evolve(org, snapshot=current, meetings=org.meetings + 3)
        after = data.draw(next_round(org))
        if data.draw(st.sampled_from((False,) * 9 + (True,))):
            flip = data.draw(st.sampled_from(("smart_auto_sharing", "multiple_business_records")))
            org_settings = _flipped(org_settings, flip)
        changes = data.draw(changes_between(current, after))
        assert _sorted(changes.apply_to(current)) == _sorted(after)
        full = cs.reconcile(current, after, org_settings)
        plan = cs.reconcile_changes(state, changes, org_settings)
        assert plan.actions == full.actions
        assert set(plan.issues) <= set(full.issues)
        decisions = [d for d in plan.decisions if d.ref != "run"]
        assert set(decisions) <= set(full.decisions)
        items, events = _named(changes, current)
        about = [i for i in full.issues if (i.mailbox, i.item_id) in items or i.event_id in events]
        assert set(about) <= set(plan.issues)
        done = plan.actions
        if plan.actions and data.draw(st.sampled_from((False,) * 4 + (True,))):
            # A session that stopped part way: the next runs plan the rest again.
            done = plan.actions[: data.draw(st.integers(0, len(plan.actions) - 1))]
        state = state.advance(changes, plan, done=done)
        if data.draw(st.sampled_from((False,) * 4 + (True,))):
            # Saved and loaded again, as a state store does between processes.
            state = cs.SyncState.restore(
                state.snapshot(), token=state.token, run_json=state.run_json()
            )
        current = cs.apply(after, cs.Plan(actions=done))
        assert _sorted(state.snapshot()) == _sorted(current)
        assert state.issues == full.issues
