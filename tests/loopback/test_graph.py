"""The loopback Graph service, driven with urllib and the project's Graph adapter."""

from __future__ import annotations

import datetime as dt

import calsync_core as cs
from calsync_core import graph
from calsync_core.testing.loopback import Loopback, Tenant

from .client import Answer, send
from .client import graph as send_graph

ANA = "ana@acme.example"
AS_OF = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _item(n: int, **fields: object) -> cs.CalendarItem:
    start = AS_OF + dt.timedelta(days=1, hours=n)
    values: dict[str, object] = {
        "id": "-",
        "ical_uid": "",
        "mailbox": ANA,
        "start": start,
        "end": start + dt.timedelta(minutes=30),
        "subject": f"Meeting {n}",
        "time_zone": "Pacific Standard Time",
        "categories": {"Blue"},
    }
    values.update(fields)
    return cs.CalendarItem(**values)  # type: ignore[arg-type]


def _create(n: int) -> cs.CreateItem:
    item = _item(n)
    return cs.CreateItem(
        ref=f"new-item:{n}",
        mailbox=ANA,
        ical_uid="",
        start=item.start,
        end=item.end,
        subject=item.subject,
        body="Agenda",
        location="Room 1",
        is_all_day=False,
        sensitivity=cs.Sensitivity.NORMAL,
        categories={"Salesforce"},
        sf_event_id="00U5g0000000001EAA",
        rule="R-DOWN-CREATE",
        time_zone=item.time_zone,
    )


def _delta(server: Loopback, url: str, page_size: int | None = None) -> Answer:
    headers = {} if page_size is None else {"Prefer": f"odata.maxpagesize={page_size}"}
    return send(url, token=server.graph_token, headers=headers)


def _first_round_url(server: Loopback) -> str:
    return (
        f"{server.graph_url}/users/{ANA}/calendarView/delta"
        "?startDateTime=2025-03-01T00:00:00Z&endDateTime=2025-04-01T00:00:00Z"
    )


def _whole_round(server: Loopback, url: str, page_size: int) -> tuple[list[graph.DeltaPage], str]:
    pages = []
    while True:
        answer = _delta(server, url, page_size)
        assert answer.status == 200, answer.body
        page = graph.delta_page(answer.body, mailbox=ANA)
        pages.append(page)
        if page.delta_link is not None:
            return pages, page.delta_link
        assert page.next_link is not None
        url = page.next_link


