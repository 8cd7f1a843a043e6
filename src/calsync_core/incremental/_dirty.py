"""Which meetings and events a change can reach: the part of the world a run re-plans.

A run plans again exactly what its inputs may have changed for, and nothing
else; everything else planned nothing last time (P-CONVERGENCE) and would plan
nothing again. What a change can reach:

- the meetings (UIDs) of the items it upserts or removes, and the events it
  upserts or removes, each in ``before`` and ``after``;
- the meetings naming an address whose record changed, the events naming the
  record;
- what the moving window makes enter or leave (``_window``);
- everything of a user whose side starts or stops being held back by
  R-EMPTY-GUARD (the guard's fact changes for all of it);
- what the previous run re-planned or acted on, once more: a plan carried out
  may call for one more step (a stamp read back, an invitee list settled);

closed under "same UID" and "stamped with this event": a meeting is planned
with all of its copies and events, and an event with the items that name it.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from immutables import Map

from .._changes import ItemKey
from .._domain import overlaps
from ..planner.org import Org
from ..planner.world import Emptied
from ._tables import Set, Tables, Thing

_EMPTY: Set = Map()


@attrs.frozen(kw_only=True)
class Reach:
    """The meetings (UIDs) and events a run plans, and every item key of those meetings."""

    uids: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()
    keys: frozenset[ItemKey] = frozenset()


class Seeds:
    """What a run's inputs touch directly, before the closure."""

    def __init__(self) -> None:
        self.uids: set[str] = set()
        self.events: set[str] = set()

    def item_keys(self, tables: Iterable[Tables], keys: Iterable[ItemKey]) -> None:
        for t in tables:
            for key in keys:
                for item in t.all_items(key):
                    self.uids.add(item.ical_uid)
                    if item.sf_event_id:
                        self.events.add(item.sf_event_id)

    def things(self, tables: Iterable[Tables], things: Iterable[Thing]) -> None:
        found = list(things)
        self.events.update(t for t in found if isinstance(t, str))
        self.item_keys(tables, [t for t in found if not isinstance(t, str)])

    def records(self, t0: Tables, t1: Tables, record_ids: Iterable[str]) -> None:
        """The meetings naming a changed record's address or choosing it, the events naming it."""
        addresses: set[str] = set()
        for record_id in record_ids:
            for t in (t0, t1):
                addresses.update(r.email for r in t.all_records(record_id) if r.email)
                self.events.update(t.naming.get(record_id, _EMPTY))
                # An item's Save-dialog choice names a record by id (R-LINK).
                self.item_keys((t,), t.chosen.get(record_id, _EMPTY))
        for t in (t0, t1):
            for address in addresses:
                self.item_keys((t,), t.by_address.get(address, _EMPTY))

    def held(self, t0: Tables, t1: Tables, org: Org, before: Emptied, now: Emptied) -> None:
        """Everything of a user whose side R-EMPTY-GUARD starts or stops holding back."""
        users = set(before.mailboxes ^ now.mailboxes)
        for owner in before.owners ^ now.owners:
            user = org.users_by_sf_id.get(owner)
            if user is not None:
                users.add(user.email)
            for t in (t0, t1):
                self.events.update(t.by_owner.get(owner, _EMPTY))
        for email in users:
            user = org.users.get(email)
            for t in (t0, t1):
                self.item_keys((t,), t.by_address.get(email, _EMPTY))
                self.item_keys((t,), t.by_mailbox.get(email, _EMPTY))
                if user is not None:
                    self.events.update(t.by_owner.get(user.sf_user_id, _EMPTY))


@attrs.frozen(kw_only=True)
class Moved:
    """What differs between ``before``'s and ``after``'s tables: the changed keys and
    events, and the UIDs and events their lookups name on either side. Everything
    else reads the same in both, so the closure asks ``after`` alone about it."""

    keys: frozenset[ItemKey] = frozenset()
    uids: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()


