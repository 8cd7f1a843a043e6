"""Salesforce REST over HTTP: SOQL queries to their last page, events, relations, records.

Every query is written by the Salesforce adapter (:func:`~calsync_core.salesforce.events_query`,
:func:`~calsync_core.salesforce.relations_query`, :func:`~calsync_core.salesforce.records_query`)
and every record read by it; the one query it has no function for, events by
id, selects the same fields. ``queryMore`` is followed through
``nextRecordsUrl`` to the end: a query is all its rows, or an error.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Collection, Iterable, Sequence
from typing import Any
from urllib.parse import quote

from .. import PayloadError, Record, RecordKind, Request, SfEvent, salesforce
from ..ports import PermanentError, PortError, TransientError
from ._graph import failure
from ._http import Endpoint

#: Ids and addresses per query: each one is a literal in the URL, which must stay short.
CHUNK = 200
_SF_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def chunks(values: Sequence[str], size: int = CHUNK) -> list[Sequence[str]]:
    return [values[n : n + size] for n in range(0, len(values), size)]


class Salesforce:
    """The Salesforce side of the connector: reads, and a memory of the events read.

    ``seen`` holds every event as last read, by id: an update's ``current``
    (its ``SystemModstamp`` is the ``If-Unmodified-Since``) and what lets a
    delete refuse an event sync did not create. ``rows`` keeps each event's
    relation rows as read, for the deletes an event made private needs.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        api_version: str = salesforce.API_VERSION,
        uid_field: str = salesforce.ICAL_UID_FIELD,
        created_field: str = salesforce.CREATED_BY_SYNC_FIELD,
    ) -> None:
        self.endpoint = endpoint
        self.root = salesforce.rest_root(api_version)
        self.api_version = api_version
        self.uid_field, self.created_field = uid_field, created_field
        self.fields = {"uid_field": uid_field, "created_field": created_field}
        self.seen: dict[str, SfEvent] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def current(self, event_id: str) -> SfEvent | None:
        with self._lock:
            return self.seen.get(event_id)

    def forget_all(self) -> None:
        """Start a session afresh: what an earlier one read may have changed since."""
        with self._lock:
            self.seen.clear()
            self.rows.clear()

    def forget(self, event_id: str) -> None:
        """Drop an event from ``seen``: a write moved its ``SystemModstamp`` on."""
        with self._lock:
            self.seen.pop(event_id, None)

    def relation_rows(self, event_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.rows.get(event_id, ()))

    # -- queries ----------------------------------------------------------------------

    def query(self, soql: str) -> list[dict[str, Any]]:
        """Every row ``soql`` selects, following ``nextRecordsUrl`` to the last page."""
        url: str | None = f"{self.root}query?q={quote(soql, safe='')}"
        rows: list[dict[str, Any]] = []
        while url is not None:
            answer = self.endpoint.send("GET", url, safe=True)
            if answer.status >= 400:
                raise failure(answer.status, f"query {soql.partition(' WHERE ')[0]}")
            body = answer.body
            if not isinstance(body, dict) or not isinstance(body.get("records"), list):
                raise PermanentError(f"query: HTTP {answer.status}: no records in the answer")
            rows.extend(r for r in body["records"] if isinstance(r, dict))
            more = body.get("nextRecordsUrl")
            url = more if isinstance(more, str) and not body.get("done", True) else None
        return rows

    def events_in_window(
        self, owner_ids: Collection[str], start: dt.datetime, end: dt.datetime
    ) -> list[SfEvent]:
        rows: list[dict[str, Any]] = []
        for owners in chunks(sorted(owner_ids)):
            rows.extend(self.query(salesforce.events_query(owners, start, end, **self.fields)))
        return self._events(rows)

    def events_by_id(self, ids: Collection[str]) -> list[SfEvent]:
        """The events that exist among ``ids`` (a deleted one is simply not selected)."""
        wanted = sorted(i for i in set(ids) if _SF_ID.fullmatch(i))
        select = ", ".join((*salesforce.EVENT_FIELDS, *self.fields.values()))
        rows: list[dict[str, Any]] = []
        for part in chunks(wanted):
            listed = ", ".join(f"'{i}'" for i in part)  # checked ids: nothing to escape
            rows.extend(self.query(f"SELECT {select} FROM Event WHERE Id IN ({listed})"))
        return self._events(rows)

    def manifest(
        self, owner_ids: Collection[str], start: dt.datetime, end: dt.datetime
    ) -> list[tuple[str, str, str]]:
        """(owner, id, SystemModstamp) of every event in view: the window's query, three fields."""
        out: list[tuple[str, str, str]] = []
        for owners in chunks(sorted(owner_ids)):
            where = salesforce.events_query(owners, start, end, **self.fields).partition(
                " FROM Event "
            )[2]
            for row in self.query(f"SELECT Id, OwnerId, SystemModstamp FROM Event {where}"):
                out.append(
                    (str(row.get("OwnerId")), str(row.get("Id")), str(row.get("SystemModstamp")))
                )
        return sorted(out)

    def resolve(self, addresses: Collection[str]) -> list[Record]:
        """The contacts and unconverted leads with one of ``addresses``."""
        wanted = sorted({a.lower() for a in addresses if a})
        records: list[Record] = []
        for kind in (RecordKind.CONTACT, RecordKind.LEAD):
            for part in chunks(wanted):
                rows = self.query(salesforce.records_query(kind, part))
                records.extend(salesforce.record_from_sobject(row) for row in rows)
        return sorted(records, key=lambda r: r.id)

    # -- writes ------------------------------------------------------------------------

    def single(self, request: Request) -> tuple[str | None, PortError | None]:
        """Send one request on its own (no composite): the id it created, or its error."""
        try:
            answer = self.endpoint.send(
                request.method, self.root + request.url, body=request.body, headers=request.headers
            )
            entry = {"body": answer.body, "httpHeaders": {}, "httpStatusCode": answer.status,
                     "referenceId": "r0"}  # fmt: skip
            [result] = salesforce.composite_results({"compositeResponse": [entry]})
        except PortError as exc:
            return None, exc
        except PayloadError as exc:
            return None, PermanentError(f"{request.method} {request.url}: {exc}")
        return result.id, result.error

    def composite(self, pack: Request) -> list[tuple[str | None, PortError | None]]:
        """Send one ``composite``: each sub-request's created id, or its error, in order."""
        names = [str(sub["referenceId"]) for sub in pack.body["compositeRequest"]]
        try:
            answer = self.endpoint.send(
                "POST",
                self.root + pack.url,
                body=pack.body,
                headers=pack.headers,
                weight=len(names),
            )
            if answer.status >= 400:
                raise failure(answer.status, "composite")
            results = {r.reference_id: r for r in salesforce.composite_results(answer.body)}
        except PortError as exc:
            return [(None, exc)] * len(names)
        except PayloadError as exc:
            return [(None, PermanentError(f"composite: {exc}"))] * len(names)
        lost = TransientError("composite: the answer left the sub-request out")
        return [
            (results[name].id, results[name].error) if name in results else (None, lost)
            for name in names
        ]

    def _events(self, rows: Iterable[dict[str, Any]]) -> list[SfEvent]:
        records = {str(row.get("Id")): row for row in rows}
        relations: dict[str, list[dict[str, Any]]] = {i: [] for i in records}
        for part in chunks(sorted(records)):
            for row in self.query(salesforce.relations_query(part)):
                relations.setdefault(str(row.get("EventId")), []).append(row)
        events = [
            salesforce.event_from_sobject(records[i], relations=relations[i], **self.fields)
            for i in sorted(records)
        ]
        with self._lock:
            self.seen.update((e.id, e) for e in events)
            self.rows.update(relations)
        return events
