"""Generated organisations for the whole-plan property tests.

An organisation here is settings plus a *history*: a first snapshot is
reconciled and applied (a sync that already ran), then users edit both sides
at random -- the shape every real run has. Meetings are copied into one to
three mailboxes, organizers are internal or external, some participants are
resolved, some are blocklisted, and some items break Salesforce's limits.

Besides the tidy edits, users do what real Exchange and Salesforce users do
(:mod:`calsync_core.testing._life`): reschedule past the window and back,
remove attendees, cancel one occurrence, copy linked items, toggle privacy,
relate Salesforce events to Contacts and Opportunities, forward invites; and
``after`` is what a faithful connector reads -- sometimes only the window and
what ``before`` saw in it.
"""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core.testing import _life as life
from calsync_core.testing._life import OPPORTUNITY

AS_OF = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
USERS = tuple(f"u{n}@acme.example" for n in range(6))
OUTSIDERS = ("x0@cust.example", "x1@cust.example", "x2@other.example", "y@spam.example")
COLLEAGUE = "c@acme.example"  # internal address, not a synced user
PUBLIC = "023public"  # a Salesforce public calendar
_SERIES = [None] * 4 + [
    cs.Recurrence(rule="FREQ=WEEKLY;COUNT=4"),
    cs.Recurrence(rule="FREQ=DAILY;INTERVAL=2"),
]


@attrs.frozen
class History:
    settings: cs.OrgSettings
    before: cs.Snapshot | None
    after: cs.Snapshot


def _sf_id(address: str) -> str:
    return "005" + address.split("@")[0]


@st.composite
def settings_(draw: st.DrawFn) -> cs.OrgSettings:
    count = draw(st.integers(1, len(USERS)))
    users = tuple(
        cs.UserSettings(
            email=address,
            sf_user_id=_sf_id(address),
            meeting_autosave=draw(st.sampled_from([True, True, False])),
            appointment_autosave=draw(st.booleans()),
            direction=draw(st.sampled_from([None, None, None, *cs.Direction])),
        )
        for address in USERS[:count]
    )
    addresses = tuple(u.email for u in users)
    return cs.OrgSettings(
        users=users,
        company_domains=frozenset({"acme.example"}),
        blocklist=draw(st.sampled_from([frozenset(), frozenset({"spam.example"})])),
        sync_unresponded_and_declined=draw(st.booleans()),
        autosave_private=draw(st.booleans()),
        autosave_internal=draw(st.booleans()),
        auto_create=draw(st.sampled_from([None, cs.RecordKind.CONTACT, cs.RecordKind.LEAD])),
        multiple_business_records=draw(st.booleans()),
        description_mode=draw(st.sampled_from(cs.DescriptionMode)),
        conflict_policy=draw(st.sampled_from(cs.ConflictPolicy)),
        required_fields=draw(st.sampled_from([frozenset(), frozenset({"location"})])),
        smart_auto_sharing=draw(st.booleans()),
        save_attachments=draw(st.booleans()),
        max_attachment_bytes=1000,
        empty_guard=draw(st.sampled_from([0, 1, 2, 5])),
        direction=draw(st.sampled_from([cs.Direction.BOTH] * 4 + list(cs.Direction))),
        delete_items_deleted_in_salesforce=draw(st.booleans()),
        advanced_calendaring=draw(st.booleans()),
        recurring_events=draw(st.booleans()),
        public_calendar_routes=draw(
            st.sampled_from(
                [
                    (),
                    (
                        cs.PublicCalendarRoute(
                            calendar_id=PUBLIC, mailboxes=addresses[:2], category="Company"
                        ),
                    ),
                ]
            )
        ),
    )


_texts = st.text(alphabet="abc xyz", max_size=6) | st.just("s" * 300)
# Salesforce itself never holds a Subject or Location over 255 characters.
_sf_texts = st.text(alphabet="abc xyz", max_size=6) | st.just("t" * 255)


