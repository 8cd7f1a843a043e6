"""A field mapping as data: which wire field each value attribute is read from or written to.

Each adapter keeps its mapping as a tuple of :class:`FieldRow` (``graph/_mapping.py``,
``salesforce/_mapping.py``). The writers take the names they write from those
rows, tests prove every row against the readers and writers, and the docs render
the same rows as tables (``docs/_ext/fieldmap.py``): one source, so the table a
reader trusts cannot drift from what the code sends.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs


class Direction(enum.Flag):
    """Which way a row is used: read from payloads, written by a create, by an update."""

    READ = enum.auto()
    CREATE = enum.auto()
    UPDATE = enum.auto()
    WRITE = CREATE | UPDATE

    def label(self) -> str:
        """``read``, ``create``, ``read, create, update`` ...: as the tables show it."""
        return ", ".join(name for name, flag in _LABELS if flag in self)


_LABELS = (("read", Direction.READ), ("create", Direction.CREATE), ("update", Direction.UPDATE))


def _wire(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen(kw_only=True)
class FieldRow:
    """One row of a mapping: ``attribute`` of the value, ``wire`` fields of the payload.

    ``wire`` names JSON fields as a path (``body.content``); the first segment
    is the top-level property a write sends. ``note`` is reStructuredText for
    the docs: what the value looks like on the wire, when the row applies.
    """

    attribute: str
    wire: tuple[str, ...] = attrs.field(converter=_wire)
    direction: Direction
    note: str = ""

    @property
    def top(self) -> tuple[str, ...]:
        """The top-level property of each wire field: what a request body carries."""
        return tuple(name.split(".", 1)[0] for name in self.wire)


def written(rows: Iterable[FieldRow], direction: Direction) -> dict[str, str]:
    """Attribute -> the one top-level property rows with ``direction`` write it to."""
    names: dict[str, str] = {}
    for row in rows:
        if direction in row.direction:
            tops = set(row.top)
            if len(tops) != 1:  # a row written to several properties needs its own code
                raise ValueError(f"{row.attribute} is written to {sorted(tops)}, not one property")
            names[row.attribute] = tops.pop()
    return names
