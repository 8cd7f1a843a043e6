"""SOQL text for the reads a connector makes, every value escaped.

Values go into single-quoted string literals, escaped by the SOQL reference's
"Quoted String Escape Sequences": backslash, single and double quote, and the
new line, carriage return, tab, bell and form feed escapes; any other control
character as ``\\uXXXX``. So a value can never close its literal. Field names
cannot be quoted at all: a custom field name must be an API name (letters,
digits and underscores), or ValueError.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from .._enums import RecordKind

_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_SPECIAL = re.compile(r"[\\'\"\x00-\x1f\x7f]")
_API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def literal(value: str) -> str:
    """``value`` as a quoted SOQL string literal.

    >>> print(literal("kim.o'brien@fabrikam.com"))
    'kim.o\\'brien@fabrikam.com'
    """
    if not isinstance(value, str):
        raise TypeError(f"a SOQL value must be a string, got {type(value).__name__}")
    escaped = _SPECIAL.sub(lambda m: _ESCAPES.get(m[0], f"\\u{ord(m[0]):04x}"), value)
    return f"'{escaped}'"


def literal_list(values: Iterable[str], what: str) -> str:
    """``('a', 'b')``: the distinct values, in first-seen order; ValueError when none."""
    if isinstance(values, str):
        raise TypeError(f"{what} must be a collection of strings, not one string")
    distinct = list(dict.fromkeys(values))
    if not distinct:
        raise ValueError(f"{what} is empty: there is nothing to query")
    return "(" + ", ".join(literal(v) for v in distinct) + ")"


def api_name(name: str, what: str) -> str:
    """``name`` if it is a field API name, else ValueError (it goes into the query unquoted)."""
    if _API_NAME.fullmatch(name) is None:
        raise ValueError(f"{what} {name!r} is not a field API name")
    return name


def instant(value: dt.datetime, what: str) -> str:
    """A SOQL datetime literal (unquoted, UTC): ``2024-03-12T17:00:00Z``."""
    if value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    utc = value.astimezone(dt.UTC)
    # Not strftime("%Y"): it writes year 999 as "999", which SOQL does not take.
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%SZ")


def record_object(kind: RecordKind) -> str:
    """The sObject name of a person record kind; ValueError for any other kind."""
    if kind is RecordKind.CONTACT:
        return "Contact"
    if kind is RecordKind.LEAD:
        return "Lead"
    raise ValueError(f"records_query reads contacts and leads, not {kind!r}")
