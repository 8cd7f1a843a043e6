"""The vendor article's worked example of scenario 3, step by step (R-OWNER (b), R-LINK).

IU1 -- internal user, meeting autosave on. IU2 -- internal user, autosave off,
saves by category later. EU1 -- external organizer with a Contact. EU2 --
external attendee with no record. EU1 organizes; EU2, IU1 and IU2 attend.
"""

from __future__ import annotations

import calsync_core as cs
from helpers import (
    SALESFORCE,
    actions_of,
    at,
    converge,
    decision_for,
    edit,
    item_in,
    org,
    put,
    run,
    settled,
    snap,
    user,
)

EU1 = "eu1@customer.example"
EU2 = "eu2@prospect.example"
EU1_CONTACT = cs.Record(
    id="003EU1", kind=cs.RecordKind.CONTACT, email=EU1, account_id="001CUSTOMER", name="EU1"
)
BODY = "From: EU1\nTo/CC: EU2, IU1, IU2\n\nAgenda: pricing."
SETTINGS = org(user("iu1"), user("iu2", meeting_autosave=False))


def _copy(mailbox: str) -> cs.CalendarItem:
    people = [EU2, "iu1@acme.example", "iu2@acme.example"]
    return cs.CalendarItem(
        id=f"item-{mailbox}",
        ical_uid="040000008200E00074C5B7101A82E008-EU1",
        mailbox=f"{mailbox}@acme.example",
        start=at(days=2),
        end=at(days=2, hours=1),
        subject="Pricing discussion",
        body=BODY,
        organizer=EU1,
        attendees=tuple(cs.Attendee(email=p, response=cs.Response.ACCEPTED) for p in people),
        response=cs.Response.ACCEPTED,
        version="ck-1",
    )


def test_r_owner_article_example_iu1_autosaves_an_event_linked_to_eu1() -> None:
    start = snap(_copy("iu1"), _copy("iu2"), EU1_CONTACT)
    plan = run(None, start, SETTINGS)

    (event,) = actions_of(plan, cs.CreateEvent)
    assert event.owner_id == "005iu1"  # IU1 is the assignee
    assert event.who_ids == ("003EU1",)  # EU1 linked; EU2 has no record, nothing to link
    assert event.what_ids == ("001CUSTOMER",)
    assert event.invitee_ids == ()  # "the attendees won't be shown"
    assert event.description == BODY  # the initial description from the calendar
    assert plan.issues == ()
    assert decision_for(plan, "item-iu2").rule == "R-AUTOSAVE-MEETING"  # autosave off


def test_r_owner_article_example_iu2_saving_by_category_makes_a_second_event() -> None:
    first = converge(snap(_copy("iu1"), _copy("iu2"), EU1_CONTACT), SETTINGS)
    iu2 = item_in(first, "item-iu2")
    categorised = put(first, edit(iu2, categories=iu2.categories | {SALESFORCE}))

    plan = run(first, categorised, SETTINGS)

    (event,) = actions_of(plan, cs.CreateEvent)
    assert (event.owner_id, event.who_ids) == ("005iu2", ("003EU1",))
    assert plan.issues == ()  # same UID, another owner: expected, not a duplicate
    synced = cs.apply(categorised, plan)
    owners = sorted(e.owner_id for e in synced.events)
    assert owners == ["005iu1", "005iu2"]
    assert {e.ical_uid for e in synced.events} == {_copy("iu1").ical_uid}
    assert settled(synced, SETTINGS).actions == ()
