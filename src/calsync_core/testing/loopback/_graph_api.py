"""Microsoft Graph v1.0 over the tenant: events, calendarView delta and ``$batch``.

Routes, under ``/v1.0``:

* ``GET /users/{mailbox}/calendarView/delta?startDateTime=...&endDateTime=...``,
  then its ``$skiptoken`` and ``$deltatoken`` links (``Prefer:
  odata.maxpagesize=N`` sets a page's size, answered with
  ``Preference-Applied``);
* ``GET`` and ``POST /users/{mailbox}/events`` (the list pages with ``$top``
  and ``$skip``, as an ``@odata.nextLink``), ``GET``, ``PATCH`` and ``DELETE
  /users/{mailbox}/events/{id}`` (``$expand=singleValueExtendedProperties(
  $filter=id eq '...')`` on a GET; ``If-Match`` on a write);
* ``POST /$batch``: at most 20 sub-requests, run in order; one whose
  ``dependsOn`` names a failed one answers 424 without being run.

A query option a route does not apply (``$filter``, ``$orderby``, ``$select``
on delta ...) answers 400 rather than be ignored; ``$select`` on a GET is
ignored, since every property is a superset of those selected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import quote

from ._graph_delta import Deltas
from ._graph_store import GraphStore, answer, bad_request
from ._times import parse_instant
from ._wire import GRAPH_ROOT, Call, Reply, WireError

#: Graph takes at most this many sub-requests in one ``$batch``.
BATCH_LIMIT: Final = 20

Dispatch = Callable[[Call], Reply]
#: The query options each route takes. Any other is refused (400) rather than
#: ignored: a ``$filter`` left unapplied would answer more than was asked.
_DELTA_OPTIONS: Final = frozenset({"startDateTime", "endDateTime", "$deltatoken", "$skiptoken"})
_LIST_OPTIONS: Final = frozenset({"$top", "$skip", "$expand", "$select"})
_GET_OPTIONS: Final = frozenset({"$expand", "$select"})


class GraphApi:
    """Answers Graph calls from the tenant's stores; ``dispatch`` runs a ``$batch``'s parts."""

    def __init__(self, store: GraphStore, deltas: Deltas, base_url: str, *, page_size: int) -> None:
        self.store = store
        self.deltas = deltas
        self.base_url = base_url
        self.page_size = page_size

    def handle(self, call: Call, dispatch: Dispatch) -> Reply:
        """The answer to one call whose path is under ``/v1.0``."""
        parts = call.segments(GRAPH_ROOT)
        if parts == ["$batch"] and call.method == "POST" and not call.nested:
            return self.batch(call, dispatch)
        if len(parts) >= 3 and parts[0] == "users":
            mailbox, rest = parts[1], [p.lower() for p in parts[2:]]
            if rest == ["calendarview", "delta"] and call.method == "GET":
                return self.delta(_options(call, _DELTA_OPTIONS), mailbox)
            if rest == ["events"]:
                return self.events(_options(call, _LIST_OPTIONS), mailbox)
            if len(rest) == 2 and rest[0] == "events":
                return self.event(_options(call, _GET_OPTIONS), mailbox, parts[3])
        raise bad_request(f"Resource not found for the segment '{'/'.join(parts)}'.", "BadRequest")

    def _link(self, mailbox: str, tail: str) -> str:
        return f"{self.base_url}{GRAPH_ROOT}/users/{quote(mailbox, safe='@')}/{tail}"

    def delta(self, call: Call, mailbox: str) -> Reply:
        """One page of a calendarView delta round."""
        query = call.query
        if query.get("$deltatoken"):
            skip = self._resume(mailbox, query["$deltatoken"])
        elif "$skiptoken" in query:
            skip = query["$skiptoken"]
        else:
            skip = self.deltas.begin(
                mailbox, _instant(query, "startDateTime"), _instant(query, "endDateTime")
            )
        size, headers = _page_size(call, self.page_size)
        entries, token, last = self.deltas.page(skip, size)
        key = "$deltatoken" if last else "$skiptoken"
        link = self._link(mailbox, f"calendarView/delta?{key}={token}")
        body = {
            "@odata.context": f"{self.base_url}{GRAPH_ROOT}/$metadata#Collection(event)",
            "@odata.deltaLink" if last else "@odata.nextLink": link,
            "value": entries,
        }
        return Reply(status=200, body=body, headers=headers)

    def _resume(self, mailbox: str, token: str) -> str:
        """The next round of a delta link; its 410 names the URL that starts over.

        As Graph does: a ``Location`` with the first round's URL and an empty
        ``$deltatoken`` (which starts a new round, like no token at all).
        """
        try:
            return self.deltas.resume(token)
        except WireError as gone:
            window = self.deltas.window_of(token)
            if window is not None:
                start, end = (moment.strftime("%Y-%m-%dT%H:%M:%SZ") for moment in window)
                tail = f"calendarView/delta?startDateTime={start}&endDateTime={end}&$deltatoken="
                gone.headers["Location"] = self._link(mailbox, tail)
            raise

    def events(self, call: Call, mailbox: str) -> Reply:
        """List (GET) or create (POST) a mailbox's events."""
        if call.method == "POST":
            stored = self.store.create(mailbox, call.body)
            location = self._link(mailbox, f"events/{quote(stored.data['id'], safe='')}")
            return Reply(status=201, body=answer(stored, None), headers={"Location": location})
        if call.method != "GET":
            raise WireError(405, "ErrorInvalidRequest", f"{call.method} is not allowed here.")
        listed = sorted(self.store.events_of(mailbox).values(), key=lambda s: (s.first, s.seq))
        top = _number(call.query, "$top", self.page_size)
        skip = _number(call.query, "$skip", 0)
        body: dict[str, Any] = {
            "@odata.context": f"{self.base_url}{GRAPH_ROOT}/$metadata#users('{mailbox}')/events",
            "value": [answer(s, call.query.get("$expand")) for s in listed[skip : skip + top]],
        }
        if skip + top < len(listed):
            body["@odata.nextLink"] = self._link(mailbox, f"events?$top={top}&$skip={skip + top}")
        return Reply(status=200, body=body)

    def event(self, call: Call, mailbox: str, event_id: str) -> Reply:
        """GET, PATCH or DELETE one event."""
        if call.method == "GET":
            stored = self.store.find(mailbox, event_id)
            return Reply(status=200, body=answer(stored, call.query.get("$expand")))
        if call.method == "PATCH":
            stored = self.store.patch(mailbox, event_id, call.body, call.header("If-Match"))
            return Reply(status=200, body=answer(stored, None))
        if call.method == "DELETE":
            self.store.delete(mailbox, event_id, call.header("If-Match"))
            return Reply(status=204)
        raise WireError(405, "ErrorInvalidRequest", f"{call.method} is not allowed here.")

    def batch(self, call: Call, dispatch: Dispatch) -> Reply:
        """Run a JSON batch's sub-requests in order; answer each one.

        The answers come in reverse order: Graph answers in any order, and a
        client must match them by ``id``.
        """
        requests = _batch_requests(call.body)
        statuses: dict[str, int] = {}
        responses = []
        for request in requests:
            reply = self._part(call, request, statuses, dispatch)
            statuses[request["id"].lower()] = reply.status
            entry: dict[str, Any] = {
                "id": request["id"],
                "status": reply.status,
                "headers": dict(reply.headers),
                "body": reply.body,
            }
            if reply.body is not None:
                entry["headers"].setdefault("Content-Type", "application/json")
            responses.append(entry)
        return Reply(status=200, body={"responses": responses[::-1]})

    @staticmethod
    def _part(
        call: Call, request: Mapping[str, Any], statuses: Mapping[str, int], dispatch: Dispatch
    ) -> Reply:
        """One sub-request's answer: 424 when one it depends on failed, else the call's."""
        failed = [d for d in request.get("dependsOn") or () if statuses.get(d.lower(), 0) >= 400]
        headers = request.get("headers") or {}
        if failed:
            error = WireError(424, "FailedDependency", f"Depends on failed request {failed[0]}.")
        elif request.get("body") is not None and not any(
            name.lower() == "content-type" for name in headers
        ):
            error = bad_request("A request with a body must have a Content-Type header.")
        else:
            sub = Call.parse(
                request["method"],
                GRAPH_ROOT + request["url"],
                {**call.headers, **headers},
                request.get("body"),
                nested=True,
            )
            return dispatch(sub)
        return Reply(
            status=error.status, body={"error": {"code": error.code, "message": error.message}}
        )


