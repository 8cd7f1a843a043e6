"""One pass over a snapshot: the lookups every rule needs, and which inputs are invalid.

Indexing happens once per snapshot (linear in its size); afterwards the planner
only does dictionary lookups, and it groups calendar items into meetings by
iCalendar UID across mailboxes, the unit that ownership and cancellation
decide over (R-OWNER, R-CANCEL).

Semantic faults are found here rather than at construction (API.md): an item
or event with a fault is left out of every lookup and reported INVALID_ITEM
for itself alone (P-ISOLATION).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

import attrs

from .._domain import is_address
from .._enums import RecordKind
from .._values import CalendarItem, Record, SfEvent, Snapshot
from .validity import event_problems, item_problems, sound

ItemKey = tuple[str, str]  # (mailbox, item id)


@attrs.frozen(kw_only=True)
class BadItem:
    """An item with semantic faults; ``addressable`` if sync can still mark it in its mailbox."""

    item: CalendarItem
    problems: tuple[str, ...]
    addressable: bool


class Index:
    """Lookups over the valid part of one snapshot, plus the invalid part with reasons.

    What only some runs ask for (every event of a UID, for a cancellation; the
    item stamped with an event, for events made in Salesforce) is built on
    first use: a steady run asks for neither, and a big index is mostly
    garbage-collector work.
    """

    def __init__(
        self,
        *,
        items: dict[ItemKey, CalendarItem],
        meetings: dict[str, list[CalendarItem]],
        events: dict[str, SfEvent],
        kept_events: dict[tuple[str, str], SfEvent],
        duplicate_events: dict[tuple[str, str], tuple[SfEvent, ...]],
        occurrences: dict[tuple[str, str, dt.datetime], SfEvent],
        uidless_events: tuple[str, ...],
        mailboxes: frozenset[str],
        owners: frozenset[str],
        records: Mapping[str, Record],
        people: Mapping[str, Record],
        bad_items: tuple[BadItem, ...],
        bad_events: tuple[tuple[SfEvent, tuple[str, ...]], ...],
    ) -> None:
        self.items: Mapping[ItemKey, CalendarItem] = items
        #: UID → copies, by (mailbox, id).
        self.meetings: Mapping[str, Sequence[CalendarItem]] = meetings
        self.events: Mapping[str, SfEvent] = events
        #: (UID, owner) → the oldest (smallest id) of its events: the one R-DEDUP keeps.
        self.kept_events: Mapping[tuple[str, str], SfEvent] = kept_events
        #: (UID, owner) → all its events, oldest first, where there is more than one.
        self.duplicate_events: Mapping[tuple[str, str], tuple[SfEvent, ...]] = duplicate_events
        #: (UID, owner, original start) → one occurrence of a Classic series.
        self.occurrences: Mapping[tuple[str, str, dt.datetime], SfEvent] = occurrences
        #: Ids of the valid events with no UID (made in Salesforce), sorted.
        self.uidless_events = uidless_events
        self.mailboxes = mailboxes  # those with any item, an invalid one included
        self.owners = owners  # owners of any event, an invalid one included
        self.records: Mapping[str, Record] = records  # by id
        self.people: Mapping[str, Record] = people  # address → the record it resolves to
        self.bad_items = bad_items
        self.bad_events = bad_events
        self.bad_event_ids = frozenset(event.id for event, _ in bad_events)

    def events_of(self, uid: str, owner: str) -> tuple[SfEvent, ...]:
        """The events of one (UID, owner), oldest first."""
        many = self.duplicate_events.get((uid, owner))
        if many is not None:
            return many
        one = self.kept_events.get((uid, owner))
        return () if one is None else (one,)

    @functools.cached_property
    def events_by_uid(self) -> Mapping[str, tuple[SfEvent, ...]]:
        """UID → its series and single events (not occurrences), by id."""
        found: dict[str, list[SfEvent]] = defaultdict(list)
        for uid, owner in self.kept_events:
            found[uid].extend(self.events_of(uid, owner))
        return {uid: tuple(sorted(events, key=_EVENT_ID)) for uid, events in found.items()}

    @functools.cached_property
    def bad_copies(self) -> frozenset[tuple[str, str]]:
        """(mailbox, UID) of every invalid item: a copy that is there, though unreadable."""
        return frozenset((bad.item.mailbox, bad.item.ical_uid) for bad in self.bad_items)

    @functools.cached_property
    def items_by_event(self) -> Mapping[tuple[str, str], tuple[CalendarItem, ...]]:
        """(mailbox, sf_event_id) → the items stamped with it, by id (a copy keeps the stamp)."""
        found: dict[tuple[str, str], list[CalendarItem]] = defaultdict(list)
        for item in self.items.values():
            if item.sf_event_id:
                found[(item.mailbox, item.sf_event_id)].append(item)
        return {key: tuple(sorted(items, key=_ITEM_KEY)) for key, items in found.items()}


class Previous:
    """``before``, as the planner needs it: lookups by key, nothing validated or grouped.

    ``before`` is the state the previous run left; only its values are compared
    with, so the full indexing of ``after`` would be wasted on it. An id that
    appears twice is dropped, so the result never depends on input order. The
    lookups of what is out of view now are built on first use.
    """

    def __init__(
        self,
        *,
        items: Mapping[ItemKey, CalendarItem],
        events: Mapping[str, SfEvent],
        records: tuple[Record, ...] = (),  # indexed only when asked (``Directory``)
        directory: Directory | None = None,  # already indexed (a kept state's)
    ) -> None:
        self.items = items
        self.events = events
        self.records = records
        self._directory = directory

    @functools.cached_property
    def events_by_pair(self) -> Mapping[tuple[str, str], tuple[SfEvent, ...]]:
        """(UID, owner) → its series and single events in ``before``, by id."""
        found: dict[tuple[str, str], list[SfEvent]] = defaultdict(list)
        for event in self.events.values():
            if event.ical_uid and event.original_start is None:
                found[(event.ical_uid, event.owner_id)].append(event)
        return {pair: tuple(sorted(events, key=_EVENT_ID)) for pair, events in found.items()}

    @functools.cached_property
    def directory(self) -> Directory:
        """``before``'s records, indexed on first use (three-way sharing needs them)."""
        return Directory(self.records) if self._directory is None else self._directory

    @functools.cached_property
    def copies(self) -> frozenset[tuple[str, str]]:
        """(mailbox, UID) of every item ``before`` holds."""
        return frozenset((item.mailbox, item.ical_uid) for item in self.items.values())

    @functools.cached_property
    def items_by_event(self) -> Mapping[tuple[str, str], tuple[CalendarItem, ...]]:
        """(mailbox, sf_event_id) → the items ``before`` saw stamped with it, by id."""
        found: dict[tuple[str, str], list[CalendarItem]] = defaultdict(list)
        for item in self.items.values():
            if item.sf_event_id:
                found[(item.mailbox, item.sf_event_id)].append(item)
        return {key: tuple(sorted(items, key=_ITEM_KEY)) for key, items in found.items()}


