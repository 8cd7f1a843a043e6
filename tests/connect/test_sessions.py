"""Whole incremental sessions over HTTP against the loopback server: what a correct sync holds.

Every test runs sessions with :meth:`Connector.sync` and then checks the
server's own data (read back through the adapters by the tenant): one event
per meeting, every stamp naming an event that exists, no edit lost, nothing
deleted that sync did not create.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import attrs

import calsync_core as cs
from calsync_core.connect import Connector
from calsync_core.session import ChangesReport, run_session
from calsync_core.testing.fakes import MemoryStateStore
from calsync_core.testing.loopback import Loopback

from .conftest import AS_OF, DOMAIN, Org, meeting

ANA, CY = f"ana@{DOMAIN}", f"cy@{DOMAIN}"


def run(connector: Connector, store: MemoryStateStore, org: Org, minutes: int = 0) -> ChangesReport:
    at = AS_OF + dt.timedelta(minutes=minutes)
    return connector.sync(store, org.settings, at).report


def assert_sound(org: Org) -> None:
    """One event per meeting UID, every stamp on an existing event, the seeded event kept."""
    events = org.tenant.events()
    by_uid = Counter(e.ical_uid for e in events if e.ical_uid)
    assert [uid for uid, n in by_uid.items() if n > 1] == []
    ids = {e.id for e in events}
    assert org.event_id in ids  # never created by sync: never deleted by it
    for mailbox in (ANA, CY):
        items = org.tenant.items(mailbox)
        assert [u for u, n in Counter(i.ical_uid for i in items).items() if n > 1] == []
        for item in items:
            assert item.sf_event_id is None or item.sf_event_id in ids, item


def settled(connector: Connector, store: MemoryStateStore, org: Org, minutes: int) -> None:
    """The next session finds nothing to do: the sync converged."""
    again = run(connector, store, org, minutes)
    assert again.plan.actions == ()
    assert again.ok


def test_a_first_run_saves_the_meetings_and_copies_the_event(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    store = MemoryStateStore()
    report = run(connector, store, org)
    assert report.ok
    kinds = Counter(type(a).__name__ for a in report.done)
    assert kinds == {"CreateEvent": 2, "UpdateItem": 2, "SetCategories": 2,
                     "CreateItem": 1, "UpdateEvent": 1}  # fmt: skip
    saved = {e.ical_uid: e for e in org.tenant.events() if e.created_by_sync}
    renewal = next(i for i in org.tenant.items(ANA) if i.subject == "Renewal")
    assert renewal.sf_event_id == saved[renewal.ical_uid].id
    assert saved[renewal.ical_uid].who_ids == (org.contact_id,)
    assert "Salesforce" in renewal.categories
    copied = [i for i in org.tenant.items(CY) if i.subject == "Quarterly review"]
    assert [i.sf_event_id for i in copied] == [org.event_id]
    assert sorted(store.saved[1]) == sorted(  # type: ignore[index]
        [f"mailbox:{ANA}", f"mailbox:{CY}", *(f"owner:{u}" for u in org.users.values())]
    )
    assert_sound(org)
    settled(connector, store, org, 5)


def test_a_steady_run_writes_nothing_and_reads_only_what_changed(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    store = MemoryStateStore()
    run(connector, store, org)
    run(connector, store, org, 5)  # reads the first run's own writes back
    loopback.log.clear()
    report = run(connector, store, org, 10)
    assert report.plan.actions == ()
    assert report.changes.items == ()
    assert report.changes.events == ()
    writes = [e for e in loopback.log.entries() if e.method in ("PATCH", "DELETE")]
    assert writes == []
    assert not [e for e in loopback.log.entries() if e.path.endswith("/composite")]


def test_edits_on_both_sides_between_runs_reach_the_other_side(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    store = MemoryStateStore()
    run(connector, store, org)
    run(connector, store, org, 5)  # the copy is read back; the next run reads it no more
    org.tenant.edit_item(ANA, org.items["renewal"], subject="Renewal (moved)")
    org.tenant.edit_sobject("Event", org.event_id, Subject="Quarterly review, room 4")
    report = run(connector, store, org, 10)
    assert report.ok
    assert {type(a).__name__ for a in report.done} == {"UpdateEvent", "UpdateItem"}
    subjects = {e.subject for e in org.tenant.events()}
    assert {"Renewal (moved)", "Quarterly review, room 4"} <= subjects
    copy = [i for i in org.tenant.items(CY) if i.sf_event_id == org.event_id]
    assert [i.subject for i in copy] == ["Quarterly review, room 4"]
    assert_sound(org)
    settled(connector, store, org, 15)


def test_a_throttling_storm_is_waited_out_with_retry_after(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    loopback.faults.throttle(r"/\$batch$", times=3, retry_after="2")
    loopback.faults.unavailable("/composite$", times=2, retry_after="1.5")
    store = MemoryStateStore()
    report = run(connector, store, org)
    assert report.ok
    assert loopback.faults.pending == 0
    assert sorted(org.sleeps) == [1.5, 1.5, 2.0, 2.0, 2.0]
    assert_sound(org)
    settled(connector, store, org, 5)


def test_a_sub_request_failing_mid_batch_fails_alone_and_is_planned_again(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    loopback.faults.server_error("/events/", method="PATCH", times=1)
    store = MemoryStateStore()
    first = run(connector, store, org)
    assert [type(f.action).__name__ for f in first.failed] == ["UpdateItem"]
    assert len(first.done) == len(first.plan.actions) - 1 - len(first.skipped)
    second = run(connector, store, org, 5)
    assert second.ok
    assert {type(a).__name__ for a in second.done} >= {"UpdateItem"}
    assert_sound(org)
    settled(connector, store, org, 10)


def test_a_create_whose_connection_dropped_after_commit_is_adopted_not_repeated(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    loopback.faults.drop_after_commit("/composite$", method="POST", times=1)
    store = MemoryStateStore()
    first = run(connector, store, org)
    assert {type(f.action).__name__ for f in first.failed} == {"CreateEvent"}
    assert all(f.retryable for f in first.failed)
    second = run(connector, store, org, 5)
    assert second.ok
    assert not [a for a in second.done if isinstance(a, cs.CreateEvent)]
    assert_sound(org)
    settled(connector, store, org, 10)


def test_an_edit_between_the_read_and_the_write_is_a_conflict_and_is_not_lost(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    store = MemoryStateStore()
    edited: list[int] = []

    def edit_once(done: int, total: int) -> None:
        if not edited:  # after the first wave (the creates), before the stamps are written
            org.tenant.edit_item(ANA, org.items["renewal"], location={"displayName": "Room 12"})
            edited.append(done)

    first = connector.sync(store, org.settings, AS_OF, progress=edit_once).report
    conflicts = [f for f in first.failed if "412" in f.error or "changed" in f.error]
    assert conflicts
    assert all(f.retryable for f in first.failed)
    second = run(connector, store, org, 5)
    assert second.ok
    renewal = next(i for i in org.tenant.items(ANA) if i.id == org.items["renewal"])
    assert renewal.location == "Room 12"
    assert renewal.sf_event_id is not None
    event = next(e for e in org.tenant.events() if e.id == renewal.sf_event_id)
    assert event.location == "Room 12"
    assert_sound(org)
    settled(connector, store, org, 10)


def test_an_expired_delta_link_resyncs_that_mailbox_without_duplicating(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    store = MemoryStateStore()
    run(connector, store, org)
    assert org.tenant.expire_delta(ANA) > 0
    report = run(connector, store, org, 5)
    assert report.changes.complete_mailboxes == frozenset({ANA})
    assert report.plan.actions == ()
    assert_sound(org)


def test_a_dry_run_plans_and_changes_neither_system_nor_the_store(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    before = (org.tenant.items(ANA), org.tenant.items(CY), org.tenant.events())
    store = MemoryStateStore()
    result = connector.sync(store, org.settings, AS_OF, dry_run=True)
    assert result.dry_run
    assert len(result.report.plan.actions) == 8
    assert (org.tenant.items(ANA), org.tenant.items(CY), org.tenant.events()) == before
    assert store.saves == 0
    assert not [e for e in loopback.log.entries() if e.method in ("PATCH", "DELETE")]


def test_deleted_copies_never_delete_an_event_sync_did_not_create(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    store = MemoryStateStore()
    run(connector, store, org)
    # The loopback delta reports no @removed for an item created after the link and
    # deleted before the next round; a second run puts the copy into the link's view.
    run(connector, store, org, 5)
    copy = next(i for i in org.tenant.items(CY) if i.sf_event_id == org.event_id)
    org.tenant.delete_item(CY, copy.id)
    org.tenant.delete_item(ANA, org.items["renewal"])
    report = run(connector, store, org, 10)
    assert report.ok
    assert not [a for a in report.done if isinstance(a, cs.DeleteEvent)]
    deletes = [e for e in loopback.log.entries() if e.method == "DELETE"]
    assert deletes == []
    assert_sound(org)  # the seeded event is still there
    settled(connector, store, org, 15)


def test_the_ports_alone_run_a_windowed_session_one_request_per_write(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    report = run_session(None, connector.ports(), org.settings, AS_OF)
    assert report.ok
    assert len(report.done) == 8
    writes = [e for e in loopback.log.entries() if e.method in ("POST", "PATCH") and e.parts == 0]
    assert len(writes) == 8  # no batch: the driver sends them one by one
    assert_sound(org)
    again = run_session(report.next_before, connector.ports(), org.settings, AS_OF)
    assert again.plan.actions == ()


def test_a_user_who_joins_a_saved_meeting_becomes_an_invitee_row_and_the_sync_settles(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    store = MemoryStateStore()
    hosted = meeting(ANA, "uid-hosted@acme", "Pipeline review", 4, organizer=ANA,
                     response=cs.Response.ORGANIZER)  # fmt: skip
    org.tenant.add_item(hosted)
    run(connector, store, org)
    run(connector, store, org, 5)
    guests = (*hosted.attendees, cs.Attendee(email=CY))
    org.tenant.add_item(attrs.evolve(hosted, mailbox=CY, attendees=guests,
                                     response=cs.Response.ACCEPTED))  # fmt: skip
    report = run(connector, store, org, 10)
    assert report.ok
    assert [a.rule for a in report.done if isinstance(a, cs.UpdateEvent)] == ["R-WAIT-ORGANIZER"]
    [event] = [e for e in org.tenant.events() if e.ical_uid == "uid-hosted@acme"]
    assert event.invitee_ids == (org.users[CY],)
    rows = [r for r in org.tenant.sobjects("EventRelation") if r["EventId"] == event.id]
    assert [(r["RelationId"], r["IsInvitee"]) for r in rows if r["IsInvitee"]] == [
        (org.users[CY], True)
    ]
    assert_sound(org)
    settled(connector, store, org, 15)


def test_a_created_item_whose_batch_dropped_after_commit_is_not_created_twice(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    # The first run's first two batches are the stamp lookups; the third carries the create.
    loopback.faults.drop_after_commit(r"/\$batch$", method="POST", after=2)
    store = MemoryStateStore()
    first = run(connector, store, org)
    assert [type(f.action).__name__ for f in first.failed] == ["CreateItem"]
    assert [type(a).__name__ for a in first.skipped] == ["UpdateEvent"]
    for minutes in (5, 10):
        report = run(connector, store, org, minutes)
        assert not [a for a in report.done if isinstance(a, cs.CreateItem)]
    copies = [i for i in org.tenant.items(CY) if i.subject == "Quarterly review"]
    assert len(copies) == 1
    assert copies[0].sf_event_id == org.event_id
    assert_sound(org)
    settled(connector, store, org, 15)
