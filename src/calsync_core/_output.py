"""Collecting a plan: actions in dependency order, issues, and decisions.

Actions run in phases so that everything an action refers to exists first:
records before the events that link them, events before the items stamped with
their ids and the attachments saved with them, items made for Salesforce events
before the events are stamped with the items' UIDs. Within a phase the planner's
own (sorted) order is kept, and an action planned twice (same key) is kept once.
"""

from __future__ import annotations

from ._categories import CategoryState, category_action
from ._enums import IssueCode
from ._plan import (
    Action,
    CreateEvent,
    CreateItem,
    CreateRecord,
    Decision,
    DeleteEvent,
    DeleteItem,
    Issue,
    Plan,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
    planned_decision,
    planned_plan,
)
from ._values import CalendarItem

_PHASE: dict[type, int] = {
    CreateRecord: 0,
    CreateEvent: 1,
    CreateItem: 2,  # before the UpdateEvent that stamps its UID on the event
    UpdateEvent: 3,
    SaveAttachment: 4,
    DeleteEvent: 5,
    UpdateItem: 6,
    SetCategories: 7,
    DeleteItem: 8,
}


class Output:
    """What one ``reconcile`` call has planned so far."""

    def __init__(self) -> None:
        self.actions: list[Action] = []
        self.action_keys: set[str] = set()
        self.issues: list[Issue] = []
        self.decisions: list[Decision] = []
        self.deleting: set[str] = set()  # events this plan deletes
        self.deleting_items: set[tuple[str, str]] = set()  # (mailbox, id) of items it deletes

    def act(self, action: Action) -> None:
        if action.key not in self.action_keys:
            self.action_keys.add(action.key)
            self.actions.append(action)
            if isinstance(action, DeleteEvent):
                self.deleting.add(action.event_id)
            elif isinstance(action, DeleteItem):
                self.deleting_items.add((action.mailbox, action.item_id))

    def decide(self, ref: str, outcome: str, rule: str, note: str) -> None:
        """A decision about an event (or another thing with no mailbox)."""
        self.decisions.append(planned_decision(ref, outcome, rule, note))

    def note(self, item: CalendarItem, outcome: str, rule: str, note: str) -> None:
        """A decision about a calendar item."""
        self.decisions.append(planned_decision(item.id, outcome, rule, note, item.mailbox))

    def issue(
        self,
        item: CalendarItem,
        code: IssueCode,
        rule: str,
        message: str,
        event_id: str | None = None,
    ) -> None:
        self.issues.append(
            Issue(
                code=code,
                message=message,
                rule=rule,
                mailbox=item.mailbox,
                item_id=item.id,
                event_id=event_id,
            )
        )

    def categories(self, item: CalendarItem, state: CategoryState) -> None:
        action = category_action(item, state)
        if action is not None:
            self.act(action)

    def plan(self) -> Plan:
        """The plan, once, at the end: the working lists are emptied into it."""
        self.action_keys.clear()  # no longer needed: let it go before the plan is built
        # sorted() is stable: within a phase the planner's own order stays.
        ordered = tuple(sorted(self.actions, key=_phase))
        self.actions.clear()
        return planned_plan(ordered, tuple(self.issues), tuple(self.decisions))


def _phase(action: Action) -> int:
    return _PHASE[type(action)]
