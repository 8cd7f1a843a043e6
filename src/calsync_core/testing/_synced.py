"""What earlier sync runs left behind: linked events, and events made in Salesforce.

A snapshot of an org that has been syncing for a while holds more than fresh
meetings: items an earlier run saved carry ``sf_event_id`` and their events
carry the item's UID, and events users made in Salesforce may already be
copied down to their owner's mailbox. These builders make those as the
planner would have (R-OWNER decides who owns which event, R-FIELD-LIMITS cuts
texts), so the next run starts from a state sync itself could have reached.
"""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import strategies as st

from .._domain import SALESFORCE, TEXT_LIMITS, downsync_uid, duration_fault
from .._enums import RecordKind, RecurrenceFormat, Sensitivity
from .._timezones import iana_name
from .._values import CalendarItem, Record, SfEvent, UserSettings
from . import _pieces as p
from ._arguments import Options
from ._people import People
from ._world import OPPORTUNITY


def linked(
    draw: st.DrawFn,
    meetings: list[tuple[CalendarItem, ...]],
    people: People,
    directory: list[Record],
) -> tuple[list[CalendarItem], list[SfEvent]]:
    """Save some meetings as an earlier run would have (R-OWNER decides who owns which event)."""
    users = {u.email: u for u in people.users}
    items: list[CalendarItem] = []
    events: list[SfEvent] = []
    for copies in meetings:
        if not draw(st.booleans()):
            items.extend(copies)
            continue
        first = copies[0]
        host = users.get(first.organizer or first.mailbox)
        if duration_fault(first) is not None:
            items.extend(copies)  # Salesforce cannot hold it: sync never saved it
            continue
        owners = (
            [first]  # a user organizes it: one event, theirs (R-OWNER a, c)
            if host is not None and host.email == first.mailbox
            else [c for c in copies if draw(st.booleans())]  # one event per saved copy (b)
        )
        for copy in copies:
            if copy not in owners:
                if host is not None and draw(st.booleans()):
                    copy = attrs.evolve(copy, categories=copy.categories | {SALESFORCE})
                items.append(copy)
                continue
            invited = tuple(
                users[a.email].sf_user_id
                for a in copy.attendees
                if host is not None and a.email in users and a.email != host.email
            )
            event = _event_of(copy, users[copy.mailbox], len(events), invited, directory, people)
            events.append(event)
            items.append(
                attrs.evolve(copy, sf_event_id=event.id, categories=copy.categories | {SALESFORCE})
            )
    return items, events


def _event_of(
    item: CalendarItem,
    owner: UserSettings,
    n: int,
    invited: tuple[str, ...],
    directory: list[Record],
    people: People,
) -> SfEvent:
    """The event sync made for ``item``: same UID, times and texts (cut to Salesforce's limits)."""
    private = item.sensitivity in p.PRIVATE
    people_records = {r.email: r for r in directory if r.email}
    related = [
        people_records[a]
        for a in (item.organizer, *(x.email for x in item.attendees))
        if a in people_records and a.rpartition("@")[2] not in people.blocklist
    ]
    contacts = [r for r in related if r.kind is RecordKind.CONTACT]
    whos = contacts or related[:1]
    whats = [contacts[0].account_id] if contacts and contacts[0].account_id else []
    return SfEvent(
        id=p.seq_id("00Ulnk", n),
        owner_id=owner.sf_user_id,
        start=item.start,
        end=item.end,
        is_all_day=item.is_all_day,
        time_zone=iana_name(item.time_zone) or "UTC",
        recurrence=item.recurrence,
        subject=item.subject[: TEXT_LIMITS["subject"]],
        location=item.location[: TEXT_LIMITS["location"]],
        description=item.body[: TEXT_LIMITS["description"]],
        is_private=private,
        who_ids=() if private else tuple(r.id for r in whos),
        what_ids=() if private else tuple(whats),
        invitee_ids=() if private else invited,
        ical_uid=item.ical_uid,
        created_by_sync=True,
        version="e1",
    )


def made_in_salesforce(
    draw: st.DrawFn, tag: str, people: People, as_of: dt.datetime, opts: Options
) -> tuple[SfEvent, CalendarItem | None]:
    """An event made in Salesforce, and (with ``linked``) maybe its downsynced item."""
    owner = draw(st.sampled_from(people.owners))
    slot = p.slot(draw, as_of, recurring=opts.recurring, salesforce=True)
    private = draw(st.booleans())
    # Salesforce users relate their events to Contacts and Opportunities (R-ATTENDEES
    # keeps those); a private event relates to nobody.
    related = not private and draw(st.booleans())
    event = SfEvent(
        id=p.seq_id(f"00U{tag}", 1),
        owner_id=owner,
        start=slot.start,
        end=slot.end,
        is_all_day=slot.is_all_day,
        time_zone=iana_name(slot.time_zone) or "UTC",
        recurrence=slot.recurrence,
        recurrence_format=draw(st.sampled_from(RecurrenceFormat)),
        subject=draw(p.sf_texts),
        location=draw(p.sf_texts),
        description=draw(p.short),
        is_private=private,
        who_ids=tuple(draw(p.whos)) if related else (),
        what_ids=(OPPORTUNITY.id,) if related else (),
        version="e1",
    )
    user = next((u for u in people.users if u.sf_user_id == owner), None)
    if user is None or not opts.linked or not draw(st.booleans()):
        return event, None
    # R-DOWN-CREATE already ran: the owner's item, and the event stamped with its UID.
    event = attrs.evolve(event, ical_uid=downsync_uid(event))
    item = CalendarItem(
        id=f"AAMk-{tag}",
        ical_uid=downsync_uid(event),
        mailbox=user.email,
        start=event.start,
        end=event.end,
        is_all_day=event.is_all_day,
        time_zone=event.time_zone,
        recurrence=event.recurrence,
        subject=event.subject,
        location=event.location,
        body=event.description,
        sensitivity=Sensitivity.PRIVATE if event.is_private else Sensitivity.NORMAL,
        categories=frozenset({SALESFORCE}),
        sf_event_id=event.id,
        version="ck1",
    )
    return event, item