def test_a_created_event_reads_back_as_the_item_the_adapter_wrote(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    created = send_graph(loopback, graph.request_for(_create(0)))
    assert created.status == 201
    [item] = loopback.tenant.items(ANA)
    assert item.id == created.body["id"]
    assert (item.subject, item.body, item.location) == ("Meeting 0", "Agenda", "Room 1")
    assert item.start == _item(0).start
    assert item.time_zone == "Pacific Standard Time"
    assert item.sf_event_id == "00U5g0000000001EAA"
    assert item.categories == {"Salesforce"}
    assert item.version == created.body["changeKey"]
    assert created.body["@odata.etag"] == f'W/"{item.version}"'


def test_a_get_carries_the_stamp_only_when_expanded(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    created = send_graph(loopback, graph.request_for(_create(0)))
    url = f"{loopback.graph_url}/users/{ANA}/events/{created.body['id']}"
    plain = send(url, token=loopback.graph_token)
    expand = f"singleValueExtendedProperties($filter=id eq '{graph.SF_EVENT_ID_PROPERTY}')"
    expanded = send(url + "?$expand=" + expand.replace(" ", "%20"), token=loopback.graph_token)
    assert graph.item_from_graph(plain.body, mailbox=ANA).sf_event_id is None
    assert graph.item_from_graph(expanded.body, mailbox=ANA).sf_event_id == "00U5g0000000001EAA"


def test_delta_pages_to_the_end_then_lists_only_changes_and_removals(
    loopback: Loopback,
) -> None:
    tenant = loopback.tenant
    ids = [tenant.add_item(_item(n)) for n in range(7)]
    pages, delta_link = _whole_round(loopback, _first_round_url(loopback), page_size=3)
    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert sorted(i.id for p in pages for i in p.items) == sorted(ids)
    tenant.edit_item(ANA, ids[1], subject="Moved on")
    tenant.delete_item(ANA, ids[2])
    tenant.edit_item(
        ANA,
        ids[3],
        start={"dateTime": "2025-05-01T09:00:00", "timeZone": "UTC"},
        end={"dateTime": "2025-05-01T10:00:00", "timeZone": "UTC"},
    )
    added = tenant.add_item(_item(9))
    pages, _ = _whole_round(loopback, delta_link, page_size=10)
    [page] = pages
    assert sorted(i.id for i in page.items) == sorted([ids[1], added])
    assert sorted(page.removed) == sorted([(ANA, ids[2]), (ANA, ids[3])])


def test_an_expired_delta_link_answers_410(loopback: Loopback) -> None:
    loopback.tenant.add_item(_item(0))
    _, delta_link = _whole_round(loopback, _first_round_url(loopback), page_size=10)
    assert loopback.expire_delta(ANA) == 1
    answer = _delta(loopback, delta_link)
    assert answer.status == 410
    assert answer.body["error"]["code"] == "syncStateNotFound"
    restart = answer.headers["location"]
    assert restart.endswith("&$deltatoken=")
    pages, _ = _whole_round(loopback, restart, page_size=10)
    assert [len(p.items) for p in pages] == [1]


def test_a_delta_link_never_issued_answers_410_without_a_location(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    url = f"{loopback.graph_url}/users/{ANA}/calendarView/delta?$deltatoken=made-up"
    answer = _delta(loopback, url)
    assert answer.status == 410
    assert "location" not in answer.headers


def test_a_write_on_a_stale_change_key_answers_412_and_changes_nothing(
    loopback: Loopback,
) -> None:
    tenant = loopback.tenant
    tenant.add_item(_item(0))
    [item] = tenant.items(ANA)
    tenant.edit_item(ANA, item.id, subject="Edited by Ana")
    update = cs.UpdateItem(
        mailbox=ANA,
        item_id=item.id,
        rule="R-UP-UPDATE",
        changes=[cs.FieldChange(field="subject", old="Meeting 0", new="Ours")],
    )
    answer = send_graph(loopback, graph.request_for(update, current=item))
    assert answer.status == 412
    assert answer.body["error"]["code"] == "ErrorIrresolvableConflict"
    assert [i.subject for i in tenant.items(ANA)] == ["Edited by Ana"]


def test_a_batch_runs_the_adapters_requests_and_reports_each(loopback: Loopback) -> None:
    tenant = loopback.tenant
    tenant.add_item(_item(0))
    [item] = tenant.items(ANA)
    requests = [
        graph.request_for(_create(1)),
        graph.request_for(
            cs.SetCategories(
                mailbox=ANA, item_id=item.id, add={"Salesforce"}, remove=(), rule="R-CATEGORY"
            ),
            current=item,
        ),
        graph.request_for(cs.DeleteItem(mailbox=ANA, item_id="AAMkADnone=", rule="R-CANCEL")),
    ]
    [batch] = graph.batches(requests)
    answer = send_graph(loopback, batch)
    assert answer.status == 200
    created, categorised, missing = graph.batch_results(answer.body)
    assert (created.status, categorised.status, missing.status) == (201, 200, 404)
    assert isinstance(missing.error, cs.ports.PermanentError)
    by_id = {i.id: i for i in tenant.items(ANA)}
    assert by_id[item.id].categories == {"Blue", "Salesforce"}
    assert by_id[created.body["id"]].subject == "Meeting 1"


def test_a_batch_of_more_than_20_is_refused_whole(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    body = {
        "requests": [
            {"id": str(n), "method": "GET", "url": f"/users/{ANA}/events"} for n in range(21)
        ]
    }
    answer = send(f"{loopback.graph_url}/$batch", "POST", token=loopback.graph_token, body=body)
    assert answer.status == 400
    assert loopback.log.totals()["subrequests"] == 21


def test_a_wrong_token_answers_401_with_graphs_error(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    answer = send(f"{loopback.graph_url}/users/{ANA}/events", token="stolen")
    assert answer.status == 401
    assert answer.body["error"]["code"] == "InvalidAuthenticationToken"


def test_an_unknown_mailbox_answers_404(loopback: Loopback, loopback_tenant: Tenant) -> None:
    answer = send(
        f"{loopback.graph_url}/users/nobody@acme.example/events", token=loopback.graph_token
    )
    assert answer.status == 404
    assert answer.body["error"]["code"] == "ErrorInvalidUser"
    assert loopback.tenant is loopback_tenant
