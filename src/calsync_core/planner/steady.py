"""The steady state's shortcut: a linked pair neither side has changed (R-UPDATE).

Most of a run's pairs are unchanged since the last one. When neither change
key moved (R-UPDATE compares versions before fields) and nothing about the
pair calls for more, every rule would conclude "in sync, nothing to do"; this
reaches that one decision with a handful of lookups. ``plan(..., steady=False)``
turns it off, and a property test holds the plans made with and without it
byte-identical.
"""

from __future__ import annotations

from .. import _rules as R
from .._domain import REQUIRED_STATUS_PREFIX, SALESFORCE, SYNC_ERROR, UNSYNC, duration_fault
from .._plan import planned_decision
from .._values import CalendarItem
from .builder import PlanBuilder
from .fields import in_sync
from .world import World

_SALESFORCE_ONLY = frozenset({SALESFORCE})


def steady_mailboxes(w: World, *, enabled: bool) -> frozenset[str]:
    """Which mailboxes' pairs nothing but their own two versions can change.

    Not one that is routed to a public calendar, not one held back by
    R-EMPTY-GUARD, and none at all when smart sharing recomputes every
    pair's participants from the records each run (R-ATTENDEES).
    """
    org = w.org
    if not enabled or org.settings.smart_auto_sharing:
        return frozenset()
    routed = {m for routes in org.routes.values() for r in routes for m in r.mailboxes}
    return frozenset(
        email
        for email, user in org.users.items()
        if email not in routed and not w.held(user.sf_user_id)
    )


def _linked_categories(categories: frozenset[str]) -> bool:
    """The categories of a linked item with no issue: ``Salesforce`` and the user's own."""
    if SALESFORCE not in categories:
        return False
    return len(categories) == 1 or not any(
        name in (UNSYNC, SYNC_ERROR) or name.startswith(REQUIRED_STATUS_PREFIX)
        for name in categories
    )


def steady(w: World, out: PlanBuilder, item: CalendarItem) -> bool:
    """Decide ``item`` "in sync" if its pair is unchanged and plainly its own; else False.

    Anything short of that -- out of the window, over a limit, a category of
    sync's besides ``Salesforce``, a series, an attachment to save, a duplicate
    event, a stamp that is not plainly its own -- returns False and the full
    rules run.
    """
    # Cheapest and most decisive tests first: this runs once per item.
    event_id = item.sf_event_id
    prev = w.prev
    if item.mailbox not in w.steady_mailboxes or not event_id or prev is None:
        return False
    event = w.now.events.get(event_id)
    if event is None or not event.version or not item.version:
        return False
    owner = w.org.users[item.mailbox].sf_user_id
    if event.ical_uid != item.ical_uid or event.owner_id != owner:
        return False  # a stamp that is not plainly its own: R-DEDUP looks at it
    # World.prior_item and prior_event, inlined: this runs once per unchanged pair.
    prior_item = prev.items.get((item.mailbox, item.id))
    prior_event = prev.events.get(event_id)
    if (
        prior_item is None
        or prior_item.version != item.version
        or prior_event is None
        or prior_event.version != event.version
        or item.recurrence is not None
        or item.is_cancelled  # R-CANCEL decides a cancelled copy, whatever its versions
        # R-WINDOW, as Org.in_window (inlined: this is the hottest line of a run)
        or not (w.org.window_start <= item.end and item.start <= w.org.window_end)
        or (item.attachments and w.org.settings.save_attachments)
        or (item.categories != _SALESFORCE_ONLY and not _linked_categories(item.categories))
        or (w.now.duplicate_events and w.kept(event) is not event)
        or duration_fault(item) is not None  # R-LIMIT-*, R-TIMEZONE (``limits``)
        or duration_fault(event) is not None
    ):
        return False
    out.decisions.append(
        planned_decision(item.id, "keep", R.UPDATE.id, in_sync(event_id), item.mailbox)
    )
    return True
