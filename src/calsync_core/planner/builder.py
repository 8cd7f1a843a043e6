"""The one place that writes the plan: actions in dependency order, issues, decisions.

Every rule family reads the world and reports here; nothing else in the
planner changes anything. Besides the plan itself the builder keeps what a
rule needs to know of the plan so far: the value each planned update leaves,
the events and items it deletes, the events it creates, the status
categories each item's handling concluded, and the invitees a meeting's
copies add to or remove from its event.

Actions run in phases so that everything an action refers to exists first:
records before the events that link them, events before the items stamped with
their ids and the attachments saved with them, items made for Salesforce events
before the events are stamped with the items' UIDs. Within a phase the planner's
own (sorted) order is kept, and an action planned twice (same key) is kept once.

Several rules may update one event or item in the same plan (the organizer's
copy turns the event private, an attendee's copy joins it as invitee). Each
update must name, as its ``old``, the value the update before it leaves --
otherwise a connector's precondition fails, or worse, a later rule acts on a
value the plan has already changed (P-SAFETY). So the collector keeps the value
each planned update leaves, rewrites every later ``old`` to it, drops a change
that no longer changes anything, and lets rules ask for an event *as the plan
leaves it* (``planned``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import attrs

from .._enums import IssueCode
from .._plan import (
    Action,
    CreateEvent,
    CreateItem,
    CreateRecord,
    Decision,
    DeleteEvent,
    DeleteItem,
    FieldChange,
    FieldValue,
    Issue,
    Plan,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
    planned_decision,
    planned_plan,
)
from .._rules import Rule
from .._values import CalendarItem, SfEvent
from .categories import CategoryState, category_action

#: Tests turn this on (``tests/conftest.py``): an issue whose code its rule's
#: ``Rule.issues`` does not list is then refused, so the rule table stays the
#: truth about what a plan can carry.
STRICT = False

#: What a run plans at one time, as a sortable key that orders the full run's
#: output: (0, mailbox, id) an invalid item, (1, id) an invalid event, (2,) the
#: empty guard, (3, UID) duplicate events, (4, UID) a meeting, (5, id) an
#: event made in Salesforce or a public calendar's.
Scope = tuple[Any, ...]

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


@attrs.define
class InviteeChange:
    """Users to add to and remove from one event's invitees (R-WAIT-ORGANIZER, R-CANCEL)."""

    add: list[str] = attrs.Factory(list)
    remove: list[str] = attrs.Factory(list)


