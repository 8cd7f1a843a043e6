"""Checks of the options the public strategies take, and the deferral that runs them.

The public strategies follow Hypothesis' own: an option that cannot be met
raises :class:`~hypothesis.errors.InvalidArgument` when the strategy is first
used, not when it is defined. Every check lives here so that each public
strategy reads as its documentation plus one call, and so that every strategy
words the same mistake the same way.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Collection, Mapping
from typing import TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._domain import check_settings, is_address
from .._errors import SettingsError
from .._values import OrgSettings

T = TypeVar("T")


def lazy(
    public: Callable[..., object],
    build: Callable[[], st.SearchStrategy[T]],
    options: Mapping[str, object],
) -> st.SearchStrategy[T]:
    """Check the options and build the strategy on first use, not when it is defined.

    Like Hypothesis' own strategies: a module can define ``snapshots(min_copies=0)``
    at import time, and the mistake shows as a failing test, not a failing import.
    Until then the strategy shows as its call to ``public``, e.g.
    ``snapshots(max_copies=2)``: only the options that differ from its defaults.
    """
    name = public.__name__
    defaults = {k: p.default for k, p in inspect.signature(public).parameters.items()}
    shown = ", ".join(
        f"{k}={v!r}" for k, v in options.items() if k in defaults and v != defaults[k]
    )
    build.__name__ = build.__qualname__ = f"{name}({shown})"
    return st.deferred(build)


def integer(name: str, value: object, low: int = 0) -> int:
    # A bool is an int to Python, never the count someone meant.
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be an int")
    if value < low:
        raise InvalidArgument(f"{name}={value!r} must be at least {low}")
    return value


def boolean(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be a bool")
    return value


def ordered(low_name: str, low: int, high_name: str, high: int) -> None:
    if low > high:
        raise InvalidArgument(f"{low_name}={low} is greater than {high_name}={high}")


def as_of(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise InvalidArgument(f"as_of={value!r} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgument(f"as_of={value!r} must be timezone-aware")
    return value.astimezone(dt.UTC)


def collection(name: str, value: object, kind: type[T], *, empty: bool = False) -> tuple[T, ...]:
    # A bare string is a collection too, but never the one meant.
    if isinstance(value, str | bytes) or not isinstance(value, Collection):
        raise InvalidArgument(f"{name}={value!r} must be a collection of {kind.__name__}")
    found = tuple(value)
    if not found and not empty:
        raise InvalidArgument(f"{name} must not be empty")
    for v in found:
        if not isinstance(v, kind):
            raise InvalidArgument(f"{name}: {v!r} is not a {kind.__name__}")
    return found


def strings(name: str, value: object, *, addresses: bool) -> tuple[str, ...]:
    found = collection(name, value, str)
    for v in found:
        if not v or (addresses and not is_address(v)):
            raise InvalidArgument(f"{name}: {v!r} is not {'an address' if addresses else 'an id'}")
    return tuple(dict.fromkeys(v.lower() if addresses else v for v in found))


def domain_name(value: object) -> str:
    if not isinstance(value, str) or not is_address(f"x@{value}"):
        raise InvalidArgument(f"domain={value!r} must be a domain name such as 'acme.example'")
    return value.lower()


def settings(value: object) -> OrgSettings:
    if not isinstance(value, OrgSettings):
        raise InvalidArgument(f"settings={value!r} must be an OrgSettings")
    try:
        check_settings(value)
    except SettingsError as exc:
        raise InvalidArgument(f"settings are invalid: {exc}") from None
    return value


@attrs.frozen(kw_only=True)
class Options:
    """The checked options ``snapshots`` and ``histories`` share."""

    as_of: dt.datetime | None
    min_meetings: int
    max_meetings: int
    min_copies: int
    max_copies: int | None
    linked: bool
    recurring: bool
    max_sf_events: int


def options(given: Mapping[str, object]) -> Options:
    """``given`` (a call's ``locals()``) checked as ``snapshots``' and ``histories``' options."""
    max_copies = given["max_copies"]
    opts = Options(
        as_of=as_of(given["as_of"]),
        min_meetings=integer("min_meetings", given["min_meetings"]),
        max_meetings=integer("max_meetings", given["max_meetings"]),
        min_copies=integer("min_copies", given["min_copies"], low=1),
        max_copies=None if max_copies is None else integer("max_copies", max_copies, low=1),
        linked=boolean("linked", given["linked"]),
        recurring=boolean("recurring", given["recurring"]),
        max_sf_events=integer("max_sf_events", given["max_sf_events"]),
    )
    ordered("min_meetings", opts.min_meetings, "max_meetings", opts.max_meetings)
    if opts.max_copies is not None:
        ordered("min_copies", opts.min_copies, "max_copies", opts.max_copies)
    return opts


def fitting(value: object, opts: Options) -> OrgSettings | None:
    """``settings`` checked, and with enough users for every copy of a meeting."""
    if value is None:
        return None
    checked = settings(value)
    count = len(checked.users)
    for name, wanted in (("min_copies", opts.min_copies), ("max_copies", opts.max_copies)):
        if wanted is not None and wanted > count:
            raise InvalidArgument(
                f"{name}={wanted}, but the settings have {count} user(s): "
                "every copy of a meeting sits in a different user's mailbox"
            )
    return checked
