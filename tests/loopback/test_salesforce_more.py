"""More of the loopback Salesforce service: all-day events, records, private events' rows."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import calsync_core as cs
from calsync_core import salesforce
from calsync_core.recurrence import rrule_to_classic
from calsync_core.salesforce import rest_root
from calsync_core.testing.loopback import Loopback

from .client import composite, query, send
from .client import salesforce as send_sf

DAY = dt.datetime(2025, 3, 12, tzinfo=dt.UTC)


def _event(owner: str, **fields: object) -> cs.SfEvent:
    values: dict[str, object] = {
        "id": "-",
        "owner_id": owner,
        "start": DAY + dt.timedelta(hours=9),
        "end": DAY + dt.timedelta(hours=10),
        "subject": "Call",
        "created_by_sync": True,
    }
    values.update(fields)
    return cs.SfEvent(**values)  # type: ignore[arg-type]


def test_an_all_day_event_reads_back_with_its_dates(loopback: Loopback) -> None:
    ana = loopback.tenant.add_user("ana@acme.example")
    event_id = loopback.tenant.add_event(
        _event(ana, is_all_day=True, start=DAY, end=DAY + dt.timedelta(days=3))
    )
    row = loopback.tenant.sobject("Event", event_id)
    assert (row["ActivityDate"], row["DurationInMinutes"]) == ("2025-03-12", 3 * 1440)
    assert row["EndDateTime"] == "2025-03-14T00:00:00.000+0000"
    [event] = loopback.tenant.events()
    assert (event.start, event.end, event.is_all_day) == (DAY, DAY + dt.timedelta(days=3), True)


def test_a_moved_event_keeps_its_duration_and_new_times(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana = tenant.add_user("ana@acme.example")
    event_id = tenant.add_event(_event(ana))
    [current] = tenant.events()
    later = cs.FieldChange(
        field="start", old=current.start, new=current.start + dt.timedelta(days=1)
    )
    end = cs.FieldChange(
        field="end", old=current.end, new=current.end + dt.timedelta(days=1, hours=1)
    )
    update = cs.UpdateEvent(event_id=event_id, changes=[later, end], rule="R-DOWN-UPDATE")
    assert send_sf(loopback, salesforce.request_for(update, current=current)).status == 204
    [moved] = tenant.events()
    assert (moved.start, moved.end) == (later.new, end.new)
    assert tenant.sobject("Event", event_id)["DurationInMinutes"] == 120


def test_created_records_are_found_by_address(loopback: Loopback) -> None:
    for kind, email in (
        (cs.RecordKind.CONTACT, "kim@contoso.example"),
        (cs.RecordKind.LEAD, "lee@fabrikam.example"),
    ):
        action = cs.CreateRecord(
            ref=f"new-record:{email}", kind=kind, email=email, name="Kim Lee", rule="R-AUTO-CREATE"
        )
        assert send_sf(loopback, salesforce.request_for(action)).status == 201
        [found] = query(loopback, salesforce.records_query(kind, [email])).body["records"]
        record = salesforce.record_from_sobject(found)
        assert (record.kind, record.email, record.name) == (kind, email, "Kim Lee")


def test_a_private_events_relation_rows_are_deleted_by_id(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana, bob = tenant.add_user("ana@acme.example"), tenant.add_user("bob@acme.example")
    contact = tenant.add_record(
        cs.Record(id="-", kind=cs.RecordKind.CONTACT, email="kim@contoso.example")
    )
    other = tenant.add_record(
        cs.Record(id="-", kind=cs.RecordKind.CONTACT, email="joe@contoso.example")
    )
    event_id = tenant.add_event(_event(ana, who_ids=(contact, other), invitee_ids=(bob,)))
    rows = query(loopback, salesforce.relations_query([event_id])).body["records"]
    assert len(rows) == 2
    for request in salesforce.private_relation_deletes(rows):
        assert send_sf(loopback, request).status == 204
    assert query(loopback, salesforce.relations_query([event_id])).body["records"] == []


def test_deleting_an_event_takes_its_rows_and_a_second_delete_is_404(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana, bob = tenant.add_user("ana@acme.example"), tenant.add_user("bob@acme.example")
    event_id = tenant.add_event(_event(ana, invitee_ids=(bob,)))
    delete = salesforce.request_for(cs.DeleteEvent(event_id=event_id, rule="R-CANCEL"))
    assert send_sf(loopback, delete).status == 204
    again = send_sf(loopback, delete)
    assert (again.status, again.body[0]["errorCode"]) == (404, "ENTITY_IS_DELETED")
    assert tenant.sobjects("EventRelation") == ()


def test_a_write_naming_a_record_the_org_lacks_is_refused(loopback: Loopback) -> None:
    ana = loopback.tenant.add_user("ana@acme.example")
    event = _event(ana, who_ids=("0035g0000000999AAA",))
    action = cs.CreateEvent(
        ref="new-event:1",
        owner_id=ana,
        ical_uid="u",
        start=event.start,
        end=event.end,
        subject="x",
        description="",
        location="",
        is_all_day=False,
        is_private=False,
        who_ids=event.who_ids,
        what_ids=(),
        invitee_ids=(),
        recurrence=None,
        source_item_id="AAMk=",
        rule="R-UP-CREATE",
    )
    answer = send_sf(loopback, salesforce.request_for(action))
    assert (answer.status, answer.body[0]["errorCode"]) == (400, "INVALID_CROSS_REFERENCE_KEY")


def test_a_query_too_long_for_a_uri_answers_414_but_goes_through_a_composite(
    loopback: Loopback,
) -> None:
    addresses = [f"person{n:05d}@customer.example" for n in range(600)]
    soql = salesforce.records_query(cs.RecordKind.CONTACT, addresses)
    assert query(loopback, soql).status == 414
    body = {
        "compositeRequest": [
            {"method": "GET", "referenceId": "q", "url": f"/{rest_root()}query?q={quote(soql)}"}
        ]
    }
    answer = composite(loopback, body)
    [part] = answer.body["compositeResponse"]
    assert (part["httpStatusCode"], part["body"]["totalSize"]) == (200, 0)


def test_a_short_uri_with_headers_past_the_limit_answers_431(loopback: Loopback) -> None:
    url = f"{loopback.salesforce_url}/{rest_root()}query?q=SELECT+Id+FROM+User"
    big = send(url, token=loopback.salesforce_token, headers={"X-Padding": "x" * 16_400})
    assert big.status == 431
    assert send(url, token=loopback.salesforce_token).status == 200


def _post_event(loopback: Loopback, **fields: object) -> tuple[int, str]:
    ana = loopback.tenant.add_user(f"owner{len(loopback.tenant.sobjects('User'))}@acme.example")
    answer = send(
        f"{loopback.salesforce_url}/{rest_root()}sobjects/Event",
        "POST",
        token=loopback.salesforce_token,
        body={"OwnerId": ana, **fields},
    )
    if answer.status != 201:
        return answer.status, answer.body[0]["errorCode"]
    return answer.status, answer.body["id"]


def test_an_end_and_a_duration_that_disagree_are_refused(loopback: Loopback) -> None:
    start = "2025-03-12T09:00:00.000+0000"
    assert _post_event(
        loopback, StartDateTime=start, EndDateTime="2025-03-12T10:00:00Z", DurationInMinutes=30
    ) == (400, "FIELD_INTEGRITY_EXCEPTION")
    status, event_id = _post_event(loopback, StartDateTime=start, DurationInMinutes=45)
    assert status == 201
    assert (
        loopback.tenant.sobject("Event", event_id)["EndDateTime"] == "2025-03-12T09:45:00.000+0000"
    )
    assert _post_event(loopback, StartDateTime=start) == (400, "REQUIRED_FIELD_MISSING")


def test_an_all_day_event_takes_its_days_from_either_field(loopback: Loopback) -> None:
    status, by_end = _post_event(
        loopback, IsAllDayEvent=True, ActivityDate="2025-03-12", EndDateTime="2025-03-13T00:00:00Z"
    )
    assert status == 201
    assert loopback.tenant.sobject("Event", by_end)["DurationInMinutes"] == 2 * 1440
    status, by_default = _post_event(loopback, IsAllDayEvent=True, ActivityDate="2025-03-12")
    assert loopback.tenant.sobject("Event", by_default)["EndDateTime"] == (
        "2025-03-12T00:00:00.000+0000"
    )
    assert _post_event(
        loopback,
        IsAllDayEvent=True,
        ActivityDate="2025-03-12",
        EndDateTime="2025-03-13T00:00:00Z",
        DurationInMinutes=1440,
    ) == (400, "FIELD_INTEGRITY_EXCEPTION")


def test_a_composite_part_cannot_reach_outside_the_rest_api(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox("ana@acme.example")
    body = {
        "compositeRequest": [
            {"method": "GET", "referenceId": "graph", "url": "/v1.0/users/ana@acme.example/events"}
        ]
    }
    answer = composite(loopback, body)
    [part] = answer.body["compositeResponse"]
    assert (part["httpStatusCode"], part["body"][0]["errorCode"]) == (400, "INVALID_INPUT")


def test_a_classic_series_the_adapter_writes_reads_back_as_a_series(loopback: Loopback) -> None:
    ana = loopback.tenant.add_user("ana@acme.example")
    start = DAY + dt.timedelta(hours=9)
    rule = "FREQ=WEEKLY;BYDAY=WE;COUNT=4"
    action = cs.CreateEvent(
        ref="new-event:1",
        owner_id=ana,
        ical_uid="uid-series",
        start=start,
        end=start + dt.timedelta(hours=1),
        subject="Weekly",
        description="",
        location="",
        is_all_day=False,
        is_private=False,
        who_ids=(),
        what_ids=(),
        invitee_ids=(),
        recurrence=cs.Recurrence(rule=rule),
        source_item_id="AAMk=",
        rule="R-UP-CREATE",
        time_zone="UTC",
        classic=rrule_to_classic(rule, start=start, time_zone="UTC"),
    )
    assert send_sf(loopback, salesforce.request_for(action)).status == 201
    [event] = loopback.tenant.events()
    assert event.recurrence is not None
    assert (event.start, event.subject, event.ical_uid) == (start, "Weekly", "uid-series")
