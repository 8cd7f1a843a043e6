"""Graph JSON batching: ``batches`` groups requests, ``batch_results`` reads the answer.

Shapes are checked against the published and handmade batch fixtures in
tests/fixtures/graph (tests/fixtures/SOURCES.md says where each is from).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core.graph import BATCH_LIMIT, batch_results, batches
from calsync_core.ports import ConflictError, PermanentError, TransientError

GRAPH = Path(__file__).parent / "fixtures" / "graph"


def fixture(name: str) -> Any:
    return json.loads((GRAPH / name).read_text(encoding="utf-8"))


def as_request(sub: dict[str, Any]) -> cs.Request:
    """A fixture's sub-request as the Request it was made from."""
    return cs.Request(
        method=sub["method"],
        url=sub["url"].lstrip("/"),
        headers=sub.get("headers", {}),
        body=sub.get("body"),
    )


def renumbered(subs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A fixture's sub-requests with the ids ``batches`` writes: the index, from 0."""
    index = {sub["id"]: str(n) for n, sub in enumerate(subs)}
    out = []
    for sub in subs:
        copy = {**sub, "id": index[sub["id"]]}
        if "dependsOn" in sub:
            copy["dependsOn"] = [index[d] for d in sub["dependsOn"]]
        out.append(copy)
    return out


@pytest.mark.parametrize("name", ["batch-request.json", "batch-request-dependson.handmade.json"])
def test_a_fixture_batch_is_written_again_from_its_requests(name: str) -> None:
    subs = fixture(name)["requests"]
    ids = {sub["id"]: n for n, sub in enumerate(subs)}
    depends = {ids[s["id"]]: [ids[d] for d in s["dependsOn"]] for s in subs if "dependsOn" in s}
    [batch] = batches([as_request(s) for s in subs], depends=depends)
    assert (batch.method, batch.url) == ("POST", "$batch")
    assert batch.headers == {"Content-Type": "application/json"}
    assert batch.body == {"requests": renumbered(subs)}


def test_a_body_without_content_type_gets_one() -> None:
    [batch] = batches([cs.Request(method="POST", url="/me/events", body={"subject": "x"})])
    assert batch.body["requests"][0] == {
        "id": "0",
        "method": "POST",
        "url": "/me/events",
        "headers": {"Content-Type": "application/json"},
        "body": {"subject": "x"},
    }


def test_21_requests_make_two_batches_and_later_dependencies_span_them() -> None:
    requests = [cs.Request(method="DELETE", url=f"me/events/{n}") for n in range(21)]
    first, second = batches(requests, depends={20: [3, 19], 19: [18]})
    one, two = first.body["requests"], second.body["requests"]
    assert [len(one), len(two)] == [20, 1]
    assert [s["id"] for s in one + two] == [str(n) for n in range(21)]
    assert one[19]["dependsOn"] == ["18"]
    assert "dependsOn" not in two[0]  # 3 and 19 went in the batch before


def test_no_requests_make_no_batches() -> None:
    assert batches([]) == ()


@pytest.mark.parametrize("depends", [{1: [1]}, {0: [1]}, {2: [0]}, {1: [-1]}])
def test_a_dependency_that_cannot_be_kept_is_refused(depends: dict[int, list[int]]) -> None:
    requests = [cs.Request(method="GET", url="me"), cs.Request(method="GET", url="me/events")]
    with pytest.raises(ValueError, match="depends"):
        batches(requests, depends=depends)


@given(st.integers(0, 70), st.data())
def test_batching_keeps_every_request_once_in_order(count: int, data: st.DataObject) -> None:
    requests = [cs.Request(method="GET", url=f"me/events/{n}") for n in range(count)]
    depends: dict[int, list[int]] = {}
    if count > 1:
        later = data.draw(st.lists(st.integers(1, count - 1), max_size=5, unique=True))
        depends = {n: data.draw(st.lists(st.integers(0, n - 1), min_size=1)) for n in later}
    out = batches(requests, depends=depends)
    subs = [sub for batch in out for sub in batch.body["requests"]]
    assert all(len(batch.body["requests"]) <= BATCH_LIMIT for batch in out)
    assert len(out) == -(-count // BATCH_LIMIT)
    assert [sub["url"] for sub in subs] == [f"/me/events/{n}" for n in range(count)]
    assert [sub["id"] for sub in subs] == [str(n) for n in range(count)]
    for batch in out:
        ids = [sub["id"] for sub in batch.body["requests"]]
        for sub in batch.body["requests"]:
            assert all(ids.index(d) < ids.index(sub["id"]) for d in sub.get("dependsOn", ()))


def test_the_published_response_is_read_in_id_order() -> None:
    results = batch_results(fixture("batch-response.json"))
    assert [(r.id, r.status, r.ok) for r in results] == [
        ("1", 302, True),
        ("2", 200, True),
        ("3", 401, False),
        ("4", 204, True),
    ]
    assert isinstance(results[2].error, PermanentError)
    assert "Forbidden" in str(results[2].error)
    assert results[0].headers["location"].startswith("https://")
    assert results[3].body is None


def test_the_handmade_response_maps_each_failure() -> None:
    created, conflict, throttled, failed_dependency = batch_results(
        fixture("batch-response-412-429-424.handmade.json")
    )
    assert created.ok
    assert created.body["changeKey"] == "y53lbKh6jkaxHzFwGhgyxgAAw5zhug=="
    assert isinstance(conflict.error, ConflictError)
    assert "ErrorIrresolvableConflict" in str(conflict.error)
    assert type(throttled.error) is TransientError
    assert throttled.retry_after == 7
    assert type(failed_dependency.error) is TransientError
    assert failed_dependency.retry_after is None


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, PermanentError),
        (401, PermanentError),
        (403, PermanentError),
        (404, PermanentError),
        (409, PermanentError),
        (412, ConflictError),
        (424, TransientError),
        (429, TransientError),
        (500, PermanentError),
        (503, TransientError),
        (504, TransientError),
    ],
)
def test_every_error_status_maps_to_a_port_error(status: int, kind: type[Exception]) -> None:
    [result] = batch_results(
        {"responses": [{"id": "0", "status": status, "headers": {"retry-after": "2.128"}}]}
    )
    assert type(result.error) is kind
    assert not result.ok
    assert result.retry_after == 2.128
    assert result.error.retryable is (kind is not PermanentError)


