"""Reading one JSON object's fields, collecting every fault with its JSON path.

A :class:`Fields` reads one record (an Event, a relation row, a Contact); each
reader returns a usable stand-in when the field is faulty and notes the
problem, so that one pass finds every fault and the caller raises once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
#: A field that is absent from the record (as opposed to present and null).
MISSING: Any = object()
#: What a faulty instant reads as while the problems are still being gathered.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Fields:
    """The fields of one JSON object at ``path`` (``""`` for the payload itself)."""

    __slots__ = ("path", "problems", "record")

    def __init__(self, record: object, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        self.record: Mapping[str, Any] = record if isinstance(record, Mapping) else {}
        if not isinstance(record, Mapping):
            problems.append(f"{path or '(payload)'}: not a JSON object")

    def where(self, name: str) -> str:
        """The JSON path of field ``name``."""
        return f"{self.path}.{name}" if self.path else name

    def fault(self, name: str, message: str) -> None:
        """Note a problem with field ``name``."""
        self.problems.append(f"{self.where(name)}: {message}")

    def raw(self, name: str, *, required: bool = False) -> Any:
        """The field's JSON value, MISSING when absent (a problem if ``required``)."""
        value = self.record.get(name, MISSING)
        if value is MISSING and required:
            self.fault(name, "missing")
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        """A string field; None when null or absent. ``required``: present and not empty."""
        value = self.raw(name, required=required)
        if value is MISSING or value is None:
            if required and value is None:
                self.fault(name, "null")
            return None
        if not isinstance(value, str):
            self.fault(name, "not text")
            return None
        if required and not value:
            self.fault(name, "empty")
        return str(value)

    def flag(self, name: str, *, required: bool = False) -> bool:
        """A checkbox; absent or null reads as false unless ``required``."""
        value = self.raw(name, required=required)
        if value is MISSING or (value is None and not required):
            return False
        if not isinstance(value, bool):
            self.fault(name, "not true or false")
            return False
        return value

    def whole(self, name: str) -> int | None:
        """A whole-number field (Salesforce may write it as ``60`` or ``60.0``); None if null."""
        value = self.raw(name)
        if value is MISSING or value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fault(name, "not a whole number")
            return None
        return value

    def instant(self, name: str, *, required: bool = False) -> dt.datetime | None:
        """A datetime field (``2020-01-01T09:00:00.000+0000`` or ``...Z``) in UTC; None if null."""
        value = self.raw(name, required=required)
        if value is MISSING or value is None:
            if required and value is None:
                self.fault(name, "null")
            return None
        parsed = parse_instant(value)
        if parsed is None:
            self.fault(name, "not a date and time")
        return parsed

    def date(self, name: str) -> dt.date | None:
        """A date-only field (``YYYY-MM-DD``); None if null or absent."""
        value = self.raw(name)
        if value is MISSING or value is None:
            return None
        if isinstance(value, str) and len(value) == 10:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fault(name, "not a date")
        return None


def parse_instant(value: object) -> dt.datetime | None:
    """``value`` read as a Salesforce datetime with an offset, in UTC; None if it is none."""
    # The calendar form only: fromisoformat also takes ISO week dates ("2024-W11-2T...").
    if not isinstance(value, str) or _INSTANT.match(value) is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.utcoffset() is None:
        return None
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00:00.000+0100 is before the first instant
        return None
