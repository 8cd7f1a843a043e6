"""The bundled example organisation: ``calsync plan --example`` and ``calsync example DIR``.

Acme (``acme.example``) sells to Northwind, Contoso and Fabrikam. Four users
sync their calendars, with different switches:

====================  ====================  ===========================================
user                  Salesforce user id    switches
====================  ====================  ===========================================
ana@acme.example      005000000000001AAA    the defaults (meetings on, appointments off)
ben@acme.example      005000000000002AAA    appointment_autosave on
chloe@acme.example    005000000000003AAA    meeting_autosave off
dev@acme.example      005000000000004AAA    the defaults
====================  ====================  ===========================================

The org blocklists ``gmail.com``. The directory holds two contacts with their
accounts (Bob Martin at Northwind, Carol Diaz at Contoso) and one lead (Erin
Walsh at Fabrikam). ``after`` is observed on 2026-11-24 at 09:00 UTC, so the
window (R-WINDOW, 14 days back and 60 ahead) runs from 10 November 2026 to
23 January 2027. Its seventeen calendar items, by id, and what each shows:

``ana-renewal``
    An accepted meeting organised by a customer contact: autosaved as an event
    owned by Ana, Who the contact, What the contact's account
    (R-AUTOSAVE-MEETING, R-LINK).
``ana-team-sync``
    Ana's weekly meeting with colleagues only: skipped (R-INTERNAL).
``ben-proposal-prep``
    An appointment of Ben, whose appointment autosave is on: saved with no Who
    and no What (R-AUTOSAVE-APPOINTMENT).
``ana-focus-time``
    An appointment of Ana, whose appointment autosave is off: skipped.
``ben-doctor``
    Ben's private appointment: never autosaved, even with his switch on
    (R-PRIVATE).
``dev-pricing-review``
    A private meeting Dev saved by hand with the ``Salesforce`` category: saved
    as a private event related to no record (R-PRIVATE).
``ana-globex-intro``
    Saved by hand, but Globex's participant has no record yet: the issue
    UNRESOLVED_PARTICIPANTS, retried on every run (R-NOT-LINKED).
``ben-northwind-rollout``
    A 20-day all-day item: Salesforce takes at most 14 days, so the issue
    ALL_DAY_TOO_LONG and nothing saved (R-LIMIT-ALLDAY).
``ana-escalation`` and ``dev-escalation``
    One meeting Ana organizes, in Ana's and in Dev's mailbox: one event, owned
    by Ana, with Dev as its invitee and Bob as its Who (R-OWNER, R-WAIT-ORGANIZER).
``chloe-planning`` and ``ben-planning``
    One meeting Chloe organizes but does not save (her meeting autosave is
    off): Ben's accepted copy waits, with the issue WAITING_FOR_ORGANIZER, until
    Chloe saves it (R-WAIT-ORGANIZER).
``chloe-contoso-qbr``
    A meeting Chloe declined, then saved by hand: the issue ISE-013
    (R-UNRESPONDED).
``chloe-fabrikam-discovery``
    An accepted meeting with a lead, but Chloe's meeting autosave is off:
    skipped (R-AUTOSAVE-MEETING).
``ana-northwind-kickoff``
    An accepted customer meeting in February 2027, beyond the window: skipped
    without an issue (R-WINDOW).
``dev-coffee-frank``
    A meeting organised from a gmail.com address: skipped (R-BLOCKLIST).
``dev-contoso-workshop``
    Linked by the previous run to event ``00U000000000001AAA``; since then Dev
    renamed it and moved it to another room, so the event is updated
    (R-UPDATE).

``00U000000000002AAA``
    A call Ben logged in Salesforce since the previous run: a calendar item is
    created for it in Ben's mailbox, and the event is stamped with the item's
    UID so the two stay linked (R-DOWN-CREATE).

``before`` is the state after the previous run, a day earlier: the items that
existed then (the linked workshop with the ``Salesforce`` category, and the
ones that run skipped) and the workshop's event. It is converged -- reconciling
it with itself plans nothing -- and every item changed since has a new
``version``. Everything here is built in code from fixed instants: no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from .._enums import RecordKind, Response, Sensitivity
from .._values import (
    Attendee,
    CalendarItem,
    OrgSettings,
    Record,
    SfEvent,
    Snapshot,
    UserSettings,
)

AS_OF = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
#: When the previous run observed both systems.
BEFORE_AS_OF = AS_OF - dt.timedelta(days=1)

ANA, BEN, CHLOE, DEV = (f"{name}@acme.example" for name in ("ana", "ben", "chloe", "dev"))
ANA_ID, BEN_ID, CHLOE_ID, DEV_ID = (f"00500000000000{n}AAA" for n in "1234")

BOB = "bob.martin@northwind.example"
CAROL = "carol.diaz@contoso.example"
ERIN = "erin.walsh@fabrikam.example"
NORTHWIND, CONTOSO = "001000000000001AAA", "001000000000002AAA"
BOB_ID, CAROL_ID, ERIN_ID = "003000000000001AAA", "003000000000002AAA", "00Q000000000001AAA"

WORKSHOP_EVENT_ID = "00U000000000001AAA"
_ZONE = "Europe/London"  # Acme's office; instants themselves are UTC


def _at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def _guest(email: str, name: str, response: Response = Response.ACCEPTED) -> Attendee:
    return Attendee(email=email, name=name, response=response)


def example_settings() -> OrgSettings:
    """Acme's settings: four users with different switches, gmail.com blocklisted."""
    return OrgSettings(
        users=(
            UserSettings(email=ANA, sf_user_id=ANA_ID),
            UserSettings(email=BEN, sf_user_id=BEN_ID, appointment_autosave=True),
            UserSettings(email=CHLOE, sf_user_id=CHLOE_ID, meeting_autosave=False),
            UserSettings(email=DEV, sf_user_id=DEV_ID),
        ),
        company_domains=frozenset({"acme.example"}),
        blocklist=frozenset({"gmail.com"}),
    )


