"""What an incremental session reads: the feeds' changes, made safe to plan from.

A delta feed over a calendar view reports what *left the view*, not what was
deleted: Graph's ``@removed`` says ``deleted`` for an event moved out of the
range too, and a resync (``410 Gone``) lists only what is in view. Taken as
they come, both would make the planner treat a meeting rescheduled 90 days
out as cancelled (R-CANCEL). So, as :func:`calsync_core.session.collect` does
for a windowed read, everything that left the view is looked up by id when
the kept state last saw it inside the window; only what the ports confirm
deleted becomes a removal. What the state last saw ahead of the window stays
as it was (the base of the three-way comparison for the day it comes back);
what lies behind the window is let go. What time alone brought into the
window is looked up as well, because a feed only reports what changed in its
view, and the state's value of something that was out of view may be stale;
and so, as ``collect`` does, are the items out of view linked to an event in
view and the events stamped on the items in view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from ._changes import Changes, ItemKey
from ._domain import AHEAD, overlaps, window
from ._session_read import scope
from ._values import CalendarItem, OrgSettings, Record, SfEvent, Snapshot

if TYPE_CHECKING:
    from .incremental import ChangeReader
    from .ports import Ports

K = TypeVar("K", ItemKey, str)
V = TypeVar("V", CalendarItem, SfEvent)


class _Side(Generic[K, V]):
    """One side's upserts and removals, decided key by key."""

    def __init__(self, before: Iterable[V], key: Callable[[V], K], upserts: Iterable[V]) -> None:
        self.before: dict[K, V] = {key(v): v for v in before}
        self.upserts: dict[K, V] = {key(v): v for v in upserts}  # a feed may repeat one
        self.removed: set[K] = set()
        self.key: Callable[[V], K] = key

    def gone(self, removed: Iterable[K], complete: Callable[[V], bool]) -> set[K]:
        """What left the view: reported removed, or absent from a resync."""
        found = {k for k in removed if k not in self.upserts}
        found.update(k for k, v in self.before.items() if complete(v) and k not in self.upserts)
        return found

    def entering(self, held: Callable[[V], bool], now: _Span, then: _Span) -> set[K]:
        """Held things the state last saw outside the last window and inside this one."""
        return {
            k
            for k, v in self.before.items()
            if k not in self.upserts and held(v) and now.covers(v) and not then.covers(v)
        }

    def settle(self, gone: set[K], asked: set[K], found: Iterable[V], now: _Span) -> None:
        """Found things are upserts; asked and not found, removals; the rest of ``gone``
        stays if it is ahead of the window (re-upserted, in case a resync dropped it)."""
        for value in found:
            self.upserts[self.key(value)] = value
        for k in sorted(gone | asked):
            if k in self.upserts:
                continue
            last = self.before.get(k)
            if k not in asked and last is not None and now.ahead(last):
                self.upserts[k] = last
            elif last is not None:
                self.removed.add(k)


class _Span:
    def __init__(self, start: dt.datetime, end: dt.datetime) -> None:
        self.start, self.end = start, end

    def covers(self, thing: CalendarItem | SfEvent) -> bool:
        return overlaps(thing, self.start, self.end)

    def ahead(self, thing: CalendarItem | SfEvent) -> bool:
        return not self.covers(thing) and overlaps(thing, self.end, self.end + AHEAD)


def _item_key(item: CalendarItem) -> ItemKey:
    return ItemKey(item.mailbox, item.id)


def _event_id(event: SfEvent) -> str:
    return event.id


