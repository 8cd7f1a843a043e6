"""A kept snapshot as persistent maps, with the reverse lookups a change needs.

Every map is an ``immutables.Map`` (a hash array mapped trie): changing a key
makes a new map in O(log n) and leaves the old one as it was, so a state
advances in time proportional to what changed and the previous state stays
usable. The reverse lookups answer "what can this change reach?" without a
scan: the items of a UID, the items stamped with an event, the items naming an
address, the events naming a record, the things that start or end in an hour.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs
from immutables import Map

from .._changes import ItemKey, grouped, id_of_event, id_of_record, item_key
from .._enums import RecordKind
from .._values import CalendarItem, Record, SfEvent, Snapshot
from ..planner.index import Directory

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Thing = ItemKey | str  # an item's key, or an event's id
Set = Map[Any, None]  # a persistent set: the keys of a map of Nones
_EMPTY: Set = Map()
#: An empty persistent map (immutable, so one serves every default).
NO_MAP: Map[Any, Any] = Map()
_PEOPLE = (RecordKind.CONTACT, RecordKind.LEAD)
#: The reverse lookups (``Tables``' maps of sets).
LOOKUPS = (
    "by_uid",
    "events_by_uid",
    "stamped",
    "by_mailbox",
    "by_owner",
    "by_address",
    "naming",
    "chosen",
    "by_email",
    "starts",
    "ends",
)


def hour(moment: dt.datetime) -> int:
    """The hour bucket of an instant (hours since the epoch)."""
    return int(moment.timestamp()) // 3600


def record_order(record: Record) -> tuple[int, str, str, str, str]:
    """The planner's order of records (``planner.index``): contacts first, then by id."""
    rank = 0 if record.kind is RecordKind.CONTACT else 1
    return (rank, record.id, record.email or "", record.account_id or "", record.name)


def resolved(twins: Sequence[Record]) -> Record:
    """The record the planner's directory holds under an id held ``twins`` times.

    It sorts the records stably and keeps the last under each id: the greatest
    in ``record_order``, and of equals the last given (``max`` keeps the first).
    """
    return max(reversed(twins), key=record_order)


class _Multi:
    """A persistent map of sets being changed: ``outer key → {inner keys}``."""

    def __init__(self, base: Map[Any, Set]) -> None:
        self.mut = base.mutate()

    def add(self, outer: Hashable, inner: Hashable) -> None:
        self.mut[outer] = self.mut.get(outer, _EMPTY).set(inner, None)

    def drop(self, outer: Hashable, inner: Hashable) -> None:
        found = self.mut.get(outer)
        if found is None or inner not in found:
            return
        rest = found.delete(inner)
        if rest:
            self.mut[outer] = rest
        else:
            del self.mut[outer]

    def finish(self) -> Map[Any, Set]:
        return self.mut.finish()