def _records() -> tuple[Record, ...]:
    return (
        Record(id=NORTHWIND, kind=RecordKind.ACCOUNT, name="Northwind Traders"),
        Record(id=CONTOSO, kind=RecordKind.ACCOUNT, name="Contoso Ltd"),
        Record(
            id=BOB_ID, kind=RecordKind.CONTACT, email=BOB, account_id=NORTHWIND, name="Bob Martin"
        ),
        Record(
            id=CAROL_ID, kind=RecordKind.CONTACT, email=CAROL, account_id=CONTOSO, name="Carol Diaz"
        ),
        Record(id=ERIN_ID, kind=RecordKind.LEAD, email=ERIN, name="Erin Walsh"),
    )


def _workshop(*, edited: bool) -> CalendarItem:
    """Dev's workshop, linked to its event by the previous run; ``edited``: as it is now."""
    return CalendarItem(
        id="dev-contoso-workshop",
        ical_uid="contoso-workshop-1203@acme.example",
        mailbox=DEV,
        start=_at(12, 3, 9),
        end=_at(12, 3, 12),
        time_zone=_ZONE,
        subject="Contoso onboarding workshop (part 1)" if edited else "Contoso onboarding workshop",
        location="Contoso HQ, Room 4" if edited else "Contoso HQ, Room 2",
        body="Admin console walkthrough and data import plan.",
        attendees=(_guest(DEV, "Dev Patel", Response.ORGANIZER), _guest(CAROL, "Carol Diaz")),
        categories=frozenset({"Salesforce"}),
        sf_event_id=WORKSHOP_EVENT_ID,
        version="ck-dev-contoso-workshop-2" if edited else "ck-dev-contoso-workshop-1",
    )


def _workshop_event() -> SfEvent:
    """The event the previous run created from the workshop; unchanged in Salesforce since."""
    return SfEvent(
        id=WORKSHOP_EVENT_ID,
        owner_id=DEV_ID,
        start=_at(12, 3, 9),
        end=_at(12, 3, 12),
        subject="Contoso onboarding workshop",
        location="Contoso HQ, Room 2",
        description="Admin console walkthrough and data import plan.",
        who_ids=(CAROL_ID,),
        what_ids=(CONTOSO,),
        ical_uid="contoso-workshop-1203@acme.example",
        created_by_sync=True,
        time_zone=_ZONE,
        version="sf-2026-11-20T16:02:11Z",
    )


#: One guest as a row writes it: (email, name), accepted; or (email, name, response).
_Guest = tuple[str, str] | tuple[str, str, Response]


class _Details(TypedDict, total=False):
    """The fields a row sets beyond those every item has; the rest keep their defaults."""

    location: str
    body: str
    organizer: str
    response: Response
    sensitivity: Sensitivity
    is_all_day: bool
    categories: frozenset[str]


