"""Evaluating a parsed SOQL query's condition against stored records (see ``_soql.py``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from . import _sf_schema as schema
from ._soql import Combine, Condition
from ._times import parse_instant
from ._wire import WireError

_MATCHES: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_LITERAL_KINDS: Final = {
    schema.TEXT: "string",
    schema.ID: "string",
    schema.INSTANT: "instant",
    schema.DAY: "day",
    schema.FLAG: "flag",
    schema.NUMBER: "number",
}


def comparable(kind: str, value: Any) -> Any:
    """A stored value as the query compares it."""
    if value is None:
        return None
    if kind == schema.INSTANT:
        return parse_instant(value)
    if kind == schema.DAY:
        return dt.date.fromisoformat(value)
    if kind == schema.TEXT:
        return value.lower()
    if kind == schema.ID:
        return value[:15]  # a 15-character id names the same record as its 18-character form
    return value


def check(where: Condition | None, types: Mapping[str, str]) -> None:
    """INVALID_FIELD for a field the object lacks or a literal of the wrong type."""
    if where is None:
        return
    if isinstance(where, Combine):
        for part in where.parts:
            check(part, types)
        return
    kind = types.get(where.field)
    if kind is None:
        raise WireError(400, "INVALID_FIELD", f"No such column '{where.field}' on entity")
    wanted = _LITERAL_KINDS[kind]
    for literal in where.values:
        found = "string" if literal.kind == "pattern" else literal.kind
        if found in ("null", wanted):
            continue
        if found == "string":
            advice = " and should not be enclosed in quotes"
        elif wanted == "string":
            advice = " and should be enclosed in quotes"
        else:
            advice = ""
        raise WireError(
            400,
            "INVALID_FIELD",
            f"value of filter criterion for field '{where.field}' must be of type {kind}{advice}",
        )


Predicate = Callable[[Mapping[str, Any]], bool]


def predicate(where: Condition | None, types: Mapping[str, str]) -> Predicate:
    """The condition as a test of one record (checked with :func:`check` first).

    Built once per query: an ``IN`` list becomes a set, a ``LIKE`` a regular
    expression, so a query over many records costs one pass.
    """
    if where is None:
        return lambda record: True
    if isinstance(where, Combine):
        parts = [predicate(part, types) for part in where.parts]
        if where.op == "NOT":
            return lambda record: not parts[0](record)
        if where.op == "AND":
            return lambda record: all(part(record) for part in parts)
        return lambda record: any(part(record) for part in parts)
    field, kind = where.field, types[where.field]
    wanted = [comparable(kind, v.value) if v.kind == "string" else v.value for v in where.values]
    if where.op in ("IN", "NOT IN"):
        members, inside = frozenset(wanted), where.op == "IN"
        return lambda record: (comparable(kind, record.get(field)) in members) == inside
    if where.op == "LIKE":
        pattern: re.Pattern[str] = where.values[0].value
        return lambda record: _like(pattern, record.get(field))
    compare, target = _MATCHES[where.op], wanted[0]
    if target is None:
        # Only = null and != null mean something; an ordering against null matches nothing.
        if where.op not in ("=", "!="):
            return lambda record: False
        return lambda record: compare(record.get(field), None)
    return lambda record: _ordered(compare, comparable(kind, record.get(field)), target)


def _like(pattern: re.Pattern[str], value: Any) -> bool:
    return value is not None and pattern.fullmatch(str(value)) is not None


def _ordered(compare: Callable[[Any, Any], bool], value: Any, target: Any) -> bool:
    if value is None:
        return compare is _MATCHES["!="]
    return compare(value, target)


def matches(where: Condition | None, record: Mapping[str, Any], types: Mapping[str, str]) -> bool:
    """Whether ``record`` meets the condition (see :func:`predicate`)."""
    return predicate(where, types)(record)