class Directory:
    """Records by id, and the record each address resolves to (R-LINK's lookups)."""

    def __init__(self, records: Sequence[Record]) -> None:
        found, people = _directory(records)
        self.records: Mapping[str, Record] = found
        self.people: Mapping[str, Record] = people

    @classmethod
    def of(cls, records: Mapping[str, Record], people: Mapping[str, Record]) -> Directory:
        """A directory already indexed elsewhere (a kept state keeps it up to date)."""
        directory = cls(())
        directory.records, directory.people = records, people
        return directory


def build_previous(snapshot: Snapshot, directory: Directory | None = None) -> Previous:
    items = dict(zip(map(_ITEM_KEY, snapshot.items), snapshot.items, strict=True))
    events = dict(zip(map(_EVENT_ID, snapshot.events), snapshot.events, strict=True))
    if len(items) != len(snapshot.items):
        twice = Counter(map(_ITEM_KEY, snapshot.items))
        items = {k: v for k, v in items.items() if twice[k] == 1}
    if len(events) != len(snapshot.events):
        twice_events = Counter(map(_EVENT_ID, snapshot.events))
        events = {k: v for k, v in events.items() if twice_events[k] == 1}
    return Previous(items=items, events=events, records=snapshot.records, directory=directory)


def build(snapshot: Snapshot, directory: Directory | None = None) -> Index:
    """``snapshot`` indexed; its records as ``directory`` has them when that is given."""
    items, meetings, bad_items = _index_items(snapshot.items)
    events, found, bad_events = _index_events(snapshot.events)
    if directory is None:
        directory = Directory(snapshot.records)
    records, people = directory.records, directory.people
    return Index(
        items=items,
        meetings=meetings,
        events=events,
        kept_events=found.kept,
        duplicate_events={
            pair: tuple(sorted(all_of, key=_EVENT_ID)) for pair, all_of in found.duplicates.items()
        },
        occurrences=found.occurrences,
        uidless_events=tuple(sorted(found.uidless)),
        mailboxes=frozenset(map(MAILBOX, snapshot.items)),
        owners=frozenset(map(OWNER, snapshot.events)),
        records=records,
        people=people,
        # Two items under one id differ only in what their problems say, so
        # sorting by the problems too makes the order input-independent.
        bad_items=tuple(sorted(bad_items, key=lambda b: (b.item.mailbox, b.item.id, b.problems))),
        # Twins under one id may differ in owner, which their issues name (P-DETERMINISM).
        bad_events=tuple(sorted(bad_events, key=lambda b: (b[0].id, b[0].owner_id, b[1]))),
    )