#: One item: (id, ical_uid, mailbox, start, end, subject, guests, details). Rows,
#: not code, so that the example reads as the table of calendars it is.
_Row = tuple[str, str, str, dt.datetime, dt.datetime, str, tuple[_Guest, ...], _Details]

_ORGANIZER, _DECLINED = Response.ORGANIZER, Response.DECLINED
_SALESFORCE = frozenset({"Salesforce"})  # the user asked for a manual save

#: Items that already existed at the previous run, which skipped them; untouched since.
_UNCHANGED: tuple[_Row, ...] = (
    (
        "ana-team-sync", "team-sync-1125@acme.example", ANA,
        _at(11, 25, 10), _at(11, 25, 10, 30), "Weekly sales team sync",
        ((ANA, "Ana Lima", _ORGANIZER), (BEN, "Ben Carter"), (CHLOE, "Chloe Dubois"),
         (DEV, "Dev Patel")),
        {"location": "Teams"},
    ),
    (
        "ana-focus-time", "focus-1127@acme.example", ANA,
        _at(11, 27, 8), _at(11, 27, 10), "Focus time: Q1 forecast",
        (), {},
    ),
    (
        "ben-doctor", "doctor-1130@acme.example", BEN,
        _at(11, 30, 16), _at(11, 30, 17), "Doctor's appointment",
        (), {"sensitivity": Sensitivity.PRIVATE},
    ),
    (
        "chloe-fabrikam-discovery", "discovery-1201@fabrikam.example", CHLOE,
        _at(12, 1, 14), _at(12, 1, 14, 45), "Fabrikam discovery call",
        ((ERIN, "Erin Walsh", _ORGANIZER), (CHLOE, "Chloe Dubois")),
        {"organizer": ERIN, "response": Response.ACCEPTED},
    ),
    (
        "ana-northwind-kickoff", "kickoff-2027@northwind.example", ANA,
        _at(2, 15, 14, year=2027), _at(2, 15, 16, year=2027), "Northwind 2027 kickoff",
        ((BOB, "Bob Martin", _ORGANIZER), (ANA, "Ana Lima")),
        {"location": "Northwind, Seattle", "organizer": BOB, "response": Response.ACCEPTED},
    ),
    (
        "dev-coffee-frank", "coffee-1126@google.com", DEV,
        _at(11, 26, 8, 30), _at(11, 26, 9), "Coffee with Frank",
        (("frank.li@gmail.com", "Frank Li", _ORGANIZER), (DEV, "Dev Patel")),
        {"location": "Monmouth Coffee", "organizer": "frank.li@gmail.com",
         "response": Response.ACCEPTED},
    ),
)  # fmt: skip

#: Items that appeared since the previous run, each with a mailbox of its own.
_NEW: tuple[_Row, ...] = (
    (
        "ana-renewal", "renewal-1126@northwind.example", ANA,
        _at(11, 26, 15), _at(11, 26, 15, 45), "Northwind renewal call",
        ((BOB, "Bob Martin", _ORGANIZER), (ANA, "Ana Lima")),
        {"location": "Microsoft Teams", "body": "Renewal terms for 2027 and the seat count.",
         "organizer": BOB, "response": Response.ACCEPTED},
    ),
    (
        "ben-proposal-prep", "proposal-prep-1125@acme.example", BEN,
        _at(11, 25, 13), _at(11, 25, 15), "Prepare Contoso proposal",
        (), {},
    ),
    (
        "dev-pricing-review", "pricing-1202@contoso.example", DEV,
        _at(12, 2, 11), _at(12, 2, 12), "Contoso pricing review",
        ((CAROL, "Carol Diaz", _ORGANIZER), (DEV, "Dev Patel")),
        {"body": "Discount approval needed above 15%.", "organizer": CAROL,
         "response": Response.ACCEPTED, "sensitivity": Sensitivity.PRIVATE,
         "categories": _SALESFORCE},
    ),
    (
        "ana-globex-intro", "globex-intro-1130@acme.example", ANA,
        _at(11, 30, 10), _at(11, 30, 10, 30), "Intro call with Globex",
        ((ANA, "Ana Lima", _ORGANIZER),
         ("hank.scott@globex.example", "Hank Scott", Response.NOT_RESPONDED)),
        {"location": "Microsoft Teams", "categories": _SALESFORCE},
    ),
    (
        "ben-northwind-rollout", "rollout-1201@acme.example", BEN,
        _at(12, 1), _at(12, 21), "On site: Northwind rollout",
        (), {"is_all_day": True, "location": "Northwind, Seattle"},
    ),
)  # fmt: skip

