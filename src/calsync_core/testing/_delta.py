"""Delta reads over the in-memory fakes, and a state store in memory.

:class:`FakeChanges` answers :class:`~calsync_core.incremental.ChangeReader`
as Graph's calendarView delta does: per mailbox and per owner, what changed
in view since a link, and as removed whatever left the view -- deleted or
merely moved out, without saying which. A feed without a link, with one it
never issued, or with one :meth:`FakeChanges.expire` expired is answered
with a resync (Graph's ``410 Gone``). Links stay usable after newer ones are
issued, as Graph's do until they expire. Faults come from the shared script:
``fail("read_items")`` / ``fail("read_events")`` fail a delta read, and
``empty_read(target)`` makes one answer an empty resync.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
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


class FakeChanges:
    """Delta reads per mailbox and per owner over a :class:`~.fakes.FakeCalendar`
    and a :class:`~.fakes.FakeSalesforce`."""

    def __init__(self, calendar: FakeCalendar, salesforce: FakeSalesforce) -> None:
        self.calendar = calendar
        self.salesforce = salesforce
        self._views: dict[str, dict[Any, Any]] = {}  # link → what was in view
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
        for mailbox in sorted(mailboxes):
            blank = self.calendar.read("read_items", mailbox)
            view = {} if blank else {
                ItemKey(*key): item for key, item in sorted(self.calendar.items.items())
                if key[0] == mailbox and overlaps(item, start, end)
            }  # fmt: skip
            feed = mailbox_feed(mailbox)
            if self._since(feed, links, view, items, removed_items, fresh) or blank:
                complete.add(mailbox)
        events: list[SfEvent] = []
        removed_events: list[str] = []
        complete_owners: set[str] = set()
        blank = bool(owners) and self.salesforce.read("read_events", "events")
        for owner in sorted(owners):
            found = {} if blank else {
                event.id: event for _, event in sorted(self.salesforce.events.items())
                if event.owner_id == owner and overlaps(event, start, end)
            }  # fmt: skip
            if self._since(owner_feed(owner), links, found, events, removed_events, fresh) or blank:
                complete_owners.add(owner)
        changes = Changes(
            as_of=as_of,
            items=items,
            removed_items=removed_items,
            events=events,
            removed_events=removed_events,
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
        old = None if feed in self._expired else self._views.get(link)
        if old is None or not link.startswith(f"{feed}@"):
            self._expired.discard(feed)
            self.resyncs.append(feed)
            upserts.extend(view.values())
        else:
            upserts.extend(v for k, v in view.items() if old.get(k) != v)
            removed.extend(k for k in old if k not in view)
        fresh[feed] = f"{feed}@{len(self._views)}"
        self._views[fresh[feed]] = dict(view)
        return old is None


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