def _index_items(
    all_items: Sequence[CalendarItem],
) -> tuple[dict[ItemKey, CalendarItem], dict[str, list[CalendarItem]], list[BadItem]]:
    # Validation and grouping go in input order; only what needs an order is
    # sorted afterwards -- each meeting's few copies -- which costs less than
    # sorting the whole snapshot (benchmarks/).
    keyed = dict(zip(map(_ITEM_KEY, all_items), all_items, strict=True))
    twice = None if len(keyed) == len(all_items) else Counter(map(_ITEM_KEY, all_items))
    # With twins, every one of them is looked at (and reported), not just the last.
    item_pairs = (
        keyed.items()
        if twice is None
        else list(zip(map(_ITEM_KEY, all_items), all_items, strict=True))
    )
    meetings: dict[str, list[CalendarItem]] = defaultdict(list)
    bad_items: list[BadItem] = []
    known: set[str] = set()
    for key, item in item_pairs:
        count = 1 if twice is None else twice[key]
        if count == 1 and sound(item, known):
            meetings[item.ical_uid].append(item)
            continue
        problems = item_problems(item)
        if count > 1:
            # Two different items under one id: neither can be trusted (issue 3).
            problems.append(f"id {item.id!r} appears {count} times in this mailbox")
        if problems:
            # A SetCategories needs one item it can name: an id, a mailbox, no twin.
            addressable = count == 1 and bool(item.id) and is_address(item.mailbox)
            bad_items.append(BadItem(item=item, problems=tuple(problems), addressable=addressable))
        else:
            meetings[item.ical_uid].append(item)
    bad_keys = {_ITEM_KEY(bad.item) for bad in bad_items}
    items = {k: v for k, v in keyed.items() if k not in bad_keys} if bad_keys else keyed
    for copies in meetings.values():
        if len(copies) > 1:
            copies.sort(key=_ITEM_KEY)
    return items, meetings, bad_items


