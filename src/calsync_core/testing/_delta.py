"""Delta reads over the in-memory fakes, and a state store in memory.

:class:`FakeChanges` answers :class:`~calsync_core.incremental.ChangeReader`
as Graph's calendarView delta does: per mailbox and per owner, what changed
in view since a link, and as removed whatever left the view -- deleted or
merely moved out, without saying which -- including what was created, changed
or deleted out of view since the link, as Graph does. A feed without a link, with one it
never issued, or with one :meth:`FakeChanges.expire` expired is answered
with a resync (Graph's ``410 Gone``). Links stay usable after newer ones are
issued, as Graph's do until they expire. Faults come from the shared script:
``fail("read_items")`` / ``fail("read_events")`` fail a delta read, and
``empty_read(target)`` makes one answer an empty resync.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .._changes import Changes, ItemKey
from .._domain import overlaps
from ..incremental import SyncState, mailbox_feed, owner_feed
from ..ports import TransientError

if TYPE_CHECKING:
    from .._values import CalendarItem, SfEvent
    from .fakes import FakeCalendar, FakeSalesforce

K = TypeVar("K")
V = TypeVar("V")


class _Logged(dict[K, V]):
    """A fake's store that notes every key written or deleted, with the feed it is in.

    The delta reads need it: what changed since a link is what was written since,
    even if it was deleted again before the next read.
    """

    def __init__(
        self, data: Mapping[K, V], log: list[tuple[K, str]], feed: Callable[[K, V], str]
    ) -> None:
        super().__init__(data)
        self.log, self.feed = log, feed

    def __setitem__(self, key: K, value: V) -> None:
        if key in self:
            self.log.append((key, self.feed(key, self[key])))
        super().__setitem__(key, value)
        self.log.append((key, self.feed(key, value)))

    def __delitem__(self, key: K) -> None:
        self.log.append((key, self.feed(key, self[key])))
        super().__delitem__(key)

    def pop(self, key: K, *default: V) -> V:  # type: ignore[override]
        if key in self:
            self.log.append((key, self.feed(key, self[key])))
        return super().pop(key, *default)


class FakeChanges:
    """Delta reads per mailbox and per owner over a :class:`~.fakes.FakeCalendar`
    and a :class:`~.fakes.FakeSalesforce`."""

    def __init__(self, calendar: FakeCalendar, salesforce: FakeSalesforce) -> None:
        self.calendar = calendar
        self.salesforce = salesforce
        self._log: list[tuple[Any, str]] = []  # (key, feed) of every write, in order
        calendar.items = _Logged(calendar.items, self._log, lambda key, _: mailbox_feed(key[0]))
        salesforce.events = _Logged(
            salesforce.events, self._log, lambda _, event: owner_feed(event.owner_id)
        )
        # link → what was in view then, and how much of the log had been written
        self._views: dict[str, tuple[dict[Any, Any], int]] = {}
        self._expired: set[str] = set()
        self.resyncs: list[str] = []  # every feed answered with a resync, for test messages

    def expire(self, feed: str) -> None:
        """Every link of ``feed`` issued so far is stale: its next read is a resync."""
        self._expired.add(feed)

    def read_changes(
        self,
        links: Mapping[str, str],
        mailboxes: Collection[str],
        owners: Collection[str],
        start: dt.datetime,
        end: dt.datetime,
        as_of: dt.datetime,
    ) -> tuple[Changes, Mapping[str, str]]:
        fresh: dict[str, str] = {}
        items: list[CalendarItem] = []
        removed_items: list[ItemKey] = []
        complete: set[str] = set()
        # One pass over each store, grouped by feed: a read costs what the fakes hold.
        by_mailbox: dict[str, dict[ItemKey, CalendarItem]] = {}
        for key, item in sorted(self.calendar.items.items()):
            if overlaps(item, start, end):
                by_mailbox.setdefault(key[0], {})[ItemKey(*key)] = item
        by_owner: dict[str, dict[str, SfEvent]] = {}
        for event_id, event in sorted(self.salesforce.events.items()):
            if overlaps(event, start, end):
                by_owner.setdefault(event.owner_id, {})[event_id] = event
        for mailbox in sorted(mailboxes):
            blank = self.calendar.read("read_items", mailbox)
            view = {} if blank else by_mailbox.get(mailbox, {})
            feed = mailbox_feed(mailbox)
            if self._since(feed, links, view, items, removed_items, fresh) or blank:
                complete.add(mailbox)
        events: list[SfEvent] = []
        removed_events: list[str] = []
        complete_owners: set[str] = set()
        blank = bool(owners) and self.salesforce.read("read_events", "events")
        for owner in sorted(owners):
            found = {} if blank else by_owner.get(owner, {})
            if self._since(owner_feed(owner), links, found, events, removed_events, fresh) or blank:
                complete_owners.add(owner)
        changes = Changes(
            as_of=as_of,
            items=items,
            removed_items=removed_items,
            events=events,
            # An event given to another owner leaves one feed and enters another.
            removed_events=sorted(set(removed_events) - {e.id for e in events}),
            complete_mailboxes=complete,
            complete_owners=complete_owners,
        )
        return changes, fresh

    def _since(
        self,
        feed: str,
        links: Mapping[str, str],
        view: Mapping[K, V],
        upserts: list[V],
        removed: list[K],
        fresh: dict[str, str],
    ) -> bool:
        """Add the feed's changes since its link; True if it had to be a resync."""
        link = links.get(feed, "")
        known = None if feed in self._expired else self._views.get(link)
        if known is None or not link.startswith(f"{feed}@"):
            self._expired.discard(feed)
            self.resyncs.append(feed)
            upserts.extend(view.values())
        else:
            old, written = known
            changed = {key for key, where in self._log[written:] if where == feed}
            upserts.extend(v for k, v in view.items() if k in changed or old.get(k) != v)
            removed.extend(k for k in sorted({*old, *changed}, key=str) if k not in view)
        fresh[feed] = f"{feed}@{len(self._views)}"
        self._views[fresh[feed]] = (dict(view), len(self._log))
        return known is None


class MemoryStateStore:
    """A :class:`~calsync_core.incremental.StateStore` in memory; a save can be made to fail."""

    def __init__(self) -> None:
        self.saved: tuple[SyncState, dict[str, str]] | None = None
        self.saves = 0
        #: How many of the next saves raise a transient error, keeping what was saved.
        self.failing_saves = 0

    def load(self) -> tuple[SyncState, Mapping[str, str]] | None:
        return None if self.saved is None else (self.saved[0], dict(self.saved[1]))

    def save(self, state: SyncState, links: Mapping[str, str]) -> None:
        if self.failing_saves:
            self.failing_saves -= 1
            raise TransientError("save: injected failure")
        self.saved = (state, dict(links))
        self.saves += 1
