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
import re
from collections import Counter, defaultdict
from collections.abc import Mapping

import attrs

from . import _recurrence as recurrence
from ._enums import RecordKind
from ._values import CalendarItem, Record, SfEvent, Snapshot

ItemKey = tuple[str, str]  # (mailbox, item id)

# Deliberately loose: one "@", something on both sides, no blanks. Mail servers
# are the authority on addresses; this only catches values that are not one.
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")


@functools.lru_cache(maxsize=1 << 16)
def is_address(value: str) -> bool:
    # Cached: the same few thousand addresses recur across every meeting's copies.
    return _ADDRESS.fullmatch(value) is not None


def item_problems(item: CalendarItem) -> list[str]:
    # The common case, a sound single item, answered with the fewest checks.
    if (
        item.recurrence is None
        and item.id
        and item.ical_uid
        and item.end >= item.start
        and is_address(item.mailbox)
        and (item.organizer is None or is_address(item.organizer))
        and all(is_address(a.email) for a in item.attendees)
        and not item.attachments
    ):
        return []
    problems = []
    if not item.id:
        problems.append("empty id")
    if not item.ical_uid:
        problems.append("empty ical_uid")
    if not is_address(item.mailbox):
        problems.append(f"mailbox is not an address: {item.mailbox!r}")
    if item.end < item.start:
        problems.append("end before start")
    if item.organizer is not None and not is_address(item.organizer):
        problems.append(f"organizer is not an address: {item.organizer!r}")
    problems.extend(
        f"attendee {a.email!r} is not an address" for a in item.attendees if not is_address(a.email)
    )
    problems.extend(
        f"attachment {a.id!r} has a negative size" for a in item.attachments if a.size < 0
    )
    if item.recurrence is not None:
        fault = recurrence.problem(item.recurrence.rule, item.start)
        if fault is not None:
            problems.append(fault)
    return problems


def event_problems(event: SfEvent) -> list[str]:
    problems = []
    if not event.id:
        problems.append("empty id")
    if not event.owner_id:
        problems.append("empty owner_id")
    if event.end < event.start:
        problems.append("end before start")
    if event.recurrence is not None:
        fault = recurrence.problem(event.recurrence.rule, event.start)
        if fault is not None:
            problems.append(fault)
    return problems


@attrs.frozen(kw_only=True)
class BadItem:
    """An item with semantic faults; ``addressable`` if sync can still mark it in its mailbox."""

    item: CalendarItem
    problems: tuple[str, ...]
    addressable: bool


@attrs.frozen(kw_only=True)
class Index:
    """Lookups over the valid part of one snapshot, plus the invalid part with reasons."""

    items: Mapping[ItemKey, CalendarItem]
    meetings: Mapping[str, tuple[CalendarItem, ...]]  # UID → copies, by (mailbox, id)
    events: Mapping[str, SfEvent]
    events_by_uid_owner: Mapping[tuple[str, str], tuple[SfEvent, ...]]  # oldest first
    events_by_uid: Mapping[str, tuple[SfEvent, ...]]  # by id; series and single events
    occurrences: Mapping[tuple[str, str, dt.datetime], SfEvent]  # (uid, owner, original start)
    mailbox_sizes: Mapping[str, int]  # items per mailbox, invalid ones included
    owner_sizes: Mapping[str, int]  # events per owner, invalid ones included
    items_by_event: Mapping[tuple[str, str], CalendarItem]  # (mailbox, sf_event_id) → item
    records: Mapping[str, Record]  # by id
    people: Mapping[str, Record]  # address → the record it resolves to
    bad_items: tuple[BadItem, ...]
    bad_events: tuple[tuple[SfEvent, tuple[str, ...]], ...]
    bad_event_ids: frozenset[str]


@attrs.frozen(kw_only=True)
class Previous:
    """``before``, as the planner needs it: lookups by key, nothing validated or grouped.

    ``before`` is the state the previous run left; only its values are compared
    with, so the full indexing of ``after`` would be wasted on it. An id that
    appears twice is dropped, so the result never depends on input order.
    """

    items: Mapping[ItemKey, CalendarItem]
    events: Mapping[str, SfEvent]


def build_previous(snapshot: Snapshot) -> Previous:
    items = {(i.mailbox, i.id): i for i in snapshot.items}
    events = {e.id: e for e in snapshot.events}
    if len(items) != len(snapshot.items):
        twice = Counter((i.mailbox, i.id) for i in snapshot.items)
        items = {k: v for k, v in items.items() if twice[k] == 1}
    if len(events) != len(snapshot.events):
        twice_events = Counter(e.id for e in snapshot.events)
        events = {k: v for k, v in events.items() if twice_events[k] == 1}
    return Previous(items=items, events=events)


