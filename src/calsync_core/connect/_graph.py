"""Microsoft Graph over HTTP: calendarView delta rounds, items by id, ``$batch`` round trips.

Reads go through the Graph adapter (:func:`~calsync_core.graph.delta_page`,
:func:`~calsync_core.graph.item_from_graph`); nothing here reads a payload
itself. Two Graph facts shape it:

- A delta page carries no extended properties (delta takes no ``$expand``),
  so the UID stamp of every item a round reports is read with a GET that
  expands it: those GETs go twenty to a ``$batch``. Without the stamp an
  item linked to an event would look unlinked, and be saved again.
- An expired or unknown delta link answers ``410 Gone``: the mailbox is read
  again from the start, and said to be a resync.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import Executor
from typing import Any
from urllib.parse import quote

import attrs

from .. import CalendarItem, PayloadError, Request, graph
from ..ports import ConflictError, PermanentError, PortError, TransientError
from ._http import Answer, Endpoint

_EXPAND = "singleValueExtendedProperties($filter=id eq '" + graph.SF_EVENT_ID_PROPERTY + "')"


def failure(status: int, what: str) -> PortError:
    """The port error for a failed answer, classified as the adapters classify sub-requests."""
    detail = f"{what}: HTTP {status}"
    if status == 412:
        return ConflictError(detail + ": changed since it was read")
    if status in (424, 429, 503, 504):
        return TransientError(detail)
    return PermanentError(detail)


def event_url(mailbox: str, item_id: str) -> str:
    """The GET of one event with its UID stamp expanded, relative to the v1.0 root."""
    return (
        f"users/{quote(mailbox, safe='@')}/events/{quote(item_id, safe='')}"
        f"?$expand={quote(_EXPAND, safe='')}"
    )


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.frozen(kw_only=True)
class Round:
    """What one delta round of a mailbox found: changed items, removed ids, the next link."""

    items: tuple[CalendarItem, ...]
    removed: tuple[str, ...]
    link: str
    resync: bool


class Graph:
    """The Graph side of the connector: reads, and a memory of what it read.

    ``seen`` holds every item as last read, keyed by (mailbox, id): a write's
    ``current`` (its change key is the ``If-Match``).
    """

    def __init__(self, endpoint: Endpoint, pool: Executor, *, page_size: int = 100) -> None:
        self.endpoint = endpoint
        self.pool = pool
        self.page_size = page_size
        self.seen: dict[tuple[str, str], CalendarItem] = {}
        self._lock = threading.Lock()

    def forget_all(self) -> None:
        """Start a session afresh: what an earlier one read may have changed since."""
        with self._lock:
            self.seen.clear()

    def remember(self, items: Iterable[CalendarItem]) -> None:
        with self._lock:
            self.seen.update(((item.mailbox, item.id), item) for item in items)

    def current(self, mailbox: str, item_id: str) -> CalendarItem | None:
        with self._lock:
            return self.seen.get((mailbox.lower(), item_id))

    # -- delta rounds ----------------------------------------------------------------

    def first_link(self, mailbox: str, start: dt.datetime, end: dt.datetime) -> str:
        return (
            f"users/{quote(mailbox, safe='@')}/calendarView/delta"
            f"?startDateTime={_stamp(start)}&endDateTime={_stamp(end)}"
        )

    def round(self, mailbox: str, link: str | None, start: dt.datetime, end: dt.datetime) -> Round:
        """Every page from ``link`` (none: the first round) to the next delta link."""
        url = link or self.first_link(mailbox, start, end)
        resync = link is None
        changed: dict[str, CalendarItem] = {}
        removed: set[str] = set()
        prefer = {"Prefer": f"odata.maxpagesize={self.page_size}"}
        while True:
            answer = self.endpoint.send("GET", url, headers=prefer, safe=True)
            if answer.status == 410 and not resync:
                # The link expired: read the whole view again, and say so.
                url, resync = self.first_link(mailbox, start, end), True
                changed.clear()
                removed.clear()
                continue
            if answer.status >= 400:
                raise failure(answer.status, f"delta of {mailbox}")
            page = graph.delta_page(_document(answer), mailbox=mailbox)
            for item in page.items:
                changed[item.id] = item
                removed.discard(item.id)
            for _, item_id in page.removed:
                changed.pop(item_id, None)
                removed.add(item_id)
            if page.delta_link is not None:
                break
            assert page.next_link is not None  # delta_page insists on one of the two
            url = page.next_link
        # Rounds run on the pool already (one per mailbox): their lookups stay in this thread.
        found = {i.id: i for i in self.items_by_id(mailbox, sorted(changed), parallel=False)}
        # One deleted since its page was served is gone, as far as this round can tell.
        removed.update(set(changed) - set(found))
        return Round(
            items=tuple(found[i] for i in sorted(found)),
            removed=tuple(sorted(removed)),
            link=page.delta_link,
            resync=resync,
        )

    # -- lookups -----------------------------------------------------------------------

    def items_by_id(
        self, mailbox: str, ids: Collection[str], *, parallel: bool = True
    ) -> list[CalendarItem]:
        """The items that exist, stamps read; a 404 leaves one out, any other failure raises."""
        wanted = sorted(set(ids))
        requests = [Request(method="GET", url=event_url(mailbox, i)) for i in wanted]
        items: list[CalendarItem] = []
        for result in self.batch(requests, safe=True, parallel=parallel):
            if result.status == 404:
                continue
            if result.error is not None:
                raise result.error
            items.append(graph.item_from_graph(result.body, mailbox=mailbox))
        self.remember(items)
        return items

    # -- $batch --------------------------------------------------------------------------

    def batch(
        self, requests: Sequence[Request], *, safe: bool, parallel: bool = True
    ) -> list[graph.BatchResult]:
        """Send ``requests`` twenty to a ``$batch``, concurrently; the result of each, in order.

        A sub-request answered 429, 503 or 504 was not carried out; it is sent
        again, after its ``Retry-After``, until the backoff's attempts run
        out. A batch that failed as a whole (its connection broke: the
        outcome is unknown) gives each of its requests that error.
        """
        chunks = [
            list(range(n, min(n + graph.BATCH_LIMIT, len(requests))))
            for n in range(0, len(requests), graph.BATCH_LIMIT)
        ]
        # A task on the pool never waits for another task on it: that could deadlock.
        spread = self.pool.map if parallel else map
        out: list[graph.BatchResult] = []
        for results in spread(lambda c: self._one_batch([requests[i] for i in c], safe), chunks):
            out.extend(results)
        return out

    def single(self, request: Request, *, safe: bool) -> graph.BatchResult:
        """Send one request on its own (no ``$batch``), read as a batch's sub-request is."""
        try:
            answer = self.endpoint.send(
                request.method, request.url, body=request.body, headers=request.headers, safe=safe
            )
        except PortError as exc:
            return graph.BatchResult(id="0", status=0, error=exc)
        entry = {"id": "0", "status": answer.status, "headers": {}, "body": answer.body}
        try:
            [result] = graph.batch_results({"responses": [entry]})
        except PayloadError as exc:
            return graph.BatchResult(id="0", status=0, error=PermanentError(str(exc)))
        return result

    def _one_batch(self, requests: list[Request], safe: bool) -> list[graph.BatchResult]:
        out: list[graph.BatchResult | None] = [None] * len(requests)
        pending = list(range(len(requests)))
        attempt = 0
        while pending:
            [batch] = graph.batches([requests[i] for i in pending])
            try:
                answer = self.endpoint.send(
                    "POST", batch.url, body=batch.body, safe=safe, weight=len(pending)
                )
                if answer.status >= 400:
                    raise failure(answer.status, "$batch")
                results = graph.batch_results(_document(answer))
            except PayloadError as exc:
                error = PermanentError(f"$batch: {exc}")
                for index in pending:
                    out[index] = graph.BatchResult(id=str(index), status=0, error=error)
                break
            except PortError as exc:
                for index in pending:
                    out[index] = graph.BatchResult(id=str(index), status=0, error=exc)
                break
            waits: list[float] = []
            again: list[int] = []
            for result in results:
                index = pending[int(result.id)]
                throttled = result.status in (429, 503, 504)
                if throttled and attempt + 1 < self.endpoint.backoff.attempts:
                    again.append(index)
                    waits.append(result.retry_after or 0.0)
                else:
                    out[index] = attrs.evolve(result, id=str(index))
            pending = sorted(again)
            if pending:
                self.endpoint.traffic.retried()
                self.endpoint.backoff.wait(attempt, max(waits) or None)
                attempt += 1
        missing = TransientError("$batch: the answer left the sub-request out")
        return [
            r or graph.BatchResult(id=str(n), status=0, error=missing) for n, r in enumerate(out)
        ]


def _document(answer: Answer) -> Any:
    if not isinstance(answer.body, dict):
        raise PermanentError(f"HTTP {answer.status}: the answer is not a JSON object")
    return answer.body
