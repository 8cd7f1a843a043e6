"""R-EMPTY-GUARD: a mailbox or owner that suddenly shows nothing is a failed fetch.

A mailbox that held at least ``empty_guard`` linked items in ``before`` and
holds no item at all in ``after`` is far more likely a fetch that came back
empty than a user who deleted everything. Acting on it would delete events and
strip categories wholesale, so the planner plans no deletion and no category
removal for it and reports MAILBOX_EMPTIED. The same holds for the Salesforce
side of one owner. (vdirsyncer refuses such a sync the same way.)
"""

from __future__ import annotations

from collections import Counter

import attrs

from ._context import Org
from ._index import MAILBOX, OWNER, Index, Previous


@attrs.frozen(kw_only=True)
class Emptied:
    mailboxes: frozenset[str] = frozenset()  # mailbox addresses
    owners: frozenset[str] = frozenset()  # Salesforce user ids


def emptied(prev: Previous | None, now: Index, org: Org) -> Emptied:
    threshold = org.settings.empty_guard
    if prev is None or threshold == 0:
        return Emptied()
    # Only a mailbox (owner) with nothing in ``after`` can be emptied: find those
    # first, so the usual run -- every mailbox still there -- counts nothing.
    gone_mailboxes = set(map(MAILBOX, prev.items.values())) - now.mailboxes
    gone_owners = set(map(OWNER, prev.events.values())) - now.owners
    linked = (
        Counter(
            item.mailbox
            for item in prev.items.values()
            if item.mailbox in gone_mailboxes
            and item.sf_event_id
            and item.sf_event_id in prev.events
        )
        if gone_mailboxes
        else Counter()
    )
    owned = (
        Counter(
            event.owner_id
            for event in prev.events.values()
            # Linked events, and the events of public calendars (copied to mailboxes).
            if event.owner_id in gone_owners and (event.ical_uid or event.owner_id in org.routes)
        )
        if gone_owners
        else Counter()
    )
    return Emptied(
        mailboxes=frozenset(m for m, n in linked.items() if n >= threshold),
        owners=frozenset(o for o, n in owned.items() if n >= threshold),
    )