@attrs.frozen(kw_only=True)
class Tables:
    """One snapshot, kept: values by key, twins apart, and the reverse lookups."""

    as_of: dt.datetime
    items: Map[ItemKey, CalendarItem] = NO_MAP  # the last of twins, as ``apply`` keeps it
    item_twins: Map[ItemKey, tuple[CalendarItem, ...]] = NO_MAP  # only keys held twice or more
    events: Map[str, SfEvent] = NO_MAP
    event_twins: Map[str, tuple[SfEvent, ...]] = NO_MAP
    records: Map[str, Record] = NO_MAP
    record_twins: Map[str, tuple[Record, ...]] = NO_MAP
    by_uid: Map[str, Set] = NO_MAP  # UID → item keys
    events_by_uid: Map[str, Set] = NO_MAP  # UID → event ids
    stamped: Map[str, Set] = NO_MAP  # event id → keys of the items stamped with it
    by_mailbox: Map[str, Set] = NO_MAP  # mailbox → item keys
    by_owner: Map[str, Set] = NO_MAP  # owner id → event ids
    by_address: Map[str, Set] = NO_MAP  # organizer or attendee address → item keys
    naming: Map[str, Set] = NO_MAP  # record id → events whose Who, What or invitees name it
    chosen: Map[str, Set] = NO_MAP  # record id → items whose link choice (Save dialog) names it
    by_email: Map[str, Set] = NO_MAP  # address → ids of the records the directory gives it
    people: Map[str, Record] = NO_MAP  # address → the record it resolves to (R-LINK)
    starts: Map[int, Set] = NO_MAP  # hour → things starting then
    ends: Map[int, Set] = NO_MAP  # hour → things ending then

    def all_items(self, key: ItemKey) -> tuple[CalendarItem, ...]:
        twins = self.item_twins.get(key)
        if twins is not None:
            return twins
        item = self.items.get(key)
        return () if item is None else (item,)

    def all_events(self, event_id: str) -> tuple[SfEvent, ...]:
        twins = self.event_twins.get(event_id)
        if twins is not None:
            return twins
        event = self.events.get(event_id)
        return () if event is None else (event,)

    def all_records(self, record_id: str) -> tuple[Record, ...]:
        twins = self.record_twins.get(record_id)
        if twins is not None:
            return twins
        record = self.records.get(record_id)
        return () if record is None else (record,)

    def directory_records(self) -> Mapping[str, Record]:
        """Records by id as the planner's directory has them: of twins, the last in its order."""
        return self.records if not self.record_twins else _Resolved(self)

    def snapshot(self) -> Snapshot:
        """The plain value, items by key, events and records by id (twins in their order)."""
        return Snapshot(
            as_of=self.as_of,
            items=[i for k in sorted(self.items) for i in self.all_items(k)],
            events=[e for k in sorted(self.events) for e in self.all_events(k)],
            records=[r for k in sorted(self.records) for r in self.all_records(k)],
        )

    @classmethod
    def of(cls, snapshot: Snapshot) -> Tables:
        """``snapshot`` kept: built in plain dicts first, each map made once."""
        # Millions of containers are made here and all of them live on: the
        # cyclic collector's passes free nothing and took two thirds of the time
        # (6.6 s against 2.0 s at 100,000 items), so it waits until the end.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return cls._built(snapshot)
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def _built(cls, snapshot: Snapshot) -> Tables:
        items = grouped(snapshot.items, item_key)
        events = grouped(snapshot.events, id_of_event)
        records = grouped(snapshot.records, id_of_record)
        multi: dict[str, dict[Any, dict[Any, None]]] = {n: {} for n in LOOKUPS}
        links = [
            link for key, found in items.items() for i in found for link in _item_links(key, i)
        ]
        links.extend(
            link
            for found_events in events.values()
            for e in found_events
            for link in _event_links(e)
        )
        for record_id, found_records in records.items():
            email = resolved(found_records).email
            if email:
                links.append(("by_email", email, record_id))
        for name, outer, inner in links:
            multi[name].setdefault(outer, {})[inner] = None
        return cls(
            as_of=snapshot.as_of,
            items=Map({k: v[-1] for k, v in items.items()}),
            item_twins=Map({k: v for k, v in items.items() if len(v) > 1}),
            events=Map({k: v[-1] for k, v in events.items()}),
            event_twins=Map({k: v for k, v in events.items() if len(v) > 1}),
            records=Map({k: v[-1] for k, v in records.items()}),
            record_twins=Map({k: v for k, v in records.items() if len(v) > 1}),
            people=Map(Directory(snapshot.records).people),
            **{name: Map({o: Map(inner) for o, inner in d.items()}) for name, d in multi.items()},
        )

    def update(
        self,
        as_of: dt.datetime,
        *,
        items: Mapping[ItemKey, tuple[CalendarItem, ...]] = Map(),
        events: Mapping[str, tuple[SfEvent, ...]] = Map(),
        records: Mapping[str, tuple[Record, ...]] = Map(),
    ) -> Tables:
        """These tables with each key given set to its values (``()``: removed)."""
        new = _Update(self)
        for key, values in items.items():
            new.item(key, self.all_items(key), values)
        for event_id, found in events.items():
            new.event(event_id, self.all_events(event_id), found)
        for record_id, found_records in records.items():
            new.record(record_id, self.all_records(record_id), found_records)
        return new.finish(as_of)


