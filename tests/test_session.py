"""The session driver over the in-memory fakes: failures isolated, nothing lost, nothing
done twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

import attrs
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

    def read_items_by_id(self, mailbox: str, ids: Collection[str]) -> Sequence[cs.CalendarItem]:
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


# -- absence from a windowed read is not deletion (R-CANCEL, R-DOWN-DELETE, R-WINDOW) ----------

BOB_ADDRESS = "bob@customer.example"


def _hosted(fake: FakeSystems, n: int = 1) -> cs.CalendarItem:
    """A meeting ana organizes with Bob, who has a Contact: sync makes ana's event for it."""
    start = AS_OF + dt.timedelta(days=n)
    return fake.calendar.put(cs.CalendarItem(
        id=f"host-{n}", ical_uid=f"host-uid-{n}", mailbox=ANA, start=start,
        end=start + dt.timedelta(hours=1), subject=f"Hosted {n}", organizer=ANA,
        attendees=(cs.Attendee(email=BOB_ADDRESS),),
    ))  # fmt: skip


def _moved(item: cs.CalendarItem | cs.SfEvent, days: int) -> dict[str, dt.datetime]:
    shift = dt.timedelta(days=days)
    return {"start": item.start + shift, "end": item.end + shift}


def _synced(fake: FakeSystems, settings: cs.OrgSettings = SETTINGS) -> cs.Snapshot:
    report = cs.run_session(None, fake.ports, settings, AS_OF)
    assert report.ok
    return report.next_before


def test_r_cancel_a_meeting_rescheduled_past_the_window_is_looked_up_not_cancelled() -> None:
    fake = _org()
    item = _hosted(fake)
    before = _synced(fake)
    (event_id,) = fake.salesforce.events
    fake.calendar.edit(ANA, item.id, **_moved(item, 90))  # past the 60-day window

    report = cs.run_session(before, fake.ports, SETTINGS, AS_OF)

    (seen,) = report.observed.items  # looked up by id: it still exists
    assert seen.start == item.start + dt.timedelta(days=90)
    assert "DeleteEvent" not in _kinds(report.plan.actions)
    assert event_id in fake.salesforce.events
    assert fake.salesforce.events[event_id].start == seen.start  # the move went up (R-UPDATE)


def test_r_window_a_meeting_moved_out_and_back_keeps_its_event_and_the_move() -> None:
    # SALESFORCE_WINS would settle a pair it has no earlier state for in
    # Salesforce's favour; ``next_before`` keeps what is out of view ahead, so the
    # move back is a calendar change, not a first sight.
    settings = attrs.evolve(SETTINGS, conflict_policy=cs.ConflictPolicy.SALESFORCE_WINS)
    fake = _org()
    item = _hosted(fake)
    before = _synced(fake, settings)
    (event_id,) = fake.salesforce.events
    fake.calendar.edit(ANA, item.id, **_moved(item, 90))
    before = cs.run_session(before, fake.ports, settings, AS_OF).next_before
    later = cs.run_session(before, fake.ports, settings, AS_OF)  # out of view: nothing to do
    assert later.plan.actions == ()
    assert later.observed.items == ()

    fake.calendar.edit(ANA, item.id, start=item.start + dt.timedelta(days=2),
                       end=item.end + dt.timedelta(days=2))  # fmt: skip
    back = cs.run_session(later.next_before, fake.ports, settings, AS_OF)

    assert [(type(a).__name__, a.rule) for a in back.done] == [("UpdateEvent", "R-UPDATE")]
    assert fake.salesforce.events[event_id].start == item.start + dt.timedelta(days=2)
    assert fake.calendar.items[(ANA, item.id)].start == item.start + dt.timedelta(days=2)


def test_r_cancel_a_meeting_deleted_out_of_view_is_cancelled_once_the_window_reaches_it() -> None:
    fake = _org()
    item = _hosted(fake)
    before = _synced(fake)
    fake.calendar.edit(ANA, item.id, **_moved(item, 90))
    before = cs.run_session(before, fake.ports, SETTINGS, AS_OF).next_before
    fake.calendar.remove(ANA, item.id)
    quiet = cs.run_session(before, fake.ports, SETTINGS, AS_OF)
    assert quiet.plan.actions == ()  # out of view: nobody can tell yet

    weeks_later = cs.run_session(quiet.next_before, fake.ports, SETTINGS,
                                 AS_OF + dt.timedelta(days=40))  # fmt: skip

    assert [(type(a).__name__, a.rule) for a in weeks_later.done] == [("DeleteEvent", "R-CANCEL")]
    assert fake.salesforce.events == {}


