"""Canonical JSON for every value of the library: :func:`dumps` and :func:`loads`.

This module owns the wire format. Output is canonical (sorted keys, compact
separators, UTC datetimes with ``Z``, sets sorted, every attribute written) so
equal values give byte-identical documents that can be diffed, hashed and
stored as golden files. ``loads`` is the library's trust boundary, so it is
strict -- nothing is coerced -- and reports *every* fault with its path in one
:class:`~calsync_core.LoadError` rather than stopping at the first.

Every fault, up to a bound: a hostile or broken document can hold a million
bad elements, and a report of a million problems is no use to anyone while
building it costs far more than the document. cattrs' detailed validation
keeps one exception per bad element -- each with a traceback whose frames
hold the element and, in a reference cycle, the list of its siblings'
exceptions -- until the whole list is done: about 8 KB per ``{}``. So lists
are structured here, not by cattrs: each element's fault is read into
"path: message" lines at once, its exception freed, and past
``MAX_PROBLEMS`` lines only counted. Rejecting a document then takes time in
proportion to it (less per element than loading a valid one) and hardly more
memory than parsing it.

A lone surrogate (``"\\ud800"`` in JSON) is a fault like any other: it is no
character, a UTF-8 file cannot hold it, and printing it raises. ``loads``
refuses one wherever it is, with its path; ``dumps`` refuses to write one
(:class:`DumpError`), so that whatever ``dumps`` writes, ``loads`` reads back.

One cattrs converter does the work; cattrs generates each class's hook lazily
on first use, which keeps importing this module cheap.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import re
import reprlib
from collections.abc import Iterable, Iterator, Sequence
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
from ._errors import DumpError, LoadError
from ._plan import ACTION_TYPES, Action, FieldChange
from ._values import CalendarItem, SfEvent

T = TypeVar("T")

#: The key naming an action's class inside ``Plan.actions``.
_TAG = "type"
_ACTIONS: dict[str, type[Action]] = {cls.__name__: cls for cls in ACTION_TYPES}
_CHANGE_KEYS = frozenset(a.name for a in attrs.fields(FieldChange))

#: At most this many problems are listed; a last line counts the rest ("and 7 more problems").
MAX_PROBLEMS = 100

_conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)


def dumps(obj: object) -> str:
    """Return ``obj`` (a snapshot, settings, a plan or any value inside them) as canonical JSON.

    A string holding a lone surrogate (``"\\ud800"``) cannot be written as
    UTF-8, and ``loads`` would refuse it: ``dumps`` raises ``DumpError`` (a
    :exc:`CalsyncError` and ``ValueError``) naming the path of each, e.g.
    ``items[0].subject: not valid Unicode (lone surrogate \\ud800)``, rather
    than write text that cannot be saved or read back.
    """
    data = _conv.unstructure(obj)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    del data  # far larger than its text: let it go before the check makes a copy
    if not text.isascii():  # a flag, read in O(1)
        try:
            # A lone surrogate is the one thing a str can hold that UTF-8 cannot.
            # Encoding is quicker than a regex search, and the copy lives a moment.
            text.encode("utf-8")
        except UnicodeEncodeError:
            problems = _Problems()
            problems.extend(_surrogates(_conv.unstructure(obj), ""))
            raise DumpError(problems.lines()) from None
    return text


def loads(text: str | bytes, cls: type[T]) -> T:
    """Read a ``cls`` from JSON text; raise :class:`LoadError` listing every problem.

    Every problem up to the first 100; then one last line counts the rest
    (``and 4900 more problems``). A string holding a lone surrogate, escaped
    or not, is a problem (``items[0].subject: not valid Unicode (lone
    surrogate \\ud800)``).
    """
    if not attrs.has(cast("type[Any]", cls)):  # cast: has() would narrow cls, losing T
        raise TypeError(f"loads reads library values, not {cls!r}")
    data = _parse(text)
    try:
        return _conv.structure(data, cls)
    except Exception as exc:  # any fault in the document must surface as a LoadError
        problems = _Problems()
        problems.add(exc, "")
        raise LoadError(problems.lines()) from exc


def problem_count(problems: Sequence[str]) -> int:
    """How many problems a :class:`LoadError`'s ``problems`` stand for, those past the bound too."""
    more = _MORE.fullmatch(problems[-1]) if problems else None
    return len(problems) if more is None else len(problems) - 1 + int(more[1])


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
#: (repr also escapes a lone surrogate, as it does every unprintable character.)
_show = reprlib.repr

