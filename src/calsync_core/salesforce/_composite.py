"""Composite requests: many REST requests in one ``POST composite``, and their results.

Grouping keeps the requests' order and never splits a create from a later
request that names it (as ``@{referenceId.id}``); reading a response maps each
sub-response to an id or to one of the ports' error classes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._errors import PayloadError
from .._request import Request
from ..ports import ConflictError, PermanentError, PortError, TransientError
from ._fields import MISSING, Fields

#: The most sub-requests one composite request may carry.
COMPOSITE_LIMIT = 25
_REFERENCE_ID = re.compile(r"[A-Za-z0-9_]+")
#: Error codes after which trying again later may succeed.
TRANSIENT_CODES = frozenset({"REQUEST_LIMIT_EXCEEDED", "UNABLE_TO_LOCK_ROW", "PROCESSING_HALTED"})


@attrs.frozen(kw_only=True)
class CompositeResult:
    """The outcome of one sub-request of a composite request.

    ``id`` is the id the sub-request created or upserted (None for a PATCH or
    DELETE answering 204); ``error`` is None on success, else the
    :class:`~calsync_core.ports.PortError` a writer would raise for it.
    """

    reference_id: str
    status: int
    id: str | None = None
    error: PortError | None = None

    @property
    def ok(self) -> bool:
        """Whether the sub-request succeeded."""
        return self.error is None


def _dependencies(
    requests: Sequence[tuple[str, Request]], refs: Mapping[str, str]
) -> list[set[int]]:
    """For each request, the positions of the earlier requests whose ids it names."""
    position: dict[str, int] = {}
    for index, (reference_id, _) in enumerate(requests):
        if _REFERENCE_ID.fullmatch(reference_id) is None:
            raise ValueError(f"referenceId {reference_id!r} is not letters, digits and _ only")
        if reference_id in position:
            raise ValueError(f"referenceId {reference_id!r} is used twice")
        position[reference_id] = index
    for ref, reference_id in refs.items():
        if reference_id not in position:
            raise ValueError(f"ref {ref!r} maps to {reference_id!r}, which no request has")
    found: list[set[int]] = []
    for index, (reference_id, request) in enumerate(requests):
        named = {position[refs[v]] for v in _strings(request) if v in refs}
        if any(at >= index for at in named):
            raise ValueError(f"{reference_id!r} names a ref created by itself or a later request")
        found.append(named)
    return found


def _strings(request: Request) -> list[str]:
    """Every string the URL's path segments and the body hold."""
    out = request.url.split("/")
    stack: list[Any] = [request.body]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return out


def _substitute(value: Any, refs: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return f"@{{{refs[value]}.id}}" if value in refs else value
    if isinstance(value, Mapping):
        return {key: _substitute(item, refs) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_substitute(item, refs) for item in value]
    return value


def _cuts(dependencies: list[set[int]], limit: int) -> list[int]:
    """Where each composite starts: at most ``limit`` requests, no dependency cut."""
    total = len(dependencies)
    # reach[j]: the earliest request that a request at j or later depends on.
    reach = [total] * (total + 1)
    for index in range(total - 1, -1, -1):
        reach[index] = min([reach[index + 1], *dependencies[index]])
    starts: list[int] = []
    start = 0
    while start < total:
        starts.append(start)
        end = min(start + limit, total)
        while end < total and reach[end] < end:
            end -= 1
        if end == start:
            raise ValueError(
                f"the requests from position {start} name each other across more than"
                f" {limit} requests: split them at a dependency boundary"
            )
        start = end
    return starts


def subrequest(reference_id: str, request: Request, root: str, refs: Mapping[str, str]) -> Any:
    """One ``compositeRequest`` entry; ``refs`` maps plan refs to referenceIds."""
    path = "/".join(_substitute(part, refs) for part in request.url.split("/"))
    entry: dict[str, Any] = {"method": request.method, "url": f"/{root}{path}"}
    entry["referenceId"] = reference_id
    if request.body is not None:
        entry["body"] = _substitute(request.body, refs)
    if request.headers:
        entry["httpHeaders"] = dict(request.headers)
    return entry


def group(
    requests: Sequence[tuple[str, Request]], refs: Mapping[str, str], root: str, all_or_none: bool
) -> tuple[Request, ...]:
    """The composite requests carrying ``requests`` in order (see ``composites``)."""
    pairs = list(requests)
    starts = _cuts(_dependencies(pairs, refs), COMPOSITE_LIMIT)
    out = []
    for start, end in zip(starts, [*starts[1:], len(pairs)][: len(starts)], strict=True):
        body: dict[str, Any] = {}
        if all_or_none:
            body["allOrNone"] = True
        body["compositeRequest"] = [subrequest(r, q, root, refs) for r, q in pairs[start:end]]
        out.append(Request(method="POST", url="composite", body=body))
    return tuple(out)


def read_results(response: object) -> tuple[CompositeResult, ...]:
    """Each sub-response of a composite response (see ``composite_results``)."""
    problems: list[str] = []
    top = Fields(response, "", problems)
    entries = top.raw("compositeResponse", required=True)
    if entries is not MISSING and not isinstance(entries, list):
        top.fault("compositeResponse", "not a list")
    results = []
    seen: set[str] = set()
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        result = _read_one(Fields(entry, f"compositeResponse[{index}]", problems))
        if result.reference_id in seen:
            problems.append(f"compositeResponse[{index}].referenceId: used twice")
        seen.add(result.reference_id)
        results.append(result)
    if problems:
        raise PayloadError(problems)
    return tuple(results)


def _read_one(fields: Fields) -> CompositeResult:
    reference_id = fields.text("referenceId", required=True) or ""
    status = fields.raw("httpStatusCode", required=True)
    if status is not MISSING and (isinstance(status, bool) or not isinstance(status, int)):
        fields.fault("httpStatusCode", "not a whole number")
    status = status if isinstance(status, int) and not isinstance(status, bool) else 0
    body = fields.raw("body")
    if 200 <= status < 300:
        new_id = None
        if body is not MISSING and body is not None and body != "":
            new_id = Fields(body, fields.where("body"), fields.problems).text("id")
        return CompositeResult(reference_id=reference_id, status=status, id=new_id)
    error = _error(body, status, fields)
    return CompositeResult(reference_id=reference_id, status=status, error=error)


def _error(body: object, status: int, fields: Fields) -> PortError:
    """The port error an error sub-response stands for."""
    path = fields.where("body")
    if not isinstance(body, list) or not body:
        fields.problems.append(f"{path}: not a non-empty list of errors")
        body = []
    codes: list[str] = []
    texts: list[str] = []
    for index, item in enumerate(body):
        one = Fields(item, f"{path}[{index}]", fields.problems)
        code = one.text("errorCode", required=True) or ""
        codes.append(code)
        texts.append(f"{code}: {one.text('message') or ''}")
    message = f"HTTP {status}: " + "; ".join(texts)
    if any(code in TRANSIENT_CODES for code in codes):
        return TransientError(message)
    if status == 412:
        return ConflictError(message)
    if status == 429 or status >= 500:
        return TransientError(message)
    return PermanentError(message)
