"""The categories sync puts on calendar items to show their status (R-CATEGORIES).

Blue ``Salesforce``: saved. Red ``Sync Error``: the item has an issue, plus a
``Status: ...`` category where the vendor shows one (R-REQUIRED-FIELDS). When
the issue clears, ``Sync Error`` and status categories go. Only these names are
ever added or removed, by add/remove sets, so a user's own categories -- and
categories added concurrently -- are never overwritten.
"""

from __future__ import annotations

from .. import _rules as R
from .._domain import REQUIRED_STATUS_PREFIX, SALESFORCE, SYNC_ERROR
from .._plan import SetCategories
from .._rules import Rule
from .._values import CalendarItem


class CategoryState:
    """What one item's handling concluded about its status categories.

    Part of the plan builder (``PlanBuilder.status``): the item being handled
    has one, flushed into at most one SetCategories when its handling ends.
    """

    def __init__(self) -> None:
        self.linked = False
        self.unlinked_by: Rule | None = None  # the rule that removes the sync category
        self.sync_categories = frozenset({SALESFORCE})  # route copies carry the route's too
        self.deleted = False  # the item itself goes (R-DOWN-DELETE's switch)
        self.has_issue = False
        self.status: str | None = None
        self.held = False  # R-EMPTY-GUARD: add what is missing, remove nothing

    def hold(self) -> None:
        self.held = True

    def saved(self) -> None:
        self.linked = True

    def unlink(self, rule: Rule, categories: frozenset[str] = frozenset({SALESFORCE})) -> None:
        self.unlinked_by = rule
        self.sync_categories = categories

    def delete(self) -> None:
        self.deleted = True

    def issue(self, status: str | None = None) -> None:
        self.has_issue = True
        self.status = status


def _is_status(category: str) -> bool:
    return category.startswith(REQUIRED_STATUS_PREFIX)


def category_action(item: CalendarItem, state: CategoryState) -> SetCategories | None:
    """The one SetCategories that brings ``item`` to ``state``, or None if it is there."""
    if state.deleted:
        return None
    have = item.categories
    add: set[str] = set()
    remove: set[str] = set()
    if state.linked:
        add.add(SALESFORCE)
    if state.unlinked_by is not None:
        remove.update(state.sync_categories)
    if state.has_issue:
        add.add(SYNC_ERROR)
    else:
        remove.add(SYNC_ERROR)
    if state.status is not None:
        add.add(state.status)
    remove.update(c for c in have if _is_status(c) and c != state.status)
    add -= have
    remove = set() if state.held else remove & have
    if not add and not remove:
        return None
    rule = (R.CATEGORIES if state.unlinked_by is None else state.unlinked_by).id
    return SetCategories(
        mailbox=item.mailbox,
        item_id=item.id,
        add=_frozen(add),
        remove=_frozen(remove),
        rule=rule,
    )


# The sets nearly every SetCategories holds, shared rather than made per item.
_COMMON = {frozenset(): frozenset(), frozenset({SALESFORCE}): frozenset({SALESFORCE})}


def _frozen(names: set[str]) -> frozenset[str]:
    found = frozenset(names)
    return _COMMON.get(found, found)
