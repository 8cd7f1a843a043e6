"""Composite requests: grouping, ``@{ref.id}`` substitution, and reading the results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core import ports
from calsync_core import salesforce as sf

FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def _inputs(document: Any, version: str) -> list[tuple[str, cs.Request]]:
    """A fixture's sub-requests as the (referenceId, Request) pairs that write them."""
    prefix = f"/services/data/{version}/"
    return [
        (
            entry["referenceId"],
            cs.Request(
                method=entry["method"],
                url=entry["url"].removeprefix(prefix),
                headers=entry.get("httpHeaders", {}),
                body=entry.get("body"),
            ),
        )
        for entry in document["compositeRequest"]
    ]


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("composite-create.request.json", "v68.0"),
        ("composite-upsert.request.json", "v68.0"),
        ("composite-event-relations.request.handmade.json", "v61.0"),
    ],
)
def test_fixture_shapes(name: str, version: str) -> None:
    document = _load(name)
    [batch] = sf.composites(
        _inputs(document, version),
        api_version=version,
        all_or_none=document.get("allOrNone", False),
    )
    assert (batch.method, batch.url, dict(batch.headers)) == ("POST", "composite", {})
    assert batch.body == document


def test_refs_become_reference_ids() -> None:
    document = _load("composite-event-relations.request.handmade.json")
    pairs = _inputs(document, "v61.0")
    for _, request in pairs[1:3]:
        request.body["EventId"] = "new-event:item-1"
    attach = cs.Request(method="PATCH", url="sobjects/Event/new-event:item-1", body={"a": ["x"]})
    pairs.append(("touch", attach))
    [batch] = sf.composites(pairs, refs={"new-event:item-1": "newEvent"}, all_or_none=True)
    entries = batch.body["compositeRequest"]
    expected = _load("composite-event-relations.request.handmade.json")
    assert entries[:5] == expected["compositeRequest"]
    assert entries[5]["url"] == "/services/data/v61.0/sobjects/Event/@{newEvent.id}"


def _post(n: int, **body: Any) -> cs.Request:
    return cs.Request(method="POST", url="sobjects/Event", body={"Subject": str(n), **body})


def test_twenty_six_requests_make_two_composites() -> None:
    pairs = [(f"r{n}", _post(n)) for n in range(26)]
    first, second = sf.composites(pairs)
    assert len(first.body["compositeRequest"]) == 25
    assert [e["referenceId"] for e in second.body["compositeRequest"]] == ["r25"]
    assert "allOrNone" not in first.body


def test_a_create_stays_with_its_dependents() -> None:
    pairs = [(f"r{n}", _post(n)) for n in range(24)]
    pairs.append(("ev", _post(24)))
    pairs.append(("row", _post(25, EventId="ref-ev")))
    first, second = sf.composites(pairs, refs={"ref-ev": "ev"})
    assert len(first.body["compositeRequest"]) == 24
    assert [e["referenceId"] for e in second.body["compositeRequest"]] == ["ev", "row"]
    assert second.body["compositeRequest"][1]["body"]["EventId"] == "@{ev.id}"


