"""Graph JSON batching: requests grouped into ``POST $batch``, and the answer read back."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import attrs

from .._errors import PayloadError
from .._request import Request
from ..ports import ConflictError, PermanentError, PortError, TransientError
from ._read import Reader, json_kind

#: Graph takes at most this many sub-requests in one ``$batch``.
BATCH_LIMIT: Final = 20

#: Statuses after which trying the same request again later may succeed.
_RETRYABLE: Final = frozenset({424, 429, 503, 504})

#: Retry-After seconds: digits, with a decimal fraction (not float()'s "inf" or "1_000").
_SECONDS: Final = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")
#: Batch ids compared as numbers: ASCII digits, few enough for int().
_NUMBER: Final = re.compile(r"[0-9]{1,18}")

_NO_DEPENDS: Final[Mapping[int, Sequence[int]]] = MappingProxyType({})


def _headers(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class BatchResult:
    """The outcome of one sub-request of a ``$batch``.

    ``id`` is the sub-request's id: its position in the sequence given to
    :func:`~calsync_core.graph.batches`, as a string. ``body`` is the decoded
    JSON the sub-request answered (the created or updated event, with its
    ``id`` and ``changeKey``), None when there was none. ``error`` is None on
    success (any status below 400), else the failure as a port error.
    ``retry_after`` is the ``Retry-After`` header in seconds, when given.
    ``retry_at`` is the instant a ``Retry-After`` HTTP-date names when the
    sub-response has no ``Date`` to count the seconds from (no clock here).
    """

    id: str
    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_headers)
    body: Any = None
    error: PortError | None = None
    retry_after: float | None = None
    retry_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        """Whether the sub-request succeeded."""
        return self.error is None


def _dependencies(count: int, depends: Mapping[int, Sequence[int]]) -> dict[int, tuple[int, ...]]:
    """``depends`` checked: every index in range, every request after what it depends on."""
    checked: dict[int, tuple[int, ...]] = {}
    for later, earlier in depends.items():
        for index in (later, *earlier):
            if not 0 <= index < count:
                raise ValueError(f"depends: {index} is not the index of a request")
        for first in earlier:
            if first >= later:
                raise ValueError(
                    f"depends: request {later} must follow request {first}, "
                    "which does not come before it"
                )
        checked[later] = tuple(sorted(set(earlier)))
    return checked


def _sub_request(index: int, request: Request, after: Sequence[int]) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": str(index)}
    if after:
        entry["dependsOn"] = [str(first) for first in after]
    entry["method"] = request.method
    entry["url"] = "/" + request.url.lstrip("/")
    headers = dict(request.headers)
    if request.body is not None and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/json"
    if headers:
        entry["headers"] = headers
    if request.body is not None:
        entry["body"] = request.body
    return entry


def _precondition(request: Request) -> str | None:
    return next((v for k, v in request.headers.items() if k.lower() == "if-match"), None)


def _refuse_stale(requests: Sequence[Request]) -> None:
    """ValueError for two writes to one item on the same change key: the second gets 412."""
    seen: dict[tuple[str, str], int] = {}
    for index, request in enumerate(requests):
        key = _precondition(request)
        if key is None:
            continue
        first = seen.setdefault((request.url, key), index)
        if first != index:
            raise ValueError(
                f"requests {first} and {index} both write {request.url} on If-Match {key}: "
                "the first changes the change key, so the second always fails with 412. "
                "Merge them into one PATCH (merge_patches)"
            )


def merge(requests: Sequence[Request]) -> tuple[Request, ...]:
    """PATCHes to the same URL on the same ``If-Match`` made one, at the first's place."""
    out: list[Request] = []
    at: dict[tuple[str, str], int] = {}
    for request in requests:
        key = _precondition(request)
        if request.method != "PATCH" or key is None or (request.url, key) not in at:
            if request.method == "PATCH" and key is not None:
                at[(request.url, key)] = len(out)
            out.append(request)
            continue
        place = at[(request.url, key)]
        body, more = dict(out[place].body or {}), dict(request.body or {})
        clash = sorted(set(body) & set(more))
        if clash:
            raise ValueError(f"two PATCHes of {request.url} both set {', '.join(clash)}")
        out[place] = attrs.evolve(out[place], body={**body, **more})
    return tuple(out)