def test_r_down_delete_an_event_moved_past_the_window_keeps_its_item_linked() -> None:
    settings = attrs.evolve(SETTINGS, delete_items_deleted_in_salesforce=True)
    fake = _org()
    item = _hosted(fake)
    before = _synced(fake, settings)
    (event_id,) = fake.salesforce.events
    event = fake.salesforce.events[event_id]
    fake.salesforce.edit_event(event_id, **_moved(event, 90))

    report = cs.run_session(before, fake.ports, settings, AS_OF)

    assert [e.id for e in report.observed.events] == [event_id]
    assert not {"DeleteItem", "SetCategories"} & set(_kinds(report.plan.actions))
    kept = fake.calendar.items[(ANA, item.id)]
    assert kept.sf_event_id == event_id
    assert "Salesforce" in kept.categories
    assert kept.start == event.start + dt.timedelta(days=90)  # R-DOWN-UPDATE
    again = cs.run_session(report.next_before, fake.ports, settings, AS_OF)
    assert again.plan.actions == ()
    assert (ANA, item.id) in fake.calendar.items


def test_r_down_delete_an_event_moved_out_while_its_item_stays_keeps_the_link() -> None:
    # The user syncs to Salesforce only: the move does not come down, the item stays in
    # the window, and the event it is stamped with is looked up on every session.
    settings = attrs.evolve(SETTINGS, direction=cs.Direction.TO_SALESFORCE)
    fake = _org()
    item = _hosted(fake)
    before = _synced(fake, settings)
    (event_id,) = fake.salesforce.events
    fake.salesforce.edit_event(event_id, **_moved(fake.salesforce.events[event_id], 90))

    for _ in range(3):
        report = cs.run_session(before, fake.ports, settings, AS_OF)
        assert event_id in {e.id for e in report.observed.events}
        before = report.next_before

    kept = fake.calendar.items[(ANA, item.id)]
    assert (kept.sf_event_id, "Salesforce" in kept.categories) == (event_id, True)


def test_r_cancel_an_item_deleted_in_the_window_is_absent_and_its_meeting_cancelled() -> None:
    fake = _org()
    item = _hosted(fake)
    before = _synced(fake)
    fake.calendar.remove(ANA, item.id)

    report = cs.run_session(before, fake.ports, SETTINGS, AS_OF)

    assert report.observed.items == ()  # the lookup confirmed the deletion
    assert [(type(a).__name__, a.rule) for a in report.done] == [("DeleteEvent", "R-CANCEL")]


def test_a_failed_lookup_ends_the_session_before_anything_is_written() -> None:
    fake = _org()
    item = _hosted(fake)
    before = _synced(fake)
    fake.calendar.edit(ANA, item.id, subject="Renamed", **_moved(item, 90))
    fake.faults.fail("read_items_by_id")

    with pytest.raises(TransientError):
        cs.run_session(before, fake.ports, SETTINGS, AS_OF)

    (event,) = fake.salesforce.events.values()
    assert event.subject == "Hosted 1"  # nothing planned from a snapshot with a hole in it


def test_lookups_ask_only_for_what_the_window_no_longer_shows_in_sorted_order() -> None:
    fake = _org()
    items = [_hosted(fake, n) for n in (3, 1, 2)]
    before = _synced(fake)
    for item in items:
        fake.calendar.edit(ANA, item.id, **_moved(item, 90))
    asked: list[tuple[str, tuple[str, ...]]] = []
    lookup = fake.calendar.read_items_by_id

    def spy(mailbox: str, ids: Collection[str]) -> Sequence[cs.CalendarItem]:
        asked.append((mailbox, tuple(ids)))
        return lookup(mailbox, ids)

    fake.calendar.read_items_by_id = spy  # type: ignore[method-assign]
    cs.run_session(before, fake.ports, SETTINGS, AS_OF)
    assert asked == [(ANA, ("host-1", "host-2", "host-3"))]
    asked.clear()
    cs.run_session(None, fake.ports, SETTINGS, AS_OF)  # no before: nothing to look up
    assert asked == []


