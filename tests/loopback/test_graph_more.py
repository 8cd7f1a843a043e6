"""More of the loopback Graph service: all-day items, series, batch parts, paging."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import calsync_core as cs
from calsync_core import graph
from calsync_core.testing.loopback import Loopback

from .client import graph as send_graph
from .client import send

ANA = "ana@acme.example"
DAY = dt.datetime(2025, 3, 12, tzinfo=dt.UTC)


def _create(n: int, **fields: object) -> cs.CreateItem:
    values: dict[str, object] = {
        "ref": f"new-item:{n}",
        "mailbox": ANA,
        "ical_uid": "",
        "start": DAY,
        "end": DAY + dt.timedelta(hours=1),
        "subject": f"Item {n}",
        "body": "",
        "location": "",
        "is_all_day": False,
        "sensitivity": cs.Sensitivity.NORMAL,
        "categories": (),
        "sf_event_id": None,
        "rule": "R-DOWN-CREATE",
        "time_zone": "UTC",
    }
    values.update(fields)
    return cs.CreateItem(**values)  # type: ignore[arg-type]


def _round(server: Loopback, start: str, end: str) -> graph.DeltaPage:
    url = (
        f"{server.graph_url}/users/{ANA}/calendarView/delta?startDateTime={start}&endDateTime={end}"
    )
    answer = send(url, token=server.graph_token)
    assert answer.status == 200, answer.body
    return graph.delta_page(answer.body, mailbox=ANA)


def test_an_all_day_item_keeps_its_dates_in_an_eastern_zone(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    action = _create(
        0, is_all_day=True, end=DAY + dt.timedelta(days=2), time_zone="Tokyo Standard Time"
    )
    assert send_graph(loopback, graph.request_for(action)).status == 201
    [item] = loopback.tenant.items(ANA)
    assert (item.is_all_day, item.start, item.end) == (True, DAY, DAY + dt.timedelta(days=2))
    assert item.time_zone == "Tokyo Standard Time"


def test_a_series_master_is_in_every_window_its_range_reaches(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    series = _create(0, recurrence=cs.Recurrence(rule="FREQ=WEEKLY;UNTIL=20250430T000000Z"))
    created = send_graph(loopback, graph.request_for(series))
    assert created.status == 201
    assert created.body["type"] == "seriesMaster"
    [item] = loopback.tenant.items(ANA)
    assert item.recurrence is not None
    assert [
        i.id for i in _round(loopback, "2025-04-20T00:00:00Z", "2025-05-01T00:00:00Z").items
    ] == [item.id]
    assert _round(loopback, "2025-05-10T00:00:00Z", "2025-06-01T00:00:00Z").items == ()


def test_a_batch_part_depending_on_a_failed_one_answers_424_unrun(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    missing = graph.request_for(cs.DeleteItem(mailbox=ANA, item_id="AAMkADnone=", rule="R-CANCEL"))
    [batch] = graph.batches([missing, graph.request_for(_create(1))], depends={1: [0]})
    answer = send_graph(loopback, batch)
    failed, skipped = graph.batch_results(answer.body)
    assert (failed.status, skipped.status) == (404, 424)
    assert isinstance(skipped.error, cs.ports.TransientError)
    assert loopback.tenant.items(ANA) == ()


def test_a_throttled_batch_part_carries_its_retry_after(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    loopback.faults.throttle(f"/users/{ANA}/events$", method="POST", retry_after="7", after=1)
    [batch] = graph.batches([graph.request_for(_create(n)) for n in range(2)])
    answer = send_graph(loopback, batch)
    done, throttled = graph.batch_results(answer.body)
    assert done.ok
    assert (throttled.status, throttled.retry_after) == (429, 7.0)
    assert [i.subject for i in loopback.tenant.items(ANA)] == ["Item 0"]


def test_the_event_list_pages_with_next_links(loopback: Loopback) -> None:
    for n in range(5):
        loopback.tenant.add_item(
            cs.CalendarItem(
                id="-",
                ical_uid="",
                mailbox=ANA,
                start=DAY + dt.timedelta(hours=n),
                end=DAY + dt.timedelta(hours=n),
            )
        )
    url: str | None = f"{loopback.graph_url}/users/{ANA}/events?$top=2"
    seen = []
    while url is not None:
        answer = send(url, token=loopback.graph_token)
        seen += [e["id"] for e in answer.body["value"]]
        url = answer.body.get("@odata.nextLink")
    assert seen == [i.id for i in loopback.tenant.items(ANA)]


def test_concurrent_writes_each_land_once(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(
                lambda n: send_graph(loopback, graph.request_for(_create(n))).status, range(40)
            )
        )
    assert statuses == [201] * 40
    subjects = sorted(i.subject for i in loopback.tenant.items(ANA))
    assert subjects == sorted(f"Item {n}" for n in range(40))
    assert len({i.id for i in loopback.tenant.items(ANA)}) == 40
    assert loopback.log.totals()["requests"] == 40


def test_the_log_counts_the_bytes_of_each_exchange(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    request = graph.request_for(_create(0))
    answer = send_graph(loopback, request)
    [entry] = loopback.log.entries()
    assert (entry.method, entry.status, entry.parts) == ("POST", 201, 0)
    assert entry.path == f"/v1.0/users/{ANA}/events"
    assert entry.sent > len(str(request.body))
    assert entry.received > len(str(answer.body["id"])) + 100


def test_a_query_option_the_server_cannot_apply_is_refused_not_ignored(
    loopback: Loopback,
) -> None:
    loopback.tenant.add_mailbox(ANA)
    listed = send(
        f"{loopback.graph_url}/users/{ANA}/events?$filter=subject%20eq%20'x'",
        token=loopback.graph_token,
    )
    delta = send(
        f"{loopback.graph_url}/users/{ANA}/calendarView/delta?$select=subject"
        "&startDateTime=2025-03-01T00:00:00Z&endDateTime=2025-04-01T00:00:00Z",
        token=loopback.graph_token,
    )
    assert (listed.status, delta.status) == (400, 400)
    assert "$filter" in listed.body["error"]["message"]


def test_batch_answers_come_out_of_order_and_match_by_id(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    [batch] = graph.batches([graph.request_for(_create(n)) for n in range(3)])
    answer = send_graph(loopback, batch)
    assert [r["id"] for r in answer.body["responses"]] == ["2", "1", "0"]
    subjects = [r.body["subject"] for r in graph.batch_results(answer.body)]
    assert subjects == ["Item 0", "Item 1", "Item 2"]


def test_a_batch_part_with_a_body_but_no_content_type_is_refused(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    part = {
        "id": "1",
        "method": "POST",
        "url": f"/users/{ANA}/events",
        "body": graph.request_for(_create(0)).body,
    }
    answer = send(
        f"{loopback.graph_url}/$batch",
        "POST",
        token=loopback.graph_token,
        body={"requests": [part]},
    )
    [result] = graph.batch_results(answer.body)
    assert result.status == 400
    assert loopback.tenant.items(ANA) == ()


def test_batch_ids_are_unique_ignoring_case(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    parts = [{"id": name, "method": "GET", "url": f"/users/{ANA}/events"} for name in ("a", "A")]
    answer = send(
        f"{loopback.graph_url}/$batch", "POST", token=loopback.graph_token, body={"requests": parts}
    )
    assert answer.status == 400


def test_an_extended_property_is_one_whatever_the_case_of_its_guid(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    created = send_graph(loopback, graph.request_for(_create(0, sf_event_id="00U5g0000000001EAA")))
    upper = graph.SF_EVENT_ID_PROPERTY.upper().replace(
        "NAME SALESFORCEEVENTID", "Name SalesforceEventId"
    )
    loopback.tenant.edit_item(
        ANA,
        created.body["id"],
        singleValueExtendedProperties=[{"id": upper, "value": "00U5g0000000002EAA"}],
    )
    [item] = loopback.tenant.items(ANA)
    assert item.sf_event_id == "00U5g0000000002EAA"
    other_name = graph.SF_EVENT_ID_PROPERTY.replace("SalesforceEventId", "salesforceeventid")
    loopback.tenant.edit_item(
        ANA, created.body["id"], singleValueExtendedProperties=[{"id": other_name, "value": "x"}]
    )
    [item] = loopback.tenant.items(ANA)
    assert item.sf_event_id == "00U5g0000000002EAA"