class PlanBuilder:
    """What one ``reconcile`` call has planned so far: the run's only mutable object."""

    def __init__(self) -> None:
        self.actions: list[Action] = []
        self.action_keys: set[str] = set()
        self.issues: list[Issue] = []
        self.decisions: list[Decision] = []
        self.deleting: set[str] = set()  # events this plan deletes
        self.deleting_items: set[tuple[str, str]] = set()  # (mailbox, id) of items it deletes
        # The value each planned update leaves: event id -> field -> value, and
        # (mailbox, item id) -> field -> value.
        self.event_values: dict[str, dict[str, FieldValue]] = {}
        self.item_values: dict[tuple[str, str], dict[str, FieldValue]] = {}
        self.created_at: dict[str, int] = {}  # CreateEvent ref -> its index in ``actions``
        # (ical_uid, owner) → ref of an event this plan creates: one per pair (R-DEDUP).
        self.creating: dict[tuple[str, str], str] = {}
        # event id → invitees to add or remove once the meeting's copies are all seen.
        self.invitee_changes: defaultdict[str, InviteeChange] = defaultdict(InviteeChange)
        # The status categories of the item being handled (R-CATEGORIES).
        self.status = CategoryState()
        # What the run is planning now (a meeting, an event, ...), and what each
        # issue was found in and which scopes acted: a kept state replaces a
        # scope's issues when it plans the scope again (``incremental``).
        self.scope: Scope = ()
        self.issue_scopes: list[Scope] = []
        self.acting: set[Scope] = set()

    def act(self, action: Action) -> None:
        if isinstance(action, UpdateEvent):
            changes = _chain(self.event_values.setdefault(action.event_id, {}), action.changes)
            if not changes:
                return
            if changes != action.changes:
                action = attrs.evolve(action, changes=changes)
        elif isinstance(action, UpdateItem):
            values = self.item_values.setdefault((action.mailbox, action.item_id), {})
            changes = _chain(values, action.changes)
            if not changes:
                return
            if changes != action.changes:
                action = attrs.evolve(action, changes=changes)
        if action.key not in self.action_keys:
            if isinstance(action, CreateEvent):
                self.created_at[action.ref] = len(self.actions)
            self.action_keys.add(action.key)
            self.actions.append(action)
            self.acting.add(self.scope)
            if isinstance(action, DeleteEvent):
                self.deleting.add(action.event_id)
            elif isinstance(action, DeleteItem):
                self.deleting_items.add((action.mailbox, action.item_id))

    def planned(self, event: SfEvent) -> SfEvent:
        """``event`` as this plan leaves it, once its planned updates are carried out."""
        values: dict[str, Any] | None = self.event_values.get(event.id)
        return attrs.evolve(event, **values) if values else event

    def planned_value(self, event: SfEvent, name: str) -> FieldValue:
        """One field of ``event`` as this plan leaves it."""
        values = self.event_values.get(event.id)
        if values is not None and name in values:
            return values[name]
        value: FieldValue = getattr(event, name)
        return value

    def created(self, ref: str) -> CreateEvent:
        """The CreateEvent this plan holds for ``ref``."""
        action = self.actions[self.created_at[ref]]
        assert isinstance(action, CreateEvent)
        return action

    def invite_to_created(self, ref: str, invitee_ids: tuple[str, ...]) -> None:
        """Set the invitees of a CreateEvent already planned (one found later in the meeting)."""
        index = self.created_at[ref]
        self.actions[index] = attrs.evolve(self.created(ref), invitee_ids=invitee_ids)

    def decide(self, ref: str, outcome: str, rule: Rule, note: str) -> None:
        """A decision about an event (or another thing with no mailbox)."""
        self.decisions.append(planned_decision(ref, outcome, rule.id, note))

    def note(self, item: CalendarItem, outcome: str, rule: Rule, note: str) -> None:
        """A decision about a calendar item."""
        self.decisions.append(planned_decision(item.id, outcome, rule.id, note, item.mailbox))

    def issue(
        self,
        rule: Rule,
        code: IssueCode,
        message: str,
        *,
        item: CalendarItem | None = None,
        event_id: str | None = None,
        mailbox: str | None = None,
    ) -> None:
        """An issue about an item (``item``), an event (``event_id``), or a mailbox or owner."""
        if STRICT and code not in rule.issues:
            raise AssertionError(f"{rule.id} does not list {code.value} among its issues")
        self.issue_scopes.append(self.scope)
        self.issues.append(
            Issue(
                code=code,
                message=message,
                rule=rule.id,
                mailbox=item.mailbox if item is not None else mailbox,
                item_id=None if item is None else item.id,
                event_id=event_id,
            )
        )

    def begin(self) -> CategoryState:
        """Start on one item: its status categories start from nothing concluded."""
        self.status = CategoryState()
        return self.status

    def categories(self, item: CalendarItem, state: CategoryState) -> None:
        """The one SetCategories that brings ``item`` to ``state``, if it is not there."""
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


def _chain(
    values: dict[str, FieldValue], changes: tuple[FieldChange, ...]
) -> tuple[FieldChange, ...]:
    """``changes`` with each ``old`` the value the plan's earlier updates leave.

    A change that, so rewritten, sets a field to what it already holds is dropped.
    """
    chained = []
    for change in changes:
        old = values.get(change.field, change.old)
        if old == change.new:
            continue
        values[change.field] = change.new
        chained.append(change if old == change.old else attrs.evolve(change, old=old))
    return tuple(chained)


def _phase(action: Action) -> int:
    return _PHASE[type(action)]