class _Events(NamedTuple):
    """The valid events, as the index groups them (``_group_events``)."""

    kept: dict[tuple[str, str], SfEvent]
    duplicates: dict[tuple[str, str], list[SfEvent]]
    occurrences: dict[tuple[str, str, dt.datetime], SfEvent]
    uidless: list[str]


def _group_events(valid: Iterable[SfEvent]) -> _Events:
    # One loop with local names: this runs once per event of the snapshot.
    kept: dict[tuple[str, str], SfEvent] = {}
    duplicates: dict[tuple[str, str], list[SfEvent]] = {}
    occurrences: dict[tuple[str, str, dt.datetime], SfEvent] = {}
    uidless: list[str] = []
    for event in valid:
        if not event.ical_uid:
            uidless.append(event.id)
        elif event.original_start is not None:
            # One occurrence of a Classic series: found by its place in the series,
            # never mistaken for a duplicate of the series itself (R-DEDUP).
            place = (event.ical_uid, event.owner_id, event.original_start)
            other_event = occurrences.get(place)
            if other_event is None or event.id < other_event.id:  # the smallest id wins
                occurrences[place] = event
        else:
            pair = (event.ical_uid, event.owner_id)
            first = kept.setdefault(pair, event)
            if first is not event:
                duplicates.setdefault(pair, [first]).append(event)
                if event.id < first.id:
                    kept[pair] = event
    return _Events(kept, duplicates, occurrences, uidless)


def _index_events(
    all_events: Sequence[SfEvent],
) -> tuple[dict[str, SfEvent], _Events, list[tuple[SfEvent, tuple[str, ...]]]]:
    by_id = dict(zip(map(_EVENT_ID, all_events), all_events, strict=True))
    event_twice = None if len(by_id) == len(all_events) else Counter(map(_EVENT_ID, all_events))
    event_pairs = by_id.items() if event_twice is None else [(e.id, e) for e in all_events]
    bad_events = []
    for event_id, event in event_pairs:
        if event.recurrence is not None or not (
            event_id and event.owner_id and event.end >= event.start and event_twice is None
        ):
            problems = event_problems(event)
            count = 1 if event_twice is None else event_twice[event_id]
            if count > 1:
                problems.append(f"id {event_id!r} appears {count} times")
            if problems:
                bad_events.append((event, tuple(problems)))
    bad_ids = {event.id for event, _ in bad_events}
    events = {k: v for k, v in by_id.items() if k not in bad_ids} if bad_ids else by_id
    valid = (
        events.values()
        if event_twice is None
        else (e for _, e in event_pairs if e.id not in bad_ids)
    )
    return events, _group_events(valid), bad_events


def _directory(all_records: Sequence[Record]) -> tuple[dict[str, Record], dict[str, Record]]:
    records = {r.id: r for r in sorted(all_records, key=_record_order)}
    people: dict[str, Record] = {}
    # For one address a Contact is preferred to a Lead (R-LINK); among equals
    # the smallest id wins, so the choice never depends on input order.
    for record in records.values():
        if record.email and record.kind in (RecordKind.CONTACT, RecordKind.LEAD):
            people.setdefault(record.email, record)
    return records, people


# Attribute getters run at C speed, unlike a lambda or a generator over the
# snapshot; MAILBOX and OWNER serve the other modules that count or group.
_ITEM_KEY: Callable[[CalendarItem], ItemKey] = operator.attrgetter("mailbox", "id")
_EVENT_ID: Callable[[SfEvent], str] = operator.attrgetter("id")
MAILBOX: Callable[[CalendarItem], str] = operator.attrgetter("mailbox")
OWNER: Callable[[SfEvent], str] = operator.attrgetter("owner_id")


def _record_order(record: Record) -> tuple[int, str, str, str, str]:
    rank = 0 if record.kind is RecordKind.CONTACT else 1
    return (rank, record.id, record.email or "", record.account_id or "", record.name)
