"""The session driver over the in-memory fakes: failures isolated, nothing lost, nothing
done twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

import calsync_core as cs
from calsync_core.ports import TransientError
from calsync_core.testing.fakes import FakeSystems

AS_OF = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
ANA = "ana@acme.example"
SETTINGS = cs.OrgSettings(
    users=(cs.UserSettings(email=ANA, sf_user_id="005ana"),),
    company_domains=frozenset({"acme.example"}),
    empty_guard=2,
)
BOB = cs.Record(id="003bob", kind=cs.RecordKind.CONTACT, email="bob@customer.example",
                account_id="001acct")  # fmt: skip


def _meeting(n: int, organizer: str = "bob@customer.example") -> cs.CalendarItem:
    start = AS_OF + dt.timedelta(days=n)
    return cs.CalendarItem(
        id=f"item-{n}", ical_uid=f"uid-{n}", mailbox=ANA, start=start,
        end=start + dt.timedelta(hours=1), subject=f"Meeting {n}", organizer=organizer,
        attendees=(cs.Attendee(email=ANA),), response=cs.Response.ACCEPTED,
    )  # fmt: skip


def _org(*meetings: int) -> FakeSystems:
    fake = FakeSystems()
    fake.salesforce.put_record(BOB)
    for n in meetings:
        fake.calendar.put(_meeting(n))
    return fake


def _kinds(actions: Sequence[cs.Action]) -> list[str]:
    return [type(a).__name__ for a in actions]


def test_a_clean_session_carries_out_the_plan_with_real_ids() -> None:
    fake = _org(1)
    report = cs.run_session(None, fake.ports, SETTINGS, AS_OF)

    assert report.ok
    (event,) = fake.salesforce.events.values()
    (item,) = fake.calendar.items.values()
    assert item.sf_event_id == event.id  # the ref was replaced by the real id
    assert dict(report.ids) == {"new-event:005ana:uid-1": event.id}
    again = cs.run_session(report.next_before, fake.ports, SETTINGS, AS_OF)
    assert again.plan.actions == ()


def test_a_failed_write_skips_what_depends_on_it_and_the_rest_still_runs() -> None:
    fake = _org(1, 2)
    fake.faults.fail("create_event")  # the first meeting's event
    report = cs.run_session(None, fake.ports, SETTINGS, AS_OF)

    assert [f.action.source_item_id for f in report.failed] == ["item-1"]  # type: ignore[union-attr]
    assert report.failed[0].retryable
    assert _kinds(report.skipped) == ["UpdateItem", "SetCategories"]  # item-1's stamp and category
    assert len(fake.salesforce.events) == 1  # item-2's event was made

    retry = cs.run_session(report.next_before, fake.ports, SETTINGS, AS_OF)
    assert retry.ok
    assert _kinds(retry.done).count("CreateEvent") == 1
    assert len(fake.salesforce.events) == 2


def test_a_timeout_after_the_write_is_never_done_twice() -> None:
    fake = _org(1)
    fake.faults.timeout("create_event")
    first = cs.run_session(None, fake.ports, SETTINGS, AS_OF)
    assert not first.ok

    second = cs.run_session(first.next_before, fake.ports, SETTINGS, AS_OF)

    assert "CreateEvent" not in _kinds(second.done)  # the event is adopted (R-DEDUP)
    assert len(fake.salesforce.events) == 1
    (item,) = fake.calendar.items.values()
    assert item.sf_event_id == next(iter(fake.salesforce.events))


def test_a_concurrent_edit_is_not_overwritten_and_a_failed_update_is_retried() -> None:
    fake = _org(1)
    synced = cs.run_session(None, fake.ports, SETTINGS, AS_OF).next_before
    fake.calendar.edit(ANA, "item-1", subject="Renamed in Outlook")
    (event_id,) = fake.salesforce.events
    fake.faults.concurrent_edit(
        "update_event", lambda: fake.salesforce.edit_event(event_id, subject="Renamed in SF")
    )

    report = cs.run_session(synced, fake.ports, SETTINGS, AS_OF)

    assert [type(f.action).__name__ for f in report.failed] == ["UpdateEvent"]
    assert fake.salesforce.events[event_id].subject == "Renamed in SF"  # not overwritten
    follow_up = cs.run_session(report.next_before, fake.ports, SETTINGS, AS_OF)
    # Both sides changed since the last good state: the policy decides (R-CONFLICT).
    assert any(d.rule == "R-CONFLICT" for d in follow_up.plan.decisions)
    assert fake.salesforce.events[event_id].subject == "Renamed in Outlook"


def test_an_empty_fetch_deletes_nothing_now_or_later() -> None:
    fake = FakeSystems()
    for n in (1, 2):
        fake.calendar.put(_meeting(n, organizer=ANA))  # appointments ana organizes
    settings = cs.OrgSettings(users=(cs.UserSettings(email=ANA, sf_user_id="005ana",
                                                     appointment_autosave=True),),
                              empty_guard=2)  # fmt: skip
    synced = cs.run_session(None, fake.ports, settings, AS_OF).next_before
    assert len(fake.salesforce.events) == 2

    fake.faults.empty_read(ANA)
    guarded = cs.run_session(synced, fake.ports, settings, AS_OF)
    assert cs.IssueCode.MAILBOX_EMPTIED in {i.code for i in guarded.plan.issues}
    assert "DeleteEvent" not in _kinds(guarded.done)

    # The mailbox reads normally again: the guarded state was kept, nothing is cancelled.
    normal = cs.run_session(guarded.next_before, fake.ports, settings, AS_OF)
    assert normal.plan.actions == ()
    assert len(fake.salesforce.events) == 2


class _BrokenMailboxes:
    def read_items(
        self, mailbox: str, start: dt.datetime, end: dt.datetime
    ) -> Sequence[cs.CalendarItem]:
        raise TransientError("mail server unreachable")


class _Ports:
    def __init__(self, fake: FakeSystems) -> None:
        self.mailboxes = _BrokenMailboxes()
        self.events = fake.salesforce
        self.directory = fake.salesforce
        self.calendar = fake.calendar
        self.salesforce = fake.salesforce


def test_a_failed_read_ends_the_session_before_anything_is_written() -> None:
    fake = _org(1)
    with pytest.raises(TransientError):
        cs.run_session(None, _Ports(fake), SETTINGS, AS_OF)
    assert fake.salesforce.events == {}


def test_records_made_in_the_session_are_linked_by_their_real_ids() -> None:
    settings = cs.OrgSettings(users=SETTINGS.users, company_domains=SETTINGS.company_domains,
                              auto_create=cs.RecordKind.CONTACT)  # fmt: skip
    fake = FakeSystems()
    fake.calendar.put(_meeting(1, organizer="new@prospect.example"))
    report = cs.run_session(None, fake.ports, settings, AS_OF)

    assert report.ok
    (record_id,) = fake.salesforce.records
    (event,) = fake.salesforce.events.values()
    assert event.who_ids == (record_id,)


def test_connection_bundles_the_five_ports() -> None:
    fake = _org(1)
    ports = cs.Connection(
        mailboxes=fake.calendar, events=fake.salesforce, directory=fake.salesforce,
        calendar=fake.calendar, salesforce=fake.salesforce,
    )  # fmt: skip
    assert cs.run_session(None, ports, SETTINGS, AS_OF).ok
