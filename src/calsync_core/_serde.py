"""Canonical JSON for every value of the library: :func:`dumps` and :func:`loads`.

This module owns the wire format. Output is canonical (sorted keys, compact
separators, UTC datetimes with ``Z``, sets sorted, every attribute written) so
equal values give byte-identical documents that can be diffed, hashed and
stored as golden files. ``loads`` is the library's trust boundary, so it is
strict -- nothing is coerced -- and reports *every* fault with its path in one
:class:`~calsync_core.LoadError` rather than stopping at the first.

One cattrs converter does the work; cattrs generates each class's hook lazily
on first use, which keeps importing this module cheap.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import reprlib
import types
from collections.abc import Iterator
from typing import Any, TypeVar, cast, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from . import _checks as c
from ._errors import LoadError
from ._plan import ACTION_TYPES, Action, FieldChange
from ._values import CalendarItem, SfEvent

T = TypeVar("T")

#: The key naming an action's class inside ``Plan.actions``.
_TAG = "type"
_ACTIONS: dict[str, type[Action]] = {cls.__name__: cls for cls in ACTION_TYPES}
_CHANGE_KEYS = frozenset(a.name for a in attrs.fields(FieldChange))

_conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)


def dumps(obj: object) -> str:
    """Return ``obj`` (a snapshot, settings, a plan or any value inside them) as canonical JSON."""
    data = _conv.unstructure(obj)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes, cls: type[T]) -> T:
    """Read a ``cls`` from JSON text; raise :class:`LoadError` listing every problem."""
    if not attrs.has(cast("type[Any]", cls)):  # cast: has() would narrow cls, losing T
        raise TypeError(f"loads reads library values, not {cls!r}")
    data = _parse(text)
    try:
        return _conv.structure(data, cls)
    except Exception as exc:  # any fault in the document must surface as a LoadError
        raise LoadError(_walk(exc, "")) from exc


def _parse(text: str | bytes) -> Any:
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise LoadError([f"<text>: invalid JSON at {where}: {exc.msg}"]) from None
    except RecursionError:
        raise LoadError(["<text>: nested too deeply"]) from None
    except ValueError as exc:  # bad UTF-8, a duplicate key, an over-long integer
        raise LoadError([f"<text>: {exc}"]) from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key would silently let the last one win; a document means one thing.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {_show(key)}")
        result[key] = value
    return result


#: Bounded repr, so a huge or deeply nested value cannot swamp (or overflow) a message.
_show = reprlib.repr


def _walk(exc: BaseException, path: str) -> Iterator[str]:
    """Every leaf problem under ``exc`` as "path: message" (``path`` built as ".a[1].b")."""
    # cattrs notes an exception with each attribute or index it rises through,
    # innermost first: read the notes backwards.
    for note in reversed(getattr(exc, "__notes__", ())):
        if isinstance(note, AttributeValidationNote):
            path += _key(note.name)
        elif isinstance(note, IterableValidationNote):
            path += f"[{note.index}]"
    if isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            yield f"{(path + _key(key)).removeprefix('.')}: unknown field"
    elif isinstance(exc, BaseExceptionGroup):
        for sub in exc.exceptions:
            yield from _walk(sub, path)
    else:
        missing = isinstance(exc, KeyError)
        message = "required field missing" if missing else str(exc) or type(exc).__name__
        yield f"{path.removeprefix('.') or '<root>'}: {message}"


def _key(name: str) -> str:
    # An unknown key can be any string ("", "a.b"): quote it unless it reads unambiguously.
    return f".{name}" if name.isidentifier() else f"[{json.dumps(name, ensure_ascii=False)}]"


def _at(name: str, exc: Exception) -> Exception:
    exc.__notes__ = [*getattr(exc, "__notes__", ()), AttributeValidationNote(name, name, Any)]
    return exc


def _dump_datetime(value: dt.datetime) -> str:
    return c.utc(value).replace(tzinfo=None).isoformat() + "Z"


def _dump_set(value: frozenset[Any]) -> list[Any]:
    # Never iterate a set into output: its order varies between runs. (Library sets
    # hold strings, so the unstructured items sort.)
    return sorted(_conv.unstructure(v) for v in value)


def _dump_action(value: Action) -> dict[str, Any]:
    data: dict[str, Any] = _conv.unstructure(value, type(value))
    return {**data, _TAG: type(value).__name__}


def _exactly(kind: type) -> Any:
    # cattrs' own hooks coerce (str(5), bool("no"), int(2.5)); JSON gives exact types,
    # and an exact check also keeps bool (an int subclass) out of counts and sizes.
    def hook(value: Any, _: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {kind.__name__}")
        return value

    return hook


def _load_date(value: Any, _: Any) -> dt.date:
    # A calendar date (RecurrenceEndDateOnly), written as YYYY-MM-DD.
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 date string")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid date {_show(value)}") from None


def _load_datetime(value: Any, _: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 datetime string")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid datetime {_show(value)}") from None
    if parsed.utcoffset() is None:
        raise ValueError("naive datetime")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:  # e.g. year 1 at +01:00 is before datetime.min in UTC
        raise ValueError(f"datetime out of range {_show(value)}") from None


def _load_enum(value: Any, kind: type[enum.Enum]) -> enum.Enum:
    # Compare types too: True == 1, and neither is a member's string value.
    for member in kind:
        if type(member.value) is type(value) and member.value == value:
            return member
    raise ValueError(f"{_show(value)} is not a valid {kind.__name__}")


def _is_enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, enum.Enum)


def _is_frozenset(kind: Any) -> bool:
    return kind is frozenset or get_origin(kind) is frozenset


def _is_collection(kind: Any) -> bool:
    args = get_args(kind)
    if get_origin(kind) is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return _is_frozenset(kind) and kind is not frozenset


def _collection_hook(kind: Any) -> Any:
    # cattrs would iterate any iterable, so "abc" would load as ("a", "b", "c"): insist on a list.
    as_list = types.GenericAlias(list, get_args(kind)[:1])
    inner = _conv.get_structure_hook(as_list)
    build = get_origin(kind)

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, list):
            raise TypeError("expected list")
        return build(inner(value, as_list))

    return hook


def _attrs_hook(cls: type[Any]) -> Any:
    inner = make_dict_structure_fn(cls, _conv)

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError("expected object")
        return inner(value, cls)

    return hook


def _load_action(value: Any, _: Any) -> Action:
    if not isinstance(value, dict):
        raise TypeError("expected object")
    if _TAG not in value:
        raise ClassValidationError("action", [_at(_TAG, KeyError(_TAG))], dict)
    cls = _ACTIONS.get(value[_TAG]) if isinstance(value[_TAG], str) else None
    if cls is None:
        problem = ValueError(f"{_show(value[_TAG])} is not a valid action type")
        raise ClassValidationError("action", [_at(_TAG, problem)], dict)
    return _conv.structure({k: v for k, v in value.items() if k != _TAG}, cls)


@functools.cache
def _field_types() -> dict[str, Any]:
    """Each field name a ``FieldChange`` may carry, with the type to decode its values as."""
    found: dict[str, Any] = {}
    for cls in (CalendarItem, SfEvent):
        for field in attrs.fields(attrs.resolve_types(cls)):
            known = found.setdefault(field.name, field.type)
            # Both classes have ical_uid, as str and as str | None: accept either.
            if known != field.type:
                found[field.name] = known | field.type
    return found


def _load_field_value(value: Any, field: str | None) -> Any:
    # FieldChange accepts None for any field (a value being set or cleared).
    kind = _field_types().get(field) if field is not None else None
    if kind is not None and value is not None:
        return _conv.structure(value, kind)
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, list):
        return _conv.structure(value, tuple[str, ...])
    raise TypeError("expected str, bool, null or a list of str")


def _load_change(value: Any, _: Any) -> FieldChange:
    # Hand-written because old/new are decoded by the type of the field they name.
    if not isinstance(value, dict):
        raise TypeError("expected object")
    errors: list[Exception] = []
    found: dict[str, Any] = {}
    for name in ("field", "old", "new"):
        try:
            raw = value[name]
            if name == "field":
                found[name] = _conv.structure(raw, str)
            else:
                found[name] = _load_field_value(raw, found.get("field"))
        except Exception as exc:  # collected, so that every problem is reported
            errors.append(_at(name, exc))
    if extra := set(value) - _CHANGE_KEYS:
        errors.append(ForbiddenExtraKeysError(None, FieldChange, extra))
    if errors:
        raise ClassValidationError("While structuring FieldChange", errors, FieldChange)
    return FieldChange(**found)


_conv.register_unstructure_hook(dt.datetime, _dump_datetime)
_conv.register_unstructure_hook(dt.date, dt.date.isoformat)
_conv.register_unstructure_hook_func(_is_frozenset, _dump_set)
_conv.register_unstructure_hook(Action, _dump_action)
for _kind in (str, bool, int):
    _conv.register_structure_hook(_kind, _exactly(_kind))
_conv.register_structure_hook(dt.datetime, _load_datetime)
_conv.register_structure_hook(dt.date, _load_date)
_conv.register_structure_hook_func(_is_enum, _load_enum)
_conv.register_structure_hook_factory(_is_collection, _collection_hook)
_conv.register_structure_hook_factory(attrs.has, _attrs_hook)
_conv.register_structure_hook(FieldChange, _load_change)
_conv.register_structure_hook(Action, _load_action)
