"""Two-way field sync of a linked pair: R-UPDATE, R-DOWN-UPDATE, R-DESCRIPTION, R-CONFLICT.

Three-way, in the spirit of Unison: for each field, the item and the event are
compared with what each held in ``before``. A field changed on one side only
goes to the other side; a field changed on neither is left alone, even when
the two differ (a one-way direction may have left them so); a field changed on
both is a conflict, and ``conflict_policy`` picks the side whose value stands.
With no earlier state for the pair -- a first run, or a pair linked just now --
differences are settled by the policy without calling them conflicts. With
earlier state for one side only (the write that stamped a new pair failed, and
the session kept that side's earlier absence), the known side's unchanged fields
are taken from the other side: a Salesforce edit is not lost to a calendar that
did not change.

Values are compared in the event's terms: text cut to Salesforce's lengths
(R-FIELD-LIMITS), privacy as a flag. A version (change key) that has not
moved means that side changed nothing, and its fields are not compared.

Every change names the value it expects to replace (``old``): the precondition
an integrator sends so a write never overwrites an edit it has not seen
(P-SAFETY).
"""

from __future__ import annotations

import attrs

from .. import _rules as R
from .._enums import ConflictPolicy, DescriptionMode, Direction, Sensitivity
from .._plan import FieldChange, FieldValue, UpdateEvent, UpdateItem
from .._values import CalendarItem, SfEvent
from .builder import PlanBuilder
from .limits import EventFields, event_fields
from .meetings import Copy
from .privacy import is_private
from .world import World

#: Fields kept equal on both sides; ``description`` only in OFF mode (R-DESCRIPTION).
SYNCED = ("subject", "location", "start", "end", "is_all_day", "is_private")
#: Salesforce changes that carry the description down in SAFE mode (the vendor's rule).
SIGNIFICANT = ("subject", "start", "end")
#: What a private event may not hold (R-PRIVATE; Salesforce refuses relations).
RELATIONS = ("who_ids", "what_ids", "invitee_ids")
#: Event field → the calendar item attribute it is written to.
ITEM_FIELD = {"description": "body", "is_private": "sensitivity"}


@attrs.frozen(kw_only=True)
class Conflict:
    field: str
    calendar: FieldValue
    salesforce: FieldValue
    winner: str  # "calendar" or "Salesforce"


