"""Minimal histories the properties once failed on, kept as explicit examples.

Each is the smallest shape a property failure shrank to (by hand where
Hypothesis's shrinking could not go further), named for what a real user did.
They run on every test run, before anything is generated, so a regression
shows at once and without shrinking.
"""

from __future__ import annotations

import datetime as dt

import attrs

import calsync_core as cs

from .orgs import AS_OF, History

U0, U1 = "u0@acme.example", "u1@acme.example"
TWO_USERS = cs.OrgSettings(
    users=(cs.UserSettings(email=U0, sf_user_id="005u0"),
           cs.UserSettings(email=U1, sf_user_id="005u1")),
    company_domains=frozenset({"acme.example"}),
)  # fmt: skip
_START = AS_OF + dt.timedelta(days=1)
_HOUR = dt.timedelta(hours=1)


def _downsynced(event_id: str, owner: str = "005u0", mailbox: str = U0) -> tuple[
    cs.CalendarItem, cs.SfEvent
]:  # fmt: skip
    """An event made in Salesforce and the item sync made for it (R-DOWN-CREATE)."""
    uid = f"sf-{event_id}@calsync"
    event = cs.SfEvent(id=event_id, owner_id=owner, start=_START, end=_START + _HOUR,
                       subject="Review", ical_uid=uid, version="e1")  # fmt: skip
    item = cs.CalendarItem(id=f"item-{event_id}", ical_uid=uid, mailbox=mailbox, start=_START,
                           end=_START + _HOUR, subject="Review", categories={"Salesforce"},
                           sf_event_id=event_id, version="v1")  # fmt: skip
    return item, event


def copy_of_an_item_whose_event_was_deleted() -> History:
    """u0 copies a downsynced item in Outlook (the copy keeps the stamp and the
    ``Salesforce`` category) while the event is deleted in Salesforce. The plan
    unlinks the item, clears the copy's stamp and marks it Sync Error; the next
    run takes the copy's ``Salesforce`` category for a manual save and creates the
    deleted event again (P-CONVERGENCE; R-DOWN-DELETE marks such items by the
    deleted event's id, which R-DEDUP has just cleared)."""
    item, event = _downsynced("00Udeleted")
    copy = attrs.evolve(item, id="item-copy", version="c1")
    return History(
        settings=TWO_USERS,
        before=cs.Snapshot(as_of=AS_OF, items=(item,), events=(event,)),
        after=cs.Snapshot(as_of=AS_OF, items=(item, copy)),
    )


def stamp_of_another_users_event_out_of_view() -> History:
    """u0's item carries the id of u1's event, which is out of view (before saw it
    outside the window; the read does not show it). The plan marks the item Sync
    Error because ``before`` says the event is u1's; the next run, whose ``before``
    no longer holds the event, removes the mark again (P-CONVERGENCE)."""
    far = AS_OF - dt.timedelta(days=40)
    event = cs.SfEvent(id="00Uelsewhere", owner_id="005u1", start=far, end=far + _HOUR,
                       version="e1")  # fmt: skip
    item = cs.CalendarItem(id="item", ical_uid="uid-1", mailbox=U0, start=_START,
                           end=_START + _HOUR, version="v1")  # fmt: skip
    stamped = attrs.evolve(item, sf_event_id=event.id, categories={"Salesforce"}, version="v2")
    return History(
        settings=TWO_USERS,
        before=cs.Snapshot(as_of=AS_OF, items=(item,), events=(event,)),
        after=cs.Snapshot(as_of=AS_OF, items=(stamped,)),
    )


def route_copy_out_of_view() -> History:
    """u0 moved their copy of a public calendar event 90 days out; ``before`` saw it
    there, so it is out of view, not gone. The plan makes a second copy beside it."""
    route = cs.PublicCalendarRoute(calendar_id="023public", mailboxes=(U0,), category="Company")
    settings = attrs.evolve(TWO_USERS, public_calendar_routes=(route,))
    item, event = _downsynced("00Upublic", owner="023public")
    far = AS_OF + dt.timedelta(days=90)
    moved = attrs.evolve(item, start=far, end=far + _HOUR, categories={"Company"}, version="v2")
    return History(
        settings=settings,
        before=cs.Snapshot(as_of=AS_OF, items=(moved,), events=(event,)),
        after=cs.Snapshot(as_of=AS_OF, events=(event,)),
    )


def organizers_salesforce_side_empty() -> History:
    """u1 organizes a meeting u0 accepted; u0's copy is an invitee of u1's event. Then
    u1's events all come back empty (R-EMPTY-GUARD holds the owner 005u1), and u1's own
    copy is not in view. The plan takes "no copy and no event" for a deleted meeting
    and unlinks u0's copy: a consequence of the emptied side the guard must hold."""
    far = AS_OF + dt.timedelta(days=90)
    events = tuple(
        cs.SfEvent(
            id=f"00Uu1{n}",
            owner_id="005u1",
            start=when,
            end=when + _HOUR,
            ical_uid=uid,
            created_by_sync=True,
            version="e1",
        )
        for n, (uid, when) in enumerate((("uid-7", far), ("uid-8", _START), ("uid-9", _START)))
    )
    copy = cs.CalendarItem(
        id="uid-7@u0", ical_uid="uid-7", mailbox=U0, start=_START, end=_START + _HOUR,
        organizer=U1, attendees=(cs.Attendee(email=U0),), response=cs.Response.ACCEPTED,
        categories={"Salesforce"}, version="v1",
    )  # fmt: skip
    settings = attrs.evolve(TWO_USERS, empty_guard=2)
    return History(
        settings=settings,
        before=cs.Snapshot(as_of=AS_OF, events=events),
        after=cs.Snapshot(as_of=AS_OF, items=(copy,)),
    )


def organizers_copy_behind_the_window() -> History:
    """u0 organized a meeting with u1 20 days ago, behind the window; u0's copy is no
    longer in view, u1's still is, and u0's event sync made is still there. The plan
    rightly does nothing; the next run, whose ``before`` holds no copy of u0's, took
    that for an organizer gone on an earlier run and unlinked u1's copy (R-CANCEL)."""
    when = AS_OF - dt.timedelta(days=20)
    attendees = cs.CalendarItem(id="item-u1", ical_uid="uid-1", mailbox=U1, start=when,
                                end=when + _HOUR, organizer=U0, attendees=(cs.Attendee(email=U1),),
                                response=cs.Response.ACCEPTED, categories={"Salesforce"},
                                version="v1")  # fmt: skip
    organizers = attrs.evolve(attendees, id="item-u0", mailbox=U0, sf_event_id="00Uteam",
                              response=cs.Response.ORGANIZER)  # fmt: skip
    event = cs.SfEvent(id="00Uteam", owner_id="005u0", start=when, end=when + _HOUR,
                       ical_uid="uid-1", invitee_ids=("005u1",), created_by_sync=True,
                       version="e1")  # fmt: skip
    return History(
        settings=TWO_USERS,
        before=cs.Snapshot(as_of=AS_OF, items=(organizers, attendees), events=(event,)),
        after=cs.Snapshot(as_of=AS_OF, items=(attendees,), events=(event,)),
    )
