"""The Salesforce REST API over the tenant: queries, sObject rows and composite requests.

Routes, under ``/services/data/vXX.X``:

* ``GET query?q=<SOQL>`` (see ``_soql.py``) and the ``nextRecordsUrl`` of a
  result longer than a page (``query/<locator>-<offset>``);
* ``POST sobjects/{Type}``, ``GET``, ``PATCH`` (``If-Unmodified-Since``) and
  ``DELETE sobjects/{Type}/{id}``;
* ``GET sobjects/{Type}/updated/?start=...&end=...`` and ``.../deleted/``
  (``getUpdated`` / ``getDeleted``: the ids changed or deleted in a window);
* ``POST composite``: at most 25 sub-requests in order, ``@{ref.id}``
  references resolved, ``allOrNone`` rolling back every one when one fails.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from . import _soql, _soql_eval
from ._sf_schema import RELATIONSHIPS
from ._sf_store import SalesforceStore, Undo, bad
from ._times import parse_instant
from ._wire import SALESFORCE_ROOT, Call, Reply, WireError

#: The most sub-requests one composite request may carry.
COMPOSITE_LIMIT: Final = 25
_VERSION: Final = re.compile(r"v\d+\.\d")
_REFERENCE: Final = re.compile(r"@\{([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\}")

Dispatch = Callable[[Call], Reply]


class SalesforceApi:
    """Answers REST calls from the tenant's store; ``dispatch`` runs a composite's parts."""

    def __init__(self, store: SalesforceStore, *, page_size: int) -> None:
        self.store = store
        self.page_size = page_size
        self._results: dict[str, list[dict[str, Any]]] = {}
        self._locators = itertools.count(1)

    def handle(self, call: Call, dispatch: Dispatch) -> Reply:
        """The answer to one call whose path is under ``/services/data/``."""
        parts = call.segments(SALESFORCE_ROOT)
        if not parts or _VERSION.fullmatch(parts[0]) is None:
            raise bad("NOT_FOUND", "The requested resource does not exist", 404)
        version, rest = parts[0], parts[1:]
        if rest == ["query"] and call.method == "GET":
            return self.query(call, version)
        if len(rest) == 2 and rest[0] == "query" and call.method == "GET":
            return self.more(version, rest[1])
        if rest == ["composite"] and call.method == "POST" and not call.nested:
            return self.composite(call, version, dispatch)
        if len(rest) >= 2 and rest[0] == "sobjects":
            return self.sobject(call, version, rest[1:])
        raise bad("NOT_FOUND", "The requested resource does not exist", 404)

    def query(self, call: Call, version: str) -> Reply:
        """Run a SOQL query; the first page of its records."""
        text = call.query.get("q")
        if not text:
            raise _soql.malformed("the q parameter is missing")
        parsed = _soql.parse(text)
        table = parsed.table
        if table not in self.store.tables:
            raise bad("INVALID_TYPE", f"sObject type '{table}' is not supported.")
        types = self.store.fields(table)
        _soql_eval.check(parsed.where, types)
        test = _soql_eval.predicate(parsed.where, types)
        for field in parsed.fields:
            self._check_selected(table, field)
        found = [r for r in self.store.tables[table].values() if test(r)]
        for field, descending, nulls_last in reversed(parsed.order):
            if field not in types:
                raise bad("INVALID_FIELD", f"No such column '{field}' on entity '{table}'")
            present = [r for r in found if r.get(field) is not None]
            absent = [r for r in found if r.get(field) is None]
            present.sort(key=_sort_key(types[field], field), reverse=descending)
            found = present + absent if nulls_last else absent + present
        found = found[parsed.offset :]
        if parsed.limit is not None:
            found = found[: parsed.limit]
        records = [self._shape(table, r, parsed.fields, version) for r in found]
        locator = f"01g5g{next(self._locators):010d}"
        self._results[locator] = records
        return self._page(version, locator, 0)

    def more(self, version: str, tail: str) -> Reply:
        """The page of a query result its ``nextRecordsUrl`` names."""
        locator, _, offset = tail.rpartition("-")
        if locator not in self._results or not offset.isdigit():
            raise bad("INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(version, locator, int(offset))

    def _page(self, version: str, locator: str, offset: int) -> Reply:
        records = self._results[locator]
        end = offset + self.page_size
        body: dict[str, Any] = {
            "totalSize": len(records),
            "done": end >= len(records),
            "records": records[offset:end],
        }
        if end < len(records):
            body["nextRecordsUrl"] = f"{SALESFORCE_ROOT}{version}/query/{locator}-{end}"
        else:
            del self._results[locator]
        return Reply(status=200, body=body)

    def _check_selected(self, table: str, field: str) -> None:
        name, dot, inner = field.partition(".")
        if dot:
            link = RELATIONSHIPS.get((table, name))
            if link is None or inner not in self.store.fields(link[1]):
                raise bad(
                    "INVALID_FIELD",
                    f"Didn't understand relationship '{name}' in field "
                    f"path '{field}' on entity '{table}'",
                )
        elif field not in self.store.fields(table):
            raise bad("INVALID_FIELD", f"No such column '{field}' on entity '{table}'")

    def _shape(
        self, table: str, record: Mapping[str, Any], fields: tuple[str, ...], version: str
    ) -> dict[str, Any]:
        """A record as a query returns it: ``attributes``, then the fields selected."""
        shaped: dict[str, Any] = {"attributes": _attributes(table, record["Id"], version)}
        for field in fields:
            name, dot, inner = field.partition(".")
            if not dot:
                shaped[field] = record.get(field)
                continue
            key, target = RELATIONSHIPS[(table, name)]
            linked = self.store.tables[target].get(record.get(key) or "")
            if linked is None:
                shaped[name] = None
                continue
            nested = shaped.get(name) or {"attributes": _attributes(target, linked["Id"], version)}
            nested[inner] = linked.get(inner)
            shaped[name] = nested
        return shaped

    def sobject(self, call: Call, version: str, rest: list[str]) -> Reply:
        """One sObject row: create, read, update or delete; or getUpdated / getDeleted."""
        table = rest[0]
        self.store.fields(table)
        if len(rest) == 1 and call.method == "POST":
            record = self.store.create(table, call.body)
            return Reply(
                status=201,
                body={"id": record["Id"], "success": True, "errors": []},
                headers={"Location": _attributes(table, record["Id"], version)["url"]},
            )
        if len(rest) == 2 and rest[1] in ("updated", "deleted") and call.method == "GET":
            return self.changed(call, table, rest[1])
        if len(rest) != 2:
            raise bad("NOT_FOUND", "The requested resource does not exist", 404)
        if call.method == "GET":
            record = self.store.find(table, rest[1])
            return Reply(
                status=200, body={"attributes": _attributes(table, record["Id"], version), **record}
            )
        if call.method == "PATCH":
            self.store.update(table, rest[1], call.body, call.header("If-Unmodified-Since"))
            return Reply(status=204)
        if call.method == "DELETE":
            self.store.delete(table, rest[1])
            return Reply(status=204)
        raise bad("METHOD_NOT_ALLOWED", f"HTTP Method '{call.method}' not allowed.", 405)

    def changed(self, call: Call, table: str, kind: str) -> Reply:
        """``getUpdated`` / ``getDeleted``: the ids changed / deleted in the window."""
        start, end = (parse_instant(call.query.get(k, "")) for k in ("start", "end"))
        if start is None or end is None:
            raise bad("INVALID_REPLICATION_DATE", "start and end must be valid dateTimes")
        if kind == "updated":
            ids = sorted(
                r["Id"]
                for r in self.store.tables[table].values()
                if start <= _at(r["SystemModstamp"]) < end
            )
            return Reply(status=200, body={"ids": ids, "latestDateCovered": call.query["end"]})
        gone = sorted(
            (key, at) for key, at in self.store.deleted[table].items() if start <= _at(at) < end
        )
        body = {
            "deletedRecords": [{"id": key, "deletedDate": at} for key, at in gone],
            "earliestDateAvailable": call.query["start"],
            "latestDateCovered": call.query["end"],
        }
        return Reply(status=200, body=body)

    def composite(self, call: Call, version: str, dispatch: Dispatch) -> Reply:
        """Run a composite request's sub-requests in order, references resolved."""
        body = call.body if isinstance(call.body, Mapping) else {}
        requests = body.get("compositeRequest")
        if not isinstance(requests, list) or not requests:
            raise bad("INVALID_INPUT", "compositeRequest must be a non-empty array")
        if len(requests) > COMPOSITE_LIMIT:
            raise bad(
                "LIMIT_EXCEEDED", f"Composite requests take at most {COMPOSITE_LIMIT} subrequests"
            )
        all_or_none = body.get("allOrNone") is True
        undo: list[Undo] = []
        self.store.journal = undo if all_or_none else None
        try:
            answers = self._run_parts(call, requests, dispatch)
        finally:
            self.store.journal = None
        if all_or_none and any(a["httpStatusCode"] >= 400 for a in answers):
            self.store.rollback(undo)
            halted = [
                {
                    "errorCode": "PROCESSING_HALTED",
                    "message": "The transaction was rolled "
                    "back since another operation in the same transaction failed.",
                }
            ]
            answers = [
                a
                if a["httpStatusCode"] >= 400
                else {**a, "body": halted, "httpHeaders": {}, "httpStatusCode": 400}
                for a in answers
            ]
        return Reply(status=200, body={"compositeResponse": answers})

    def _run_parts(
        self, call: Call, requests: list[Any], dispatch: Dispatch
    ) -> list[dict[str, Any]]:
        created: dict[str, Mapping[str, Any]] = {}
        answers: list[dict[str, Any]] = []
        for request in requests:
            if not (
                isinstance(request, Mapping)
                and isinstance(request.get("url"), str)
                and isinstance(request.get("method"), str)
                and isinstance(request.get("referenceId"), str)
            ):
                raise bad("INVALID_INPUT", f"Invalid composite subrequest: {request!r}")
            reference = request["referenceId"]
            try:
                url = _resolve(request["url"], created)
                sub_body = _resolve(request.get("body"), created)
                if not url.startswith(SALESFORCE_ROOT):
                    raise bad(
                        "INVALID_INPUT",
                        f"A subrequest URL must start with {SALESFORCE_ROOT}: {url!r}",
                    )
            except WireError as error:
                answers.append(
                    _answer(
                        reference,
                        Reply(
                            status=400, body=[{"errorCode": error.code, "message": error.message}]
                        ),
                    )
                )
                continue
            sub = Call.parse(
                request["method"],
                url,
                {**call.headers, **(request.get("httpHeaders") or {})},
                sub_body,
                nested=True,
            )
            reply = dispatch(sub)
            if reply.status < 300 and isinstance(reply.body, Mapping):
                created[reference] = reply.body
            answers.append(_answer(reference, reply))
        return answers


