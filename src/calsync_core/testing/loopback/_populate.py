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
    """Fill ``tenant``: ``mailboxes`` mailboxes, ``items`` items over the window.

    The window is ``[as_of - past_days, as_of + future_days)``; an internal
    meeting counts each attendee's copy as an item. ``synced_share`` of the
    customer meetings are already synced.
    """
    if mailboxes < 1 or items < 0 or not 0 <= synced_share <= 1:
        raise ValueError("mailboxes must be at least 1, items at least 0, synced_share in [0, 1]")
    rng = random.Random(seed)
    boxes = tuple(f"user{n:03d}@{_DOMAIN}" for n in range(mailboxes))
    users = tuple(tenant.add_user(box, f"User {n:03d}") for n, box in enumerate(boxes))
    for box in boxes:
        tenant.add_mailbox(box)
    contacts, leads, addresses = _people(tenant, max(20, items // 10))
    start = as_of.replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=past_days)
    hours = (past_days + future_days) * 24
    made = synced = n = 0
    while made < items:
        begin = start + dt.timedelta(hours=rng.randrange(hours))
        meeting = _Meeting(
            n=n,
            uid=f"040000008200E00074C5B7101A82E008{seed:04d}{n:08d}",
            owner=n % mailboxes,
            start=begin,
            end=begin + dt.timedelta(minutes=rng.choice((30, 30, 60, 60, 90))),
            subject=f"{rng.choice(_SUBJECTS)} {n}",
        )
        copies = _copies(rng, meeting, boxes, addresses)[: items - made]
        customers = copies[0].attendees and copies[0].attendees[0].email not in boxes
        if customers and rng.random() < synced_share:
            copies[0] = _synced(tenant, users[meeting.owner], meeting, copies[0])
            synced += 1
        for copy in copies:
            tenant.add_item(copy)
        made += len(copies)
        n += 1
    return Population(
        mailboxes=boxes,
        user_ids=users,
        contact_ids=contacts,
        lead_ids=leads,
        items=made,
        synced=synced,
    )


@attrs.frozen(kw_only=True)
class _Meeting:
    n: int
    uid: str
    owner: int
    start: dt.datetime
    end: dt.datetime
    subject: str


def _synced(tenant: Tenant, user: str, meeting: _Meeting, item: CalendarItem) -> CalendarItem:
    """The Event sync made for ``item``; the item stamped with its id, as sync leaves it."""
    event = SfEvent(
        id="-",
        owner_id=user,
        start=meeting.start,
        end=meeting.end,
        subject=meeting.subject,
        ical_uid=meeting.uid,
        created_by_sync=True,
    )
    return attrs.evolve(item, sf_event_id=tenant.add_event(event), categories={"Salesforce"})


def _people(tenant: Tenant, count: int) -> tuple[tuple[str, ...], tuple[str, ...], list[str]]:
    """Accounts, their contacts and some leads at the customers' domains."""
    accounts = [
        tenant.add_account(f"{d.partition('.')[0].title()} {n}")
        for d in _CUSTOMERS
        for n in range(4)
    ]
    contacts, leads, addresses = [], [], []
    for n in range(count):
        address = f"person{n:05d}@{_CUSTOMERS[n % len(_CUSTOMERS)]}"
        addresses.append(address)
        if n % 5 == 4:
            lead = Record(id="-", kind=RecordKind.LEAD, email=address, name=f"Lead {n}")
            leads.append(tenant.add_record(lead))
        else:
            contact = Record(
                id="-",
                kind=RecordKind.CONTACT,
                email=address,
                name=f"Contact {n}",
                account_id=accounts[n % len(accounts)],
            )
            contacts.append(tenant.add_record(contact))
    return tuple(contacts), tuple(leads), addresses


def _copies(
    rng: random.Random, meeting: _Meeting, boxes: tuple[str, ...], addresses: list[str]
) -> list[CalendarItem]:
    """The organizer's item first, then each internal attendee's copy."""
    kind = rng.random()
    attendees: tuple[Attendee, ...] = ()
    if kind < 0.6:  # a customer meeting: some known people, sometimes a stranger
        guests = rng.sample(addresses, rng.randint(1, 3))
        if rng.random() < 0.1:
            guests.append(f"stranger{meeting.n}@elsewhere.example")
        attendees = tuple(Attendee(email=g, response=Response.ACCEPTED) for g in guests)
    elif kind < 0.8:  # an internal meeting
        others = {rng.randrange(len(boxes)) for _ in range(2)} - {meeting.owner}
        attendees = tuple(
            Attendee(email=boxes[o], response=Response.ACCEPTED) for o in sorted(others)
        )
    organizer = CalendarItem(
        id="-",
        ical_uid=meeting.uid,
        mailbox=boxes[meeting.owner],
        start=meeting.start,
        end=meeting.end,
        subject=meeting.subject,
        attendees=attendees,
        response=Response.ORGANIZER,
        sensitivity=Sensitivity.PRIVATE if rng.random() < 0.05 else Sensitivity.NORMAL,
        time_zone="Pacific Standard Time" if meeting.owner % 3 == 0 else "UTC",
    )
    copies = [
        attrs.evolve(
            organizer, mailbox=a.email, organizer=organizer.mailbox, response=Response.ACCEPTED
        )
        for a in attendees
        if a.email in boxes
    ]
    return [organizer, *copies]
