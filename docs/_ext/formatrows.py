"""The JSON file formats as rows: one per field of each value ``dumps`` writes.

The ``calsync`` command reads and writes snapshots, settings and plans as the
JSON of :func:`calsync_core.dumps`; its keys are the values' attribute names,
so the format *is* the values' fields. This module walks them -- from
``Snapshot``, ``OrgSettings`` and ``Plan`` down through every value they hold
-- and says for each field what JSON it takes and whether it may be left
out. ``formats.py`` renders the rows in the docs; this part needs no Sphinx,
so the test suite checks it without the docs extra.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import attrs

import calsync_core

#: The documents a person meets: the snapshots, the settings, ``calsync plan --json``.
ROOTS: tuple[type, ...] = (calsync_core.Snapshot, calsync_core.OrgSettings, calsync_core.Plan)

#: A piece of a field's description: text, or a value class to link to.
Part = str | type


@dataclass(frozen=True)
class Row:
    """One field of one value: its key, the JSON it takes, and its default."""

    name: str
    value: tuple[Part, ...]
    #: The JSON of the default, or None when the field is required.
    default: str | None


def documents(roots: tuple[type, ...] = ROOTS) -> list[type]:
    """Every value class the roots hold, each once, in the order a reader meets them."""
    seen: list[type] = []
    queue = list(roots)
    while queue:
        cls = queue.pop(0)
        if cls in seen:
            continue
        seen.append(cls)
        for annotation in typing.get_type_hints(cls).values():
            queue.extend(c for c in _classes(annotation) if c not in seen)
    return seen


def rows(cls: type) -> list[Row]:
    """The fields of ``cls`` as JSON keys, in the order the class declares them."""
    hints = typing.get_type_hints(cls)
    return [
        Row(field.name, tuple(json_value(hints[field.name])), _default(field))
        for field in attrs.fields(cls)
    ]


def json_value(annotation: Any) -> Iterator[Part]:
    """What JSON a field of this type takes, in words and links."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        if all(attrs.has(a) for a in options) and len(options) > 1:
            yield 'an object whose "type" names its kind: '
            for n, option in enumerate(options):
                yield ", " if n else ""
                yield option
        else:
            for n, option in enumerate(options):
                yield " or " if n else ""
                yield from json_value(option)
        if len(options) < len(args):
            yield " or null"
    elif origin in (tuple, frozenset, list):
        yield "an array of "
        yield from _plural(args[0])
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        yield f"one of {', '.join(str(m.value) for m in annotation)}"
    elif attrs.has(annotation):
        yield "an object: "
        yield annotation
    else:
        yield _SCALARS.get(annotation, str(annotation))


_SCALARS: dict[Any, str] = {
    str: "a string",
    bool: "true or false",
    int: "an integer",
    dt.datetime: "a date and time (ISO 8601 with an offset; written in UTC, with Z)",
}


def _plural(annotation: Any) -> Iterator[Part]:
    if attrs.has(annotation):
        yield annotation
        yield " objects"
    elif typing.get_origin(annotation) in (types.UnionType, typing.Union):
        options = typing.get_args(annotation)
        if all(attrs.has(a) for a in options):
            yield 'objects whose "type" names their kind: '
            for n, option in enumerate(options):
                yield ", " if n else ""
                yield option
        else:
            yield from json_value(annotation)
    else:
        words = "".join(str(p) for p in json_value(annotation))
        yield {"a string": "strings", "an integer": "integers"}.get(words, words)


def _classes(annotation: Any) -> Iterator[type]:
    if isinstance(annotation, type) and attrs.has(annotation):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _classes(arg)


def _default(field: attrs.Attribute[Any]) -> str | None:
    default: Any = field.default
    if default is attrs.NOTHING:
        return None
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # a class at run time
        default = default.factory()
    return json.dumps(_plain(default))


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | frozenset | list):
        return [_plain(v) for v in value]
    return value