@attrs.frozen(kw_only=True)
class PairSync:
    """What one linked pair needs: changes up, changes down, and why."""

    up: tuple[FieldChange, ...] = ()
    down: tuple[FieldChange, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    cuts: tuple[str, ...] = ()  # notes on text cut to fit, for fields sent up
    description_down: bool = False  # SAFE mode carried the description down
    held: tuple[str, ...] = ()  # differences a one-way direction keeps from going over

    def private(self, item: CalendarItem) -> bool:
        """Whether ``item``'s pair is private once these changes are carried out."""
        for change in (*self.up, *self.down):
            if change.field == "is_private":
                return change.new is True
            if change.field == "sensitivity":
                return change.new is Sensitivity.PRIVATE
        return is_private(item)


_NOTHING = PairSync()


def _unchanged(now: CalendarItem | SfEvent, prior: CalendarItem | SfEvent | None) -> bool:
    return prior is not None and bool(now.version) and prior.version == now.version


def sync_pair(
    item: CalendarItem,
    prior_item: CalendarItem | None,
    event: SfEvent,
    prior_event: SfEvent | None,
    *,
    mode: DescriptionMode,
    policy: ConflictPolicy,
    direction: Direction,
) -> PairSync:
    """Decide, field by field, which way each difference between ``item`` and ``event`` goes."""
    if _unchanged(item, prior_item) and _unchanged(event, prior_event):
        return _NOTHING  # neither change key moved: nothing to compare (versions first)
    cal = event_fields(item)
    cal_before = None if prior_item is None else event_fields(prior_item)
    cal_same = _unchanged(item, prior_item)
    sf_same = _unchanged(event, prior_event)
    names = (*SYNCED, "description") if mode is DescriptionMode.OFF else SYNCED
    up: dict[str, FieldValue] = {}
    down: dict[str, FieldValue] = {}
    conflicts = []
    for name in names:
        mine, theirs = cal.value(name), _event_value(event, name)
        if mine == theirs:
            continue
        # A side with no earlier state (a first run, a pair linked just now, a write
        # that failed last time) counts as moved; with neither known, the policy
        # settles the pair without calling it a conflict.
        cal_moved = cal_before is None or (not cal_same and cal_before.value(name) != mine)
        sf_moved = prior_event is None or (
            not sf_same and _event_value(prior_event, name) != theirs
        )
        if cal_moved and not sf_moved:
            up[name] = mine
        elif sf_moved and not cal_moved:
            down[name] = theirs
        elif cal_moved and sf_moved:
            calendar_wins = policy is ConflictPolicy.CALENDAR_WINS
            (up if calendar_wins else down)[name] = mine if calendar_wins else theirs
            if cal_before is not None and prior_event is not None:  # else settled, not a conflict
                winner = "calendar" if calendar_wins else "Salesforce"
                conflicts.append(
                    Conflict(field=name, calendar=mine, salesforce=theirs, winner=winner)
                )
    up, down, held = _one_way(direction, up, down)
    carried = _description_goes_down(mode, event, prior_event, down, cal)
    if carried:
        down["description"] = event.description
    return PairSync(
        up=_up_changes(up, event, cal),
        down=tuple(_down_change(name, value, item) for name, value in down.items()),
        conflicts=tuple(conflicts),
        cuts=tuple(note for name, note in cal.cuts if name in up),
        description_down=carried,
        held=held,
    )


def _one_way(
    direction: Direction, up: dict[str, FieldValue], down: dict[str, FieldValue]
) -> tuple[dict[str, FieldValue], dict[str, FieldValue], tuple[str, ...]]:
    """R-DIRECTION: what a one-way user's direction keeps from going over, held back."""
    if direction is Direction.TO_CALENDAR:
        return {}, down, tuple(up)
    if direction is Direction.TO_SALESFORCE:
        return up, {}, tuple(down)
    return up, down, ()


def _event_value(event: SfEvent, name: str) -> FieldValue:
    value: FieldValue = getattr(event, name)
    return value


def _description_goes_down(
    mode: DescriptionMode,
    event: SfEvent,
    prior_event: SfEvent | None,
    down: dict[str, FieldValue],
    cal: EventFields,
) -> bool:
    """R-DESCRIPTION, SAFE mode: the description rides along with a significant change.

    This is the documented vendor behaviour, and it can show internal notes to a
    meeting's invitees; STRICT mode exists to prevent exactly that.
    """
    if mode is not DescriptionMode.SAFE or event.description == cal.description:
        return False
    owner_moved = prior_event is not None and prior_event.owner_id != event.owner_id
    return owner_moved or any(name in down for name in SIGNIFICANT)


def _up_changes(
    up: dict[str, FieldValue], event: SfEvent, cal: EventFields
) -> tuple[FieldChange, ...]:
    changes = [FieldChange(field=n, old=_event_value(event, n), new=v) for n, v in up.items()]
    if up.get("is_private") is True:
        # An event turning private must drop every relation (R-PRIVATE).
        changes.extend(
            FieldChange(field=name, old=_event_value(event, name), new=())
            for name in RELATIONS
            if getattr(event, name)
        )
    return tuple(changes)


def _down_change(name: str, value: FieldValue, item: CalendarItem) -> FieldChange:
    field = ITEM_FIELD.get(name, name)
    if name == "is_private":
        value = Sensitivity.PRIVATE if value else Sensitivity.NORMAL
    old: FieldValue = getattr(item, field)
    return FieldChange(field=field, old=old, new=value)


def in_sync(event_id: str) -> str:
    return f"linked to event {event_id}; in sync"


def sync_linked(w: World, out: PlanBuilder, c: Copy, event: SfEvent, *, adopted: bool) -> bool:
    """R-UPDATE, R-DOWN-UPDATE, R-DESCRIPTION and R-CONFLICT for one linked pair.

    Returns whether the pair is private once the plan is carried out.
    """
    item = c.item
    sync = sync_pair(
        item,
        c.prior,  # read once, with the copy
        event,
        w.prior_event(event.id),
        mode=w.org.description_mode(c.user),
        policy=w.org.settings.conflict_policy,
        direction=w.org.direction(c.user),
    )
    if sync.up:
        out.act(UpdateEvent(event_id=event.id, changes=sync.up, rule=R.UPDATE.id))
        names = ", ".join(ch.field for ch in sync.up)
        out.note(item, "update", R.UPDATE, f"changed in the calendar: {names}")
        out.decide(event.id, "update", R.UPDATE, f"updated from item {item.id}: {names}")
    if sync.down:
        changes = sync.down
        out.act(
            UpdateItem(
                mailbox=item.mailbox, item_id=item.id, changes=changes, rule=R.DOWN_UPDATE.id
            )
        )
        names = ", ".join(ch.field for ch in sync.down)
        out.note(item, "update", R.DOWN_UPDATE, f"changed in Salesforce: {names}")
        out.decide(event.id, "keep", R.DOWN_UPDATE, f"sent to item {item.id}: {names}")
    _explain(out, item, sync, event.id, adopted=adopted)
    return sync.private(item)


def _explain(
    out: PlanBuilder, item: CalendarItem, sync: PairSync, event_id: str, *, adopted: bool
) -> None:
    """The decisions that say why a pair's fields went (or did not go) where they did."""
    if sync.description_down:
        note = (
            "the Salesforce description went down with a subject, owner or time change "
            "(SAFE mode; invitees will see it)"
        )
        out.note(item, "description", R.DESCRIPTION, note)
    for c in sync.conflicts:
        note = (
            f"{c.field} changed on both sides: calendar {c.calendar!r}, Salesforce "
            f"{c.salesforce!r}; the {c.winner} value stands"
        )
        out.note(item, "conflict", R.CONFLICT, note)
    if sync.held:
        out.note(item, "keep", R.DIRECTION, f"not sent, one-way sync: {', '.join(sync.held)}")
    elif not (sync.up or sync.down or adopted):
        out.note(item, "keep", R.UPDATE, in_sync(event_id))
    for note in sync.cuts:
        out.note(item, "cut", R.FIELD_LIMITS, note)
