"""A generated tenant of realistic size: for benchmarks and soak tests of connectors.

Every mailbox has its Salesforce user. The org has accounts, their contacts
and some leads. The items are spread over the sync window around
``as_of``: meetings with customers (contacts' and leads' addresses, and
some unknown ones), internal meetings (other mailboxes as attendees),
appointments without attendees, a few all-day and private ones, and a share
already synced (an Event owned by the mailbox's user, created by sync with
the meeting's UID, and the item stamped with its id). Deterministic for a
``seed`` and an ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Final

import attrs

from ..._enums import RecordKind, Response, Sensitivity
from ..._values import Attendee, CalendarItem, Record, SfEvent
from ._tenant import Tenant

_DOMAIN: Final = "acme.example"
_CUSTOMERS: Final = (
    "contoso.example",
    "fabrikam.example",
    "northwind.example",
    "tailspin.example",
    "litware.example",
)
_SUBJECTS: Final = (
    "Review",
    "Renewal call",
    "Kick-off",
    "Quarterly check-in",
    "Demo",
    "Planning",
    "Support escalation",
    "Pricing",
    "Workshop",
    "1:1",
)


@attrs.frozen(kw_only=True)
class Population:
    """What :func:`populate` made: the mailboxes, and the org's user, contact and lead ids."""

    mailboxes: tuple[str, ...]
    user_ids: tuple[str, ...]
    contact_ids: tuple[str, ...]
    lead_ids: tuple[str, ...]
    items: int
    synced: int


def populate(
    tenant: Tenant,
    *,
    mailboxes: int = 100,
    items: int = 25_000,
    seed: int = 0,
    as_of: dt.datetime = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC),
    past_days: int = 14,
    future_days: int = 60,
    synced_share: float = 0.1,
) -> Population:
    """Fill ``tenant`` with ``mailboxes`` mailboxes and ``items`` items in ``[as_of - past_days,
    as_of + future_days)``; ``synced_share`` of the customer meetings already synced."""
    if mailboxes < 1 or items < 0 or not 0 <= synced_share <= 1:
        raise ValueError("mailboxes must be at least 1, items at least 0, synced_share in [0, 1]")
    rng = random.Random(seed)
    boxes = tuple(f"user{n:03d}@{_DOMAIN}" for n in range(mailboxes))
    users = tuple(tenant.add_user(box, f"User {n:03d}") for n, box in enumerate(boxes))
    for box in boxes:
        tenant.add_mailbox(box)
    accounts = [
        tenant.add_account(f"{d.partition('.')[0].title()} {n}")
        for d in _CUSTOMERS
        for n in range(4)
    ]
    people = max(20, items // 10)
    contacts, leads, addresses = [], [], []
    for n in range(people):
        address = f"person{n:05d}@{_CUSTOMERS[n % len(_CUSTOMERS)]}"
        addresses.append(address)
        if n % 5 == 4:
            leads.append(
                tenant.add_record(
                    Record(id="-", kind=RecordKind.LEAD, email=address, name=f"Lead {n}")
                )
            )
        else:
            contacts.append(
                tenant.add_record(
                    Record(
                        id="-",
                        kind=RecordKind.CONTACT,
                        email=address,
                        name=f"Contact {n}",
                        account_id=accounts[n % len(accounts)],
                    )
                )
            )
    start = as_of.replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=past_days)
    hours = (past_days + future_days) * 24
    synced = 0
    for n in range(items):
        owner = n % mailboxes
        kind = rng.random()
        begin = start + dt.timedelta(hours=rng.randrange(hours))
        end = begin + dt.timedelta(minutes=rng.choice((30, 30, 60, 60, 90)))
        attendees: tuple[Attendee, ...] = ()
        if kind < 0.6:  # a customer meeting: some known people, sometimes a stranger
            guests = rng.sample(addresses, rng.randint(1, 3))
            if rng.random() < 0.1:
                guests.append(f"stranger{n}@elsewhere.example")
            attendees = tuple(Attendee(email=g, response=Response.ACCEPTED) for g in guests)
        elif kind < 0.8:  # an internal meeting
            others = rng.sample(range(mailboxes), min(mailboxes - 1, 2) or 0)
            attendees = tuple(Attendee(email=boxes[o]) for o in others if o != owner)
        uid = f"040000008200E00074C5B7101A82E008{seed:04d}{n:08d}"
        item = CalendarItem(
            id="-",
            ical_uid=uid,
            mailbox=boxes[owner],
            start=begin,
            end=end,
            subject=f"{rng.choice(_SUBJECTS)} {n}",
            attendees=attendees,
            organizer=None,
            response=Response.ORGANIZER,
            sensitivity=Sensitivity.PRIVATE if rng.random() < 0.05 else Sensitivity.NORMAL,
            time_zone="Pacific Standard Time" if owner % 3 == 0 else "UTC",
        )
        if kind < 0.6 and rng.random() < synced_share:
            event_id = tenant.add_event(
                SfEvent(
                    id="-",
                    owner_id=users[owner],
                    start=begin,
                    end=end,
                    subject=item.subject,
                    ical_uid=uid,
                    created_by_sync=True,
                )
            )
            item = attrs.evolve(item, sf_event_id=event_id, categories={"Salesforce"})
            synced += 1
        tenant.add_item(item)
    return Population(
        mailboxes=boxes,
        user_ids=users,
        contact_ids=tuple(contacts),
        lead_ids=tuple(leads),
        items=items,
        synced=synced,
    )
