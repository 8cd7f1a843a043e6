"""``ItemKey`` and ``Changes``: what changed since the kept state, as the real systems say it.

Graph delta queries and Salesforce ``getUpdated``/``getDeleted`` (or Change Data
Capture) report upserts and removals, not whole snapshots. A ``Changes`` holds
exactly that, and :meth:`Changes.apply_to` is the reference meaning of one: the
snapshot a connector that read everything would have seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple, TypeVar

import attrs

from . import _converters as c
from ._values import CalendarItem, Record, SfEvent, Snapshot, _events, _items, _records

T = TypeVar("T")


class ItemKey(NamedTuple):
    """One calendar item's identity: its mailbox and its id there."""

    mailbox: str
    id: str


def _keys(value: Iterable[tuple[str, str]]) -> tuple[ItemKey, ...]:
    keys = []
    for entry in c.tuple_of(value, tuple):
        if len(entry) != 2 or not all(isinstance(part, str) for part in entry):
            raise TypeError(f"an item key is (mailbox, id), two strings; got {entry!r}")
        keys.append(ItemKey(c.address(entry[0]), entry[1]))
    return tuple(keys)


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return c.tuple_of(value, str)


def item_key(item: CalendarItem) -> ItemKey:
    return ItemKey(item.mailbox, item.id)


@attrs.frozen(kw_only=True)
class Changes:
    """What changed since a kept state: upserts and removals on each side, at ``as_of``.

    ``complete_mailboxes`` (``complete_owners``) marks a resync: the upserts of
    that mailbox (owner) are its whole content, and everything else it held is
    gone -- what a connector sends when Graph answers a stale delta link with
    410 Gone. A key is never both upserted and removed in one ``Changes``.
    """

    as_of: dt.datetime = attrs.field(converter=c.utc)
    items: tuple[CalendarItem, ...] = attrs.field(default=(), converter=_items)
    removed_items: tuple[ItemKey, ...] = attrs.field(default=(), converter=_keys)
    events: tuple[SfEvent, ...] = attrs.field(default=(), converter=_events)
    removed_events: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    records: tuple[Record, ...] = attrs.field(default=(), converter=_records)
    removed_records: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    complete_mailboxes: frozenset[str] = attrs.field(default=frozenset(), converter=c.addresses)
    complete_owners: frozenset[str] = attrs.field(default=frozenset(), converter=c.names)

    def __attrs_post_init__(self) -> None:
        # Both at once has no meaning a connector could intend: refuse it rather
        # than pick one (a removal winning would delete what was just read).
        clash = [
            *_both(map(item_key, self.items), self.removed_items),
            *_both((e.id for e in self.events), self.removed_events),
            *_both((r.id for r in self.records), self.removed_records),
        ]
        if clash:
            raise ValueError(f"upserted and removed in one Changes: {clash[:5]!r}")

    def apply_to(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with these changes made: the reference meaning of ``Changes``.

        What an upsert names replaces everything under its key (twins too);
        removing what the snapshot lacks does nothing; a complete mailbox or
        owner keeps only its upserts. The untouched part keeps its order, and
        the upserts follow in theirs.
        """
        item_gone = {*self.removed_items, *map(item_key, self.items)}
        event_gone = {*self.removed_events, *(e.id for e in self.events)}
        record_gone = {*self.removed_records, *(r.id for r in self.records)}
        return Snapshot(
            as_of=self.as_of,
            items=(
                *(
                    i
                    for i in snapshot.items
                    if item_key(i) not in item_gone and i.mailbox not in self.complete_mailboxes
                ),
                *self.items,
            ),
            events=(
                *(
                    e
                    for e in snapshot.events
                    if e.id not in event_gone and e.owner_id not in self.complete_owners
                ),
                *self.events,
            ),
            records=(*(r for r in snapshot.records if r.id not in record_gone), *self.records),
        )

    @classmethod
    def between(cls, before: Snapshot, after: Snapshot) -> Changes:
        """The changes that turn ``before`` into ``after``: for connectors that read in full.

        ``Changes.between(b, a).apply_to(b)`` holds what ``a`` holds (in another
        order); a key whose values differ in any way, twins included, is upserted.
        """
        items_before = grouped(before.items, item_key)
        items_after = grouped(after.items, item_key)
        events_before = grouped(before.events, id_of_event)
        events_after = grouped(after.events, id_of_event)
        records_before = grouped(before.records, id_of_record)
        records_after = grouped(after.records, id_of_record)
        return cls(
            as_of=after.as_of,
            items=_upserts(items_before, items_after),
            removed_items=sorted(items_before.keys() - items_after.keys()),
            events=_upserts(events_before, events_after),
            removed_events=sorted(events_before.keys() - events_after.keys()),
            records=_upserts(records_before, records_after),
            removed_records=sorted(records_before.keys() - records_after.keys()),
        )


def id_of_event(event: SfEvent) -> str:
    return event.id


def id_of_record(record: Record) -> str:
    return record.id


def _both(upserted: Iterable[T], removed: Sequence[T]) -> list[T]:
    if not removed:
        return []
    gone = set(removed)
    return [key for key in upserted if key in gone]


K = TypeVar("K", ItemKey, str)


def grouped(values: Iterable[T], key: Callable[[T], K]) -> dict[K, tuple[T, ...]]:
    """``values`` by ``key``, each key's values in their order (an id held twice: twins)."""
    found: dict[K, list[T]] = {}
    for value in values:
        found.setdefault(key(value), []).append(value)
    return {k: tuple(v) for k, v in found.items()}


def _upserts(before: dict[K, tuple[T, ...]], after: dict[K, tuple[T, ...]]) -> list[T]:
    # Sorted by key so that the result does not depend on either snapshot's order.
    changed = sorted(k for k, values in after.items() if before.get(k) != values)
    return [value for k in changed for value in after[k]]