def build(snapshot: Snapshot) -> Index:
    counts: dict[ItemKey, int] = defaultdict(int)
    mailbox_sizes: dict[str, int] = defaultdict(int)
    for item in snapshot.items:
        counts[(item.mailbox, item.id)] += 1
        mailbox_sizes[item.mailbox] += 1

    items: dict[ItemKey, CalendarItem] = {}
    meetings: dict[str, list[CalendarItem]] = defaultdict(list)
    bad_items: list[BadItem] = []
    # One sort of everything, so every group below is born in order: sorting
    # each meeting's handful of copies separately costs more than this one sort.
    for item in sorted(snapshot.items, key=_item_order):
        key = (item.mailbox, item.id)
        problems = item_problems(item)
        if counts[key] > 1:
            # Two different items under one id: neither can be trusted (issue 3).
            problems.append(f"id {item.id!r} appears {counts[key]} times in this mailbox")
        if problems:
            # A SetCategories needs one item it can name: an id, a mailbox, no twin.
            addressable = bool(item.id) and is_address(item.mailbox) and counts[key] == 1
            bad_items.append(BadItem(item=item, problems=tuple(problems), addressable=addressable))
            continue
        items[key] = item
        meetings[item.ical_uid].append(item)

    events: dict[str, SfEvent] = {}
    by_uid_owner: dict[tuple[str, str], list[SfEvent]] = defaultdict(list)
    by_uid: dict[str, list[SfEvent]] = defaultdict(list)
    occurrences: dict[tuple[str, str, dt.datetime], SfEvent] = {}
    bad_events = []
    event_counts: dict[str, int] = defaultdict(int)
    owner_sizes: dict[str, int] = defaultdict(int)
    for event in snapshot.events:
        event_counts[event.id] += 1
        owner_sizes[event.owner_id] += 1
    for event in sorted(snapshot.events, key=_event_order):
        problems = event_problems(event)
        if event_counts[event.id] > 1:
            problems.append(f"id {event.id!r} appears {event_counts[event.id]} times")
        if problems:
            bad_events.append((event, tuple(problems)))
            continue
        events[event.id] = event
        if event.ical_uid and event.original_start is not None:
            # One occurrence of a Classic series: found by its place in the series,
            # never mistaken for a duplicate of the series itself (R-DEDUP).
            occurrences.setdefault((event.ical_uid, event.owner_id, event.original_start), event)
        elif event.ical_uid:
            by_uid_owner[(event.ical_uid, event.owner_id)].append(event)
            by_uid[event.ical_uid].append(event)

    records = {r.id: r for r in sorted(snapshot.records, key=_record_order)}
    people: dict[str, Record] = {}
    # For one address a Contact is preferred to a Lead (R-LINK); among equals
    # the smallest id wins, so the choice never depends on input order.
    for record in records.values():
        if record.email and record.kind in (RecordKind.CONTACT, RecordKind.LEAD):
            people.setdefault(record.email, record)

    items_by_event: dict[tuple[str, str], CalendarItem] = {}
    for item in items.values():  # in (mailbox, id) order: the smallest id wins a tie
        if item.sf_event_id:
            items_by_event.setdefault((item.mailbox, item.sf_event_id), item)

    return Index(
        items=items,
        items_by_event=items_by_event,
        meetings={uid: tuple(copies) for uid, copies in meetings.items()},
        events=events,
        events_by_uid_owner={key: tuple(found) for key, found in by_uid_owner.items()},
        events_by_uid={uid: tuple(found) for uid, found in by_uid.items()},
        occurrences=occurrences,
        mailbox_sizes=dict(mailbox_sizes),
        owner_sizes=dict(owner_sizes),
        records=records,
        people=people,
        # Two items under one id differ only in what their problems say, so
        # sorting by the problems too makes the order input-independent.
        bad_items=tuple(sorted(bad_items, key=lambda b: (b.item.mailbox, b.item.id, b.problems))),
        bad_events=tuple(sorted(bad_events, key=lambda b: (b[0].id, b[1]))),
        bad_event_ids=frozenset(event.id for event, _ in bad_events),
    )


def _item_order(item: CalendarItem) -> tuple[str, str]:
    return (item.mailbox, item.id)


def _event_order(event: SfEvent) -> str:
    return event.id


def _record_order(record: Record) -> tuple[int, str, str, str, str]:
    rank = 0 if record.kind is RecordKind.CONTACT else 1
    return (rank, record.id, record.email or "", record.account_id or "", record.name)