@st.composite
def meeting_copies(draw: st.DrawFn, uid: str, users: tuple[str, ...]) -> list[cs.CalendarItem]:
    """One meeting (or appointment) as it appears in 1-5 mailboxes, mostly the users'."""
    # Now and then a copy sits in a mailbox that is not synced (a removed user).
    pool = st.sampled_from(users) | st.sampled_from(USERS)
    mailboxes = draw(st.lists(pool, min_size=1, max_size=5, unique=True))
    organizer = draw(st.sampled_from([mailboxes[0], COLLEAGUE, *OUTSIDERS]))
    others = draw(st.lists(st.sampled_from([*USERS, COLLEAGUE, *OUTSIDERS]), max_size=4))
    start = AS_OF + dt.timedelta(hours=draw(st.integers(-24 * 30, 24 * 90)))
    all_day = draw(st.booleans())
    length = dt.timedelta(hours=draw(st.sampled_from([0, 1, 2, 30, 24 * 20])))
    common = {
        "ical_uid": uid,
        "start": start,
        "end": start + length,
        "is_all_day": all_day,
        "subject": draw(_texts),
        "location": draw(_texts),
        "body": draw(_texts),
        "sensitivity": draw(st.sampled_from(cs.Sensitivity)),
        "calendar_id": draw(st.none() | st.just("group-1")),
        "organizer": organizer,
        "is_cancelled": draw(st.sampled_from([False] * 9 + [True])),
        "version": "v1",
    }
    copies = []
    for mailbox in mailboxes:
        people = [a for a in dict.fromkeys([*mailboxes, *others]) if a != organizer]
        copies.append(
            cs.CalendarItem(
                id=f"{uid}@{mailbox}",
                mailbox=mailbox,
                attendees=tuple(cs.Attendee(email=p) for p in people),
                response=cs.Response.ORGANIZER
                if mailbox == organizer
                else draw(st.sampled_from(cs.Response)),
                # "Company" is also the route's category: a user may name one alike.
                categories=draw(st.sets(st.sampled_from(["Salesforce", "Blue", "Company"]))),
                attachments=draw(
                    st.sampled_from(
                        [
                            (),
                            (cs.Attachment(id="a1", name="deck.pdf", size=10),),
                            (cs.Attachment(id="a2", name="video.mp4", size=5000),),
                        ]
                    )
                ),
                link_choice=draw(
                    st.sampled_from(
                        [None] * 6
                        + [cs.LinkChoice(who_id="003x0"), cs.LinkChoice(what_id="006opp")]
                    )
                ),
                **common,
            )
        )
    return copies


@st.composite
def first_snapshots(draw: st.DrawFn, settings: cs.OrgSettings) -> cs.Snapshot:
    users = tuple(u.email for u in settings.users)
    items: list[cs.CalendarItem] = []
    for n in range(draw(st.integers(0, 6))):
        items.extend(draw(meeting_copies(f"m{n}", users)))
    records = [
        cs.Record(id="003x0", kind=cs.RecordKind.CONTACT, email=OUTSIDERS[0], account_id="001a"),
        *draw(
            st.lists(
                st.sampled_from(
                    [
                        cs.Record(id="00Qx1", kind=cs.RecordKind.LEAD, email=OUTSIDERS[1]),
                        cs.Record(
                            id="003x2",
                            kind=cs.RecordKind.CONTACT,
                            email=OUTSIDERS[2],
                            account_id="001b",
                        ),
                        cs.Record(id="003y", kind=cs.RecordKind.CONTACT, email=OUTSIDERS[3]),
                    ]
                ),
                unique=True,
            )
        ),
    ]
    owners = [_sf_id(u) for u in users] + [PUBLIC, "005stranger"]
    events = [draw(salesforce_events(f"00Usf{n}", owners)) for n in range(draw(st.integers(0, 3)))]
    return cs.Snapshot(
        as_of=AS_OF, items=tuple(items), events=tuple(events), records=tuple(records)
    )


@st.composite
def salesforce_events(draw: st.DrawFn, event_id: str, owners: list[str]) -> cs.SfEvent:
    """An event made in Salesforce: no iCalendar UID, owned by a user, a public calendar or
    someone who is not synced."""
    start = AS_OF + dt.timedelta(hours=draw(st.integers(-24 * 30, 24 * 90)))
    hours = draw(st.sampled_from([0, 1, 3, 30]))
    private = draw(st.booleans())
    # Salesforce users relate events to Contacts and Opportunities; a private one to nobody.
    related = not private and draw(st.booleans())
    return cs.SfEvent(
        id=event_id,
        owner_id=draw(st.sampled_from(owners)),
        start=start,
        end=start + dt.timedelta(hours=hours),
        subject=draw(_sf_texts),
        description=draw(_texts),
        location=draw(_sf_texts),
        is_private=private,
        who_ids=("003x0",) if related else (),
        what_ids=(OPPORTUNITY.id,) if related else (),
        recurrence=draw(st.sampled_from(_SERIES)),
        recurrence_format=draw(st.sampled_from(cs.RecurrenceFormat)),
        version="e1",
    )


