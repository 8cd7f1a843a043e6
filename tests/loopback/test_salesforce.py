"""The loopback Salesforce service, driven with urllib and the project's Salesforce adapter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import calsync_core as cs
from calsync_core import salesforce
from calsync_core.salesforce import rest_root
from calsync_core.testing.loopback import Loopback, Tenant, serve

from .client import Answer, composite, query, send
from .client import salesforce as send_sf

START = dt.datetime(2025, 3, 4, 15, 0, tzinfo=dt.UTC)


def _event(owner: str, n: int = 0, **fields: Any) -> cs.SfEvent:
    values: dict[str, Any] = {
        "id": "-",
        "owner_id": owner,
        "start": START + dt.timedelta(hours=n),
        "end": START + dt.timedelta(hours=n, minutes=30),
        "subject": f"Call {n}",
        "ical_uid": f"uid-{n}",
        "created_by_sync": True,
    }
    values.update(fields)
    return cs.SfEvent(**values)


def _create(owner: str, who: str, invitee: str) -> cs.CreateEvent:
    return cs.CreateEvent(
        ref="new-event:1",
        owner_id=owner,
        ical_uid="uid-new",
        start=START,
        end=START + dt.timedelta(hours=1),
        subject="Renewal",
        description="Notes",
        location="Online",
        is_all_day=False,
        is_private=False,
        who_ids=[who],
        what_ids=[],
        invitee_ids=[invitee],
        recurrence=None,
        source_item_id="AAMk=",
        rule="R-UP-CREATE",
    )


def _people(tenant: Tenant) -> tuple[str, str, str]:
    """Two users, Ana and Bob, and a contact."""
    ana = tenant.add_user("ana@acme.example")
    bob = tenant.add_user("bob@acme.example")
    contact = tenant.add_record(
        cs.Record(id="-", kind=cs.RecordKind.CONTACT, email="kim@contoso.example")
    )
    return ana, bob, contact


def _records(answer: Answer) -> list[dict[str, Any]]:
    assert answer.status == 200, answer.body
    records: list[dict[str, Any]] = answer.body["records"]
    return records


def test_the_adapters_event_query_finds_the_window_and_reads_back(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana = tenant.add_user("ana@acme.example", "Ana", time_zone="Europe/Paris")
    inside = tenant.add_event(_event(ana, 0))
    tenant.add_event(_event(ana, 24 * 40))  # after the window
    tenant.add_event(_event(tenant.api_user_id, 1))  # another owner
    soql = salesforce.events_query(
        [ana], START - dt.timedelta(days=1), START + dt.timedelta(days=7)
    )
    [record] = _records(query(loopback, soql))
    assert record["attributes"]["type"] == "Event"
    assert record["Owner"]["TimeZoneSidKey"] == "Europe/Paris"
    event = salesforce.event_from_sobject(record)
    assert (event.id, event.subject, event.start, event.ical_uid) == (
        inside,
        "Call 0",
        START,
        "uid-0",
    )
    assert event.created_by_sync
    assert event.time_zone == "Europe/Paris"


def test_a_systemmodstamp_filter_finds_only_what_changed_since(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana = tenant.add_user("ana@acme.example")
    first = tenant.add_event(_event(ana, 0))
    second = tenant.add_event(_event(ana, 1))
    since = tenant.sobject("Event", second)["SystemModstamp"]
    tenant.edit_sobject("Event", first, Subject="Changed")
    stamp = since.replace(".000+0000", "Z")
    soql = f"SELECT Id, Subject FROM Event WHERE SystemModstamp > {stamp} AND OwnerId = '{ana}'"
    assert [r["Id"] for r in _records(query(loopback, soql))] == [first]


def test_records_and_relations_queries_read_back_through_the_adapter(loopback: Loopback) -> None:
    tenant = loopback.tenant
    account = tenant.add_account("Contoso")
    contact = tenant.add_record(
        cs.Record(
            id="-",
            kind=cs.RecordKind.CONTACT,
            email="Kim.OBrien@contoso.example",
            name="Kim O'Brien",
            account_id=account,
        )
    )
    lead = tenant.add_record(
        cs.Record(id="-", kind=cs.RecordKind.LEAD, email="lee@fabrikam.example", name="Lee")
    )
    found = _records(
        query(
            loopback,
            salesforce.records_query(cs.RecordKind.CONTACT, ["kim.obrien@contoso.example"]),
        )
    )
    [record] = [salesforce.record_from_sobject(r) for r in found]
    assert (record.id, record.account_id, record.name) == (contact, account, "Kim O'Brien")
    leads = _records(
        query(loopback, salesforce.records_query(cs.RecordKind.LEAD, ["lee@fabrikam.example"]))
    )
    assert [r["Id"] for r in leads] == [lead]
    ana = tenant.add_user("ana@acme.example")
    bob = tenant.add_user("bob@acme.example")
    event = tenant.add_event(_event(ana, who_ids=(contact, lead), invitee_ids=(bob,)))
    rows = _records(query(loopback, salesforce.relations_query([event])))
    [read] = [e for e in tenant.events() if e.id == event]
    assert read.who_ids == (contact, lead)
    assert read.invitee_ids == (bob,)
    assert sorted(r["RelationId"] for r in rows) == sorted([lead, bob])


def test_query_results_page_through_next_records_url(loopback_tenant: Tenant) -> None:
    for n in range(5):
        loopback_tenant.add_account(f"Account {n}")
    with serve(loopback_tenant, salesforce_page_size=2) as server:
        answer = query(server, "SELECT Id, Name FROM Account ORDER BY Name DESC")
        names = []
        while True:
            names += [r["Name"] for r in _records(answer)]
            if answer.body["done"]:
                break
            answer = send(
                server.salesforce_url + answer.body["nextRecordsUrl"], token=server.salesforce_token
            )
    assert answer.body["totalSize"] == 5
    assert names == [f"Account {n}" for n in reversed(range(5))]


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT COUNT() FROM Event", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Event WHERE Subject = 'a' AND Subject = 'b' OR Id = 'c'",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id FROM Event WHERE StartDateTime > '2025-01-01T00:00:00Z'", "INVALID_FIELD"),
        ("SELECT Nope FROM Event", "INVALID_FIELD"),
        ("SELECT Id FROM Opportunity", "INVALID_TYPE"),
        ("SELECT Id FROM Event GROUP BY Id", "MALFORMED_QUERY"),
    ],
)
def test_a_query_outside_the_known_shapes_is_refused_loudly(
    loopback: Loopback, soql: str, code: str
) -> None:
    answer = query(loopback, soql)
    assert answer.status == 400
    assert answer.body[0]["errorCode"] == code


def test_an_event_the_adapter_writes_reads_back_with_its_relations(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana, bob, contact = _people(tenant)
    action = _create(ana, contact, bob)
    created = send_sf(loopback, salesforce.request_for(action))
    assert created.status == 201
    assert created.body["success"]
    for row in salesforce.relation_requests(action, created.body["id"]):
        assert send_sf(loopback, row).status == 201
    [event] = [e for e in tenant.events() if e.id == created.body["id"]]
    assert (event.subject, event.description, event.location) == ("Renewal", "Notes", "Online")
    assert (event.start, event.end) == (action.start, action.end)
    assert (event.who_ids, event.invitee_ids) == ((contact,), (bob,))
    assert event.created_by_sync
    assert event.ical_uid == "uid-new"


def test_an_update_after_a_newer_edit_answers_412(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana = tenant.add_user("ana@acme.example")
    event_id = tenant.add_event(_event(ana))
    [current] = [e for e in tenant.events() if e.id == event_id]
    tenant.edit_sobject("Event", event_id, Subject="Edited in Salesforce")
    update = cs.UpdateEvent(
        event_id=event_id,
        rule="R-DOWN-UPDATE",
        changes=[cs.FieldChange(field="subject", old="Call 0", new="Ours")],
    )
    answer = send_sf(loopback, salesforce.request_for(update, current=current))
    assert answer.status == 412
    assert tenant.sobject("Event", event_id)["Subject"] == "Edited in Salesforce"
    [fresh] = [e for e in tenant.events() if e.id == event_id]
    retry = cs.UpdateEvent(
        event_id=event_id,
        rule="R-DOWN-UPDATE",
        changes=[cs.FieldChange(field="subject", old="Edited in Salesforce", new="Ours")],
    )
    assert send_sf(loopback, salesforce.request_for(retry, current=fresh)).status == 204
    assert tenant.sobject("Event", event_id)["Subject"] == "Ours"


def test_a_composite_resolves_references_to_what_it_created(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana, bob, contact = _people(tenant)
    action = _create(ana, contact, bob)
    parts = [("newEvent", salesforce.request_for(action))]
    parts += [
        (f"row{n}", r) for n, r in enumerate(salesforce.relation_requests(action, action.ref))
    ]
    [request] = salesforce.composites(parts, refs={action.ref: "newEvent"})
    answer = send_sf(loopback, request)
    results = salesforce.composite_results(answer.body)
    assert [r.status for r in results] == [201, 201]
    [event] = [e for e in tenant.events() if e.id == results[0].id]
    assert event.invitee_ids == (bob,)


def test_all_or_none_rolls_back_every_part_when_one_fails(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana = tenant.add_user("ana@acme.example")
    keep = tenant.add_event(_event(ana))
    parts = [
        ("made", salesforce.request_for(_create(ana, ana, ana))),
        ("gone", salesforce.request_for(cs.DeleteEvent(event_id=keep, rule="R-CANCEL"))),
        (
            "bad",
            salesforce.request_for(cs.DeleteEvent(event_id="00U5g00000ZZZZZEAA", rule="R-CANCEL")),
        ),
    ]
    [request] = salesforce.composites(parts, all_or_none=True)
    results = salesforce.composite_results(send_sf(loopback, request).body)
    assert [r.status for r in results] == [400, 400, 404]
    assert isinstance(results[0].error, cs.ports.TransientError)  # PROCESSING_HALTED
    assert [e.id for e in tenant.events()] == [keep]


def test_a_composite_of_more_than_25_is_refused(loopback: Loopback) -> None:
    body = {
        "compositeRequest": [
            {
                "method": "GET",
                "referenceId": f"r{n}",
                "url": f"/{rest_root()}sobjects/User/{loopback.tenant.api_user_id}",
            }
            for n in range(26)
        ]
    }
    answer = composite(loopback, body)
    assert answer.status == 400


def test_a_missing_token_answers_401_with_salesforces_error(loopback: Loopback) -> None:
    answer = query(loopback, "SELECT Id FROM User")
    assert answer.status == 200
    bad = send(f"{loopback.salesforce_url}/{rest_root()}query?q=SELECT+Id+FROM+User", token="")
    assert bad.status == 401
    assert bad.body == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


def test_an_unknown_field_in_a_write_is_refused(loopback: Loopback) -> None:
    answer = send(
        f"{loopback.salesforce_url}/{rest_root()}sobjects/Account",
        "POST",
        token=loopback.salesforce_token,
        body={"Name": "A", "Colour__c": "red"},
    )
    assert answer.status == 400
    assert answer.body[0]["errorCode"] == "INVALID_FIELD"


def test_get_updated_and_get_deleted_list_the_ids_in_the_window(loopback: Loopback) -> None:
    tenant = loopback.tenant
    ana = tenant.add_user("ana@acme.example")
    kept, dropped = tenant.add_event(_event(ana, 0)), tenant.add_event(_event(ana, 1))
    tenant.delete_sobject("Event", dropped)
    root = f"{loopback.salesforce_url}/{rest_root()}sobjects/Event"
    window = "?start=2025-03-01T00:00:00Z&end=2025-04-01T00:00:00Z"
    updated = send(f"{root}/updated/{window}", token=loopback.salesforce_token)
    deleted = send(f"{root}/deleted/{window}", token=loopback.salesforce_token)
    assert updated.body["ids"] == [kept]
    assert [d["id"] for d in deleted.body["deletedRecords"]] == [dropped]