#: A new item that comes after the shared meetings, so that the snapshot's order is kept.
_NEW_DECLINED: tuple[_Row, ...] = (
    (
        "chloe-contoso-qbr", "qbr-1204@contoso.example", CHLOE,
        _at(12, 4, 15), _at(12, 4, 16), "Contoso quarterly business review",
        ((CAROL, "Carol Diaz", _ORGANIZER), (CHLOE, "Chloe Dubois", _DECLINED)),
        {"organizer": CAROL, "response": _DECLINED, "categories": _SALESFORCE},
    ),
)  # fmt: skip

#: Meetings of an internal organizer, each as the organizer's and one attendee's copy:
#: (ical_uid, start, subject, organizer, guests), the attendee's mailbox first among guests.
_SHARED: tuple[tuple[str, dt.datetime, str, str, tuple[_Guest, ...]], ...] = (
    # Ana organizes, Dev and Bob (Northwind) attend: Ana's copy and Dev's copy.
    (
        "escalation-1127@acme.example", _at(11, 27, 10), "Northwind escalation review", ANA,
        ((DEV, "Dev Patel"), (BOB, "Bob Martin")),
    ),
    # Chloe (meeting autosave off) organizes, Ben and Carol (Contoso) attend.
    (
        "planning-1201@acme.example", _at(12, 1, 14), "Contoso account planning", CHLOE,
        ((BEN, "Ben Okafor"), (CAROL, "Carol Diaz")),
    ),
)  # fmt: skip


def _items(rows: Iterable[_Row]) -> tuple[CalendarItem, ...]:
    """The items of ``rows``: every one in Acme's zone, at its first version."""
    return tuple(
        CalendarItem(
            id=item_id,
            ical_uid=uid,
            mailbox=mailbox,
            start=start,
            end=end,
            time_zone=_ZONE,
            subject=subject,
            attendees=tuple(_guest(*guest) for guest in guests),
            version=f"ck-{item_id}-1",
            **details,
        )
        for item_id, uid, mailbox, start, end, subject, guests, details in rows
    )


def _unchanged_items() -> tuple[CalendarItem, ...]:
    """Items that already existed at the previous run, which skipped them; untouched since."""
    return _items(_UNCHANGED)


def _new_items() -> tuple[CalendarItem, ...]:
    """Items that appeared since the previous run."""
    shared = (row for meeting in _SHARED for row in _shared(*meeting))
    return _items((*_NEW, *shared, *_NEW_DECLINED))


def _shared(
    uid: str, start: dt.datetime, subject: str, organizer: str, guests: tuple[_Guest, ...]
) -> tuple[_Row, ...]:
    """One meeting of an internal organizer, as the organizer's and one attendee's copy."""
    rows: list[_Row] = []
    for mailbox, response in ((organizer, Response.ORGANIZER), (guests[0][0], Response.ACCEPTED)):
        # Each copy's id is its mailbox's user and the meeting's name: "ana-escalation".
        item_id = f"{mailbox.split('@')[0]}-{uid.split('-')[0]}"
        end = start + dt.timedelta(hours=1)
        details: _Details = {"organizer": organizer, "response": response}
        rows.append((item_id, uid, mailbox, start, end, subject, guests, details))
    return tuple(rows)


def _logged_call() -> SfEvent:
    """An event Ben logged in Salesforce itself since the previous run: no UID yet."""
    return SfEvent(
        id="00U000000000002AAA",
        owner_id=BEN_ID,
        start=_at(11, 30, 16),
        end=_at(11, 30, 16, 30),
        subject="Follow-up call with Erin (Fabrikam)",
        description="Send the pricing sheet before the call.",
        who_ids=(ERIN_ID,),
        time_zone=_ZONE,
        version="sf-2026-11-23T18:40:05Z",
    )


def example_before() -> Snapshot:
    """Both systems as the previous run left them, on 2026-11-23 at 09:00 UTC."""
    return Snapshot(
        as_of=BEFORE_AS_OF,
        items=(*_unchanged_items(), _workshop(edited=False)),
        events=(_workshop_event(),),
        records=_records(),
    )


def example_after() -> Snapshot:
    """Both systems as observed now, on 2026-11-24 at 09:00 UTC."""
    return Snapshot(
        as_of=AS_OF,
        items=(*_new_items(), *_unchanged_items(), _workshop(edited=True)),
        events=(_workshop_event(), _logged_call()),
        records=_records(),
    )
