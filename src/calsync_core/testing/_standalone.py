"""Single values, each valid alone: what ``calendar_items``, ``sf_events``, ``records`` build.

Unlike the organisations of :mod:`._orgs`, these values share nothing with
each other: each is valid alone, which is what an integrator testing one
function of one value needs. Options arrive checked (see :mod:`._arguments`).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from .._enums import RecordKind, RecurrenceFormat, Response, Sensitivity
from .._timezones import iana_name
from .._values import Attendee, CalendarItem, Record, SfEvent
from . import _pieces as p


@st.composite
def calendar_items(
    draw: st.DrawFn,
    mailboxes: tuple[str, ...] | None,
    as_of: dt.datetime | None,
    *,
    recurring: bool,
) -> CalendarItem:
    """An item in one of ``mailboxes``: organized there, elsewhere, or by nobody."""
    mailbox = draw(
        p.addresses(p.DEFAULT_DOMAIN) if mailboxes is None else st.sampled_from(mailboxes)
    )
    slot = p.slot(draw, draw(p.as_ofs) if as_of is None else as_of, recurring=recurring)
    organizer = draw(st.sampled_from((None, mailbox, "other")))
    if organizer == "other":
        organizer = draw(p.addresses(p.DEFAULT_DOMAIN, *p.EXTERNAL_DOMAINS))
    own = organizer in (None, mailbox)
    attendees = [a for a in draw(p.attendee_lists) if a.email not in (organizer, mailbox)]
    if not own:
        attendees.append(Attendee(email=mailbox))
    return CalendarItem(
        id=draw(p.ids("AAMk")),
        ical_uid=draw(p.uids),
        mailbox=mailbox,
        start=slot.start,
        end=slot.end,
        is_all_day=slot.is_all_day,
        time_zone=slot.time_zone,
        recurrence=slot.recurrence,
        subject=draw(p.texts),
        body=draw(p.texts),
        location=draw(p.texts),
        organizer=organizer,
        attendees=tuple(attendees),
        response=Response.ORGANIZER if own else draw(st.sampled_from(p.ANSWERS)),
        sensitivity=draw(st.sampled_from(Sensitivity)),
        categories=draw(p.item_categories),
        is_cancelled=draw(st.sampled_from((False,) * 9 + (True,))),
        calendar_id=draw(st.sampled_from((None, None, None, "group-calendar-1"))),
        attachments=draw(p.attachment_lists),
        link_choice=draw(p.link_choices),
        sf_event_id=draw(p.stamps),
        version=draw(p.versions),
    )


@st.composite
def sf_events(
    draw: st.DrawFn, owners: tuple[str, ...] | None, as_of: dt.datetime | None, *, recurring: bool
) -> SfEvent:
    """An event owned by one of ``owners``; private ones relate to nobody, as in Salesforce."""
    anchor = draw(p.as_ofs) if as_of is None else as_of
    slot = p.slot(draw, anchor, recurring=recurring, salesforce=True)
    private = draw(st.booleans())
    uid = draw(p.optional_uids)
    return SfEvent(
        id=draw(p.ids("00U")),
        owner_id=draw(p.ids("005") if owners is None else st.sampled_from(owners)),
        start=slot.start,
        end=slot.end,
        is_all_day=slot.is_all_day,
        time_zone=iana_name(slot.time_zone) or "UTC",
        recurrence=slot.recurrence,
        recurrence_format=draw(st.sampled_from(RecurrenceFormat)),
        subject=draw(p.sf_texts),
        description=draw(p.short),
        location=draw(p.sf_texts),
        is_private=private,
        who_ids=() if private else tuple(draw(p.whos)),
        what_ids=() if private else tuple(draw(p.whats)),
        invitee_ids=() if private else tuple(draw(p.invitees)),
        ical_uid=uid,
        created_by_sync=uid is not None and draw(st.booleans()),
        version=draw(p.versions),
    )


@st.composite
def records(draw: st.DrawFn, kinds: tuple[RecordKind, ...]) -> Record:
    """A record of one of ``kinds``; only Contacts and Leads are people with an address."""
    kind = draw(st.sampled_from(kinds))
    person = kind in (RecordKind.CONTACT, RecordKind.LEAD)
    return Record(
        id=draw(p.ids(p.PREFIX[kind])),
        kind=kind,
        email=draw(p.emails) if person else None,
        account_id=draw(p.accounts) if kind is RecordKind.CONTACT else None,
        name=draw(p.short),
    )
