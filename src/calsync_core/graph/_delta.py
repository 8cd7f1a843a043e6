"""A page of a calendarView delta query: changed items, removed ids, the next link."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import attrs

from .. import _converters as c
from .._values import CalendarItem
from ._event import read_event
from ._read import Reader

#: An item's key in a snapshot: ``(mailbox, item id)``, the mailbox lower-cased.
ItemKey: TypeAlias = tuple[str, str]


def _items(value: Iterable[CalendarItem]) -> tuple[CalendarItem, ...]:
    return c.tuple_of(value, CalendarItem)


def _keys(value: Iterable[ItemKey]) -> tuple[ItemKey, ...]:
    keys = c.tuple_of(value, tuple)
    for key in keys:
        if len(key) != 2 or not all(isinstance(part, str) for part in key):
            raise TypeError(f"expected a (mailbox, item id) pair of strings, got {key!r}")
    return keys


_opt_str = c.check_optional(str)


@attrs.frozen(kw_only=True)
class DeltaPage:
    """One page of ``GET /users/{mailbox}/calendarView/delta``, read.

    ``items`` are the events added or changed; ``removed`` the keys of entries
    marked ``@removed``. Exactly one of ``next_link`` (fetch it next) and
    ``delta_link`` (keep it for the next round) is set.
    """

    items: tuple[CalendarItem, ...] = attrs.field(default=(), converter=_items)
    removed: tuple[ItemKey, ...] = attrs.field(default=(), converter=_keys)
    next_link: str | None = attrs.field(default=None, validator=_opt_str)
    delta_link: str | None = attrs.field(default=None, validator=_opt_str)


def read_page(page: Mapping[str, Any], mailbox: str) -> tuple[DeltaPage | None, list[str]]:
    """The page, or None and every problem of the page and its entries."""
    r = Reader()
    links = {
        key: r.text(page, f"@odata.{key}", f"@odata.{key}") or None
        for key in ("nextLink", "deltaLink")
    }
    if (links["nextLink"] is None) == (links["deltaLink"] is None):
        r.fault(
            "@odata.nextLink", "a delta page has either it or @odata.deltaLink, not both or none"
        )
    if "value" not in page:
        r.fault("value", "missing")
    owner = c.address(mailbox)
    # The same entry may come twice in a response: the later one wins, in its place.
    latest: dict[str, CalendarItem | ItemKey] = {}
    for n, entry in enumerate(r.array(page, "value", "value")):
        found = _entry(r, n, entry, owner)
        if found is not None:
            key = found[1] if isinstance(found, tuple) else found.id
            latest.pop(key, None)
            latest[key] = found
    if r.problems:
        return None, r.problems
    return DeltaPage(
        items=[v for v in latest.values() if isinstance(v, CalendarItem)],
        removed=[v for v in latest.values() if isinstance(v, tuple)],
        next_link=links["nextLink"],
        delta_link=links["deltaLink"],
    ), []


def _entry(r: Reader, n: int, entry: object, owner: str) -> CalendarItem | ItemKey | None:
    path = f"value[{n}]"
    if not isinstance(entry, Mapping):
        r.wrong(path, "an object", entry)
        return None
    if "@removed" in entry:
        # Only @odata.type, id and @removed come. For calendarView the reason is
        # "deleted" also for events that merely left the range or changed outside
        # it: a removal means "no longer in this view", never "deleted".
        item_id = r.text(entry, "id", f"{path}.id", required=True)
        return (owner, item_id) if item_id else None
    return read_event(Reader(prefix=f"{path}.", problems=r.problems), entry, owner)
