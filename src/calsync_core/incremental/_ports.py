"""Where a kept state lives between sessions: the state store port.

The planner never touches a store; a session driver loads the state, plans
with :func:`reconcile_changes`, carries the plan out, advances the state and
saves it. A store keeps the state and each feed's delta link (a Graph
mailbox's ``@odata.deltaLink``, a Salesforce owner's replay position): what to
read changes from next time. A :class:`ChangeReader` reads those feeds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Protocol

from .._changes import Changes
from ._state import SyncState


def mailbox_feed(mailbox: str) -> str:
    """The name a mailbox's delta link is kept under."""
    return f"mailbox:{mailbox}"


def owner_feed(owner_id: str) -> str:
    """The name a Salesforce owner's (user's or public calendar's) delta link is kept under."""
    return f"owner:{owner_id}"


class StateStore(Protocol):
    """Keeps one organisation's state and delta links between sessions."""

    def load(self) -> tuple[SyncState, Mapping[str, str]] | None:
        """The state and delta links last saved, or None if nothing was ever saved."""
        ...

    def save(self, state: SyncState, links: Mapping[str, str]) -> None:
        """Keep ``state`` and ``links`` instead of what was saved: all of it, or none.

        A failure at any point leaves the previously saved state loadable.
        """
        ...


class ChangeReader(Protocol):
    """Reads what changed in each feed since its delta link: one per mailbox and per owner.

    .. versionadded:: 0.2.0
    """

    def read_changes(
        self,
        links: Mapping[str, str],
        mailboxes: Collection[str],
        owners: Collection[str],
        start: dt.datetime,
        end: dt.datetime,
        as_of: dt.datetime,
    ) -> tuple[Changes, Mapping[str, str]]:
        """What changed in view (``start`` to ``end``) in each feed, and the new links.

        ``links`` maps feed names (:func:`mailbox_feed`, :func:`owner_feed`) to
        the link a previous read returned. For each mailbox and owner, report:

        - as upserts, every item (event) in view now that changed since the
          link, or came into view (series as their master, as
          :meth:`~calsync_core.ports.MailboxReader.read_items` returns them);
        - as removals, every one that left the view: deleted **or moved out
          of it** -- a calendarView delta cannot tell which (Graph's
          ``@removed`` says ``deleted`` for both). The driver looks each up by
          id before it takes one for gone, so a reader never needs to;
        - a resync when a feed has no link, its link expired (Graph's
          ``410 Gone``) or cannot be replayed: the feed in ``complete_mailboxes``
          (``complete_owners``) and everything in view now among the upserts.

        Return the link to read from next time for every feed read. A link
        must stay usable after a newer one is issued (until it expires): the
        driver keeps a feed's old link when work on it failed, so the next
        session reads its changes again. Raise
        :class:`~calsync_core.ports.PortError` if any feed cannot be read --
        never return part of a feed as if it were all. Records are not read
        here (the driver resolves addresses through the directory).
        """
        ...