def read_changes(
    reader: ChangeReader,
    ports: Ports,
    before: Snapshot,
    links: Mapping[str, str],
    settings: OrgSettings,
    as_of: dt.datetime,
) -> tuple[Changes, Mapping[str, str]]:
    """What changed since ``before`` (the kept state), with every departure looked up.

    Lookups go in sorted order, so the same systems give the same calls. A
    :class:`~calsync_core.ports.PortError` from any read propagates.
    """
    now = _Span(*window(settings, as_of))
    then = _Span(*window(settings, before.as_of))
    mailboxes, owners = scope(settings)
    delta, fresh = reader.read_changes(
        links, sorted(mailboxes), sorted(owners), now.start, now.end, as_of
    )
    items: _Side[ItemKey, CalendarItem] = _Side(before.items, _item_key, delta.items)
    gone = items.gone(delta.removed_items, lambda i: i.mailbox in delta.complete_mailboxes)
    asked = {k for k in gone if k in items.before and now.covers(items.before[k])}
    asked |= items.entering(lambda i: i.mailbox in mailboxes, now, then)
    events: _Side[str, SfEvent] = _Side(before.events, _event_id, delta.events)
    gone_events = events.gone(delta.removed_events, lambda e: e.owner_id in delta.complete_owners)
    asked_events = {k for k in gone_events if k in events.before and now.covers(events.before[k])}
    asked_events |= events.entering(lambda e: e.owner_id in owners, now, then)
    in_view = {
        k
        for k, e in {**events.before, **events.upserts}.items()
        if k not in gone_events and e.owner_id in owners and now.covers(e)
    }
    asked |= _linked_out_of_view(items, in_view, mailboxes, now)
    items.settle(gone, asked, _items_by_id(ports, asked), now)
    stamped = _stamped(items, now) - in_view - asked_events
    # One the state holds and the ports no longer have was deleted; one it never held
    # and cannot be found is simply not there.
    asked_events |= stamped & events.before.keys()
    found = _events_by_id(ports, asked_events | stamped)
    events.settle(gone_events, asked_events, found, now)

    changes = Changes(
        as_of=as_of,
        items=[items.upserts[k] for k in sorted(items.upserts)],
        removed_items=sorted(items.removed),
        events=[events.upserts[k] for k in sorted(events.upserts)],
        removed_events=sorted(events.removed),
        complete_mailboxes=delta.complete_mailboxes,
        complete_owners=delta.complete_owners,
    )
    records = ports.directory.resolve(sorted(_addresses(changes.apply_to(before).items)))
    return _with_records(changes, before.records, records), fresh


def _linked_out_of_view(
    items: _Side[ItemKey, CalendarItem],
    in_view: set[str],
    mailboxes: Collection[str],
    now: _Span,
) -> set[ItemKey]:
    """Held items out of view linked to an event in view: their kept values may be stale.

    ``collect`` looks them up every session (an event moved back into the window
    keeps its item, to update rather than copy again); so does this, so that the
    item is seen as it is now -- also when its feed reported it removed (it
    changed out of view), which alone would keep its last value ahead of the window.
    """
    return {
        k
        for k, i in items.before.items()
        if k not in items.upserts
        and i.mailbox in mailboxes
        and i.sf_event_id in in_view
        and not now.covers(i)
    }


def _stamped(items: _Side[ItemKey, CalendarItem], now: _Span) -> set[str]:
    """The events stamped on the items in view or upserted: a linked item keeps seeing
    its event wherever it is (``collect`` looks these up too)."""
    return {
        i.sf_event_id
        for k, i in {**items.before, **items.upserts}.items()
        if i.sf_event_id and k not in items.removed and (k in items.upserts or now.covers(i))
    }


def _items_by_id(ports: Ports, keys: Collection[ItemKey]) -> list[CalendarItem]:
    wanted: dict[str, set[str]] = {}
    for key in keys:
        wanted.setdefault(key.mailbox, set()).add(key.id)
    found: list[CalendarItem] = []
    for mailbox, ids in sorted(wanted.items()):
        # Only what was asked for: a reader's extra answers cannot add an item.
        got = ports.mailboxes.read_items_by_id(mailbox, sorted(ids))
        found.extend(i for i in got if i.mailbox == mailbox and i.id in ids)
    return found


def _events_by_id(ports: Ports, ids: Collection[str]) -> list[SfEvent]:
    if not ids:
        return []
    return [e for e in ports.events.read_events_by_id(sorted(ids)) if e.id in ids]


def _addresses(items: Iterable[CalendarItem]) -> set[str]:
    found: set[str] = set()
    for item in items:
        found.update(a.email for a in item.attendees)
        if item.organizer is not None:
            found.add(item.organizer)
    return found


def _with_records(changes: Changes, kept: Sequence[Record], resolved: Sequence[Record]) -> Changes:
    """``changes`` with the directory as resolved now: what a full read would hold."""
    now = {r.id: r for r in resolved}
    then = {r.id: r for r in kept}
    return Changes(
        as_of=changes.as_of,
        items=changes.items,
        removed_items=changes.removed_items,
        events=changes.events,
        removed_events=changes.removed_events,
        records=[now[k] for k in sorted(now) if then.get(k) != now[k]],
        removed_records=sorted(then.keys() - now.keys()),
        complete_mailboxes=changes.complete_mailboxes,
        complete_owners=changes.complete_owners,
    )
