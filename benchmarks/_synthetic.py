"""Synthetic organisations for the benchmarks: a synced state and the same state 1% later.

The shape follows what a sales org's calendars look like (DOMAIN.md):

* about 250 items per internal user (ten weeks of a busy calendar), so the
  number of users grows with the organisation;
* every meeting is organized by an external customer who has a Contact (with
  an Account); one in four also invites a second external address with no
  record, so linking has something to skip;
* 1-5 internal users attend each meeting (3 on average), each with a copy of
  their own in their mailbox, so each copy owns an event of its own (R-OWNER,
  case b);
* everything lies inside the sync window, so every item is planned for.

``synced`` is what ``apply`` makes of the first run's plan: every copy linked
to its event, every item carrying the ``Salesforce`` category, fresh versions
on both sides -- exactly what a steady-state ``before`` is. ``changed`` then
edits about 1% of the items: 0.8% of meetings (all their copies) get a new
subject or a new time in the calendar with a new change key, and the events
of 0.2% get a new subject or location in Salesforce with a new version.
Everything is deterministic: a seeded generator, no clock.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import attrs

import calsync_core as cs

AS_OF = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
#: The next run's snapshot is taken a quarter of an hour later.
NEXT = AS_OF + dt.timedelta(minutes=15)
ITEMS_PER_USER = 250
ZONES = ("Europe/Berlin", "America/New_York", "Europe/London", "Asia/Singapore")

# Which meetings change between the two snapshots (by meeting number).
CALENDAR_EVERY, CALENDAR_AT = 125, 7  # 0.8%: subject or time edited in the calendar
SALESFORCE_EVERY, SALESFORCE_AT = 500, 311  # 0.2%: subject or location edited in Salesforce


@dataclass(frozen=True)
class Org:
    size: int
    users: int
    meetings: int
    settings: cs.OrgSettings
    first: cs.Snapshot  # nothing linked yet: what the first run sees


@dataclass(frozen=True)
class Change:
    after: cs.Snapshot
    items_changed: int  # calendar-side edits (new change key)
    events_changed: int  # Salesforce-side edits (new version)
    calendar_keys: frozenset[tuple[str, str]]  # (mailbox, id) of the items edited
    salesforce_keys: frozenset[tuple[str, str]]  # (mailbox, id) of items whose event was edited


def meeting_number(ical_uid: str) -> int:
    return int(ical_uid[-16:], 16)


def _uid(meeting: int) -> str:
    # Outlook's own shape: a fixed class id, then something unique.
    return f"040000008200E00074C5B7101A82E008000000000000000{meeting:016X}"


def organisation(size: int, seed: int = 20261124) -> Org:
    """``size`` calendar items, none linked yet, with the org's users and Contacts."""
    rng = random.Random(seed)
    n_users = max(20, size // ITEMS_PER_USER)
    n_customers = max(50, size // 20)
    users = tuple(
        cs.UserSettings(email=f"user{n}@acme.example", sf_user_id=f"005{n:015d}")
        for n in range(n_users)
    )
    settings = cs.OrgSettings(users=users, company_domains=frozenset({"acme.example"}))
    records = []
    for k in range(n_customers):
        records.append(
            cs.Record(
                id=f"003{k:015d}",
                kind=cs.RecordKind.CONTACT,
                email=_customer(k),
                account_id=f"001{k % max(1, n_customers // 4):015d}",
                name=f"Customer {k}",
            )
        )
    items: list[cs.CalendarItem] = []
    meeting = 0
    while len(items) < size:
        copies = min(rng.randint(1, 5), size - len(items))
        customer = _customer(rng.randrange(n_customers))
        guests = [rng.randrange(n_users) for _ in range(copies * 2)]
        internal = list(dict.fromkeys(users[g].email for g in guests))[:copies]
        # Half-hour slots from 10 days back to 50 days ahead: well inside the window.
        start = AS_OF + dt.timedelta(minutes=30 * rng.randrange(-10 * 48, 50 * 48))
        end = start + dt.timedelta(minutes=30 * rng.randint(1, 4))
        attendees = [cs.Attendee(email=customer, name="Customer", response=cs.Response.ACCEPTED)]
        if meeting % 4 == 0:
            attendees.append(cs.Attendee(email=f"guest{meeting}@elsewhere.example"))
        attendees.extend(cs.Attendee(email=e, response=cs.Response.ACCEPTED) for e in internal)
        zone = ZONES[meeting % len(ZONES)]
        for copy, mailbox in enumerate(internal):
            items.append(
                cs.CalendarItem(
                    id=f"AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZi{meeting:012d}{copy:02d}AAA=",
                    ical_uid=_uid(meeting),
                    mailbox=mailbox,
                    start=start,
                    end=end,
                    subject=f"Quarterly review {meeting} with customer",
                    body=f"Agenda for meeting {meeting}: pipeline, renewals, next steps.",
                    location="Microsoft Teams Meeting" if meeting % 3 else f"Room {meeting % 40}",
                    time_zone=zone,
                    organizer=customer,
                    response=cs.Response.ACCEPTED,
                    attendees=tuple(attendees),
                    version=f"DwAAABYAAAA{meeting:08d}{copy:02d}",
                )
            )
        meeting += 1
    first = cs.Snapshot(as_of=AS_OF, items=tuple(items), records=tuple(records))
    return Org(size=size, users=n_users, meetings=meeting, settings=settings, first=first)


def _customer(k: int) -> str:
    return f"buyer{k}@customer{k % 997}.example"


def synced(org: Org) -> tuple[cs.Snapshot, cs.Plan]:
    """The first run's plan, carried out: the ``before`` of every steady-state run."""
    plan = cs.reconcile(None, org.first, org.settings)
    return cs.apply(org.first, plan), plan


def changed(before: cs.Snapshot, *, round_: int = 0) -> Change:
    """``before`` a quarter of an hour later, with about 1% of the items edited.

    ``round_`` goes into the new values so that successive rounds (for
    vdirsyncer, which keeps state) are each a real change.
    """
    items = list(before.items)
    cal_keys = set()
    sf_items: dict[str, tuple[str, str]] = {}  # event id -> the key of its item
    for n, item in enumerate(items):
        m = meeting_number(item.ical_uid)
        if m % CALENDAR_EVERY == CALENDAR_AT:
            items[n] = calendar_edit(item, m, round_)
            cal_keys.add((item.mailbox, item.id))
        elif m % SALESFORCE_EVERY == SALESFORCE_AT and item.sf_event_id is not None:
            sf_items[item.sf_event_id] = (item.mailbox, item.id)
    events = list(before.events)
    for n, event in enumerate(events):
        if event.id in sf_items:
            events[n] = salesforce_edit(event, round_)
    after = attrs.evolve(before, as_of=NEXT, items=tuple(items), events=tuple(events))
    return Change(
        after=after,
        items_changed=len(cal_keys),
        events_changed=len(sf_items),
        calendar_keys=frozenset(cal_keys),
        salesforce_keys=frozenset(sf_items.values()),
    )


def calendar_edit(item: cs.CalendarItem, meeting: int, round_: int) -> cs.CalendarItem:
    """The organizer renamed the meeting (even numbers) or moved it by an hour (odd)."""
    version = f"{item.version}~{round_}"
    if meeting % 2 == 0:
        return attrs.evolve(item, subject=f"{item.subject} (agenda v{round_ + 2})", version=version)
    shift = dt.timedelta(hours=1 + round_)
    return attrs.evolve(item, start=item.start + shift, end=item.end + shift, version=version)


def salesforce_edit(event: cs.SfEvent, round_: int) -> cs.SfEvent:
    """A sales rep edited the event: its subject or its location."""
    version = f"{event.version}~{round_}"
    if int(event.id[-2:], 16) % 2 == 0:
        return attrs.evolve(event, subject=f"{event.subject} [SF {round_}]", version=version)
    return attrs.evolve(event, location=f"Customer site {round_}", version=version)