# -- problems -------------------------------------------------------------------------

#: One problem as (path, message), the path built as ".a[1].b"; or a count of
#: problems past the bound, already left out.
_Found = tuple[str, str] | int

_SURROGATE = re.compile("[\ud800-\udfff]")
_MORE = re.compile(r"and (\d+) more problems?")


class _Problems:
    """The first ``MAX_PROBLEMS`` problems found, and how many more there were."""

    __slots__ = ("hidden", "shown")

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []
        self.hidden = 0

    def add(self, exc: BaseException, path: str) -> None:
        """Read the problems of ``exc``, found at ``path``, and let go of its tracebacks."""
        if len(self.shown) < MAX_PROBLEMS:
            self.extend(_walk(exc, path))
            _forget(exc)
        else:  # past the bound, problems are only counted: no paths built
            self.hidden += _forget(exc)

    def extend(self, found: Iterable[_Found]) -> None:
        for problem in found:
            if isinstance(problem, int):
                self.hidden += problem
            elif len(self.shown) < MAX_PROBLEMS:
                self.shown.append(problem)
            else:
                self.hidden += 1

    def lines(self) -> list[str]:
        lines = [f"{path.removeprefix('.') or '<root>'}: {msg}" for path, msg in self.shown]
        if self.hidden:
            lines.append(f"and {self.hidden} more problem{'' if self.hidden == 1 else 's'}")
        # Messages quote the document; whatever they quote, they must be writable as UTF-8.
        return [_escaped(line) for line in lines]


class _ListProblems(Exception):
    """The problems of a list's elements, already read: cattrs' IterableValidationError, bounded."""

    def __init__(self, problems: _Problems) -> None:
        super().__init__(f"{len(problems.shown) + problems.hidden} problems")
        self.problems = problems


def _walk(exc: BaseException, path: str) -> Iterator[_Found]:
    """Every leaf problem under ``exc``."""
    # cattrs notes an exception with each attribute or index it rises through,
    # innermost first: read the notes backwards.
    for note in reversed(getattr(exc, "__notes__", ())):
        if isinstance(note, AttributeValidationNote):
            path += _key(note.name)
        elif isinstance(note, IterableValidationNote):
            path += f"[{note.index}]"
    if isinstance(exc, _ListProblems):
        for inner, message in exc.problems.shown:
            yield path + inner, message
        if exc.problems.hidden:
            yield exc.problems.hidden
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            yield path + _key(key), _unicode_fault(key) or "unknown field"
    elif isinstance(exc, BaseExceptionGroup):
        for sub in exc.exceptions:
            yield from _walk(sub, path)
    else:
        missing = isinstance(exc, KeyError)
        yield path, "required field missing" if missing else str(exc) or type(exc).__name__


def _forget(exc: BaseException) -> int:
    """Let go of the tracebacks under ``exc``; return how many problems it holds."""
    # Each traceback holds the frames it rose through, and a cattrs frame holds the
    # list of errors it collected: a cycle only the garbage collector would free.
    # Cut it, so that a bad element's exceptions go the moment it has been read.
    count = 0
    stack = [exc]
    while stack:
        each = stack.pop()
        each.__traceback__ = None
        if isinstance(each, BaseExceptionGroup):
            stack.extend(each.exceptions)
        elif isinstance(each, _ListProblems):
            count += len(each.problems.shown) + each.problems.hidden
        elif isinstance(each, ForbiddenExtraKeysError):
            count += len(each.extra_fields)
        else:
            count += 1
    return count


