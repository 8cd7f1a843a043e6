"""R-PUBLIC-CALENDAR: a public calendar's events, copied one way into routed mailboxes.

Events of a public calendar named in a route go to each of the route's
mailboxes, with the route's category; nothing is ever written back. A copy is
recognised by what sync made -- stamped with an event of the routed calendar,
with the UID sync gave it, on an event that carries no UID -- never by a
category name, which a user may reuse. A private event of a public calendar
is copied into no mailbox (R-PRIVATE), and a user who syncs to Salesforce
only gets no copies (R-DIRECTION).
"""

from __future__ import annotations

from .. import _rules as R
from .._domain import SALESFORCE, downsync_uid
from .._enums import ConflictPolicy, DescriptionMode, Direction
from .._plan import UpdateItem
from .._values import CalendarItem, PublicCalendarRoute, SfEvent
from .builder import PlanBuilder
from .downdelete import event_gone
from .downsync import made_for, new_item, refused
from .fields import sync_pair
from .world import World


def route_of(w: World, item: CalendarItem) -> PublicCalendarRoute | None:
    """The public-calendar route ``item`` is a copy of, if any.

    Its event is looked at as Salesforce shows it now or, once deleted, as
    ``before`` last saw it. A user's own item whose event was moved to a public
    calendar is still the user's.
    """
    if not item.sf_event_id or not w.org.routes:
        return None
    event = w.now.events.get(item.sf_event_id) or w.prior_event(item.sf_event_id)
    if event is None or event.ical_uid is not None or item.ical_uid != downsync_uid(event):
        return None
    for route in w.org.routes.get(event.owner_id, ()):
        if item.mailbox in route.mailboxes:
            return route
    return None


def route_copy(w: World, out: PlanBuilder, item: CalendarItem, route: PublicCalendarRoute) -> None:
    """A copy of a public-calendar event: updated from Salesforce only, never read back."""
    if item.sf_event_id in w.now.events:
        note = f"copy of public calendar {route.calendar_id}'s event; nothing goes back"
        out.note(item, "mirror", R.PUBLIC_CALENDAR, note)
        return
    prior = w.prior_event(item.sf_event_id or "")
    if prior is not None and not w.in_window(prior):
        # Moved out of the window, not deleted (R-WINDOW): nothing to do.
        out.note(item, "keep", R.WINDOW, f"its event {item.sf_event_id} is out of view")
        return
    state = out.begin()
    user = w.org.users.get(item.mailbox)
    sync_categories = frozenset({route.category, SALESFORCE})
    event_gone(w, out, item, user, owner=route.calendar_id, categories=sync_categories)
    out.categories(item, state)


def route_event(
    w: World, out: PlanBuilder, event: SfEvent, routes: tuple[PublicCalendarRoute, ...]
) -> None:
    if refused(w, out, event, new=True):
        return
    for route in routes:
        for mailbox in route.mailboxes:
            _mirror(w, out, event, route, mailbox)


def _mirror(
    w: World, out: PlanBuilder, event: SfEvent, route: PublicCalendarRoute, mailbox: str
) -> None:
    user = w.org.users.get(mailbox)
    if user is not None and not w.org.down(user):
        out.decide(event.id, "skip", R.DIRECTION, f"{mailbox} syncs to Salesforce only")
        return
    if event.is_private:
        # A public calendar's private event stays in Salesforce: copying it into
        # every routed mailbox would show its content to all of them (R-PRIVATE).
        out.decide(event.id, "skip", R.PRIVATE, f"private: not copied to {mailbox}")
        return
    existing = made_for(w, mailbox, event)
    if existing is None:
        if not w.in_window(event):
            out.decide(event.id, "skip", R.WINDOW, "public calendar event outside the window")
            return
        out.act(new_item(event, mailbox, route.category, R.PUBLIC_CALENDAR))
        note = f"public calendar {route.calendar_id}: copied to {mailbox}"
        out.decide(event.id, "create", R.PUBLIC_CALENDAR, note)
    elif (existing.mailbox, existing.id) not in w.now.items:
        out.decide(event.id, "keep", R.WINDOW, f"copy in {mailbox} is out of view: left as it is")
    else:
        _update_copy(w, out, event, existing)


def _update_copy(w: World, out: PlanBuilder, event: SfEvent, copy: CalendarItem) -> None:
    # One way: Salesforce's value stands, the description included, nothing goes up.
    sync = sync_pair(
        copy,
        w.prior_item(copy),
        event,
        w.prior_event(event.id),
        mode=DescriptionMode.OFF,
        policy=ConflictPolicy.SALESFORCE_WINS,
        direction=Direction.TO_CALENDAR,
    )
    if sync.down:
        out.act(
            UpdateItem(
                mailbox=copy.mailbox, item_id=copy.id, changes=sync.down, rule=R.PUBLIC_CALENDAR.id
            )
        )
        names = ", ".join(ch.field for ch in sync.down)
        out.decide(event.id, "update", R.PUBLIC_CALENDAR, f"copy in {copy.mailbox}: {names}")