def _bump(item: cs.CalendarItem, **changes: object) -> cs.CalendarItem:
    return attrs.evolve(item, version=item.version + "'", **changes)  # type: ignore[arg-type]


@st.composite
def edits(draw: st.DrawFn, snapshot: cs.Snapshot) -> cs.Snapshot:
    """What users do between two runs, on both sides -- and what a failed fetch looks like."""
    items: list[cs.CalendarItem | None] = list(snapshot.items)
    events = list(snapshot.events)
    choices = [
        "none",
        "none",
        "none",
        "subject",
        "move",
        "body",
        "save",
        "unsync",
        "cancel",
        "delete",
    ]
    for n, item in enumerate(snapshot.items):
        choice = draw(st.sampled_from(choices))
        if choice == "subject":
            items[n] = _bump(item, subject=draw(_texts), location=draw(_texts))
        elif choice == "move":
            items[n] = _bump(
                item, start=item.start + dt.timedelta(hours=1), end=item.end + dt.timedelta(hours=1)
            )
        elif choice == "body":
            items[n] = _bump(
                item, body=draw(_texts), sensitivity=draw(st.sampled_from(cs.Sensitivity))
            )
        elif choice == "save":
            items[n] = _bump(item, categories=item.categories | {"Salesforce"})
        elif choice == "unsync":
            items[n] = _bump(item, categories=item.categories | {"Salesforce Unsync"})
        elif choice == "cancel":
            items[n] = _bump(item, is_cancelled=True)
        elif choice == "delete":
            items[n] = None
    if draw(st.booleans()) and snapshot.items:
        # One mailbox comes back empty, as a failed fetch would (R-EMPTY-GUARD).
        lost = draw(st.sampled_from(sorted({i.mailbox for i in snapshot.items})))
        items = [i for i in items if i is not None and i.mailbox != lost]
    for n in reversed(range(len(events))):
        choice = draw(
            st.sampled_from(
                ["none", "subject", "subject", "move", "private", "notes", "delete", "duplicate"]
            )
        )
        event = events[n]
        bumped = event.version + "'"
        if choice == "subject":
            events[n] = attrs.evolve(event, subject=draw(_sf_texts), location="HQ", version=bumped)
        elif choice == "move":
            events[n] = attrs.evolve(
                event,
                start=event.start + dt.timedelta(hours=2),
                end=event.end + dt.timedelta(hours=2),
                version=bumped,
            )
        elif choice == "private" and event.is_private:
            events[n] = attrs.evolve(event, is_private=False, version=bumped)
        elif choice == "private":
            # Salesforce refuses a private event with relations: the user clears them.
            events[n] = attrs.evolve(
                event, is_private=True, who_ids=(), what_ids=(), invitee_ids=(), version=bumped
            )
        elif choice == "notes":
            events[n] = attrs.evolve(event, description="internal notes", version=bumped)
        elif choice == "delete":
            del events[n]
        elif choice == "duplicate":
            twin = attrs.evolve(
                events[n], id=events[n].id + "-twin", created_by_sync=draw(st.booleans())
            )
            events.append(twin)
    records = list(snapshot.records)
    if draw(st.booleans()):
        records.append(cs.Record(id="003x1", kind=cs.RecordKind.CONTACT, email=OUTSIDERS[1]))
    return attrs.evolve(
        snapshot,
        items=tuple(i for i in items if i is not None),
        events=tuple(events),
        records=tuple(records),
    )


@st.composite
def histories(draw: st.DrawFn) -> History:
    settings = draw(settings_())
    first = draw(first_snapshots(settings))
    if draw(st.booleans()):
        return History(settings=settings, before=None, after=first)
    synced = life.with_occurrences(cs.apply(first, cs.reconcile(None, first, settings)))
    edited = draw(edits(synced))
    world = life.World.start(
        settings, synced, as_of=edited.as_of, items=edited.items, events=edited.events,
        records=edited.records,
    )  # fmt: skip
    life.live(draw, world)
    if draw(st.sampled_from([False] * 5 + [True])):
        life.empty_fetch(draw, world)
    return History(settings=settings, before=synced, after=life.as_read(draw, world))


def shuffled(snapshot: cs.Snapshot, data: st.DataObject) -> cs.Snapshot:
    return attrs.evolve(
        snapshot,
        items=data.draw(st.permutations(snapshot.items)),
        events=data.draw(st.permutations(snapshot.events)),
        records=data.draw(st.permutations(snapshot.records)),
    )
