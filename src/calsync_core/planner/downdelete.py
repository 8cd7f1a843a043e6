"""R-DOWN-DELETE: an item whose event is gone from Salesforce -- or only out of view.

``after`` holds every event ``before`` saw inside the new window that still
exists (a connector looks those up by id), so an event absent although
``before`` last saw it inside the window was deleted: its item is unlinked,
or deleted with it when the org says so and the item is the user's own. One
last seen outside the window has only left the view, and one ``before`` never
held cannot be told apart: the pair is left as it is (R-WINDOW). An item
unlinked on an earlier run keeps the deleted event's id as a mark: only a
manual save saves it again.
"""

from __future__ import annotations

from .. import _rules as R
from .._domain import SALESFORCE, organizer_of
from .._plan import DeleteItem
from .._values import CalendarItem, UserSettings
from . import guard
from .builder import PlanBuilder
from .meetings import Copy
from .world import World


def saved_again(w: World, item: CalendarItem) -> bool:
    """True when the user asked again to save an item whose event was deleted."""
    prior = w.prior_item(item)
    if prior is None:
        return False
    recategorised = SALESFORCE in item.categories and SALESFORCE not in prior.categories
    rechosen = item.link_choice is not None and item.link_choice != prior.link_choice
    return recategorised or rechosen


def absent_event(w: World, out: PlanBuilder, c: Copy) -> None:
    """The ladder's step for an item whose event is not in ``after``."""
    item = c.item
    prior = w.prior_event(item.sf_event_id or "")
    if prior is None and SALESFORCE not in item.categories:
        # Unlinked on an earlier run: the kept id marks it. Nothing is known that
        # would change its categories either: a Sync Error an earlier run gave it
        # (a stamp it refused, of an event since deleted) stays, or it would come
        # and go.
        note = f"its event {item.sf_event_id} is gone; only a manual save saves it again"
        out.note(item, "skip", R.DOWN_DELETE, note)
        out.status.hold()
    elif prior is None or not w.in_window(prior):
        where = "never seen" if prior is None else "last seen outside the window"
        note = f"its event {item.sf_event_id} is out of view ({where}): left as it is"
        out.note(item, "keep", R.WINDOW, note)
        out.status.hold()  # its categories too: nothing is known that would change them
    else:
        event_gone(w, out, item, c.user, owner=prior.owner_id)


def event_gone(
    w: World,
    out: PlanBuilder,
    item: CalendarItem,
    user: UserSettings | None,
    *,
    owner: str | None = None,
    categories: frozenset[str] = frozenset({SALESFORCE}),
) -> None:
    """The item's event was deleted in Salesforce: unlink the item, or delete it too."""
    gone = f"event {item.sf_event_id} was deleted in Salesforce"
    if not categories & item.categories:
        out.note(item, "skip", R.DOWN_DELETE, f"{gone}; only a manual save saves it again")
    elif (user is not None and w.held(user.sf_user_id)) or (owner is not None and w.held(owner)):
        out.status.saved()  # keep the category: the owner's events look fetched empty
        guard.held_item(out, item, f"{gone}? the owner shows no events at all")
    elif (
        w.org.settings.delete_items_deleted_in_salesforce
        and (user is None or w.org.down(user))
        and organizer_of(item) == item.mailbox  # never a meeting someone else organizes
    ):
        out.act(DeleteItem(mailbox=item.mailbox, item_id=item.id, rule=R.DOWN_DELETE.id))
        out.status.delete()
        out.note(item, "delete", R.DOWN_DELETE, f"{gone}; the item is deleted too")
    else:
        out.status.unlink(R.DOWN_DELETE, categories)
        out.note(item, "unlink", R.DOWN_DELETE, f"{gone}; the item is kept")