class _Resolved(Mapping[str, Record]):
    """Records by id where some id is held twice: the directory keeps the last in order."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def __getitem__(self, record_id: str) -> Record:
        twins = self.tables.record_twins.get(record_id)
        if twins is None:
            return self.tables.records[record_id]
        return resolved(twins)

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables.records)

    def __len__(self) -> int:
        return len(self.tables.records)


class _Values(Generic[K, V]):
    """One value map and its twins being changed."""

    def __init__(self, values: Map[K, V], twins: Map[K, tuple[V, ...]]) -> None:
        self.values, self.twins = values.mutate(), twins.mutate()

    def put(self, key: K, found: tuple[V, ...]) -> None:
        if found:
            self.values[key] = found[-1]
        elif key in self.values:
            del self.values[key]
        if len(found) > 1:
            self.twins[key] = found
        elif key in self.twins:
            del self.twins[key]


class _Update:
    """The changes to one ``Tables``, gathered in mutations and finished once."""

    def __init__(self, t: Tables) -> None:
        self.t = t
        self.items = _Values(t.items, t.item_twins)
        self.events = _Values(t.events, t.event_twins)
        self.records = _Values(t.records, t.record_twins)
        self.multi = {name: _Multi(getattr(t, name)) for name in LOOKUPS}
        self.emails: set[str] = set()  # addresses whose resolved record may differ now

    def item(
        self, key: ItemKey, old: tuple[CalendarItem, ...], new: tuple[CalendarItem, ...]
    ) -> None:
        self.items.put(key, new)
        self._relink(
            {link for item in old for link in _item_links(key, item)},
            {link for item in new for link in _item_links(key, item)},
        )

    def event(self, event_id: str, old: tuple[SfEvent, ...], new: tuple[SfEvent, ...]) -> None:
        self.events.put(event_id, new)
        self._relink(
            {link for event in old for link in _event_links(event)},
            {link for event in new for link in _event_links(event)},
        )

    def _relink(self, old: set[_Link], new: set[_Link]) -> None:
        # Most edits change no lookup (a subject, a body): only the difference is written.
        for name, outer, inner in old - new:
            self.multi[name].drop(outer, inner)
        for name, outer, inner in new - old:
            self.multi[name].add(outer, inner)

    def record(self, record_id: str, old: tuple[Record, ...], new: tuple[Record, ...]) -> None:
        before = resolved(old) if old else None
        after = resolved(new) if new else None
        self.records.put(record_id, new)
        if before is not None and before.email:
            self.multi["by_email"].drop(before.email, record_id)
            self.emails.add(before.email)
        if after is not None and after.email:
            self.multi["by_email"].add(after.email, record_id)
            self.emails.add(after.email)

    def finish(self, as_of: dt.datetime) -> Tables:
        maps = {name: multi.finish() for name, multi in self.multi.items()}
        records, record_twins = self.records.values.finish(), self.records.twins.finish()
        people = self.t.people.mutate()
        for email in self.emails:
            chosen = _person(email, maps["by_email"].get(email, _EMPTY), records, record_twins)
            if chosen is not None:
                people[email] = chosen
            elif email in people:
                del people[email]
        return attrs.evolve(
            self.t,
            as_of=as_of,
            items=self.items.values.finish(),
            item_twins=self.items.twins.finish(),
            events=self.events.values.finish(),
            event_twins=self.events.twins.finish(),
            records=records,
            record_twins=record_twins,
            people=people.finish(),
            **maps,
        )


_Link = tuple[str, Hashable, Hashable]  # (lookup, key, what it holds)


def _item_links(key: ItemKey, item: CalendarItem) -> Iterator[_Link]:
    """Every lookup entry ``item`` (under ``key``) has."""
    yield ("by_uid", item.ical_uid, key)
    yield ("by_mailbox", item.mailbox, key)
    if item.sf_event_id:
        yield ("stamped", item.sf_event_id, key)
    if item.organizer:
        yield ("by_address", item.organizer, key)
    for attendee in item.attendees:
        yield ("by_address", attendee.email, key)
    choice = item.link_choice
    if choice is not None:
        for record_id in (choice.who_id, choice.what_id):
            if record_id:
                yield ("chosen", record_id, key)
    yield ("starts", hour(item.start), key)
    yield ("ends", hour(item.end), key)


def _event_links(event: SfEvent) -> Iterator[_Link]:
    """Every lookup entry ``event`` has."""
    if event.ical_uid:
        yield ("events_by_uid", event.ical_uid, event.id)
    yield ("by_owner", event.owner_id, event.id)
    for record_id in (*event.who_ids, *event.what_ids, *event.invitee_ids):
        yield ("naming", record_id, event.id)
    yield ("starts", hour(event.start), event.id)
    yield ("ends", hour(event.end), event.id)


def _person(
    email: str,
    ids: Set,
    records: Map[str, Record],
    twins: Map[str, tuple[Record, ...]],
) -> Record | None:
    """The record ``email`` resolves to, as ``planner.index`` chooses it.

    The directory walks records in order of each id's first place (the least of
    its twins) and keeps the first contact or lead with the address; the value
    it finds under an id is the greatest of its twins.
    """
    best: tuple[tuple[int, str, str, str, str], Record] | None = None
    for record_id in ids:
        found = twins.get(record_id) or (records[record_id],)
        value = resolved(found)
        if value.kind not in _PEOPLE or value.email != email:
            continue
        place = min(map(record_order, found))
        if best is None or place < best[0]:
            best = (place, value)
    return None if best is None else best[1]