def test_an_empty_read_also_blanks_that_sessions_lookups() -> None:
    fake = _org()
    for n in (1, 2):
        _hosted(fake, n)
    before = _synced(fake)
    fake.faults.empty_read(ANA)

    guarded = cs.run_session(before, fake.ports, SETTINGS, AS_OF)

    assert guarded.observed.items == ()
    assert cs.IssueCode.MAILBOX_EMPTIED in {i.code for i in guarded.plan.issues}
    assert "DeleteEvent" not in _kinds(guarded.plan.actions)
    normal = cs.run_session(guarded.next_before, fake.ports, SETTINGS, AS_OF)
    assert len(normal.observed.items) == 2


def test_r_cancel_a_failed_cancellation_is_tried_again_next_session() -> None:
    fake = _org()
    item = _hosted(fake)
    before = _synced(fake)
    fake.calendar.remove(ANA, item.id)
    fake.faults.fail("delete_event")

    failed = cs.run_session(before, fake.ports, SETTINGS, AS_OF)
    assert [type(f.action).__name__ for f in failed.failed] == ["DeleteEvent"]
    # The organizer's deleted item stays in what the next session compares with ...
    assert [i.id for i in failed.next_before.items] == [item.id]

    retry = cs.run_session(failed.next_before, fake.ports, SETTINGS, AS_OF)

    # ... so the next session sees it gone again and carries the cancellation out.
    assert [(type(a).__name__, a.rule) for a in retry.done] == [("DeleteEvent", "R-CANCEL")]
    assert fake.salesforce.events == {}


def test_r_cancel_an_event_moved_past_the_window_leaves_the_invitees_copy_linked() -> None:
    # Salesforce moves the organizer's event past the window; the move comes down to the
    # organizer's item (R-DOWN-UPDATE), which is then out of view -- not deleted -- so
    # the attendee's copy keeps its link to the meeting.
    bob = "bob@acme.example"
    settings = attrs.evolve(SETTINGS, users=(*SETTINGS.users, cs.UserSettings(
        email=bob, sf_user_id="005bob")))  # fmt: skip
    fake = _org()
    host = _hosted(fake)
    people = (cs.Attendee(email=BOB_ADDRESS), cs.Attendee(email=bob))
    fake.calendar.edit(ANA, host.id, attendees=people)
    fake.calendar.put(attrs.evolve(host, id="guest-1", mailbox=bob, attendees=people,
                                   response=cs.Response.ACCEPTED))  # fmt: skip
    before = _synced(fake, settings)
    assert "Salesforce" in fake.calendar.items[(bob, "guest-1")].categories  # an invitee
    (event_id,) = fake.salesforce.events
    fake.salesforce.edit_event(event_id, **_moved(fake.salesforce.events[event_id], 61))

    for _ in range(3):
        report = cs.run_session(before, fake.ports, settings, AS_OF)
        assert "SetCategories" not in _kinds(report.plan.actions), report.plan.decisions
        before = report.next_before

    assert "Salesforce" in fake.calendar.items[(bob, "guest-1")].categories
    assert event_id in fake.salesforce.events


def _public_event_copied() -> tuple[cs.OrgSettings, FakeSystems, cs.Snapshot, str]:
    """A public calendar's event two days out, routed to ana and copied there by one
    session: the settings, the systems, the next ``before`` and the copy's id."""
    route = cs.PublicCalendarRoute(calendar_id="023public", mailboxes=(ANA,), category="Company")
    settings = attrs.evolve(SETTINGS, public_calendar_routes=(route,))
    fake = _org()
    start = AS_OF + dt.timedelta(days=2)
    end = start + dt.timedelta(hours=1)
    fake.salesforce.put_event(
        cs.SfEvent(id="00Upublic", owner_id="023public", subject="All hands", start=start, end=end)
    )
    before = _synced(fake, settings)
    ((_, copy_id),) = fake.calendar.items
    return settings, fake, before, copy_id


def test_r_public_calendar_a_route_copy_moved_past_the_window_is_not_copied_again() -> None:
    # The user moves their copy of a public calendar event 90 days out. Nothing goes
    # back (R-PUBLIC-CALENDAR), and once the copy is out of view it is not gone:
    # no second copy is made beside it (R-WINDOW).
    settings, fake, before, copy_id = _public_event_copied()
    fake.calendar.edit(ANA, copy_id, **_moved(fake.calendar.items[(ANA, copy_id)], 90))

    for _ in range(3):
        report = cs.run_session(before, fake.ports, settings, AS_OF)
        assert "CreateItem" not in _kinds(report.plan.actions)
        before = report.next_before

    assert len(fake.calendar.items) == 1


