"""The connector's HTTP layer on mocked transports: tokens, throttling, retries, paging.

Each test scripts the answers of ``httpx.MockTransport`` (recorded payloads
from ``tests/fixtures`` where the services document one) and checks what the
connector sent and what it made of the answers. Nothing sleeps: the backoff's
``sleep`` and ``jitter`` are injected.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from calsync_core.connect import Backoff, Connector
from calsync_core.ports import ConflictError, PermanentError, TransientError

FIXTURES = Path(__file__).parent.parent / "fixtures"
Handler = Callable[[httpx.Request], httpx.Response]


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Script:
    """A MockTransport handler answering from a list, and what it was asked."""

    def __init__(self, *answers: httpx.Response | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        return answer(request) if callable(answer) else answer


def connector(script: Script, sleeps: list[float] | None = None, **options: Any) -> Connector:
    tokens = iter(f"token-{n}" for n in range(1, 100))
    backoff = Backoff(
        attempts=options.pop("attempts", 5),
        cap=options.pop("cap", 30.0),
        sleep=(sleeps if sleeps is not None else []).append,
        jitter=lambda: 1.0,
    )
    return Connector(
        graph_token=lambda: next(tokens),
        salesforce_url="https://acme.my.salesforce.com",
        salesforce_token=lambda: "sf-token",
        backoff=backoff,
        transport=httpx.MockTransport(script),
        concurrency=1,
        **options,
    )


@pytest.fixture
def closing() -> Iterator[list[Connector]]:
    made: list[Connector] = []
    yield made
    for c in made:
        c.close()


def test_a_401_asks_the_token_source_again_and_resends_once(closing: list[Connector]) -> None:
    script = Script(httpx.Response(401), httpx.Response(200, json={"ok": True}))
    closing.append(c := connector(script))
    answer = c.graph.endpoint.send("GET", "me", safe=True)
    assert answer.status == 200
    assert [r.headers["Authorization"] for r in script.requests] == [
        "Bearer token-1",
        "Bearer token-2",
    ]


def test_a_second_401_is_a_permanent_error(closing: list[Connector]) -> None:
    closing.append(c := connector(Script(httpx.Response(401), httpx.Response(401))))
    with pytest.raises(PermanentError, match="401"):
        c.graph.endpoint.send("GET", "me", safe=True)


def test_429_waits_the_retry_after_capped_then_succeeds(closing: list[Connector]) -> None:
    sleeps: list[float] = []
    script = Script(
        httpx.Response(429, headers={"Retry-After": "7"},
                       json=recorded("graph/error-429-throttled.json")),
        httpx.Response(503, headers={"Retry-After": "120"}),
        httpx.Response(200, json={}),
    )  # fmt: skip
    closing.append(c := connector(script, sleeps, cap=30.0))
    assert c.graph.endpoint.send("GET", "me", safe=True).status == 200
    assert sleeps == [7.0, 30.0]
    assert c.traffic.retries == 2
    assert c.traffic.round_trips == 3


def test_backoff_without_retry_after_doubles_and_is_jittered() -> None:
    sleeps: list[float] = []
    backoff = Backoff(base=1.0, cap=5.0, sleep=sleeps.append, jitter=lambda: 0.0)
    for attempt in range(4):
        backoff.wait(attempt, None)
    assert sleeps == [0.5, 1.0, 2.0, 2.5]  # half of 1, 2, 4, then half of the cap


def test_throttling_that_outlasts_the_attempts_is_transient(closing: list[Connector]) -> None:
    script = Script(*[httpx.Response(429, headers={"Retry-After": "1"}) for _ in range(3)])
    closing.append(c := connector(script, attempts=3))
    with pytest.raises(TransientError, match="429 after 3 tries"):
        c.graph.endpoint.send("GET", "me", safe=True)


def _drop(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def test_a_write_whose_connection_dropped_is_not_sent_again(closing: list[Connector]) -> None:
    script = Script(_drop, httpx.Response(201, json={"id": "x"}))
    closing.append(c := connector(script))
    with pytest.raises(TransientError, match="outcome is unknown"):
        c.graph.endpoint.send("POST", "users/a@acme.example/events", body={})
    assert len(script.requests) == 1


def test_a_read_whose_connection_dropped_is_sent_again(closing: list[Connector]) -> None:
    script = Script(_drop, httpx.Response(200, json={}))
    closing.append(c := connector(script))
    assert c.graph.endpoint.send("GET", "me", safe=True).status == 200
    assert len(script.requests) == 2


def test_a_delta_round_follows_every_page_and_reads_each_stamp(closing: list[Connector]) -> None:
    mailbox = "samanthab@contoso.onmicrosoft.com"
    pages = [recorded(f"graph/calendarview-delta-page{n}{kind}.json")
             for n, kind in ((1, "-nextlink"), (2, "-nextlink"), (3, "-deltalink"))]  # fmt: skip
    ids = [e["id"] for p in pages for e in p["value"]]
    stamped = recorded("graph/event-expand-extended-property.handmade.json")

    def lookups(request: httpx.Request) -> httpx.Response:
        asked = json.loads(request.content)["requests"]
        return httpx.Response(200, json={"responses": [
            {"id": r["id"], "status": 200,
             "body": {**stamped, "id": r["url"].split("/")[4].partition("?")[0], "categories": []}}
            for r in asked]})  # fmt: skip

    script = Script(*(httpx.Response(200, json=p) for p in pages), lookups)
    closing.append(c := connector(script))
    found = c.graph.round(mailbox, None, *_window())
    assert found.resync
    assert found.link.endswith("$deltatoken=R0usmcMDNGg0J1E")
    assert len(found.items) == len(set(ids)) == 5
    assert {i.sf_event_id for i in found.items} == {"00U1U000008tip8UAA"}
    first = script.requests[0]
    assert first.url.path.endswith("/calendarView/delta")
    assert first.headers["Prefer"] == "odata.maxpagesize=100"
    assert str(script.requests[1].url) == pages[0]["@odata.nextLink"]


def test_an_expired_delta_link_is_read_again_from_the_start_as_a_resync(
    closing: list[Connector],
) -> None:
    gone = {"error": {"code": "syncStateNotFound", "message": "expired"}}
    last = {**recorded("graph/calendarview-delta-page3-deltalink.json"), "value": []}
    script = Script(httpx.Response(410, json=gone), httpx.Response(200, json=last))
    closing.append(c := connector(script))
    found = c.graph.round("a@acme.example", "https://graph.example/old?$deltatoken=x", *_window())
    assert found.resync
    assert found.items == ()
    assert found.link == last["@odata.deltaLink"]
    assert "startDateTime=" in str(script.requests[1].url)


def test_a_lookup_leaves_out_only_what_graph_says_is_gone(closing: list[Connector]) -> None:
    answers = {"responses": [{"id": "0", "status": 404}, {"id": "1", "status": 500}]}
    closing.append(c := connector(Script(httpx.Response(200, json=answers))))
    with pytest.raises(PermanentError, match="500"):
        c.graph.items_by_id("a@acme.example", ["gone", "broken"])


def test_a_stale_change_key_in_a_lookup_batch_is_a_conflict(closing: list[Connector]) -> None:
    answers = {"responses": [{"id": "0", "status": 412}]}
    closing.append(c := connector(Script(httpx.Response(200, json=answers))))
    with pytest.raises(ConflictError):
        c.graph.items_by_id("a@acme.example", ["x"])


def test_a_throttled_sub_request_is_sent_again_alone(closing: list[Connector]) -> None:
    sleeps: list[float] = []
    body = {**recorded("graph/event-expand-extended-property.handmade.json"), "categories": []}
    first = {
        "responses": [
            {"id": "0", "status": 200, "body": {**body, "id": "a"}},
            {"id": "1", "status": 429, "headers": {"Retry-After": "3"}},
        ]
    }
    second = {"responses": [{"id": "0", "status": 200, "body": {**body, "id": "b"}}]}  # fmt: skip
    script = Script(httpx.Response(200, json=first), httpx.Response(200, json=second))
    closing.append(c := connector(script, sleeps))
    items = c.graph.items_by_id("a@acme.example", ["a", "b"])
    assert sorted(i.id for i in items) == ["a", "b"]
    assert sleeps == [3.0]
    assert len(json.loads(script.requests[1].content)["requests"]) == 1


def test_a_query_follows_next_records_url_to_the_last_page(closing: list[Connector]) -> None:
    page = recorded("salesforce/query-contact-page.json")
    last = {"totalSize": 2, "done": True, "records": [{**page["records"][0], "Id": "003B"}]}
    script = Script(httpx.Response(200, json=page), httpx.Response(200, json=last))
    closing.append(c := connector(script))
    rows = c.salesforce.query("SELECT Id, Name FROM Contact")
    assert [r["Id"] for r in rows] == [page["records"][0]["Id"], "003B"]
    assert script.requests[1].url.path == page["nextRecordsUrl"]
    assert script.requests[0].headers["Authorization"] == "Bearer sf-token"


def _window() -> tuple[Any, Any]:
    import datetime as dt

    start = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=3650)
