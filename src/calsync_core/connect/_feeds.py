"""The connector's :class:`~calsync_core.incremental.ChangeReader`: one feed per mailbox and owner.

A mailbox's feed is its calendarView delta; its link is Graph's
``@odata.deltaLink``, kept as Graph wrote it.

An owner's feed is a *manifest*: the id and ``SystemModstamp`` of each of
its events in view, as the last read saw them, kept as the link (compact
JSON). Each read queries those three fields for the window, and only the
events whose stamp changed or that came into view are read in full; those no
longer listed left the view (deleted, or moved out: the driver looks them
up). This needs no clock shared with Salesforce and no ``getDeleted`` window,
and a link stays usable however many newer ones were issued: what it says
is only what was in view then. An empty or unreadable link is a resync.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping
from concurrent.futures import Executor

from .. import CalendarItem, Changes, ItemKey, SfEvent
from ..incremental import mailbox_feed, owner_feed
from ._graph import Graph, Round
from ._salesforce import Salesforce


def _manifest(link: str | None) -> dict[str, str] | None:
    if not link:
        return None
    try:
        found = json.loads(link)
    except ValueError:
        return None
    if not isinstance(found, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in found.items()
    ):
        return None
    return found


class Feeds:
    """Reads every mailbox's and owner's changes since their links."""

    def __init__(self, graph: Graph, salesforce: Salesforce, pool: Executor) -> None:
        self.graph = graph
        self.salesforce = salesforce
        self.pool = pool

    def read_changes(
        self,
        links: Mapping[str, str],
        mailboxes: Collection[str],
        owners: Collection[str],
        start: dt.datetime,
        end: dt.datetime,
        as_of: dt.datetime,
    ) -> tuple[Changes, Mapping[str, str]]:
        boxes = sorted(mailboxes)
        rounds: list[Round] = list(
            self.pool.map(
                lambda box: self.graph.round(box, links.get(mailbox_feed(box)), start, end), boxes
            )
        )
        fresh: dict[str, str] = {}
        items: list[CalendarItem] = []
        removed_items: list[ItemKey] = []
        complete: set[str] = set()
        for box, found in zip(boxes, rounds, strict=True):
            fresh[mailbox_feed(box)] = found.link
            items.extend(found.items)
            removed_items.extend(ItemKey(box.lower(), i) for i in found.removed)
            if found.resync:
                complete.add(box)
        events, removed_events, complete_owners = self._owners(links, owners, start, end, fresh)
        changes = Changes(
            as_of=as_of,
            items=items,
            removed_items=removed_items,
            events=events,
            removed_events=removed_events,
            complete_mailboxes=frozenset(complete),
            complete_owners=frozenset(complete_owners),
        )
        return changes, fresh

    def _owners(
        self,
        links: Mapping[str, str],
        owners: Collection[str],
        start: dt.datetime,
        end: dt.datetime,
        fresh: dict[str, str],
    ) -> tuple[list[SfEvent], list[str], set[str]]:
        now: dict[str, dict[str, str]] = {owner: {} for owner in owners}
        for owner, event_id, stamp in self.salesforce.manifest(owners, start, end):
            now.setdefault(owner, {})[event_id] = stamp
        wanted: set[str] = set()
        removed: list[str] = []
        complete: set[str] = set()
        for owner in sorted(owners):
            then = _manifest(links.get(owner_feed(owner)))
            if then is None:
                complete.add(owner)
                then = {}
            wanted.update(i for i, stamp in now[owner].items() if then.get(i) != stamp)
            removed.extend(sorted(set(then) - set(now[owner])))
            fresh[owner_feed(owner)] = json.dumps(now[owner], sort_keys=True, separators=(",", ":"))
        # An event edited between the manifest and this read is read as it is now;
        # one deleted in between is not found, and the next manifest drops it.
        events = self.salesforce.events_by_id(wanted)
        return events, removed, complete
