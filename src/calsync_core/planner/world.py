"""The world one run plans in: the settings and both snapshots, as lookups and facts.

Built once per ``reconcile`` and never changed afterwards: no rule decides
anything here, every rule reads from here. Its parts are separate values --
the organisation (``Org``), ``after``'s index (``Index``), ``before``'s lookups
(``Previous``), the sides that came back empty (``Emptied``), the organizers'
items that vanished, the mailboxes the steady shortcut may serve -- so a
planner that keeps a world between runs replaces the part a change touches
(``attrs.evolve``) rather than rebuilding the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import attrs

from .._domain import AHEAD, overlaps
from .._values import CalendarItem, SfEvent
from .index import MAILBOX, OWNER, Index, Previous
from .org import Org


@attrs.frozen(kw_only=True)
class Emptied:
    """R-EMPTY-GUARD's facts: the sides that held synced items and now show none."""

    mailboxes: frozenset[str] = frozenset()  # mailbox addresses
    owners: frozenset[str] = frozenset()  # Salesforce user ids

    def __bool__(self) -> bool:
        """Whether any side came back empty (most runs: none)."""
        return bool(self.mailboxes or self.owners)


@attrs.frozen(kw_only=True)
class World:
    """Everything a rule may look up, and nothing it may change."""

    org: Org
    now: Index
    prev: Previous | None
    emptied: Emptied = Emptied()
    #: R-CANCEL's fact: UID → the organizer's own item that vanished from the window.
    gone: Mapping[str, CalendarItem] = attrs.field(factory=dict)
    #: Mailboxes whose linked pairs may take the steady shortcut (``steady``).
    steady_mailboxes: frozenset[str] = frozenset()

    def held(self, owner_id: str) -> bool:
        """R-EMPTY-GUARD: this owner's mailbox or Salesforce side came back empty."""
        if owner_id in self.emptied.owners:
            return True
        user = self.org.users_by_sf_id.get(owner_id)
        return user is not None and user.email in self.emptied.mailboxes

    def in_window(self, thing: CalendarItem | SfEvent) -> bool:
        """R-WINDOW: ``thing``, or any occurrence of its series, overlaps the window."""
        return overlaps(thing, self.org.window_start, self.org.window_end)

    def prior_item(self, item: CalendarItem) -> CalendarItem | None:
        """``before``'s copy of ``item``, if ``before`` held it."""
        return None if self.prev is None else self.prev.items.get((item.mailbox, item.id))

    def prior_event(self, event_id: str) -> SfEvent | None:
        """``before``'s copy of an event, if ``before`` held it."""
        return None if self.prev is None else self.prev.events.get(event_id)

    def kept(self, event: SfEvent) -> SfEvent:
        """The event of ``event``'s (UID, owner) that R-DEDUP keeps: the oldest."""
        if not event.ical_uid or event.original_start is not None:
            return event  # made in Salesforce, or one occurrence: not grouped by UID
        return self.now.kept_events[(event.ical_uid, event.owner_id)]

    def out_of_view_event(self, uid: str, owner: str) -> SfEvent | None:
        """The event of (UID, owner) that ``before`` last saw ahead of the new window.

        It is out of view, not gone (R-WINDOW): a meeting moved months out keeps
        its attendees invited, and its absence from ``after`` deletes nothing.
        """
        if self.prev is None:
            return None
        for event in self.prev.events_by_pair.get((uid, owner), ()):
            if event.id not in self.now.events and self.ahead(event):
                return event
        return None

    def ahead(self, thing: CalendarItem | SfEvent) -> bool:
        """Out of view ahead of the window: what a session keeps as last seen.

        What lies behind the window is let go (``calsync_core.session``), so the
        planner takes nothing there as a sign that something still exists: the
        next run would not know it, and would decide otherwise.
        """
        end = self.org.window_end
        return not self.in_window(thing) and overlaps(thing, end, end + AHEAD)

    def mailbox_of(self, sf_user_id: str) -> str | None:
        user = self.org.users_by_sf_id.get(sf_user_id)
        return None if user is None else user.email


def emptied(prev: Previous | None, now: Index, org: Org) -> Emptied:
    """R-EMPTY-GUARD: mailboxes and owners with ``empty_guard``+ synced items, now none.

    Far more likely a fetch that came back empty than a user who deleted
    everything; the public calendars' events count for their owners (they are
    copied to mailboxes).
    """
    threshold = org.settings.empty_guard
    if prev is None or threshold == 0:
        return Emptied()
    # Only a mailbox (owner) with nothing in ``after`` can be emptied: find those
    # first, so the usual run -- every mailbox still there -- counts nothing.
    gone_mailboxes = set(map(MAILBOX, prev.items.values())) - now.mailboxes
    gone_owners = set(map(OWNER, prev.events.values())) - now.owners
    # Only what the new window covers counts: a meeting that time left behind is
    # absent from ``after`` because the read no longer reaches it, not because a
    # fetch failed, and counting it would hold a quiet mailbox back for ever.
    start, end = org.window_start, org.window_end
    linked = Counter(
        item.mailbox
        for item in (prev.items.values() if gone_mailboxes else ())
        if item.mailbox in gone_mailboxes
        and item.sf_event_id
        and item.sf_event_id in prev.events
        and overlaps(item, start, end)
    )
    owned = Counter(
        event.owner_id
        for event in (prev.events.values() if gone_owners else ())
        # Linked events, and the events of public calendars (copied to mailboxes).
        if event.owner_id in gone_owners
        and (event.ical_uid or event.owner_id in org.routes)
        and overlaps(event, start, end)
    )
    return Emptied(
        mailboxes=frozenset(m for m, n in linked.items() if n >= threshold),
        owners=frozenset(o for o, n in owned.items() if n >= threshold),
    )
