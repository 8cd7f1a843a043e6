"""The incremental session driver over the fakes' delta feeds and a state store in memory.

The same promises as ``run_session`` (tests/test_session.py): a move out of
view is never taken for a deletion, a failed action's work is planned again
next session, nothing is done twice, a failed read saves nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest

import calsync_core as cs
from calsync_core.incremental import mailbox_feed, owner_feed
from calsync_core.ports import TransientError
from calsync_core.session import ChangesReport, run_changes_session
from calsync_core.testing.fakes import FakeSystems, MemoryStateStore
from test_session import ANA, AS_OF, SETTINGS, _hosted, _kinds, _meeting, _moved, _org

FEEDS = {mailbox_feed(ANA), owner_feed("005ana")}


def _run(fake: FakeSystems, store: MemoryStateStore, as_of: dt.datetime = AS_OF) -> ChangesReport:
    return run_changes_session(store, fake.changes, fake.ports, SETTINGS, as_of)


def _synced() -> tuple[FakeSystems, MemoryStateStore, cs.CalendarItem]:
    fake, store = _org(), MemoryStateStore()
    item = _hosted(fake)
    first = _run(fake, store)
    assert first.ok
    assert _kinds(first.done)[0] == "CreateEvent"
    return fake, store, item


def test_a_first_session_resyncs_every_feed_and_saves_the_real_ids() -> None:
    fake, store, _ = _synced()

    assert store.saved is not None
    state, links = store.saved
    assert set(links) == FEEDS
    (event_id,) = fake.salesforce.events
    (kept,) = state.snapshot().events
    assert kept.id == event_id  # the id Salesforce returned, not one derived from a ref
    assert state.snapshot().items[0].sf_event_id == event_id
    again = _run(fake, store)
    assert again.plan.actions == ()
    assert again.changes.complete_mailboxes == frozenset()  # read from the saved links


def test_r_cancel_a_meeting_moved_past_the_window_is_looked_up_not_cancelled() -> None:
    fake, store, item = _synced()
    (event_id,) = fake.salesforce.events
    fake.calendar.edit(ANA, item.id, **_moved(item, 90))  # the feed says: removed

    report = _run(fake, store)

    assert report.changes.removed_items == ()
    (seen,) = report.changes.items  # looked up by id: it still exists
    assert seen.start == item.start + dt.timedelta(days=90)
    assert "DeleteEvent" not in _kinds(report.plan.actions)
    assert fake.salesforce.events[event_id].start == seen.start  # the move went up


def test_r_cancel_an_expired_link_is_a_resync_that_cancels_nothing_moved_out() -> None:
    fake, store, item = _synced()
    fake.calendar.edit(ANA, item.id, **_moved(item, 90))
    fake.changes.expire(mailbox_feed(ANA))

    report = _run(fake, store)

    assert report.changes.complete_mailboxes == frozenset({ANA})
    assert [i.id for i in report.changes.items] == [item.id]  # found by id, wherever it is
    assert "DeleteEvent" not in _kinds(report.plan.actions)
    assert len(fake.salesforce.events) == 1


def test_r_cancel_a_deleted_item_is_confirmed_by_its_lookup_and_cancels_the_meeting() -> None:
    fake, store, item = _synced()
    fake.calendar.remove(ANA, item.id)

    report = _run(fake, store)

    assert report.changes.removed_items == (cs.ItemKey(ANA, item.id),)
    assert [(type(a).__name__, a.rule) for a in report.done] == [("DeleteEvent", "R-CANCEL")]


def test_a_failed_action_is_planned_again_and_its_feed_read_again() -> None:
    fake, store, item = _synced()
    assert store.saved is not None
    old_links = store.saved[1]
    fake.calendar.edit(ANA, item.id, subject="Moved to Friday")
    fake.faults.fail("update_event")

    failed = _run(fake, store)

    assert _kinds([f.action for f in failed.failed]) == ["UpdateEvent"]
    assert failed.held == FEEDS  # the item's mailbox and its event's owner
    assert store.saved is not None
    assert store.saved[1] == old_links
    (kept,) = store.saved[0].snapshot().items
    assert kept.subject == "Hosted 1"  # the previous value: the difference is seen again

    retry = _run(fake, store)

    assert _kinds(retry.done) == ["UpdateEvent"]
    (event,) = fake.salesforce.events.values()
    assert event.subject == "Moved to Friday"
    assert _run(fake, store).plan.actions == ()


def test_a_timeout_after_the_write_is_never_done_twice() -> None:
    fake, store = _org(), MemoryStateStore()
    _hosted(fake)
    fake.faults.timeout("create_event")

    first = _run(fake, store)
    assert _kinds([f.action for f in first.failed]) == ["CreateEvent"]
    second = _run(fake, store)
    third = _run(fake, store)

    assert len(fake.salesforce.events) == 1  # the event that did get made is adopted
    assert "CreateEvent" not in _kinds(second.done)
    assert third.plan.actions == ()


def test_a_failed_read_saves_nothing() -> None:
    fake, store, item = _synced()
    saved = store.saved
    fake.calendar.edit(ANA, item.id, subject="Moved to Friday")
    fake.faults.fail("read_items_by_id")
    fake.calendar.edit(ANA, item.id, **_moved(item, 90))  # so a lookup is needed

    with pytest.raises(TransientError):
        _run(fake, store)

    assert store.saved is saved
    assert _kinds(_run(fake, store).done) == ["UpdateEvent"]


def test_a_failed_save_keeps_the_old_state_and_the_next_session_adopts_the_writes() -> None:
    fake, store = _org(), MemoryStateStore()
    _hosted(fake)
    store.failing_saves = 1

    with pytest.raises(TransientError):
        _run(fake, store)
    assert store.saved is None

    again = _run(fake, store)
    assert "CreateEvent" not in _kinds(again.done)
    assert len(fake.salesforce.events) == 1


def test_an_empty_resync_deletes_nothing_now_or_later_and_holds_the_link() -> None:
    fake, store = FakeSystems(), MemoryStateStore()
    for n in (1, 2):
        fake.calendar.put(_meeting(n, organizer=ANA))  # appointments ana organizes
    settings = cs.OrgSettings(users=(cs.UserSettings(email=ANA, sf_user_id="005ana",
                                                     appointment_autosave=True),),
                              empty_guard=2)  # fmt: skip
    run_changes_session(store, fake.changes, fake.ports, settings, AS_OF)
    assert len(fake.salesforce.events) == 2
    fake.faults.empty_read(ANA)

    guarded = run_changes_session(store, fake.changes, fake.ports, settings, AS_OF)

    assert guarded.changes.complete_mailboxes == frozenset({ANA})
    assert cs.IssueCode.MAILBOX_EMPTIED in {i.code for i in guarded.plan.issues}
    assert "DeleteEvent" not in _kinds(guarded.done)
    assert mailbox_feed(ANA) in guarded.held
    assert store.saved is not None
    assert len(store.saved[0].snapshot().items) == 2  # the guarded state was kept
    normal = run_changes_session(store, fake.changes, fake.ports, settings, AS_OF)
    assert normal.plan.actions == ()
    assert len(fake.salesforce.events) == 2


def test_time_brings_a_moved_meeting_back_into_view_through_a_lookup() -> None:
    fake, store, item = _synced()
    fake.calendar.edit(ANA, item.id, **_moved(item, 90))
    _run(fake, store)
    fake.calendar.edit(ANA, item.id, subject="Renamed far out")

    later = _run(fake, store, AS_OF + dt.timedelta(days=40))

    (event,) = fake.salesforce.events.values()
    assert event.subject == "Renamed far out"
    assert "DeleteEvent" not in _kinds(later.plan.actions)