def _answer(reference: str, reply: Reply) -> dict[str, Any]:
    return {
        "body": reply.body,
        "httpHeaders": dict(reply.headers),
        "httpStatusCode": reply.status,
        "referenceId": reference,
    }


def _resolve(value: Any, created: Mapping[str, Mapping[str, Any]]) -> Any:
    """``value`` with each ``@{ref.field}`` replaced by that field of ref's answer."""
    if isinstance(value, str):

        def field(match: re.Match[str]) -> str:
            answer = created.get(match[1])
            found = None if answer is None else answer.get(match[2])
            if found is None:
                raise WireError(
                    400,
                    "PROCESSING_HALTED",
                    f"Invalid reference specified. No value for {match[1]}.{match[2]} "
                    f"found in {match[1]}.",
                )
            return str(found)

        return _REFERENCE.sub(field, value)
    if isinstance(value, Mapping):
        return {k: _resolve(v, created) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, created) for v in value]
    return value


def _sort_key(kind: str, field: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda record: _soql_eval.comparable(kind, record[field])


def _attributes(table: str, record_id: str, version: str) -> dict[str, str]:
    return {"type": table, "url": f"{SALESFORCE_ROOT}{version}/sobjects/{table}/{record_id}"}


def _at(text: str) -> Any:
    """A stored stamp as an instant (typed loosely, to compare with the window's bounds)."""
    return parse_instant(text)
