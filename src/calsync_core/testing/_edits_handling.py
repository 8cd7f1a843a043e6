"""Edits to what users do with items and events: copies, stamps, privacy, relations, forwards.

Each is an everyday way for a sync to overwrite or leak: an Outlook copy keeps
the original's ``sf_event_id`` (R-DEDUP), an item may carry another user's
event id, privacy turns on or off on either side (R-PRIVATE), Salesforce users
relate events to Contacts and an Opportunity (R-ATTENDEES), and a forwarded
invite reaches a user the organizer's item does not list. See :mod:`._life`.
"""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import strategies as st

from .._domain import SALESFORCE, organizer_of
from .._enums import RecordKind, Response, Sensitivity
from .._values import SfEvent
from ._pieces import PRIVATE
from ._world import OPPORTUNITY, Draw, World, into_window, pick

# -- stamps that are not what sync made (R-DEDUP, R-DOWN-DELETE) --------------------------------


def copy_linked_item(draw: Draw, w: World) -> bool:
    """A user copies a linked item in Outlook: a new id, maybe a new UID, the same stamp."""
    linked = sorted(k for k, i in w.items.items() if i.sf_event_id and i.original_start is None)
    key = pick(draw, linked)
    if key is None:
        return False
    item = w.items[key]
    uid = draw(st.sampled_from((item.ical_uid, f"{item.ical_uid}-copy")))
    copy = attrs.evolve(item, id=f"{item.id}-copy", ical_uid=uid, version="c1")
    if draw(st.booleans()):
        # "Copy to My Calendar": an appointment of one's own, a new item with a new UID
        # -- never a second organizer of the meeting it was copied from.
        copy = attrs.evolve(copy, ical_uid=f"{item.ical_uid}-copy", organizer=None, attendees=(),
                            response=Response.ORGANIZER)  # fmt: skip
    w.items[(copy.mailbox, copy.id)] = copy
    return True


def foreign_stamp(draw: Draw, w: World) -> bool:
    """An item carries the id of an event another user owns (a copy moved across mailboxes,
    a faulty tool): it must not become that event's item."""
    users = w.users
    options = [
        (key, event_id)
        for key, item in sorted(w.items.items())
        if item.mailbox in users and item.original_start is None
        for event_id, event in sorted(w.events.items())
        if event.owner_id != users[item.mailbox].sf_user_id
    ]
    choice = pick(draw, options[:40])
    if choice is None:
        return False
    key, event_id = choice
    item = w.items[key]
    w.put(item, sf_event_id=event_id, categories=item.categories | {SALESFORCE})
    return True


# -- privacy (R-PRIVATE) --------------------------------------------------------------------------


def toggle_item_privacy(draw: Draw, w: World) -> bool:
    """The organizer (every copy) or one attendee (their copy) turns privacy on or off."""
    meetings = w.masters()
    uid = pick(draw, sorted(meetings))
    if uid is None:
        return False
    copies = meetings[uid]
    chosen = copies if draw(st.booleans()) else [draw(st.sampled_from(copies))]
    private = copies[0].sensitivity not in PRIVATE
    for copy in chosen:
        w.put(copy, sensitivity=Sensitivity.PRIVATE if private else Sensitivity.NORMAL)
    return True


def toggle_event_privacy(draw: Draw, w: World) -> bool:
    """A Salesforce user turns an event private (Salesforce drops its relations) or public."""
    event_id = pick(draw, sorted(w.events))
    if event_id is None:
        return False
    event = w.events[event_id]
    if event.is_private:
        w.put_event(event, is_private=False)
    else:
        w.put_event(event, is_private=True, who_ids=(), what_ids=(), invitee_ids=())
    return True


# -- Salesforce users' own work (R-DOWN-CREATE, R-ATTENDEES) --------------------------------------


def event_with_relations(draw: Draw, w: World) -> bool:
    """A Salesforce user creates an event with Contacts as Who and an Opportunity as What."""
    users = list(w.settings.users)
    user = pick(draw, users)
    if user is None:
        return False
    contacts = sorted(r for r, rec_ in w.records.items() if rec_.kind is RecordKind.CONTACT)
    whos = tuple(draw(st.lists(st.sampled_from(contacts), max_size=2, unique=True))) \
        if contacts else ()  # fmt: skip
    w.records.setdefault(OPPORTUNITY.id, OPPORTUNITY)
    start = into_window(draw, w) + dt.timedelta(hours=draw(st.integers(8, 17)))
    n = sum(1 for e in w.events if e.startswith("00Urel"))
    event_id = f"00Urel{n:012d}"
    w.events[event_id] = SfEvent(
        id=event_id,
        owner_id=user.sf_user_id,
        start=start,
        end=start + dt.timedelta(hours=1),
        subject="Pipeline review",
        description="notes for the account team",
        who_ids=whos,
        what_ids=(OPPORTUNITY.id,),
        version="r1",
    )
    return True


def route_category_on_own_item(draw: Draw, w: World) -> bool:
    """A user files an item of their own under a category named like a route's."""
    routes = w.settings.public_calendar_routes
    if not routes:
        return False
    route = draw(st.sampled_from(routes))
    own = sorted(k for k, i in w.items.items()
                 if i.mailbox in route.mailboxes and not i.ical_uid.startswith("sf-"))  # fmt: skip
    key = pick(draw, own)
    if key is None:
        return False
    item = w.items[key]
    w.put(item, categories=item.categories | {route.category})
    return True


# -- meetings that reach people another way --------------------------------------------------------


def forward_invite(draw: Draw, w: World) -> bool:
    """An attendee forwards the invite: a user gets a copy the organizer's item does not list."""
    users = w.users
    meetings = w.masters()
    options = [
        (uid, mailbox)
        for uid, copies in meetings.items()
        if copies[0].attendees and not copies[0].is_cancelled
        for mailbox in sorted(users)
        if mailbox not in {c.mailbox for c in copies} and mailbox != organizer_of(copies[0])
    ]
    choice = pick(draw, options[:40])
    if choice is None:
        return False
    uid, mailbox = choice
    source = meetings[uid][0]
    forwarded = attrs.evolve(
        source,
        id=f"{source.id}-fwd-{mailbox}",
        mailbox=mailbox,
        organizer=organizer_of(source),
        response=draw(st.sampled_from((Response.ACCEPTED, Response.NOT_RESPONDED))),
        categories=frozenset(),
        sf_event_id=None,
        link_choice=None,
        version="f1",
    )
    w.items[(mailbox, forwarded.id)] = forwarded
    return True
