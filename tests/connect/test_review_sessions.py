"""Whole sessions against the loopback server with what real tenants hold and do.

Addresses with ``+``, capitals, accents and quotes; throttling storms on
reads and on writes; an edit in Salesforce between the read and the write;
relation rows whose composite is lost; hundreds of long addresses. After
each, the server's data is checked: no duplicate, no lost edit, settled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pytest

import calsync_core as cs
from calsync_core.connect import Connector
from calsync_core.connect._write import Writer
from calsync_core.ports import TransientError
from calsync_core.testing.fakes import MemoryStateStore
from calsync_core.testing.loopback import Loopback, Tenant

from .conftest import AS_OF, DOMAIN, Org, connect, meeting, seed


def test_a_throttling_storm_on_reads_gives_up_within_the_caps_and_saves_nothing(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    loopback.faults.throttle("/calendarView/delta", times=1000, retry_after="86400")
    store = MemoryStateStore()
    with pytest.raises(TransientError, match="429 after 5 tries"):
        connector.sync(store, org.settings, AS_OF)
    assert store.saved is None
    assert max(org.sleeps) == 30.0  # 86400 s asked, the cap waited
    assert len(org.sleeps) <= 2 * 4  # two mailboxes, four waits between five tries each
    loopback.faults.clear()
    assert connector.sync(store, org.settings, AS_OF).report.ok


def test_a_throttling_storm_on_writes_holds_the_work_and_the_next_run_does_it_once(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    loopback.faults.throttle("/composite$", times=1000, retry_after="5")
    store = MemoryStateStore()
    report = connector.sync(store, org.settings, AS_OF).report
    assert not report.ok
    assert report.failed
    assert all("429 after 5 tries" in str(f.error) for f in report.failed)
    assert not [e for e in org.tenant.events() if e.created_by_sync]
    loopback.faults.clear()
    for minutes in (5, 10):
        assert connector.sync(store, org.settings, AS_OF.replace(minute=minutes)).report.ok
    assert connector.sync(store, org.settings, AS_OF.replace(minute=15)).report.plan.actions == ()
    uids = Counter(e.ical_uid for e in org.tenant.events() if e.created_by_sync)
    assert sorted(uids.values()) == [1, 1]


# -- real tenants on the loopback server -------------------------------------------------


def _tenant_with(tenant: Tenant, address: str, attendee: str) -> Org:
    org = seed(tenant)
    user = tenant.add_user(address, "Odd")
    item = meeting(address, "uid-odd@customer", "Odd one", 4,
                   attendees=(cs.Attendee(email=address), cs.Attendee(email=attendee)))  # fmt: skip
    org.items["odd"] = tenant.add_item(item)
    tenant.add_record(cs.Record(id="seed", kind=cs.RecordKind.CONTACT, email=attendee,
                                name="Odd Contact", account_id=org.account_id))  # fmt: skip
    users = (*org.settings.users, cs.UserSettings(email=address.lower(), sf_user_id=user))
    org.settings = cs.OrgSettings(
        users=tuple(sorted(users, key=lambda u: u.email)), company_domains=frozenset({DOMAIN})
    )
    org.users[address.lower()] = user
    return org


@pytest.mark.parametrize(
    ("address", "attendee"),
    [
        (f"Ana+Sales@{DOMAIN}", "o'brien@customer.example"),
        (f"zoë@{DOMAIN}", "a\\'--@customer.example"),
    ],
)
def test_odd_addresses_sync_once_and_settle(
    loopback: Loopback, loopback_tenant: Tenant, address: str, attendee: str
) -> None:
    org = _tenant_with(loopback_tenant, address, attendee)
    store = MemoryStateStore()
    with connect(loopback, org) as c:
        first = c.sync(store, org.settings, AS_OF).report
        assert first.ok, first.failed
        again = c.sync(store, org.settings, AS_OF.replace(minute=5)).report
        assert again.ok
        last = c.sync(store, org.settings, AS_OF.replace(minute=10)).report
        assert last.plan.actions == ()
    saved = [e for e in org.tenant.events() if e.ical_uid == "uid-odd@customer"]
    assert len(saved) == 1
    contact = next(r for r in org.tenant.records() if r.email == attendee)
    assert contact.id in saved[0].who_ids
    assert Counter(e.ical_uid for e in org.tenant.events() if e.ical_uid).most_common(1)[0][1] == 1


def test_a_salesforce_edit_between_the_read_and_the_write_is_a_conflict_and_neither_is_lost(
    loopback: Loopback, org: Org, connector: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = f"ana@{DOMAIN}"
    store = MemoryStateStore()
    for minutes in (0, 5):
        assert connector.sync(store, org.settings, AS_OF.replace(minute=minutes)).report.ok
    renewal = next(i for i in org.tenant.items(ana) if i.id == org.items["renewal"])
    event_id = renewal.sf_event_id
    assert event_id is not None
    org.tenant.edit_item(ana, renewal.id, subject="Renewal (moved)")
    send = Writer._sf_send
    edited: list[str] = []

    def edited_first(self: Writer, requests: Sequence[cs.Request]) -> object:
        # After the precondition was read, before the PATCH: a person's edit in Salesforce.
        if not edited and any(r.method == "PATCH" for r in requests):
            edited.append(org.tenant.edit_sobject("Event", event_id, Location="Room 7"))
        return send(self, requests)

    monkeypatch.setattr(Writer, "_sf_send", edited_first)
    first = connector.sync(store, org.settings, AS_OF.replace(minute=10)).report
    assert [f.action.__class__.__name__ for f in first.failed] == ["UpdateEvent"]
    assert all(f.retryable for f in first.failed)
    monkeypatch.setattr(Writer, "_sf_send", send)
    for minutes in (15, 20):
        assert connector.sync(store, org.settings, AS_OF.replace(minute=minutes)).report.ok
    event = next(e for e in org.tenant.events() if e.id == event_id)
    assert (event.subject, event.location) == ("Renewal (moved)", "Room 7")
    item = next(i for i in org.tenant.items(ana) if i.id == renewal.id)
    assert (item.subject, item.location) == ("Renewal (moved)", "Room 7")


@pytest.mark.parametrize("fault", ["drop_after_commit", "server_error"])
def test_relation_rows_whose_composite_is_lost_are_made_whole_next_run_without_a_duplicate(
    loopback: Loopback, org: Org, connector: Connector, fault: str
) -> None:
    # The first composite creates the events; the second carries their relation rows.
    getattr(loopback.faults, fault)("/composite$", method="POST", times=1, after=1)
    store = MemoryStateStore()
    first = connector.sync(store, org.settings, AS_OF).report
    assert not first.ok
    assert all(f.retryable for f in first.failed)
    for minutes in (5, 10):
        assert connector.sync(store, org.settings, AS_OF.replace(minute=minutes)).report.ok
    assert connector.sync(store, org.settings, AS_OF.replace(minute=15)).report.plan.actions == ()
    saved = [e for e in org.tenant.events() if e.created_by_sync]
    assert sorted(Counter(e.ical_uid for e in saved).values()) == [1, 1]
    renewal = next(e for e in saved if e.ical_uid == "uid-renewal@customer")
    assert renewal.who_ids == (org.contact_id,)
    rows = [r for r in org.tenant.sobjects("EventRelation") if r["EventId"] == renewal.id]
    assert len({r["RelationId"] for r in rows}) == len(rows)  # no row twice


def test_many_long_addresses_are_resolved_in_queries_short_enough_for_a_uri(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    long_ones = [f"{'x' * 60}.{n:03d}+o'neil@{'sub.' * 10}customer.example" for n in range(450)]
    found = connector.salesforce.resolve([*long_ones, "bob@customer.example"])
    assert [r.id for r in found] == [org.contact_id]
    lengths = [len(e.path) for e in loopback.log.entries()]
    assert max(lengths) <= 16_384
