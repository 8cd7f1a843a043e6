"""One meeting as its copies: the same UID in each of its users' mailboxes.

A real meeting is not one item: Exchange puts a copy in the organizer's
mailbox and in each attendee's, all with one UID, one time and one set of
texts, but each copy with its owner's own answer. The planner's hardest rules
(R-OWNER, R-DEDUP, R-CANCEL) are about those copies, so the organisations of
:mod:`._orgs` build every meeting this way.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from .._domain import SALESFORCE
from .._enums import AttendeeRole, Response, Sensitivity
from .._values import Attendee, CalendarItem
from . import _pieces as p
from ._arguments import Options
from ._people import People


def meeting(
    draw: st.DrawFn, n: int, people: People, as_of: dt.datetime, opts: Options
) -> tuple[CalendarItem, ...]:
    """One meeting (or appointment) as it shows in each of its copies' mailboxes."""
    mailboxes, organizer, guests = _cast(draw, people, opts)
    answers, attendees = _invitation(draw, mailboxes, organizer, guests)
    slot = p.slot(draw, as_of, recurring=opts.recurring)
    subject, body, location = draw(p.texts), draw(p.texts), draw(p.texts)
    sensitivity = draw(st.sampled_from((Sensitivity.NORMAL,) * 3 + tuple(Sensitivity)))
    calendar_id = draw(st.sampled_from((None,) * 5 + ("group-calendar-1",)))
    cancelled = draw(st.sampled_from((False,) * 9 + (True,)))
    attachments = draw(p.attachment_lists)
    return tuple(
        CalendarItem(
            id=f"AAMk-{n}-{k}",
            ical_uid=f"meeting-{n}@{people.domain}",
            mailbox=mailbox,
            start=slot.start,
            end=slot.end,
            is_all_day=slot.is_all_day,
            time_zone=slot.time_zone,
            recurrence=slot.recurrence,
            subject=subject,
            body=body,
            location=location,
            organizer=organizer,
            attendees=attendees,
            response=answers[mailbox],
            sensitivity=sensitivity,
            # "Company" is also a generated route's category: users may name one alike.
            categories=draw(st.sets(st.sampled_from(("Blue", SALESFORCE, "Company")), max_size=1)),
            is_cancelled=cancelled,
            calendar_id=calendar_id,
            attachments=attachments,
            version="ck1",
        )
        for k, mailbox in enumerate(mailboxes)
    )


def _cast(
    draw: st.DrawFn, people: People, opts: Options
) -> tuple[list[str], str | None, list[str]]:
    """The mailboxes holding a copy, the organizer, and who the organizer invited.

    With ``min_copies`` 1 some are appointments: one copy, no organizer, no guests.
    """
    emails = [u.email for u in people.users]
    high = max(opts.min_copies, min(len(emails), 5) if opts.max_copies is None else opts.max_copies)
    outsiders = (people.colleague, *people.externals)
    if opts.min_copies == 1 and draw(st.sampled_from((False, False, True))):
        return [draw(st.sampled_from(emails))], None, []
    mailboxes = p.some(draw, emails, low=opts.min_copies, high=high)
    organizer = draw(st.sampled_from((mailboxes[0], mailboxes[0], *outsiders)))
    extra = p.some(draw, outsiders, high=3)
    guests = [a for a in dict.fromkeys([*mailboxes, *extra]) if a != organizer]
    if not guests:  # a meeting has someone besides its organizer
        guests = [outsiders[-1]]
    return mailboxes, organizer, guests


def _invitation(
    draw: st.DrawFn, mailboxes: list[str], organizer: str | None, guests: list[str]
) -> tuple[dict[str, Response], tuple[Attendee, ...]]:
    """Each copy's own answer, and the attendee list every copy shows."""
    # The organizer's copy answers ORGANIZER; each attendee's copy, their own answer.
    answers = {
        m: Response.ORGANIZER
        if organizer in (None, m)
        else draw(st.sampled_from((*p.ANSWERS, Response.NOT_RESPONDED)))
        for m in mailboxes
    }
    attendees = tuple(
        Attendee(
            email=guest,
            # A guest with a copy shows that copy's answer; anyone else, an answer of their own.
            response=answers.get(guest) or draw(st.sampled_from(p.ANSWERS)),
            role=draw(st.sampled_from((AttendeeRole.REQUIRED,) * 3 + (AttendeeRole.OPTIONAL,))),
        )
        for guest in guests
    )
    return answers, attendees
