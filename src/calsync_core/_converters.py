"""Construction-time checks shared by the value classes.

Construction rejects only what breaks the *type* of a value (API.md): a naive
datetime, a list where a name belongs, an int where a flag belongs. Semantic
faults (an end before the start, an empty id) are accepted here and reported by
the planner as INVALID_ITEM, so that one bad item never stops a run.

Collections are stored as tuples and frozensets. Any iterable other than a
string is accepted and converted, because ``categories={"Salesforce"}`` is
what people write; a bare string is refused, since iterating it would silently
split a name into letters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` as a UTC datetime; refuse naive ones and non-datetimes."""
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a timezone-aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime")
    return value.astimezone(dt.UTC)


def optional_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc(value)


def address(value: str) -> str:
    """Addresses are compared case-insensitively, so they are stored lower-cased."""
    if not isinstance(value, str):
        raise TypeError(f"expected an address string, got {type(value).__name__}")
    lowered = value.lower()
    # The same string when nothing changed: values are shared, not copied.
    return value if lowered == value else lowered


def optional_address(value: str | None) -> str | None:
    return None if value is None else address(value)


# Each converter below returns its argument itself when it is already the
# right collection of the right values: a plan holds a few values per item,
# and copying each one at construction would double its memory.


def addresses(value: Iterable[str]) -> frozenset[str]:
    found = frozenset(address(v) for v in _iterable(value))
    return value if type(value) is frozenset and found == value else found


def address_tuple(value: Iterable[str]) -> tuple[str, ...]:
    found = tuple(address(v) for v in _iterable(value))
    return value if type(value) is tuple and found == value else found


def names(value: Iterable[str]) -> frozenset[str]:
    if type(value) is frozenset:
        for v in value:
            instance(v, str)
        return value
    return frozenset(instance(v, str) for v in _iterable(value))


def tuple_of(value: Iterable[Any], kind: type[T] | tuple[type, ...]) -> tuple[T, ...]:
    if type(value) is tuple:
        for v in value:
            instance(v, kind)
        return value
    return tuple(instance(v, kind) for v in _iterable(value))


def instance(value: Any, kind: type[T] | tuple[type, ...]) -> T:
    # bool is an int in Python, but never a count or a size here.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        wanted = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise TypeError(f"expected {wanted}, got {type(value).__name__}")
    return value  # type: ignore[return-value]  # isinstance narrowed to T above


def _iterable(value: Any) -> Iterable[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"expected a collection, got {type(value).__name__}")
    return value


def check(kind: type | tuple[type, ...]) -> Any:
    """An attrs validator that calls :func:`instance` (``Any``: attrs' own typing)."""

    def validate(_inst: object, attribute: Any, value: Any) -> None:
        try:
            instance(value, kind)
        except TypeError as exc:
            raise TypeError(f"{attribute.name}: {exc}") from None

    return validate


def check_optional(kind: type | tuple[type, ...]) -> Any:
    inner = check(kind)

    def validate(inst: object, attribute: Any, value: Any) -> None:
        if value is not None:
            inner(inst, attribute, value)

    return validate