def _key(name: str) -> str:
    # An unknown key can be any string ("", "a.b"): quote it unless it reads unambiguously.
    return f".{name}" if name.isidentifier() else f"[{json.dumps(name, ensure_ascii=False)}]"


def _unicode_fault(text: str) -> str | None:
    """Why ``text`` is no valid Unicode (it holds a lone surrogate), or None if it is."""
    if text.isascii():
        return None
    found = _SURROGATE.search(text)
    return None if found is None else f"not valid Unicode (lone surrogate {_escaped(found[0])})"


def _escaped(text: str) -> str:
    """``text`` with each lone surrogate written as its escape, ``\\ud800``."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _refuse_surrogates(value: str) -> str:
    if fault := _unicode_fault(value):
        raise ValueError(fault)
    return value


def _surrogates(data: Any, path: str) -> Iterator[_Found]:
    """Where the unstructured ``data`` holds a string that is no valid Unicode."""
    if isinstance(data, str):
        if fault := _unicode_fault(data):
            yield path, fault
    elif isinstance(data, dict):
        for key in sorted(data):
            yield from _surrogates(key, path + _key(key))
            yield from _surrogates(data[key], path + _key(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _surrogates(value, f"{path}[{index}]")


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


def _load_str(value: Any, _: Any) -> str:
    if type(value) is not str:
        raise TypeError("expected str")
    return _refuse_surrogates(value)


def _load_date(value: Any, _: Any) -> dt.date:
    # A calendar date (RecurrenceEndDateOnly), written as YYYY-MM-DD.
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 date string")
    _refuse_surrogates(value)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid date {_show(value)}") from None


def _load_datetime(value: Any, _: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 datetime string")
    _refuse_surrogates(value)
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
    if isinstance(value, str):
        _refuse_surrogates(value)
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
    # Not cattrs' list hook: see the module's docstring. And cattrs would iterate any
    # iterable, so "abc" would load as ("a", "b", "c"): insist on a list.
    (element,) = get_args(kind)[:1]
    load = _conv.get_structure_hook(element)
    build = get_origin(kind)

    def hook(value: Any, _: Any) -> Any:
        if not isinstance(value, list):
            raise TypeError("expected list")
        loaded: list[Any] = []
        problems: _Problems | None = None
        for index, each in enumerate(value):
            try:
                done = load(each, element)
            except Exception as exc:  # collected, so that every problem is reported
                if problems is None:
                    problems = _Problems()
                    loaded.clear()  # what is loaded so far will not be used
                problems.add(exc, f"[{index}]")
            else:
                if problems is None:
                    loaded.append(done)
        if problems is not None:
            raise _ListProblems(problems)
        return build(loaded)

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
    tag = value[_TAG]
    if isinstance(tag, str) and (fault := _unicode_fault(tag)):
        raise ClassValidationError("action", [_at(_TAG, ValueError(fault))], dict)
    cls = _ACTIONS.get(tag) if isinstance(tag, str) else None
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
    if isinstance(value, str):
        return _refuse_surrogates(value)
    if value is None or isinstance(value, bool):
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
for _kind in (bool, int):
    _conv.register_structure_hook(_kind, _exactly(_kind))
_conv.register_structure_hook(str, _load_str)
_conv.register_structure_hook(dt.datetime, _load_datetime)
_conv.register_structure_hook(dt.date, _load_date)
_conv.register_structure_hook_func(_is_enum, _load_enum)
_conv.register_structure_hook_factory(_is_collection, _collection_hook)
_conv.register_structure_hook_factory(attrs.has, _attrs_hook)
_conv.register_structure_hook(FieldChange, _load_change)
_conv.register_structure_hook(Action, _load_action)
