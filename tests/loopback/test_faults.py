"""The fault script: each fault fires where and as often as scripted, and only then."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import time
from urllib.parse import urlsplit

import pytest

import calsync_core as cs
from calsync_core import graph, salesforce
from calsync_core.testing.loopback import Faults, Loopback, Tenant, serve

from .client import composite, query, send
from .client import graph as send_graph

ANA = "ana@acme.example"
START = dt.datetime(2025, 3, 4, 15, 0, tzinfo=dt.UTC)


def _create(n: int) -> cs.Request:
    return graph.request_for(
        cs.CreateItem(
            ref=f"new-item:{n}",
            mailbox=ANA,
            ical_uid="",
            start=START,
            end=START + dt.timedelta(hours=1),
            subject=f"Meeting {n}",
            body="",
            location="",
            is_all_day=False,
            sensitivity=cs.Sensitivity.NORMAL,
            categories=(),
            sf_event_id=None,
            rule="R-DOWN-CREATE",
        )
    )


def _post(server: Loopback, request: cs.Request) -> int:
    return send_graph(server, request).status


def test_a_throttle_answers_429_with_retry_after_then_lets_calls_through(
    loopback: Loopback,
) -> None:
    loopback.tenant.add_mailbox(ANA)
    loopback.faults.throttle("/events$", method="POST", times=2, retry_after="3")
    first = send(
        f"{loopback.graph_url}/users/{ANA}/events",
        "POST",
        token=loopback.graph_token,
        body=_create(0).body,
    )
    assert first.status == 429
    assert first.headers["retry-after"] == "3"
    assert first.body["error"]["code"] == "TooManyRequests"
    assert [_post(loopback, _create(1)), _post(loopback, _create(2))] == [429, 201]
    assert len(loopback.tenant.items(ANA)) == 1  # a throttled call writes nothing
    assert loopback.faults.pending == 0
    assert [f.kind for f in loopback.faults.fired] == ["throttle", "throttle"]


def test_unavailable_answers_503_with_retry_after(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    loopback.faults.unavailable("calendarView", retry_after="2")
    url = (
        f"{loopback.graph_url}/users/{ANA}/calendarView/delta"
        "?startDateTime=2025-03-01T00:00:00Z&endDateTime=2025-04-01T00:00:00Z"
    )
    answer = send(url, token=loopback.graph_token)
    assert (answer.status, answer.headers["retry-after"]) == (503, "2")
    assert send(url, token=loopback.graph_token).status == 200


def test_the_request_limit_answers_salesforces_403(loopback: Loopback) -> None:
    loopback.faults.request_limit("/query", after=1)
    assert query(loopback, "SELECT Id FROM User").status == 200
    limited = query(loopback, "SELECT Id FROM User")
    assert limited.status == 403
    assert limited.body[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert query(loopback, "SELECT Id FROM User").status == 200


def test_a_server_error_mid_batch_fails_that_part_only(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    loopback.faults.server_error("/events$", method="POST", after=1)
    [batch] = graph.batches([_create(n) for n in range(3)])
    answer = send_graph(loopback, batch)
    results = graph.batch_results(answer.body)
    assert [r.status for r in results] == [201, 500, 201]
    assert isinstance(results[1].error, cs.ports.PermanentError)
    assert answer.body["responses"][1]["body"]["error"]["code"] == "generalException"
    assert sorted(i.subject for i in loopback.tenant.items(ANA)) == ["Meeting 0", "Meeting 2"]


def test_a_throttled_part_of_a_composite_is_transient(loopback: Loopback) -> None:
    loopback.faults.request_limit("sobjects/Account$", method="POST")
    parts = [
        (f"a{n}", cs.Request(method="POST", url="sobjects/Account", body={"Name": f"A{n}"}))
        for n in range(2)
    ]
    [request] = salesforce.composites(parts)
    answer = composite(loopback, request.body)
    first, second = salesforce.composite_results(answer.body)
    assert isinstance(first.error, cs.ports.TransientError)
    assert second.ok
    assert [a["Name"] for a in loopback.tenant.sobjects("Account")] == ["A1"]


def test_a_dropped_connection_comes_after_the_write_committed(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    loopback.faults.drop_after_commit("/events$", method="POST")
    parts = urlsplit(loopback.graph_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    body = json.dumps(_create(0).body)
    headers = {
        "Authorization": f"Bearer {loopback.graph_token}",
        "Content-Type": "application/json",
    }
    connection.request("POST", f"{parts.path}/users/{ANA}/events", body, headers)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.getresponse()
    connection.close()
    assert [i.subject for i in loopback.tenant.items(ANA)] == ["Meeting 0"]
    assert loopback.log.entries()[-1].status is None
    assert _post(loopback, _create(1)) == 201  # only once


def test_a_fault_on_another_path_or_method_never_fires(loopback: Loopback) -> None:
    loopback.tenant.add_mailbox(ANA)
    loopback.faults.throttle("/calendarView/", times=1)
    loopback.faults.server_error("/events$", method="DELETE")
    assert _post(loopback, _create(0)) == 201
    assert loopback.faults.pending == 2
    loopback.faults.clear()
    assert loopback.faults.pending == 0


def test_a_fault_needs_a_positive_count() -> None:
    with pytest.raises(ValueError, match="times must be at least 1"):
        Faults().throttle(times=0)


def test_stopping_closes_kept_alive_connections() -> None:
    before = threading.active_count()
    with serve(Tenant()) as server:
        parts = urlsplit(server.salesforce_url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
        connection.request(
            "GET",
            "/services/data/v61.0/query?q=SELECT+Id+FROM+User",
            headers={"Authorization": f"Bearer {server.salesforce_token}"},
        )
        assert connection.getresponse().read()
    for _ in range(100):
        if threading.active_count() <= before:
            break
        time.sleep(0.01)
    assert threading.active_count() <= before
    connection.close()