def _back_after_a_month(fake: FakeSystems, event_id: str) -> dt.datetime:
    """A month passes (the event and its items fall behind the window), then Salesforce
    moves the event back into it; the new ``as_of``."""
    later = AS_OF + dt.timedelta(days=30)
    event = fake.salesforce.events[event_id]
    fake.salesforce.edit_event(event_id, **_moved(event, (later - event.start).days + 3))
    return later


def test_r_public_calendar_a_copy_left_behind_the_window_follows_its_event_back() -> None:
    # The copy still exists at its old time, behind the window, where no windowed read
    # shows it and ``next_before`` lets it go: its event in view, it is looked up by id
    # and updated, never copied a second time.
    settings, fake, before, copy_id = _public_event_copied()
    later = _back_after_a_month(fake, "00Upublic")

    for _ in range(2):
        report = cs.run_session(before, fake.ports, settings, later)
        assert "CreateItem" not in _kinds(report.plan.actions)
        before = report.next_before

    assert list(fake.calendar.items) == [(ANA, copy_id)]
    assert fake.calendar.items[(ANA, copy_id)].start == fake.salesforce.events["00Upublic"].start


def test_r_down_update_an_item_left_behind_the_window_follows_its_event_back() -> None:
    fake = _org()
    item = _hosted(fake)
    before = _synced(fake)
    (event_id,) = fake.salesforce.events
    later = _back_after_a_month(fake, event_id)

    report = cs.run_session(before, fake.ports, SETTINGS, later)

    assert [(type(a).__name__, a.rule) for a in report.done] == [("UpdateItem", "R-DOWN-UPDATE")]
    assert fake.calendar.items[(ANA, item.id)].start == fake.salesforce.events[event_id].start
    assert cs.run_session(report.next_before, fake.ports, SETTINGS, later).plan.actions == ()


def test_r_window_a_session_at_the_ends_of_time_reads_without_overflow() -> None:
    settings = cs.OrgSettings(users=(cs.UserSettings(email="ana@acme.example", sf_user_id="005a"),))
    for as_of in (
        dt.datetime(1, 1, 2, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 30, tzinfo=dt.UTC),
    ):
        report = cs.run_session(None, FakeSystems().ports, settings, as_of)
        assert report.plan.actions == ()


def test_settings_out_of_range_stop_a_session_before_any_read() -> None:
    settings = cs.OrgSettings(future_days=10**6)
    with pytest.raises(cs.SettingsError, match="future_days"):
        cs.run_session(None, FakeSystems().ports, settings, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_r_empty_guard_a_mailbox_whose_meetings_time_left_behind_is_not_emptied() -> None:
    fake = FakeSystems()
    settings = cs.OrgSettings(users=(cs.UserSettings(email=ANA, sf_user_id="005ana"),),
                              empty_guard=2)  # fmt: skip
    for n in (1, 2):
        start = AS_OF + dt.timedelta(days=2)
        fake.salesforce.put_event(cs.SfEvent(id=f"00Umade{n:011d}", owner_id="005ana",
                                             subject=f"Call {n}", start=start,
                                             end=start + dt.timedelta(hours=1)))  # fmt: skip
    before = cs.run_session(None, fake.ports, settings, AS_OF).next_before
    assert len(fake.calendar.items) == 2
    later = AS_OF + dt.timedelta(days=30)  # both calls are now behind the window

    report = cs.run_session(before, fake.ports, settings, later)

    assert cs.IssueCode.MAILBOX_EMPTIED not in {i.code for i in report.plan.issues}


def test_r_auto_create_a_new_record_in_an_updated_who_list_reaches_the_writer_as_its_id() -> None:
    # Smart sharing adds a new external attendee to a saved meeting; auto-create
    # makes their Contact first. The UpdateEvent's new Who list names that Contact
    # by its ref until it exists: the writer must get the real id, inside the tuple.
    settings = attrs.evolve(SETTINGS, smart_auto_sharing=True, auto_create=cs.RecordKind.CONTACT)
    fake = _org(1)
    before = cs.run_session(None, fake.ports, settings, AS_OF).next_before
    item = fake.calendar.items[(ANA, "item-1")]
    guest = cs.Attendee(email="newbie@other.example")
    fake.calendar.edit(ANA, "item-1", attendees=(*item.attendees, guest))

    report = cs.run_session(before, fake.ports, settings, AS_OF)

    assert _kinds(report.done) == ["CreateRecord", "UpdateEvent"]
    [event] = fake.salesforce.events.values()
    created = next(r for r in fake.salesforce.records.values() if r.email == guest.email)
    assert event.who_ids == ("003bob", created.id)
    assert report.ok
