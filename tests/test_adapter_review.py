"""Defects a hostile review of the two adapters found, each held as an example.

Each test reproduced its defect before the fix (the review's reproducers are
the source of the payloads).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core import graph
from calsync_core import salesforce as sf

BOX = "alice@acme.example"
UTC = dt.UTC
SETTINGS = cs.OrgSettings(
    users=(cs.UserSettings(email=BOX, sf_user_id="005alice", appointment_autosave=True),),
    company_domains=frozenset({"acme.example"}),
    past_days=3650,
    future_days=3650,
)


def _all_day_event(zone: str, day: dt.date, days: int = 1) -> dict[str, Any]:
    after = day + dt.timedelta(days=days)
    return {
        "id": "AAMkB=", "iCalUId": f"040000{day}", "changeKey": "ck", "type": "singleInstance",
        "isAllDay": True, "subject": "Holiday", "originalStartTimeZone": zone,
        "sensitivity": "normal", "categories": [],
        "responseStatus": {"response": "organizer"},
        "start": {"dateTime": f"{day}T00:00:00.0000000", "timeZone": zone},
        "end": {"dateTime": f"{after}T00:00:00.0000000", "timeZone": zone},
    }  # fmt: skip


def _round_trip(zone: str, day: dt.date, days: int = 1) -> tuple[dict[str, Any], cs.Plan]:
    """A Graph all-day item saved, written to Salesforce, read back and planned again."""
    item = graph.item_from_graph(_all_day_event(zone, day, days), mailbox=BOX)
    first = cs.Snapshot(as_of=dt.datetime(2024, 3, 1, tzinfo=UTC), items=(item,))
    plan = cs.reconcile(None, first, SETTINGS)
    applied = cs.apply(first, plan)
    create = next(a for a in plan.actions if isinstance(a, cs.CreateEvent))
    body = dict(sf.request_for(create).body)
    [event] = applied.events
    record = {
        **body, "Id": "00U5g00000LpWq1EAF", "SystemModstamp": "2024-03-01T00:00:01.000+0000",
        "StartDateTime": f"{body['ActivityDate']}T00:00:00.000+0000",
    }  # fmt: skip
    back = sf.event_from_sobject(record)
    later = attrs.evolve(
        applied,
        events=(attrs.evolve(back, id=event.id),),
        as_of=dt.datetime(2024, 3, 1, 0, 5, tzinfo=UTC),
    )
    return body, cs.reconcile(applied, later, SETTINGS)


@pytest.mark.parametrize(
    "zone",
    ["Tokyo Standard Time", "Line Islands Standard Time", "Pacific Standard Time", "UTC",
     "Hawaiian Standard Time"],
)  # fmt: skip
def test_all_day_keeps_its_date_through_salesforce_east_and_west_of_utc(zone: str) -> None:
    body, again = _round_trip(zone, dt.date(2024, 3, 12))
    assert body["ActivityDate"] == "2024-03-12"
    assert not [a for a in again.actions if isinstance(a, cs.UpdateItem | cs.UpdateEvent)]


@pytest.mark.parametrize(
    ("zone", "day"),
    [("Pacific Standard Time", dt.date(2024, 3, 10)),
     ("Pacific Standard Time", dt.date(2024, 11, 3)),
     ("Pacific SA Standard Time", dt.date(2024, 9, 8))],
)  # fmt: skip
def test_all_day_on_a_daylight_saving_change_day_is_one_day(zone: str, day: dt.date) -> None:
    body, again = _round_trip(zone, day)
    assert (body["ActivityDate"], body["DurationInMinutes"]) == (day.isoformat(), 1440)
    assert not [a for a in again.actions if isinstance(a, cs.UpdateItem | cs.UpdateEvent)]


ZONES = ("Tokyo Standard Time", "New Zealand Standard Time", "Pacific Standard Time",
         "Pacific SA Standard Time", "W. Europe Standard Time", "Line Islands Standard Time",
         "Dateline Standard Time", "India Standard Time")  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=dt.date(2024, 3, 2), max_value=dt.date(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=14),
)
def test_property_all_day_round_trip_through_salesforce_plans_no_update(
    zone: str, day: dt.date, days: int
) -> None:
    body, again = _round_trip(zone, day, days)
    assert (body["ActivityDate"], body["DurationInMinutes"]) == (day.isoformat(), days * 1440)
    assert not [a for a in again.actions if isinstance(a, cs.UpdateItem | cs.UpdateEvent)]


# -- absent fields never read as the least restrictive value -----------------------------

MEETING = {
    "id": "AAMk=", "iCalUId": "040000XYZ", "subject": "Secret M&A talk", "categories": [],
    "start": {"dateTime": "2026-11-25T09:00:00.0000000", "timeZone": "UTC"},
    "end": {"dateTime": "2026-11-25T10:00:00.0000000", "timeZone": "UTC"},
    "organizer": {"emailAddress": {"address": "pat@partner.example", "name": "Pat"}},
    "attendees": [{"type": "required", "emailAddress": {"address": "pat@partner.example"}},
                  {"type": "required", "emailAddress": {"address": BOX}}],
}  # fmt: skip
PAT = cs.Record(id="003pat", kind=cs.RecordKind.CONTACT, email="pat@partner.example")


def test_a_delta_entry_without_answer_or_sensitivity_is_not_autosaved() -> None:
    page = graph.delta_page({"@odata.deltaLink": "d", "value": [MEETING]}, mailbox=BOX)
    [item] = page.items
    assert (item.response, item.sensitivity) == (cs.Response.NOT_RESPONDED, cs.Sensitivity.PRIVATE)
    settings = cs.OrgSettings(
        users=(cs.UserSettings(email=BOX, sf_user_id="005alice"),),
        company_domains=frozenset({"acme.example"}),
    )
    as_of = dt.datetime(2026, 11, 24, 9, tzinfo=UTC)
    plan = cs.reconcile(None, cs.Snapshot(as_of=as_of, items=(item,), records=(PAT,)), settings)
    assert not [a for a in plan.actions if isinstance(a, cs.CreateEvent)]


def test_without_response_status_the_owner_organizes_only_their_own_meeting() -> None:
    own = {**MEETING, "organizer": {"emailAddress": {"address": "Alice@acme.example"}}}
    assert graph.item_from_graph(own, mailbox=BOX).response is cs.Response.ORGANIZER
    flagged = {**MEETING, "isOrganizer": True}
    assert graph.item_from_graph(flagged, mailbox=BOX).response is cs.Response.ORGANIZER
    assert graph.item_from_graph(MEETING, mailbox=BOX).response is cs.Response.NOT_RESPONDED


def test_an_organizer_without_an_address_is_not_the_mailbox_owner() -> None:
    nameless = {"emailAddress": {"name": "Pat (external)", "address": ""}}
    payload = {**MEETING, "isOrganizer": False, "organizer": nameless}
    with pytest.raises(
        cs.PayloadError, match=r"organizer\.emailAddress\.address: missing or empty"
    ):
        graph.item_from_graph(payload, mailbox=BOX)
    mine = {**payload, "isOrganizer": True}
    assert graph.item_from_graph(mine, mailbox=BOX).organizer is None


# -- ids are checked before they go into a URL path ---------------------------------------


@pytest.mark.parametrize("bad", ["../Account/001x", "00U5g00000LpWq1?", "new-event:x:y", "00U1"])
def test_salesforce_ids_are_checked_before_they_go_into_a_url(bad: str) -> None:
    with pytest.raises(ValueError, match="event_id"):
        sf.request_for(cs.DeleteEvent(event_id=bad, rule="R-CANCEL"))
    record = {"Id": bad, "OwnerId": "005A", "IsAllDayEvent": False, "IsPrivate": False,
              "StartDateTime": "2024-03-12T17:00:00.000+0000", "DurationInMinutes": 60}  # fmt: skip
    with pytest.raises(cs.PayloadError, match=r"Id: .* is not a Salesforce id"):
        sf.event_from_sobject(record)


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_graph_ids_that_are_not_path_segments_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="URL path segment"):
        graph.request_for(cs.DeleteItem(mailbox=BOX, item_id=bad, rule="R-DOWN-DELETE"))


def test_an_event_made_private_gets_the_deletes_of_its_relation_rows() -> None:
    rows = [
        {"Id": "0RE5g000000AbCdGAK", "RelationId": "0035g00000QwErTAAZ", "IsParent": True},
        {"Id": "0RE5g000000AbCeGAK", "RelationId": "0055g00000XyZaCAAV", "IsInvitee": True},
    ]
    deletes = sf.private_relation_deletes(rows)
    assert [(r.method, r.url) for r in deletes] == [
        ("DELETE", "sobjects/EventRelation/0RE5g000000AbCdGAK"),
        ("DELETE", "sobjects/EventRelation/0RE5g000000AbCeGAK"),
    ]
    with pytest.raises(cs.PayloadError, match=r"relations\[0\]\.Id"):
        sf.private_relation_deletes([{"Id": "../x"}])


# -- batch answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("odd", ["²", "1" * 5000])
def test_batch_ids_that_are_not_plain_numbers_sort_as_text(odd: str) -> None:
    results = graph.batch_results(
        {"responses": [{"id": odd, "status": 200}, {"id": "0", "status": 200}]}
    )
    assert [r.id for r in results] == ["0", odd]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("2.128", 2.128), ("0", 0.0), ("inf", None), ("Infinity", None), ("1e999", None),
     ("1_000", None), ("-1", None), ("soon", None)],
)  # fmt: skip
def test_retry_after_is_finite_decimal_seconds(value: str, seconds: float | None) -> None:
    [result] = graph.batch_results(
        {"responses": [{"id": "0", "status": 429, "headers": {"Retry-After": value}}]}
    )
    assert (result.retry_after, result.retry_at) == (seconds, None)


def test_a_retry_after_date_counts_from_the_response_date_or_is_kept_as_an_instant() -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    headers = {"Retry-After": date, "Date": "Wed, 21 Oct 2015 07:27:30 GMT"}
    [counted] = graph.batch_results({"responses": [{"id": "0", "status": 429, "headers": headers}]})
    assert (counted.retry_after, counted.retry_at) == (30.0, None)
    [kept] = graph.batch_results(
        {"responses": [{"id": "0", "status": 503, "headers": {"retry-after": date}}]}
    )
    assert (kept.retry_after, kept.retry_at) == (None, dt.datetime(2015, 10, 21, 7, 28, tzinfo=UTC))


# -- the ends of time and other odd values are payload faults, never other exceptions ------

EVENT = {"Id": "00U5g00000LpWq1EAF", "OwnerId": "0055g00000AbCdEAAV", "IsAllDayEvent": False,
         "IsPrivate": False, "StartDateTime": "2024-03-12T17:00:00.000+0000",
         "DurationInMinutes": 60}  # fmt: skip
TIMED = {**MEETING, "sensitivity": "normal", "categories": []}


@pytest.mark.parametrize(
    "changes",
    [{"start": {"dateTime": "0001-01-01T00:00:00.0000000", "timeZone": "Tokyo Standard Time"}},
     {"end": {"dateTime": "9999-12-31T23:00:00.0000000", "timeZone": "Hawaiian Standard Time"}},
     {"type": "occurrence", "originalStart": "0001-01-01T00:00:00+01:00"}],
)  # fmt: skip
def test_graph_times_at_the_ends_of_time_are_payload_errors(changes: dict[str, Any]) -> None:
    with pytest.raises(cs.PayloadError):
        graph.item_from_graph({**TIMED, **changes}, mailbox=BOX)
    with pytest.raises(cs.PayloadError, match=r"value\[0\]"):
        graph.delta_page({"value": [{**TIMED, **changes}]}, mailbox=BOX)


CLASSIC = {"IsRecurrence": True, "RecurrenceType": "RecursDaily", "RecurrenceInterval": 1,
           "RecurrenceStartDateTime": "2024-03-12T17:00:00.000+0000",
           "RecurrenceEndDateOnly": "2024-03-20",
           "RecurrenceTimeZoneSidKey": "Asia/Tokyo"}  # fmt: skip


@pytest.mark.parametrize(
    "changes",
    [{"DurationInMinutes": 1e300}, {"DurationInMinutes": 6227020801},
     {"IsAllDayEvent": True, "ActivityDate": "9999-12-31", "DurationInMinutes": None},
     {"IsAllDayEvent": True, "ActivityDate": "9999-12-30", "EndDateTime": "9999-12-31T00:00:00Z",
      "DurationInMinutes": None},
     {"StartDateTime": "0001-01-01T00:00:00.000+0100"},
     {"SystemModstamp": "0001-01-01T00:00:00.000+0100"},
     {**CLASSIC, "RecurrenceStartDateTime": "0001-01-01T00:00:00.000+0000",
      "RecurrenceTimeZoneSidKey": "America/Los_Angeles"},
     {**CLASSIC, "RecurrenceInterval": 10**30},
     {"StartDateTime": "2024-W10-2T10:00:00+00:00"},
     {"EndDateTime": "2024-03-12T19:00:00.000+0000"}],
)  # fmt: skip
def test_salesforce_odd_values_are_payload_errors(changes: dict[str, Any]) -> None:
    with pytest.raises(cs.PayloadError):
        sf.event_from_sobject({**EVENT, **changes})


def test_years_below_1000_are_written_with_four_digits() -> None:
    early = dt.datetime(999, 1, 1, tzinfo=UTC)
    assert sf.events_query(["005A"], early, early).count("0999-01-01T00:00:00Z") == 2
    create = cs.CreateEvent(
        ref="new-event:x", owner_id="005A", ical_uid="u", start=early,
        end=early + dt.timedelta(hours=1), is_all_day=False, rule="R-SAVE", subject="",
        description="", location="", is_private=False, who_ids=(), what_ids=(),
        invitee_ids=(), recurrence=None, source_item_id="AAMk-1",
    )  # fmt: skip
    assert sf.request_for(create).body["StartDateTime"] == "0999-01-01T00:00:00.000+0000"


def test_an_empty_category_and_a_case_variant_attendee_are_read_once() -> None:
    payload = {**TIMED, "categories": ["Red", ""], "attendees": [
        {"type": "required", "emailAddress": {"address": "B@y.example"}},
        {"type": "required", "emailAddress": {"address": "b@y.example"}}]}  # fmt: skip
    item = graph.item_from_graph(payload, mailbox=BOX)
    assert item.categories == {"Red"}
    assert [a.email for a in item.attendees] == ["b@y.example"]


# -- two writes on one change key ------------------------------------------------------------


def test_a_stamp_and_categories_on_one_item_are_one_conditional_patch() -> None:
    item = graph.item_from_graph({**TIMED, "changeKey": "ck1", "categories": ["Red"]}, mailbox=BOX)
    stamp = cs.UpdateItem(
        mailbox=BOX, item_id=item.id, rule="R-SAVE",
        changes=[cs.FieldChange(field="sf_event_id", old=None, new="00U5g00000LpWq1EAF")],
    )  # fmt: skip
    tag = cs.SetCategories(
        mailbox=BOX, item_id=item.id, add={"Salesforce"}, remove=(), rule="R-CATEGORY"
    )
    requests = [graph.request_for(stamp, current=item), graph.request_for(tag, current=item)]
    with pytest.raises(ValueError, match="412"):
        graph.batches(requests)
    [one] = graph.merge_patches(requests)
    assert one.headers["If-Match"] == 'W/"ck1"'
    assert one.body["categories"] == ["Red", "Salesforce"]
    assert "singleValueExtendedProperties" in one.body
    [batch] = graph.batches([one])
    assert len(batch.body["requests"]) == 1


def test_a_get_without_categories_cannot_become_the_current_of_set_categories() -> None:
    selected = {k: v for k, v in TIMED.items() if k != "categories"}
    with pytest.raises(cs.PayloadError, match="categories: missing"):
        graph.item_from_graph({**selected, "changeKey": "ck1"}, mailbox=BOX)