@pytest.mark.parametrize(
    ("pairs", "refs", "match"),
    [
        ([("bad-id", _post(0))], {}, "letters"),
        ([("a", _post(0)), ("a", _post(1))], {}, "twice"),
        ([("a", _post(0))], {"x": "b"}, "no request"),
        ([("a", _post(0, WhoId="x")), ("b", _post(1))], {"x": "b"}, "later"),
        (
            [(f"r{n}", _post(n, P="x") if n else _post(n)) for n in range(26)],
            {"x": "r0"},
            "dependency",
        ),
    ],
)
def test_refused_groupings(
    pairs: list[tuple[str, cs.Request]], refs: dict[str, str], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        sf.composites(pairs, refs=refs)


def test_bad_api_version() -> None:
    with pytest.raises(ValueError, match="api_version"):
        sf.composites([], api_version="61")


def _longest_unsplittable(links: list[int]) -> int:
    """The longest run of requests no composite boundary may cut (a link crosses each cut)."""
    longest = run = 0
    reach = 0  # the furthest position a link seen so far still needs
    for n in range(len(links)):
        run += 1
        # A later request linking back across the cut after ``n`` forbids it.
        reach = max(
            [reach, n]
            + [m for m in range(n + 1, len(links)) if links[m] and 0 <= m - links[m] <= n]
        )
        if reach == n:
            longest, run = max(longest, run), 0
    return max(longest, run)


@given(st.lists(st.integers(min_value=0, max_value=3), max_size=80))
def test_grouping_keeps_order_and_every_request_once(links: list[int]) -> None:
    # Each request may name the create 1-3 places before it (0: none).
    pairs = []
    refs = {}
    for n, back in enumerate(links):
        body = {"Parent": f"ref-{n - back}"} if back and n - back >= 0 else {}
        pairs.append((f"r{n}", _post(n, **body)))
        refs[f"ref-{n}"] = f"r{n}"
    if _longest_unsplittable(links) > sf.COMPOSITE_LIMIT:
        # A create and what names it share a composite: too long a chain is refused.
        with pytest.raises(ValueError, match="dependency boundary"):
            sf.composites(pairs, refs=refs)
        return
    out = sf.composites(pairs, refs=refs)
    ids = [e["referenceId"] for b in out for e in b.body["compositeRequest"]]
    assert ids == [f"r{n}" for n in range(len(links))]
    assert all(1 <= len(b.body["compositeRequest"]) <= sf.COMPOSITE_LIMIT for b in out)
    for batch in out:
        here = {e["referenceId"] for e in batch.body["compositeRequest"]}
        for entry in batch.body["compositeRequest"]:
            parent = entry["body"].get("Parent")
            assert parent is None or parent[2:-4] in here


def test_results_of_success() -> None:
    [account, contact] = sf.composite_results(_load("composite-upsert.response.json"))
    assert (account.reference_id, account.status, account.id) == (
        "NewAccount",
        201,
        "0016g00000Wqu1EAAR",
    )
    assert contact.ok
    assert contact.id == "0036g00000XrZ2QAAV"
    [one] = sf.composite_results({"compositeResponse": [_load("composite-subrequest-result.json")]})
    assert one == sf.CompositeResult(reference_id="refAccount", status=201, id="001R00000064wdtIAA")
    [gone] = sf.composite_results(
        {"compositeResponse": [{"httpStatusCode": 204, "referenceId": "d", "body": None}]}
    )
    assert gone.ok
    assert gone.id is None


def test_all_or_none_results() -> None:
    results = sf.composite_results(_load("composite-event-relations.response.handmade.json"))
    kinds = [type(r.error) for r in results]
    assert kinds == [ports.TransientError] * 4 + [ports.PermanentError]
    assert "ENTITY_IS_DELETED" in str(results[4].error)


def _answer(status: int, body: Any) -> Any:
    entry = {"body": body, "httpHeaders": {}, "httpStatusCode": status, "referenceId": "x"}
    return {"compositeResponse": [entry]}


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (403, _load("error-request-limit-exceeded.handmade.json"), ports.TransientError),
        (400, _load("error-unable-to-lock-row.handmade.json"), ports.TransientError),
        (404, _load("error-entity-is-deleted.handmade.json"), ports.PermanentError),
        (400, _load("error-invalid-eventwhoids.handmade.json"), ports.PermanentError),
        (400, _load("composite-subrequest-error.json")["body"], ports.PermanentError),
        (400, [{"errorCode": "INVALID_FIELD", "message": "No such column"}], ports.PermanentError),
        (412, [{"errorCode": "PRECONDITION_FAILED", "message": "m"}], ports.ConflictError),
        (503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "m"}], ports.TransientError),
        (429, [{"errorCode": "TOO_MANY", "message": "m"}], ports.TransientError),
    ],
)
def test_error_mapping(status: int, body: Any, kind: type[ports.PortError]) -> None:
    [result] = sf.composite_results(_answer(status, body))
    assert type(result.error) is kind
    assert not result.ok
    assert result.id is None
    assert str(result.error).startswith(f"HTTP {status}: {body[0]['errorCode']}")


@pytest.mark.parametrize(
    ("response", "problems"),
    [
        ([], ["(payload): not a JSON object", "compositeResponse: missing"]),
        ({"compositeResponse": {}}, ["compositeResponse: not a list"]),
        (
            {"compositeResponse": [{"httpStatusCode": True}, 3]},
            [
                "compositeResponse[0].referenceId: missing",
                "compositeResponse[0].httpStatusCode: not a whole number",
                "compositeResponse[0].body: not a non-empty list of errors",
                "compositeResponse[1]: not a JSON object",
                "compositeResponse[1].referenceId: missing",
                "compositeResponse[1].httpStatusCode: missing",
                "compositeResponse[1].body: not a non-empty list of errors",
                "compositeResponse[1].referenceId: used twice",
            ],
        ),
        (_answer(201, {"id": 5}), ["compositeResponse[0].body.id: not text"]),
        (_answer(201, [1]), ["compositeResponse[0].body: not a JSON object"]),
        (
            _answer(400, [{"message": 1}, 2]),
            [
                "compositeResponse[0].body[0].errorCode: missing",
                "compositeResponse[0].body[0].message: not text",
                "compositeResponse[0].body[1]: not a JSON object",
                "compositeResponse[0].body[1].errorCode: missing",
            ],
        ),
    ],
)
def test_malformed_responses(response: Any, problems: list[str]) -> None:
    with pytest.raises(cs.PayloadError) as caught:
        sf.composite_results(response)
    assert list(caught.value.problems) == problems
