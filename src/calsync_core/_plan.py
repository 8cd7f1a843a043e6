"""What ``reconcile`` returns: actions to carry out, issues to show, decisions to explain.

Actions are plain values; carrying them out is the integrator's job (or
:func:`calsync_core.apply`'s, in memory). An id field that points at something
the same plan creates holds that action's ``ref``; a plan lists every action
after the ones it refers to.

Each action has ``rule`` (the rule ID that planned it) and ``key``, a stable
idempotency key: the same action planned again by a later run -- because the
first attempt failed, or timed out after succeeding -- has the same key, so an
integrator can recognise a retry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any, TypeAlias

import attrs

from . import _converters as c
from ._enums import IssueCode, RecordKind, Sensitivity
from ._recurrence_values import ClassicRecurrence
from ._values import Attachment, Recurrence

_str = c.check(str)
_bool = c.check(bool)
_opt_str = c.check_optional(str)

#: The Python types a changed field can hold (see ``FieldChange``).
FieldValue: TypeAlias = str | bool | dt.datetime | tuple[str, ...] | Sensitivity | None


def _digest(*parts: object) -> str:
    # repr of str, bool, datetime, None and tuples of them is stable across runs
    # (no hash randomisation), which is all an idempotency key needs.
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return c.utc(value)
    if isinstance(value, list):
        return c.tuple_of(value, str)
    return value


@attrs.frozen(kw_only=True)
class FieldChange:
    """One field of an event or item: the value the plan expects to find, and the new one.

    ``field`` is the attribute name on ``SfEvent`` / ``CalendarItem``. ``old`` is
    the optimistic-concurrency precondition (P-SAFETY): send it along, and refuse
    the write when the live value differs.
    """

    field: str = attrs.field(validator=_str)
    old: FieldValue = attrs.field(converter=_value)
    new: FieldValue = attrs.field(converter=_value)


def _changes(value: Iterable[FieldChange]) -> tuple[FieldChange, ...]:
    return c.tuple_of(value, FieldChange)


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return c.tuple_of(value, str)


@attrs.frozen(kw_only=True)
class CreateEvent:
    """Create a Salesforce event from a calendar item."""

    ref: str = attrs.field(validator=_str)
    owner_id: str = attrs.field(validator=_str)
    ical_uid: str = attrs.field(validator=_str)
    start: dt.datetime = attrs.field(converter=c.utc)
    end: dt.datetime = attrs.field(converter=c.utc)
    subject: str = attrs.field(validator=_str)
    description: str = attrs.field(validator=_str)
    location: str = attrs.field(validator=_str)
    is_all_day: bool = attrs.field(validator=_bool)
    is_private: bool = attrs.field(validator=_bool)
    who_ids: tuple[str, ...] = attrs.field(converter=_ids)
    what_ids: tuple[str, ...] = attrs.field(converter=_ids)
    invitee_ids: tuple[str, ...] = attrs.field(converter=_ids)
    recurrence: Recurrence | None = attrs.field(validator=c.check_optional(Recurrence))
    source_item_id: str = attrs.field(validator=_str)
    rule: str = attrs.field(validator=_str)
    time_zone: str = attrs.field(default="UTC", validator=_str)
    #: The series as Salesforce Classic fields (R-RECURRING-FORMAT), when ``recurrence`` is set.
    classic: ClassicRecurrence | None = attrs.field(
        default=None, validator=c.check_optional(ClassicRecurrence)
    )

    @property
    def key(self) -> str:
        return f"create-event:{self.ref}"


@attrs.frozen(kw_only=True)
class UpdateEvent:
    """Change fields of an existing event."""

    event_id: str = attrs.field(validator=_str)
    changes: tuple[FieldChange, ...] = attrs.field(converter=_changes)
    rule: str = attrs.field(validator=_str)

    @property
    def key(self) -> str:
        return f"update-event:{self.event_id}:{_digest(*_change_parts(self.changes))}"


@attrs.frozen(kw_only=True)
class DeleteEvent:
    """Delete an event (only ever one sync created: P-SAFETY)."""

    event_id: str = attrs.field(validator=_str)
    rule: str = attrs.field(validator=_str)

    @property
    def key(self) -> str:
        return f"delete-event:{self.event_id}"


@attrs.frozen(kw_only=True)
class CreateItem:
    """Create a calendar item in a mailbox from a Salesforce event."""

    ref: str = attrs.field(validator=_str)
    mailbox: str = attrs.field(converter=c.address)
    ical_uid: str = attrs.field(validator=_str)
    start: dt.datetime = attrs.field(converter=c.utc)
    end: dt.datetime = attrs.field(converter=c.utc)
    subject: str = attrs.field(validator=_str)
    body: str = attrs.field(validator=_str)
    location: str = attrs.field(validator=_str)
    is_all_day: bool = attrs.field(validator=_bool)
    sensitivity: Sensitivity = attrs.field(validator=c.check(Sensitivity))
    categories: frozenset[str] = attrs.field(converter=c.names)
    sf_event_id: str | None = attrs.field(validator=_opt_str)
    rule: str = attrs.field(validator=_str)
    recurrence: Recurrence | None = attrs.field(
        default=None, validator=c.check_optional(Recurrence)
    )
    time_zone: str = attrs.field(default="UTC", validator=_str)

    @property
    def key(self) -> str:
        return f"create-item:{self.ref}"


@attrs.frozen(kw_only=True)
class UpdateItem:
    """Change fields of a calendar item (including stamping ``sf_event_id``)."""

    mailbox: str = attrs.field(converter=c.address)
    item_id: str = attrs.field(validator=_str)
    changes: tuple[FieldChange, ...] = attrs.field(converter=_changes)
    rule: str = attrs.field(validator=_str)

    @property
    def key(self) -> str:
        parts = _change_parts(self.changes)
        return f"update-item:{self.mailbox}:{self.item_id}:{_digest(*parts)}"


@attrs.frozen(kw_only=True)
class DeleteItem:
    """Delete a calendar item (only with R-DOWN-DELETE's switch on: P-SAFETY)."""

    mailbox: str = attrs.field(converter=c.address)
    item_id: str = attrs.field(validator=_str)
    rule: str = attrs.field(validator=_str)

    @property
    def key(self) -> str:
        return f"delete-item:{self.mailbox}:{self.item_id}"


@attrs.frozen(kw_only=True)
class SetCategories:
    """Add and remove category names on an item, leaving every other category alone."""

    mailbox: str = attrs.field(converter=c.address)
    item_id: str = attrs.field(validator=_str)
    add: frozenset[str] = attrs.field(converter=c.names)
    remove: frozenset[str] = attrs.field(converter=c.names)
    rule: str = attrs.field(validator=_str)

    @property
    def key(self) -> str:
        parts = (sorted(self.add), sorted(self.remove))
        return f"set-categories:{self.mailbox}:{self.item_id}:{_digest(*parts)}"


@attrs.frozen(kw_only=True)
class CreateRecord:
    """Create a Contact or Lead for an unresolved participant (R-AUTO-CREATE)."""

    ref: str = attrs.field(validator=_str)
    kind: RecordKind = attrs.field(validator=c.check(RecordKind))
    email: str = attrs.field(converter=c.address)
    name: str = attrs.field(validator=_str)
    rule: str = attrs.field(validator=_str)

    @property
    def key(self) -> str:
        return f"create-record:{self.ref}"


@attrs.frozen(kw_only=True)
class SaveAttachment:
    """Save one attachment with an event (``event_id`` may be a CreateEvent ``ref``)."""

    event_id: str = attrs.field(validator=_str)
    attachment: Attachment = attrs.field(validator=c.check(Attachment))
    rule: str = attrs.field(validator=_str)

    @property
    def key(self) -> str:
        return f"save-attachment:{self.event_id}:{self.attachment.id}"


def _change_parts(changes: tuple[FieldChange, ...]) -> list[tuple[str, FieldValue]]:
    return [(ch.field, ch.new) for ch in changes]


#: Every kind of action a plan can hold.
Action: TypeAlias = (
    CreateEvent
    | UpdateEvent
    | DeleteEvent
    | CreateItem
    | UpdateItem
    | DeleteItem
    | SetCategories
    | CreateRecord
    | SaveAttachment
)
ACTION_TYPES: tuple[type[Action], ...] = (
    CreateEvent,
    UpdateEvent,
    DeleteEvent,
    CreateItem,
    UpdateItem,
    DeleteItem,
    SetCategories,
    CreateRecord,
    SaveAttachment,
)


@attrs.frozen(kw_only=True)
class Issue:
    """Something the user must see: an item or event that could not be synced, and why."""

    code: IssueCode = attrs.field(validator=c.check(IssueCode))
    message: str = attrs.field(validator=_str)
    rule: str = attrs.field(validator=_str)
    mailbox: str | None = attrs.field(default=None, converter=c.optional_address)
    item_id: str | None = attrs.field(default=None, validator=_opt_str)
    event_id: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Decision:
    """What was done or not done about one item or event (``ref``), and the rule why."""

    ref: str = attrs.field(validator=_str)
    outcome: str = attrs.field(validator=_str)
    rule: str = attrs.field(validator=_str)
    note: str = attrs.field(validator=_str)
    #: The item's mailbox (item ids are only unique per mailbox); None for events.
    mailbox: str | None = attrs.field(default=None, converter=c.optional_address)


def _actions(value: Iterable[Action]) -> tuple[Action, ...]:
    return c.tuple_of(value, ACTION_TYPES)


def _issues(value: Iterable[Issue]) -> tuple[Issue, ...]:
    return c.tuple_of(value, Issue)


def _decisions(value: Iterable[Decision]) -> tuple[Decision, ...]:
    return c.tuple_of(value, Decision)


@attrs.frozen(kw_only=True)
class Plan:
    """The result of ``reconcile``: ordered actions, issues and explained decisions."""

    actions: tuple[Action, ...] = attrs.field(default=(), converter=_actions)
    issues: tuple[Issue, ...] = attrs.field(default=(), converter=_issues)
    decisions: tuple[Decision, ...] = attrs.field(default=(), converter=_decisions)

    def explain(self, ref: str, mailbox: str | None = None) -> tuple[Decision, ...]:
        """The decisions about one item or event (``ref``: an item id or an event id).

        ``mailbox`` narrows an item id to one mailbox's copy.
        """
        wanted = None if mailbox is None else mailbox.lower()
        return tuple(
            d for d in self.decisions if d.ref == ref and (wanted is None or d.mailbox == wanted)
        )

    def issues_about(self, ref: str) -> tuple[Issue, ...]:
        """The issues naming ``ref`` as their item or event."""
        return tuple(i for i in self.issues if ref in (i.item_id, i.event_id))


# -- values the planner makes ------------------------------------------------------------
#
# ``reconcile`` makes a decision for every item, and its inputs are already
# checked values: running the type checks again on each decision (and on the
# plan's every element) costs more than the planning of an unchanged pair.
# These build the same frozen values through their slots, unchecked; a test
# holds them equal to what the public constructors make.

_new = object.__new__
_ref, _outcome, _rule, _note, _mailbox = (
    Decision.__dict__[name].__set__ for name in ("ref", "outcome", "rule", "note", "mailbox")
)
_actions_slot, _issues_slot, _decisions_slot = (
    Plan.__dict__[name].__set__ for name in ("actions", "issues", "decisions")
)


def planned_decision(
    ref: str, outcome: str, rule: str, note: str, mailbox: str | None = None
) -> Decision:
    """A ``Decision`` from the planner's own (str, lower-cased mailbox) values."""
    decision: Decision = _new(Decision)
    _ref(decision, ref)
    _outcome(decision, outcome)
    _rule(decision, rule)
    _note(decision, note)
    _mailbox(decision, mailbox)
    return decision


def planned_plan(
    actions: tuple[Action, ...], issues: tuple[Issue, ...], decisions: tuple[Decision, ...]
) -> Plan:
    """A ``Plan`` from tuples the planner built of its own values."""
    plan: Plan = _new(Plan)
    _actions_slot(plan, actions)
    _issues_slot(plan, issues)
    _decisions_slot(plan, decisions)
    return plan
