"""The one cattrs converter behind ``dumps`` and ``loads``: how each type is written and read.

Writing is canonical: datetimes in UTC with ``Z``, sets sorted, an action
tagged with its class name. Reading is strict, because ``loads`` is the
library's trust boundary: every hook checks the exact JSON type (cattrs' own
would coerce ``"5"`` to 5 or ``"no"`` to True), refuses lone surrogates, and
lists are read element by element here rather than by cattrs, so that a list
with a million bad elements is reported within ``MAX_PROBLEMS`` lines and
without holding a million exceptions (see ``_serde_problems``).

cattrs generates each class's hook lazily on first use, which keeps
importing this module cheap.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from typing import Any, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
)
from cattrs.gen import make_dict_structure_fn

from . import _converters as c
from ._plan import ACTION_TYPES, Action, FieldChange
from ._serde_problems import ListProblems, Problems, refuse_surrogates, show, unicode_fault
from ._values import CalendarItem, SfEvent

#: The key naming an action's class inside ``Plan.actions``.
_TAG = "type"
_ACTIONS: dict[str, type[Action]] = {cls.__name__: cls for cls in ACTION_TYPES}
_CHANGE_KEYS = frozenset(a.name for a in attrs.fields(FieldChange))

converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)


def _at(name: str, exc: Exception) -> Exception:
    exc.__notes__ = [*getattr(exc, "__notes__", ()), AttributeValidationNote(name, name, Any)]
    return exc


def _dump_datetime(value: dt.datetime) -> str:
    return c.utc(value).replace(tzinfo=None).isoformat() + "Z"


def _dump_set(value: frozenset[Any]) -> list[Any]:
    # Never iterate a set into output: its order varies between runs. (Library sets
    # hold strings, so the unstructured items sort.)
    return sorted(converter.unstructure(v) for v in value)


def _dump_action(value: Action) -> dict[str, Any]:
    data: dict[str, Any] = converter.unstructure(value, type(value))
    return {**data, _TAG: type(value).__name__}


def _exactly(kind: type) -> Any:
    # cattrs' own hooks coerce (str(5), bool("no"), int(2.5)); JSON gives exact types,
    # and an exact check also keeps bool (an int subclass) out of counts and sizes.
    def hook(value: Any, _: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {kind.__name__}")
        return value

    return hook


def _load_str(value: Any, _: Any) -> str:
    if type(value) is not str:
        raise TypeError("expected str")
    return refuse_surrogates(value)


def _load_date(value: Any, _: Any) -> dt.date:
    # A calendar date (RecurrenceEndDateOnly), written as YYYY-MM-DD.
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 date string")
    refuse_surrogates(value)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid date {show(value)}") from None


def _load_datetime(value: Any, _: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 datetime string")
    refuse_surrogates(value)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid datetime {show(value)}") from None
    if parsed.utcoffset() is None:
        raise ValueError("naive datetime")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:  # e.g. year 1 at +01:00 is before datetime.min in UTC
        raise ValueError(f"datetime out of range {show(value)}") from None


def _load_enum(value: Any, kind: type[enum.Enum]) -> enum.Enum:
    if isinstance(value, str):
        refuse_surrogates(value)
    # Compare types too: True == 1, and neither is a member's string value.
    for member in kind:
        if type(member.value) is type(value) and member.value == value:
            return member
    # The valid values, in their declared order: what a person editing the file needs.
    raise ValueError(f"{show(value)} is not one of {', '.join(str(m.value) for m in kind)}")


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
    # Not cattrs' list hook: see the module's docstring. And cattrs would iterate any
    # iterable, so "abc" would load as ("a", "b", "c"): insist on a list.
    (element,) = get_args(kind)[:1]
    load = converter.get_structure_hook(element)
    build = get_origin(kind)

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, list):
            raise TypeError("expected list")
        loaded: list[Any] = []
        problems: Problems | None = None
        for index, each in enumerate(value):
            try:
                done = load(each, element)
            except Exception as exc:  # collected, so that every problem is reported
                if problems is None:
                    problems = Problems()
                    loaded.clear()  # what is loaded so far will not be used
                problems.add(exc, f"[{index}]")
            else:
                if problems is None:
                    loaded.append(done)
        if problems is not None:
            raise ListProblems(problems)
        return build(loaded)

    return hook


def _attrs_hook(cls: type[Any]) -> Any:
    inner = make_dict_structure_fn(cls, converter)

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
    tag = value[_TAG]
    if isinstance(tag, str) and (fault := unicode_fault(tag)):
        raise ClassValidationError("action", [_at(_TAG, ValueError(fault))], dict)
    cls = _ACTIONS.get(tag) if isinstance(tag, str) else None
    if cls is None:
        problem = ValueError(f"{show(value[_TAG])} is not a valid action type")
        raise ClassValidationError("action", [_at(_TAG, problem)], dict)
    return converter.structure({k: v for k, v in value.items() if k != _TAG}, cls)


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
        return converter.structure(value, kind)
    if isinstance(value, str):
        return refuse_surrogates(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list):
        return converter.structure(value, tuple[str, ...])
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
                found[name] = converter.structure(raw, str)
            else:
                found[name] = _load_field_value(raw, found.get("field"))
        except Exception as exc:  # collected, so that every problem is reported
            errors.append(_at(name, exc))
    if extra := set(value) - _CHANGE_KEYS:
        errors.append(ForbiddenExtraKeysError(None, FieldChange, extra))
    if errors:
        raise ClassValidationError("While structuring FieldChange", errors, FieldChange)
    return FieldChange(**found)


converter.register_unstructure_hook(dt.datetime, _dump_datetime)
converter.register_unstructure_hook(dt.date, dt.date.isoformat)
converter.register_unstructure_hook_func(_is_frozenset, _dump_set)
converter.register_unstructure_hook(Action, _dump_action)
for _kind in (bool, int):
    converter.register_structure_hook(_kind, _exactly(_kind))
converter.register_structure_hook(str, _load_str)
converter.register_structure_hook(dt.datetime, _load_datetime)
converter.register_structure_hook(dt.date, _load_date)
converter.register_structure_hook_func(_is_enum, _load_enum)
converter.register_structure_hook_factory(_is_collection, _collection_hook)
converter.register_structure_hook_factory(attrs.has, _attrs_hook)
converter.register_structure_hook(FieldChange, _load_change)
converter.register_structure_hook(Action, _load_action)