def moved(t0: Tables, t1: Tables, keys: Iterable[ItemKey], events: Iterable[str]) -> Moved:
    keys, events = frozenset(keys), frozenset(events)
    uids: set[str] = set()
    named = set(events)
    for t in (t0, t1):
        for key in keys:
            for item in t.all_items(key):
                uids.add(item.ical_uid)
                if item.sf_event_id:
                    named.add(item.sf_event_id)
        for event_id in events:
            uids.update(e.ical_uid for e in t.all_events(event_id) if e.ical_uid)
    return Moved(keys=keys, uids=frozenset(uids), events=frozenset(named))


def close(
    t0: Tables, t1: Tables, moved: Moved, uids: Iterable[str], events: Iterable[str]
) -> Reach:
    """``uids`` and ``events`` and all that "same UID" and "stamped with" join to them.

    Each UID, event and item key is looked up once, in ``after`` and -- only
    where ``moved`` says the two differ -- in ``before`` too.
    """
    uid_queue, event_queue = list(uids), list(events)
    seen_uids: set[str] = set()
    seen_events: set[str] = set()
    keys: set[ItemKey] = set()
    key_queue: list[ItemKey] = []
    while uid_queue or event_queue or key_queue:
        while uid_queue:
            uid = uid_queue.pop()
            if uid in seen_uids:
                continue
            seen_uids.add(uid)
            for t in (t0, t1) if uid in moved.uids else (t1,):
                key_queue.extend(t.by_uid.get(uid, _EMPTY))
                event_queue.extend(t.events_by_uid.get(uid, _EMPTY))
        while event_queue:
            event_id = event_queue.pop()
            if event_id in seen_events:
                continue
            seen_events.add(event_id)
            for t in (t0, t1) if event_id in moved.events else (t1,):
                uid_queue.extend(e.ical_uid for e in t.all_events(event_id) if e.ical_uid)
                key_queue.extend(t.stamped.get(event_id, _EMPTY))
        while key_queue:
            key = key_queue.pop()
            if key in keys:
                continue
            keys.add(key)
            for t in (t0, t1) if key in moved.keys else (t1,):
                for item in t.all_items(key):
                    uid_queue.append(item.ical_uid)
                    if item.sf_event_id:
                        event_queue.append(item.sf_event_id)
    return Reach(uids=frozenset(seen_uids), events=frozenset(seen_events), keys=frozenset(keys))


def emptied(
    t0: Tables, t1: Tables, org: Org, gone: Iterable[str], gone_owners: Iterable[str]
) -> Emptied:
    """R-EMPTY-GUARD's facts, from the sides a change emptied (``planner.world.emptied``).

    Only a mailbox (owner) that lost items in this change can be empty now;
    ``before`` is read as the planner reads it, an id held twice not at all.
    """
    threshold = org.settings.empty_guard
    if threshold == 0:
        return Emptied()
    start, end = org.window_start, org.window_end  # only what the new window covers counts
    mailboxes = set()
    for mailbox in set(gone):
        if mailbox in t1.by_mailbox or mailbox not in t0.by_mailbox:
            continue
        linked = sum(
            1
            for key in t0.by_mailbox[mailbox]
            if key not in t0.item_twins
            and (stamp := t0.items[key].sf_event_id)
            and stamp in t0.events
            and stamp not in t0.event_twins
            and overlaps(t0.items[key], start, end)
        )
        if linked >= threshold:
            mailboxes.add(mailbox)
    owners = set()
    for owner in set(gone_owners):
        if owner in t1.by_owner or owner not in t0.by_owner:
            continue
        counted = sum(
            1
            for event_id in t0.by_owner[owner]
            if event_id not in t0.event_twins
            and (t0.events[event_id].ical_uid or owner in org.routes)
            and overlaps(t0.events[event_id], start, end)
        )
        if counted >= threshold:
            owners.add(owner)
    return Emptied(mailboxes=frozenset(mailboxes), owners=frozenset(owners))
