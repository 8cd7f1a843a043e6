"""R-UPDATE: which fields of a linked event change because its calendar item changed.

Three-way: a field is sent up only if the item's value differs from the
event's *and* the item changed that field since ``before``. A field that only
Salesforce changed is the other direction's business (R-DOWN-UPDATE), never
silently overwritten. With no ``before`` (a first run over already linked
pairs) the conflict policy says which side's value stands (R-CONFLICT).

Every change names the event's current value as ``old``: the precondition an
integrator sends so a write never overwrites an edit it has not seen (P-SAFETY).
"""

from __future__ import annotations

from ._enums import DescriptionMode
from ._limits import EventFields, event_fields
from ._plan import FieldChange, FieldValue
from ._values import CalendarItem, SfEvent

#: Fields R-UPDATE carries from item to event (description: R-DESCRIPTION).
UPDATED = ("subject", "location", "start", "end", "is_all_day", "is_private")
#: What a private event may not hold (R-PRIVATE; Salesforce refuses relations).
RELATIONS = ("who_ids", "what_ids", "invitee_ids")


def upsync_changes(
    item: CalendarItem,
    prior: CalendarItem | None,
    event: SfEvent,
    mode: DescriptionMode,
    *,
    first_run_wins: bool,
) -> tuple[tuple[FieldChange, ...], tuple[str, ...]]:
    """The changes to send to ``event``, and notes on text cut to fit (R-FIELD-LIMITS)."""
    if prior is not None and item.version and prior.version == item.version:
        return (), ()  # same change key: the item did not change (compare versions first)
    if prior is None and not first_run_wins:
        return (), ()
    want = event_fields(item)
    base: EventFields | None = None if prior is None else event_fields(prior)
    # Safe Description in SAFE and STRICT mode: the description is copied only
    # when the event is created; OFF syncs it like any other field.
    names = (*UPDATED, "description") if mode is DescriptionMode.OFF else UPDATED
    changes = []
    for name in names:
        new = want.value(name)
        old: FieldValue = getattr(event, name)
        if new == old:
            continue
        if base is not None and base.value(name) == new:
            continue  # not changed in the calendar since before
        changes.append(FieldChange(field=name, old=old, new=new))
    if want.is_private:
        changes.extend(
            FieldChange(field=name, old=getattr(event, name), new=())
            for name in RELATIONS
            if getattr(event, name)
        )
    sent = {change.field for change in changes}
    notes = tuple(note for name, note in want.cuts if name in sent)
    return tuple(changes), notes