def _options(call: Call, allowed: frozenset[str]) -> Call:
    """``call``, once its query options are all ones the route takes (``$select`` is ignored)."""
    unknown = sorted(set(call.query) - allowed)
    if unknown:
        raise bad_request(
            f"The query option '{unknown[0]}' is not supported here by the loopback server.",
            "BadRequest",
        )
    return call


def _batch_requests(body: Any) -> list[Mapping[str, Any]]:
    """The batch's requests, checked: at most 20, each with an id, method and relative url."""
    requests = body.get("requests") if isinstance(body, Mapping) else None
    if not isinstance(requests, list) or not requests:
        raise bad_request("The batch request must have a non-empty 'requests' array.", "BadRequest")
    if len(requests) > BATCH_LIMIT:
        raise bad_request(
            f"The number of requests in the batch exceeds the limit of {BATCH_LIMIT}.",
            "BadRequest",
        )
    seen: set[str] = set()
    for request in requests:
        ok = (
            isinstance(request, Mapping)
            and isinstance(request.get("id"), str)
            and isinstance(request.get("method"), str)
            and isinstance(request.get("url"), str)
            and request["url"].startswith("/")
        )
        if not ok:
            raise bad_request(f"Invalid batch request: {request!r}", "BadRequest")
        if request["id"].lower() in seen:
            raise bad_request(f"Duplicate batch request id {request['id']!r}.", "BadRequest")
        for earlier in request.get("dependsOn") or ():
            if not isinstance(earlier, str) or earlier.lower() not in seen:
                raise bad_request(f"dependsOn names {earlier!r}, not an earlier request.")
        seen.add(request["id"].lower())
    return requests


def _instant(query: Mapping[str, str], name: str) -> dt.datetime:
    text = query.get(name)
    moment = None if text is None else parse_instant(text)
    if moment is None:
        raise bad_request(
            f"This request requires a valid {name} parameter (ISO 8601), got {text!r}.",
            "ErrorInvalidParameter",
        )
    return moment.astimezone(dt.UTC)


def _number(query: Mapping[str, str], name: str, default: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isdigit():
        raise bad_request(f"Invalid value for {name}: {text!r}.", "BadRequest")
    return int(text)


def _page_size(call: Call, default: int) -> tuple[int, dict[str, str]]:
    """The ``Prefer: odata.maxpagesize`` asked for, and the header saying it was applied."""
    for part in (call.header("Prefer") or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "odata.maxpagesize" and value.isdigit() and int(value) > 0:
            return int(value), {"Preference-Applied": f"odata.maxpagesize={value}"}
    return default, {}
