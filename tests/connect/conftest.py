"""Whole sessions over real HTTP: the connector against the loopback server on 127.0.0.1.

``org`` seeds a small tenant -- two internal users, a customer contact, a
meeting each and an event -- and ``connector`` connects to the server the
``loopback`` fixture started for the test, with a backoff that records its
waits instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import attrs
import pytest

import calsync_core as cs
from calsync_core.connect import Backoff, Connector
from calsync_core.testing.loopback import Loopback, Tenant
from calsync_core.testing.loopback.pytest_fixtures import loopback, loopback_tenant

__all__ = ["loopback", "loopback_tenant"]

#: The loopback tenant's clock starts here (TickingClock); sessions run from it.
AS_OF = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
DOMAIN = "acme.example"


@attrs.define
class Org:
    """What ``org`` seeded: the settings, the ids the server gave, the waits the backoff made."""

    tenant: Tenant
    settings: cs.OrgSettings
    users: dict[str, str]  # address -> Salesforce user id
    contact_id: str
    account_id: str
    items: dict[str, str]  # name -> item id
    event_id: str
    sleeps: list[float] = attrs.Factory(list)


def meeting(mailbox: str, uid: str, subject: str, days: int, **more: object) -> cs.CalendarItem:
    start = AS_OF + dt.timedelta(days=days, hours=6)
    fields: dict[str, object] = {
        "id": "seed",
        "ical_uid": uid,
        "mailbox": mailbox,
        "start": start,
        "end": start + dt.timedelta(minutes=30),
        "subject": subject,
        "organizer": "bob@customer.example",
        "attendees": (cs.Attendee(email=mailbox), cs.Attendee(email="bob@customer.example")),
        "response": cs.Response.ACCEPTED,
        **more,
    }
    return cs.CalendarItem(**fields)  # type: ignore[arg-type]


@pytest.fixture
def org(loopback_tenant: Tenant) -> Org:
    return seed(loopback_tenant)


def seed(tenant: Tenant) -> Org:
    """Two users, a customer contact and account, a meeting in each mailbox, cy's event."""
    users = {
        address: tenant.add_user(address, address.partition("@")[0].title())
        for address in (f"ana@{DOMAIN}", f"cy@{DOMAIN}")
    }
    account = tenant.add_account("Customer Ltd")
    contact = tenant.add_record(
        cs.Record(
            id="seed",
            kind=cs.RecordKind.CONTACT,
            email="bob@customer.example",
            name="Bob Smith",
            account_id=account,
        )
    )
    items = {
        "renewal": tenant.add_item(meeting(f"ana@{DOMAIN}", "uid-renewal@customer", "Renewal", 1)),
        "kickoff": tenant.add_item(meeting(f"cy@{DOMAIN}", "uid-kickoff@customer", "Kickoff", 2)),
    }
    start = AS_OF + dt.timedelta(days=3, hours=8)
    event = tenant.add_event(
        cs.SfEvent(
            id="seed",
            owner_id=users[f"cy@{DOMAIN}"],
            start=start,
            end=start + dt.timedelta(hours=1),
            subject="Quarterly review",
            who_ids=(contact,),
            what_ids=(account,),
        )
    )
    settings = cs.OrgSettings(
        users=tuple(cs.UserSettings(email=a, sf_user_id=i) for a, i in sorted(users.items())),
        company_domains=frozenset({DOMAIN}),
    )
    return Org(tenant, settings, users, contact, account, items, event)


@pytest.fixture
def connector(loopback: Loopback, org: Org) -> Iterator[Connector]:
    with connect(loopback, org) as made:
        yield made


def connect(loopback: Loopback, org: Org) -> Connector:
    """A connector to the loopback server whose backoff notes its waits in ``org.sleeps``."""
    return Connector(
        graph_url=loopback.graph_url,
        graph_token=lambda: loopback.graph_token,
        salesforce_url=loopback.salesforce_url,
        salesforce_token=lambda: loopback.salesforce_token,
        backoff=Backoff(sleep=org.sleeps.append, jitter=lambda: 1.0),
        concurrency=2,
    )