@pytest.mark.parametrize(("header", "seconds"), [("abc", None), ("-1", None), ("0", 0.0)])
def test_an_unusable_retry_after_is_none(header: str, seconds: float | None) -> None:
    [result] = batch_results(
        {"responses": [{"id": "0", "status": 429, "headers": {"Retry-After": header}}]}
    )
    assert result.retry_after == seconds


def test_ids_that_are_not_numbers_sort_after_numbers() -> None:
    results = batch_results(
        {
            "responses": [
                {"id": "b", "status": 200},
                {"id": "10", "status": 200},
                {"id": "9", "status": 200},
            ]
        }
    )
    assert [r.id for r in results] == ["9", "10", "b"]


@pytest.mark.parametrize(
    ("response", "problems"),
    [
        ([], ["(response): expected an object, got an array"]),
        ({}, ["responses: missing"]),
        ({"responses": None}, ["responses: expected an array, got null"]),
        ({"responses": {}}, ["responses: expected an array, got an object"]),
        (
            {"responses": [3, {"status": "200"}, {"id": "1", "status": 99, "headers": []}]},
            [
                "responses[0]: expected an object, got a number",
                "responses[1].id: missing",
                "responses[1].status: expected a number, got a string",
                "responses[2].status: 99 is not an HTTP status",
                "responses[2].headers: expected an object, got an array",
            ],
        ),
        (
            {"responses": [{"id": "1", "status": True, "headers": {"Retry-After": 7}}]},
            [
                "responses[0].status: expected a number, got a boolean",
                "responses[0].headers.Retry-After: expected a string, got a number",
            ],
        ),
        (
            {"responses": [{"id": "A", "status": 200}, {"id": "a", "status": 204}, {"id": "2"}]},
            ["responses[1].id: 'a' comes twice", "responses[2].status: missing"],
        ),
    ],
)
def test_a_malformed_response_lists_every_problem(response: Any, problems: list[str]) -> None:
    with pytest.raises(cs.PayloadError) as caught:
        batch_results(response)
    assert list(caught.value.problems) == problems