def group(
    requests: Sequence[Request], depends: Mapping[int, Sequence[int]] = _NO_DEPENDS
) -> tuple[Request, ...]:
    """The requests as ``$batch`` requests of at most :data:`BATCH_LIMIT` each, in order."""
    _refuse_stale(requests)
    after = _dependencies(len(requests), depends)
    out: list[Request] = []
    for start in range(0, len(requests), BATCH_LIMIT):
        entries = [
            _sub_request(
                index,
                requests[index],
                [first for first in after.get(index, ()) if first >= start],
            )
            for index in range(start, min(start + BATCH_LIMIT, len(requests)))
        ]
        out.append(
            Request(
                method="POST",
                url="$batch",
                headers={"Content-Type": "application/json"},
                body={"requests": entries},
            )
        )
    return tuple(out)


def _header(headers: Mapping[str, str], wanted: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def _retry_after(headers: Mapping[str, str]) -> tuple[float | None, dt.datetime | None]:
    """``Retry-After`` as seconds, and as the instant it names when that cannot be seconds.

    RFC 9110 allows decimal seconds (Graph sends fractions: ``2.128``) or an
    HTTP-date. A date becomes seconds against the response's own ``Date``; the
    core has no clock, so without ``Date`` it is kept as the instant. Anything
    else (``inf``, ``1e999``, ``1_000``) is not a delay and reads as none.
    """
    value = _header(headers, "retry-after")
    if value is None:
        return None, None
    text = value.strip()
    if _SECONDS.fullmatch(text):
        return float(text), None
    moment = _http_date(text)
    if moment is None:
        return None, None
    sent = _http_date(_header(headers, "date") or "")
    if sent is None:
        return None, moment
    return max(0.0, (moment - sent).total_seconds()), None


def _http_date(text: str) -> dt.datetime | None:
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _failure(sub_id: str, status: int, body: Any, retry_after: float | None) -> PortError:
    """The port error that says what a failed sub-request means for a retry."""
    detail = f"sub-request {sub_id} failed with HTTP {status}"
    error = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(error, Mapping):
        code, message = error.get("code"), error.get("message")
        detail += "".join(f": {part}" for part in (code, message) if isinstance(part, str))
    if retry_after is not None:
        detail += f" (retry after {retry_after:g} s)"
    if status == 412:
        return ConflictError(detail)
    if status in _RETRYABLE:
        return TransientError(detail)
    return PermanentError(detail)


def _read_headers(r: Reader, entry: Mapping[str, Any], path: str) -> dict[str, str]:
    found = r.mapping(entry, "headers", f"{path}.headers") or {}
    headers: dict[str, str] = {}
    for name, value in found.items():
        if isinstance(value, str):
            headers[str(name)] = value
        else:
            r.wrong(f"{path}.headers.{name}", "a string", value)
    return headers


def _read_one(r: Reader, entry: Any, path: str) -> BatchResult | None:
    if not isinstance(entry, Mapping):
        r.wrong(path, "an object", entry)
        return None
    before = len(r.problems)
    sub_id = r.text(entry, "id", f"{path}.id", required=True)
    status = entry.get("status")
    if isinstance(status, bool) or not isinstance(status, int):
        r.fault(
            f"{path}.status",
            "missing" if status is None else f"expected a number, got {json_kind(status)}",
        )
    elif not 100 <= status <= 599:
        r.fault(f"{path}.status", f"{status} is not an HTTP status")
    headers = _read_headers(r, entry, path)
    if len(r.problems) > before:
        return None
    assert isinstance(status, int)
    body = entry.get("body")
    wait, at = _retry_after(headers)
    error = None if status < 400 else _failure(sub_id, status, body, wait)
    return BatchResult(
        id=sub_id,
        status=status,
        headers=headers,
        body=body,
        error=error,
        retry_after=wait,
        retry_at=at,
    )


def _order(result: BatchResult) -> tuple[int, int, str]:
    # isdigit() takes "²", and int() refuses 5,000 digits: only plain short numbers.
    return (0, int(result.id), "") if _NUMBER.fullmatch(result.id) else (1, 0, result.id)


def read_results(response: Mapping[str, Any]) -> tuple[BatchResult, ...]:
    """The sub-responses of a ``$batch`` response, read and put in id order."""
    if not isinstance(response, Mapping):
        raise PayloadError([f"(response): expected an object, got {json_kind(response)}"])
    r = Reader()
    entries = response.get("responses")
    if entries is None:
        r.fault(
            "responses", "missing" if "responses" not in response else "expected an array, got null"
        )
        entries = ()
    elif not isinstance(entries, list | tuple):
        r.wrong("responses", "an array", entries)
        entries = ()
    results: list[BatchResult] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        result = _read_one(r, entry, f"responses[{n}]")
        if result is None:
            continue
        if result.id.lower() in seen:
            r.fault(f"responses[{n}].id", f"{result.id!r} comes twice")
        seen.add(result.id.lower())
        results.append(result)
    if r.problems:
        raise PayloadError(r.problems)
    return tuple(sorted(results, key=_order))
