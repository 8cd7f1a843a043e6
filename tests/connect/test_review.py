"""The connector against what real servers do: tokens, links, Retry-After, unreadable answers.

Tokens that fail or are empty, links that loop or point at another host,
pages that repeat, ``Retry-After`` in every form, answers the adapters
cannot read: each test scripts the answers of ``httpx.MockTransport`` and
checks one guarantee -- no secret shown or sent elsewhere, no endless loop,
a write whose outcome is unknown left for the next run's read.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import httpx
import pytest

import calsync_core as cs
from calsync_core.connect import Connector, TokenSource
from calsync_core.connect._http import Answer
from calsync_core.connect._write import Writer
from calsync_core.ports import PermanentError, TransientError

from .test_transport import Script, closing, connector

__all__ = ["closing"]


def _page(**more: object) -> httpx.Response:
    return httpx.Response(200, json={"value": [], **more})


# -- tokens ------------------------------------------------------------------------------


def _graph_with(token: TokenSource, script: Script) -> Connector:
    return Connector(
        graph_token=token,
        salesforce_url="https://acme.my.salesforce.com",
        salesforce_token=lambda: "sf",
        transport=httpx.MockTransport(script),
    )


def test_a_token_source_that_raises_is_a_permanent_error_that_shows_no_secret(
    closing: list[Connector],
) -> None:
    def broken() -> str:
        raise KeyError("client_secret=hunter2")

    script = Script(httpx.Response(200, json={}))
    closing.append(c := _graph_with(broken, script))
    with pytest.raises(PermanentError, match="token") as raised:
        c.graph.endpoint.send("GET", "me", safe=True)
    assert "hunter2" not in str(raised.value)
    assert script.requests == []


@pytest.mark.parametrize("token", ["", "  \n"])
def test_an_empty_token_is_a_permanent_error_and_nothing_is_sent(
    closing: list[Connector], token: str
) -> None:
    script = Script(httpx.Response(200, json={}))
    closing.append(c := _graph_with(lambda: token, script))
    with pytest.raises(PermanentError, match="no token"):
        c.graph.endpoint.send("GET", "me", safe=True)
    assert script.requests == []


def test_a_token_with_a_trailing_new_line_is_sent_without_it(closing: list[Connector]) -> None:
    script = Script(httpx.Response(200, json={}))
    closing.append(c := _graph_with(lambda: "abc\n", script))
    assert c.graph.endpoint.send("GET", "me", safe=True).status == 200
    assert script.requests[0].headers["Authorization"] == "Bearer abc"


# -- links -------------------------------------------------------------------------------


def test_a_next_link_to_another_host_is_refused_and_the_token_never_goes_there(
    closing: list[Connector],
) -> None:
    script = Script(_page(**{"@odata.nextLink": "https://evil.example/collect?$skiptoken=1"}))
    closing.append(c := connector(script))
    with pytest.raises(PermanentError, match=r"evil\.example"):
        c.graph.round("a@acme.example", None, *_window())
    assert [r.url.host for r in script.requests] == ["graph.microsoft.com"]


def test_a_next_records_url_to_another_host_is_refused(closing: list[Connector]) -> None:
    page = {"totalSize": 2, "done": False, "records": [],
            "nextRecordsUrl": "http://evil.example/services/data/v61.0/query/01g-2"}  # fmt: skip
    script = Script(httpx.Response(200, json=page))
    closing.append(c := connector(script))
    with pytest.raises(PermanentError, match=r"evil\.example"):
        c.salesforce.query("SELECT Id FROM Contact")
    assert len(script.requests) == 1


def test_a_delta_next_link_that_repeats_is_an_error_not_an_endless_loop(
    closing: list[Connector],
) -> None:
    loop = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta?$skiptoken=same"
    script = Script(*[_page(**{"@odata.nextLink": loop}) for _ in range(5)])
    closing.append(c := connector(script))
    with pytest.raises(TransientError, match="came back"):
        c.graph.round("a@acme.example", None, *_window())
    assert len(script.requests) == 2


def test_a_query_whose_next_records_url_repeats_is_an_error_not_an_endless_loop(
    closing: list[Connector],
) -> None:
    page = {"totalSize": 9, "done": False, "records": [{"Id": "003A"}],
            "nextRecordsUrl": "/services/data/v61.0/query/01g-2000"}  # fmt: skip
    script = Script(*[httpx.Response(200, json=page) for _ in range(5)])
    closing.append(c := connector(script))
    with pytest.raises(TransientError, match="came back"):
        c.salesforce.query("SELECT Id FROM Contact")
    assert len(script.requests) == 2


def test_empty_pages_between_full_ones_are_followed_to_the_delta_link(
    closing: list[Connector],
) -> None:
    root = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta"
    script = Script(
        _page(**{"@odata.nextLink": f"{root}?$skiptoken=1"}),
        _page(**{"@odata.nextLink": f"{root}?$skiptoken=2"}),
        _page(**{"@odata.deltaLink": f"{root}?$deltatoken=3"}),
    )
    closing.append(c := connector(script))
    found = c.graph.round("a@acme.example", None, *_window())
    assert found.items == ()
    assert found.link.endswith("$deltatoken=3")


def test_a_delta_link_kept_for_another_graph_root_is_read_afresh_not_sent_there(
    closing: list[Connector],
) -> None:
    root = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta"
    script = Script(_page(**{"@odata.deltaLink": f"{root}?$deltatoken=new"}))
    closing.append(c := connector(script))
    found = c.graph.round("a@acme.example", "https://graph.microsoft.us/v1.0/x?$deltatoken=old",
                          *_window())  # fmt: skip
    assert found.resync
    assert [r.url.host for r in script.requests] == ["graph.microsoft.com"]
    assert "startDateTime=" in str(script.requests[0].url)


def test_a_next_link_that_expires_mid_round_starts_the_round_afresh(
    closing: list[Connector],
) -> None:
    root = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta"
    gone = {"error": {"code": "syncStateNotFound", "message": "expired"}}
    script = Script(
        _page(**{"@odata.nextLink": f"{root}?$skiptoken=1"}),
        httpx.Response(410, json=gone),
        _page(**{"@odata.deltaLink": f"{root}?$deltatoken=2"}),
    )
    closing.append(c := connector(script))
    found = c.graph.round("a@acme.example", None, *_window())
    assert found.resync
    assert found.link.endswith("$deltatoken=2")
    assert "startDateTime=" in str(script.requests[2].url)


def test_a_410_on_every_fresh_start_is_transient_and_ends(closing: list[Connector]) -> None:
    gone = {"error": {"code": "syncStateNotFound", "message": "expired"}}
    script = Script(*[httpx.Response(410, json=gone) for _ in range(5)])
    closing.append(c := connector(script))
    kept = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta?$deltatoken=old"
    with pytest.raises(TransientError, match="410"):
        c.graph.round("a@acme.example", kept, *_window())
    assert len(script.requests) == 3


# -- Retry-After -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("7", 7.0), ("-3", None), ("2.5", 2.5), ("1e999", None), ("nan", None), ("soon", None),
     ("Sun, 06 Dec 2026 10:00:30 GMT", 30.0), ("Sun, 06 Dec 2026 09:59:00 GMT", 0.0)],
)  # fmt: skip
def test_retry_after_is_seconds_or_an_http_date_against_the_answers_date(
    value: str, seconds: float | None
) -> None:
    headers = {"retry-after": value, "date": "Sun, 06 Dec 2026 10:00:00 GMT"}
    assert Answer(status=429, headers=headers, body=None).retry_after() == seconds


def test_retry_after_as_an_http_date_without_a_date_counts_from_this_machines_clock() -> None:
    past = Answer(status=503, headers={"retry-after": "Sat, 01 Jan 2000 00:00:00 GMT"}, body=None)
    assert past.retry_after() == 0.0
    later = Answer(status=503, headers={"retry-after": "Fri, 01 Jan 2100 00:00:00 GMT"}, body=None)
    assert (later.retry_after() or 0.0) > 365 * 86400


# -- writes ------------------------------------------------------------------------------


def test_a_precondition_read_that_fails_fails_its_actions_not_the_whole_session(
    closing: list[Connector],
) -> None:
    # An action planned on the kept state is read before it is written; when that read
    # fails, earlier waves already wrote: the session must go on to save what they did.
    script = Script(httpx.Response(500, json={"error": {"code": "InternalServerError"}}))
    closing.append(c := connector(script))
    writer = Writer(c.graph, c.salesforce, c.pool, batching=True)
    action = cs.DeleteItem(mailbox="a@acme.example", item_id="AAMk/x+y=", rule="R-TEST")
    [outcome] = writer.execute([action])
    assert isinstance(outcome.error, TransientError)


def test_ids_with_slash_plus_and_equals_are_one_path_segment(closing: list[Connector]) -> None:
    item_id = "AAMkAG/I2+TG93AAA="
    script = Script(httpx.Response(200, json={"responses": [{"id": "0", "status": 404}]}))
    closing.append(c := connector(script))
    assert c.graph.items_by_id("Ana+Sales@acme.example", [item_id]) == []
    [asked] = json.loads(script.requests[0].content)["requests"]
    assert asked["url"].startswith(
        "/users/Ana%2BSales@acme.example/events/AAMkAG%2FI2%2BTG93AAA%3D?"
    )


def _window() -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=3650)


def test_records_a_query_repeats_across_pages_are_resolved_once(closing: list[Connector]) -> None:
    row = {"attributes": {"type": "Contact"}, "Id": "0035g0000000001AAA", "Email": "bob@x.example",
           "Name": "Bob", "AccountId": None}  # fmt: skip
    more = "/services/data/v61.0/query/01g-2000"
    script = Script(
        httpx.Response(200, json={"done": False, "records": [row], "nextRecordsUrl": more}),
        httpx.Response(200, json={"done": True, "records": [row]}),
        httpx.Response(200, json={"done": True, "records": []}),
    )
    closing.append(c := connector(script))
    assert [r.id for r in c.salesforce.resolve(["bob@x.example"])] == ["0035g0000000001AAA"]


def test_a_batch_answer_naming_a_sub_request_never_sent_is_an_error_not_a_crash(
    closing: list[Connector],
) -> None:
    answers = {"responses": [{"id": "7", "status": 200, "body": {}}]}
    closing.append(c := connector(Script(httpx.Response(200, json=answers))))
    with pytest.raises(PermanentError):
        c.graph.items_by_id("a@acme.example", ["x"])


def test_a_precondition_read_the_adapter_cannot_read_fails_its_actions_not_the_session(
    closing: list[Connector],
) -> None:
    answers = {"responses": [{"id": "0", "status": 200, "body": {"id": 3, "subject": []}}]}
    closing.append(c := connector(Script(httpx.Response(200, json=answers))))
    writer = Writer(c.graph, c.salesforce, c.pool, batching=True)
    action = cs.DeleteItem(mailbox="a@acme.example", item_id="x", rule="R-TEST")
    [outcome] = writer.execute([action])
    assert isinstance(outcome.error, PermanentError)


def test_a_write_whose_answer_cannot_be_read_is_transient_the_next_read_decides(
    closing: list[Connector],
) -> None:
    # A proxy's page instead of the composite's answer: the create may have happened.
    script = Script(httpx.Response(200, text="<html>Bad gateway</html>"))
    closing.append(c := connector(script))
    writer = Writer(c.graph, c.salesforce, c.pool, batching=True)
    action = cs.CreateRecord(ref="r1", kind=cs.RecordKind.LEAD, email="new@customer.example",
                             name="New Person", rule="R-TEST")  # fmt: skip
    [outcome] = writer.execute([action])
    assert isinstance(outcome.error, TransientError)
    assert "outcome is unknown" in str(outcome.error)


def test_closing_the_connector_ends_a_throttle_wait_and_sends_no_retry() -> None:
    # Ctrl-C closes the connector: a worker waiting out a 30-second Retry-After stops.
    script = Script(*[httpx.Response(429, headers={"Retry-After": "30"}) for _ in range(5)])
    c = _graph_with(lambda: "t", script)
    waiting = c.pool.submit(c.graph.endpoint.send, "GET", "me", safe=True)
    while not script.requests:
        time.sleep(0.01)
    started = time.monotonic()
    c.close()
    assert time.monotonic() - started < 5
    with pytest.raises(TransientError, match="closing"):
        waiting.result()
    assert len(script.requests) == 1
