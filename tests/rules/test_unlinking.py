"""R-UNSYNC and R-DOWN-DELETE: how a saved item stops being saved."""

from __future__ import annotations

import attrs

import calsync_core as cs
from helpers import (
    PAT_CONTACT,
    SALESFORCE,
    SYNC_ERROR,
    UNSYNC,
    actions_of,
    categories_set,
    converge,
    created_event,
    decision_for,
    drop,
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
)


def _unsynced(created_by_sync: bool) -> tuple[cs.SfEvent, cs.Snapshot, cs.Snapshot]:
    """A saved meeting (``before``), then the user puts 'Salesforce Unsync' on it (``after``)."""
    saved, ev = linked(meeting(categories={"Customer"}), created_by_sync=created_by_sync)
    before = snap(saved, ev, PAT_CONTACT)
    return ev, before, put(before, edit(saved, categories=saved.categories | {UNSYNC}))


# -- R-UNSYNC ----------------------------------------------------------------------------------


def test_r_unsync_deletes_the_event_sync_created_and_removes_the_category() -> None:
    ev, before, after = _unsynced(created_by_sync=True)

    plan = run(before, after, org())

    assert actions_of(plan, cs.DeleteEvent) == (cs.DeleteEvent(event_id=ev.id, rule="R-UNSYNC"),)
    change = categories_set(plan, "meeting-1")
    assert (change.add, change.remove) == (frozenset(), frozenset({SALESFORCE}))
    assert plan.issues == ()
    assert decision_for(plan, "meeting-1").rule == "R-UNSYNC"


def test_r_unsync_item_is_never_saved_again_while_the_category_stays() -> None:
    _, before, after = _unsynced(created_by_sync=True)

    synced = cs.apply(after, run(before, after, org()))

    assert synced.events == ()
    assert item_in(synced, "meeting-1").categories == {"Customer", UNSYNC}
    assert settled(synced, org()).actions == ()
    renamed = put(synced, edit(item_in(synced, "meeting-1"), subject="Still a customer call"))
    assert run(synced, renamed, org()).actions == ()


def test_r_unsync_unlinked_item_is_not_saved() -> None:
    never = meeting(categories={UNSYNC})

    plan = run(None, snap(never, PAT_CONTACT), org())

    assert plan.actions == ()
    assert decision_for(plan, "meeting-1").rule == "R-UNSYNC"


def test_r_unsync_event_not_created_by_sync_gives_unsync_not_allowed() -> None:
    ev, before, after = _unsynced(created_by_sync=False)

    plan = run(before, after, org())

    assert actions_of(plan, cs.DeleteEvent) == ()
    issue = only(plan.issues)
    assert (issue.code, issue.rule) == (cs.IssueCode.UNSYNC_NOT_ALLOWED, "R-UNSYNC")
    assert (issue.mailbox, issue.item_id, issue.event_id) == (
        "alice@acme.example",
        "meeting-1",
        ev.id,
    )
    assert SALESFORCE not in categories_set(plan, "meeting-1").remove


# -- R-DOWN-DELETE (basic: the switch off) ------------------------------------------------------


def _deleted_in_salesforce() -> tuple[cs.Snapshot, cs.Snapshot]:
    saved, ev = linked(meeting(categories={"Customer"}))
    before = snap(saved, ev, PAT_CONTACT)
    return before, drop(before, ev.id)


def test_r_down_delete_item_loses_the_salesforce_category_and_is_kept() -> None:
    before, after = _deleted_in_salesforce()

    plan = run(before, after, org())

    change = categories_set(plan, "meeting-1")
    assert change.rule == "R-DOWN-DELETE"
    assert (change.add, change.remove) == (frozenset(), frozenset({SALESFORCE}))
    assert actions_of(plan, cs.DeleteItem) == ()
    assert actions_of(plan, cs.CreateEvent) == ()
    assert plan.issues == ()


def test_r_down_delete_item_is_not_saved_again_by_autosave() -> None:
    before, after = _deleted_in_salesforce()
    synced = cs.apply(after, run(before, after, org()))
    assert item_in(synced, "meeting-1").categories == {"Customer"}

    assert settled(synced, org()).actions == ()
    renamed = put(synced, edit(item_in(synced, "meeting-1"), subject="Moved on"))
    later = run(synced, renamed, org())
    assert actions_of(later, cs.CreateEvent) == ()
    assert decision_for(later, "meeting-1").rule == "R-DOWN-DELETE"


def test_r_down_delete_a_refused_stamp_keeps_its_sync_error_once_the_event_is_gone() -> None:
    # A copy of alice's synced meeting (Outlook's Copy kept the stamp but not the
    # category) names event 00Ulate: another meeting's, and a duplicate sync made,
    # so R-DEDUP deletes it in the run that refuses the stamp. The next run finds
    # the stamp pointing at nothing; Sync Error must not come and go.
    saved, kept = linked(meeting(), "00Uearly")
    late = attrs.evolve(kept, id="00Ulate")
    copy = meeting("meeting-1-copy", uid="uid-copy", sf_event_id="00Ulate")
    after = snap(saved, kept, late, copy, PAT_CONTACT)

    plan = run(after, after, org())
    assert actions_of(plan, cs.DeleteEvent) == (cs.DeleteEvent(event_id="00Ulate", rule="R-DEDUP"),)
    assert categories_set(plan, "meeting-1-copy").add == {SYNC_ERROR}

    synced = cs.apply(after, plan)
    assert settled(synced, org()).actions == ()
    assert run(after, synced, org()).actions == ()
    assert decision_for(settled(synced, org()), "meeting-1-copy").rule == "R-DOWN-DELETE"


def test_r_down_delete_manual_save_saves_the_item_again() -> None:
    before, after = _deleted_in_salesforce()
    synced = cs.apply(after, run(before, after, org()))
    item = item_in(synced, "meeting-1")
    resaved = put(synced, edit(item, categories=item.categories | {SALESFORCE}))

    plan = run(synced, resaved, org())

    assert created_event(plan).source_item_id == "meeting-1"
    final = converge(resaved, org(), before=synced)
    assert only(final.events).id == item_in(final, "meeting-1").sf_event_id
    assert SYNC_ERROR not in item_in(final, "meeting-1").categories
    assert settled(final, org()).actions == ()
