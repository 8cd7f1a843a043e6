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

from ._enums import RecordKind, Response, Sensitivity
from ._values import (
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


def _unchanged_items() -> tuple[CalendarItem, ...]:
    """Items that already existed at the previous run, which skipped them; untouched since."""
    return (
        CalendarItem(
            id="ana-team-sync",
            ical_uid="team-sync-1125@acme.example",
            mailbox=ANA,
            start=_at(11, 25, 10),
            end=_at(11, 25, 10, 30),
            time_zone=_ZONE,
            subject="Weekly sales team sync",
            location="Teams",
            attendees=(
                _guest(ANA, "Ana Lima", Response.ORGANIZER),
                _guest(BEN, "Ben Carter"),
                _guest(CHLOE, "Chloe Dubois"),
                _guest(DEV, "Dev Patel"),
            ),
            version="ck-ana-team-sync-1",
        ),
        CalendarItem(
            id="ana-focus-time",
            ical_uid="focus-1127@acme.example",
            mailbox=ANA,
            start=_at(11, 27, 8),
            end=_at(11, 27, 10),
            time_zone=_ZONE,
            subject="Focus time: Q1 forecast",
            version="ck-ana-focus-time-1",
        ),
        CalendarItem(
            id="ben-doctor",
            ical_uid="doctor-1130@acme.example",
            mailbox=BEN,
            start=_at(11, 30, 16),
            end=_at(11, 30, 17),
            time_zone=_ZONE,
            subject="Doctor's appointment",
            sensitivity=Sensitivity.PRIVATE,
            version="ck-ben-doctor-1",
        ),
        CalendarItem(
            id="chloe-fabrikam-discovery",
            ical_uid="discovery-1201@fabrikam.example",
            mailbox=CHLOE,
            start=_at(12, 1, 14),
            end=_at(12, 1, 14, 45),
            time_zone=_ZONE,
            subject="Fabrikam discovery call",
            organizer=ERIN,
            response=Response.ACCEPTED,
            attendees=(
                _guest(ERIN, "Erin Walsh", Response.ORGANIZER),
                _guest(CHLOE, "Chloe Dubois"),
            ),
            version="ck-chloe-fabrikam-discovery-1",
        ),
        CalendarItem(
            id="ana-northwind-kickoff",
            ical_uid="kickoff-2027@northwind.example",
            mailbox=ANA,
            start=_at(2, 15, 14, year=2027),
            end=_at(2, 15, 16, year=2027),
            time_zone=_ZONE,
            subject="Northwind 2027 kickoff",
            location="Northwind, Seattle",
            organizer=BOB,
            response=Response.ACCEPTED,
            attendees=(_guest(BOB, "Bob Martin", Response.ORGANIZER), _guest(ANA, "Ana Lima")),
            version="ck-ana-northwind-kickoff-1",
        ),
        CalendarItem(
            id="dev-coffee-frank",
            ical_uid="coffee-1126@google.com",
            mailbox=DEV,
            start=_at(11, 26, 8, 30),
            end=_at(11, 26, 9),
            time_zone=_ZONE,
            subject="Coffee with Frank",
            location="Monmouth Coffee",
            organizer="frank.li@gmail.com",
            response=Response.ACCEPTED,
            attendees=(
                _guest("frank.li@gmail.com", "Frank Li", Response.ORGANIZER),
                _guest(DEV, "Dev Patel"),
            ),
            version="ck-dev-coffee-frank-1",
        ),
    )


def _new_items() -> tuple[CalendarItem, ...]:
    """Items that appeared since the previous run."""
    salesforce = frozenset({"Salesforce"})  # the user asked for a manual save
    return (
        CalendarItem(
            id="ana-renewal",
            ical_uid="renewal-1126@northwind.example",
            mailbox=ANA,
            start=_at(11, 26, 15),
            end=_at(11, 26, 15, 45),
            time_zone=_ZONE,
            subject="Northwind renewal call",
            location="Microsoft Teams",
            body="Renewal terms for 2027 and the seat count.",
            organizer=BOB,
            response=Response.ACCEPTED,
            attendees=(_guest(BOB, "Bob Martin", Response.ORGANIZER), _guest(ANA, "Ana Lima")),
            version="ck-ana-renewal-1",
        ),
        CalendarItem(
            id="ben-proposal-prep",
            ical_uid="proposal-prep-1125@acme.example",
            mailbox=BEN,
            start=_at(11, 25, 13),
            end=_at(11, 25, 15),
            time_zone=_ZONE,
            subject="Prepare Contoso proposal",
            version="ck-ben-proposal-prep-1",
        ),
        CalendarItem(
            id="dev-pricing-review",
            ical_uid="pricing-1202@contoso.example",
            mailbox=DEV,
            start=_at(12, 2, 11),
            end=_at(12, 2, 12),
            time_zone=_ZONE,
            subject="Contoso pricing review",
            body="Discount approval needed above 15%.",
            organizer=CAROL,
            response=Response.ACCEPTED,
            sensitivity=Sensitivity.PRIVATE,
            attendees=(_guest(CAROL, "Carol Diaz", Response.ORGANIZER), _guest(DEV, "Dev Patel")),
            categories=salesforce,
            version="ck-dev-pricing-review-1",
        ),
        CalendarItem(
            id="ana-globex-intro",
            ical_uid="globex-intro-1130@acme.example",
            mailbox=ANA,
            start=_at(11, 30, 10),
            end=_at(11, 30, 10, 30),
            time_zone=_ZONE,
            subject="Intro call with Globex",
            location="Microsoft Teams",
            attendees=(
                _guest(ANA, "Ana Lima", Response.ORGANIZER),
                _guest("hank.scott@globex.example", "Hank Scott", Response.NOT_RESPONDED),
            ),
            categories=salesforce,
            version="ck-ana-globex-intro-1",
        ),
        CalendarItem(
            id="ben-northwind-rollout",
            ical_uid="rollout-1201@acme.example",
            mailbox=BEN,
            start=_at(12, 1),
            end=_at(12, 21),
            is_all_day=True,
            time_zone=_ZONE,
            subject="On site: Northwind rollout",
            location="Northwind, Seattle",
            version="ck-ben-northwind-rollout-1",
        ),
        *_escalation(),
        *_planning(),
        CalendarItem(
            id="chloe-contoso-qbr",
            ical_uid="qbr-1204@contoso.example",
            mailbox=CHLOE,
            start=_at(12, 4, 15),
            end=_at(12, 4, 16),
            time_zone=_ZONE,
            subject="Contoso quarterly business review",
            organizer=CAROL,
            response=Response.DECLINED,
            attendees=(
                _guest(CAROL, "Carol Diaz", Response.ORGANIZER),
                _guest(CHLOE, "Chloe Dubois", Response.DECLINED),
            ),
            categories=salesforce,
            version="ck-chloe-contoso-qbr-1",
        ),
    )


def _shared(
    uid: str, start: dt.datetime, subject: str, organizer: str, attendees: tuple[Attendee, ...]
) -> tuple[CalendarItem, ...]:
    """One meeting of an internal organizer, as the organizer's and one attendee's copy."""
    attendee = attendees[0].email
    return tuple(
        CalendarItem(
            id=f"{mailbox.split('@')[0]}-{uid.split('-')[0]}",
            ical_uid=uid,
            mailbox=mailbox,
            start=start,
            end=start + dt.timedelta(hours=1),
            time_zone=_ZONE,
            subject=subject,
            organizer=organizer,
            attendees=attendees,
            response=response,
            version=f"ck-{mailbox.split('@')[0]}-{uid.split('-')[0]}-1",
        )
        for mailbox, response in ((organizer, Response.ORGANIZER), (attendee, Response.ACCEPTED))
    )


def _escalation() -> tuple[CalendarItem, ...]:
    """Ana organizes, Dev and Bob (Northwind) attend: Ana's copy and Dev's copy."""
    guests = (_guest(DEV, "Dev Patel"), _guest(BOB, "Bob Martin"))
    uid = "escalation-1127@acme.example"
    return _shared(uid, _at(11, 27, 10), "Northwind escalation review", ANA, guests)


def _planning() -> tuple[CalendarItem, ...]:
    """Chloe (meeting autosave off) organizes, Ben and Carol (Contoso) attend."""
    guests = (_guest(BEN, "Ben Okafor"), _guest(CAROL, "Carol Diaz"))
    uid = "planning-1201@acme.example"
    return _shared(uid, _at(12, 1, 14), "Contoso account planning", CHLOE, guests)


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
