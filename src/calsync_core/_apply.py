"""``apply``: carry a plan out on a snapshot in memory, as a correct integrator would.

It is what dry runs and property tests use, and what P-CONVERGENCE is stated
against. Like a real integrator it refuses an update whose expected old value
is not the current one, and it substitutes the real id of everything the plan
creates for the ``ref`` that stood in for it.

New ids and versions are derived from the actions themselves (a hash of the
ref or of the previous version and the action's key), so applying the same
plan to the same snapshot always gives the same result. Derived ids look like
the system's own: 18 characters with Salesforce's key prefix for events
(``00U``), contacts (``003``) and leads (``00Q``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

import attrs

from ._enums import RecordKind, Response
from ._errors import ApplyError
from ._plan import (
    Action,
    CreateEvent,
    CreateItem,
    CreateRecord,
    DeleteEvent,
    DeleteItem,
    FieldChange,
    Plan,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)
from ._refs import resolved
from ._values import CalendarItem, Record, SfEvent, Snapshot

_PREFIX = {
    RecordKind.CONTACT: "003",
    RecordKind.LEAD: "00Q",
    RecordKind.ACCOUNT: "001",
    RecordKind.OPPORTUNITY: "006",
}


def _hash(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def derived_id(prefix: str, ref: str) -> str:
    """The id ``apply`` gives what an action with ``ref`` creates."""
    return prefix + _hash(ref, 18 - len(prefix))


def _next_version(version: str, key: str) -> str:
    return _hash(f"{version}\n{key}", 12)


def created_event(
    action: CreateEvent,
    *,
    event_id: str,
    version: str,
    who_ids: tuple[str, ...],
    what_ids: tuple[str, ...],
) -> SfEvent:
    """The event a CreateEvent makes, as Salesforce stores it (shared with the fakes)."""
    return SfEvent(
        id=event_id,
        owner_id=action.owner_id,
        start=action.start,
        end=action.end,
        subject=action.subject,
        description=action.description,
        location=action.location,
        is_all_day=action.is_all_day,
        is_private=action.is_private,
        who_ids=who_ids,
        what_ids=what_ids,
        invitee_ids=action.invitee_ids,
        ical_uid=action.ical_uid,
        created_by_sync=True,
        recurrence=action.recurrence,
        time_zone=action.time_zone,
        version=version,
    )


def created_item(
    action: CreateItem, *, item_id: str, version: str, sf_event_id: str | None
) -> CalendarItem:
    """The item a CreateItem makes, as the mail server stores it (shared with the fakes)."""
    return CalendarItem(
        id=item_id,
        ical_uid=action.ical_uid,
        mailbox=action.mailbox,
        start=action.start,
        end=action.end,
        subject=action.subject,
        body=action.body,
        location=action.location,
        is_all_day=action.is_all_day,
        sensitivity=action.sensitivity,
        categories=action.categories,
        response=Response.ORGANIZER,
        recurrence=action.recurrence,
        time_zone=action.time_zone,
        sf_event_id=sf_event_id,
        version=version,
    )


class Applying:
    """Actions being carried out on maps of items, events and records, in place.

    ``apply`` runs it on dicts of a snapshot; a kept state (``incremental``) on
    overlays of its persistent maps, so both carry a plan out the same way.
    """

    def __init__(
        self,
        items: MutableMapping[tuple[str, str], CalendarItem],
        events: MutableMapping[str, SfEvent],
        records: MutableMapping[str, Record],
        ids: Mapping[str, str] | None = None,
    ) -> None:
        self.items, self.events, self.records = items, events, records
        self.ids: dict[str, str] = dict(ids or {})  # ref → real id
        self.fixed = ids is not None  # real ids given: use them, derive none

    def new_id(self, prefix: str, ref: str, taken: Callable[[str], bool]) -> str:
        """The id a created thing gets: derived from its ref, and never one in use.

        A server never hands out an id twice. A ref can recur -- an item sync made
        and the user re-stamped is made again, under the same ref -- so the
        derived id moves on until it is free rather than overwrite what is there.
        """
        if not self.fixed:
            new_id, n = derived_id(prefix, ref), 0
            while taken(new_id):
                n += 1
                new_id = derived_id(prefix, f"{ref}#{n}")
            self.ids[ref] = new_id
        return self.ids[ref]

    def real(self, value: str) -> str:
        return self.ids.get(value, value)

    def event(self, event_id: str) -> SfEvent:
        try:
            return self.events[self.real(event_id)]
        except KeyError:
            raise ApplyError(f"no event {event_id!r} in the snapshot") from None

    def item(self, mailbox: str, item_id: str) -> CalendarItem:
        try:
            return self.items[(mailbox, self.real(item_id))]
        except KeyError:
            raise ApplyError(f"no item {item_id!r} in mailbox {mailbox}") from None

    def changed(
        self, target: SfEvent | CalendarItem, changes: tuple[FieldChange, ...]
    ) -> dict[str, Any]:
        updates: dict[str, Any] = {}
        names = attrs.fields_dict(type(target))
        for change in changes:
            if change.field not in names:
                raise ApplyError(f"{type(target).__name__} has no field {change.field!r}")
            current = getattr(target, change.field)
            if current != change.old:
                raise ApplyError(
                    f"{change.field} of {target.id!r} is {current!r}, "
                    f"the plan expected {change.old!r}"
                )
            updates[change.field] = resolved(change, self.real)
        return updates

    def run(self, action: Action) -> None:
        match action:
            case CreateRecord():
                new_id = self.new_id(_PREFIX[action.kind], action.ref, self.records.__contains__)
                self.records[new_id] = Record(
                    id=new_id, kind=action.kind, email=action.email, name=action.name
                )
            case CreateEvent():
                new_id = self.new_id("00U", action.ref, self.events.__contains__)
                self.events[new_id] = created_event(
                    action,
                    event_id=new_id,
                    version=_next_version("", action.key),
                    who_ids=tuple(self.real(v) for v in action.who_ids),
                    what_ids=tuple(self.real(v) for v in action.what_ids),
                )
            case UpdateEvent():
                event = self.event(action.event_id)
                self.events[event.id] = attrs.evolve(
                    event,
                    **self.changed(event, action.changes),
                    version=_next_version(event.version, action.key),
                )
            case DeleteEvent():
                del self.events[self.event(action.event_id).id]
            case CreateItem():
                new_id = self.new_id(
                    "AAMk", action.ref, lambda i: (action.mailbox, i) in self.items
                )
                sf_id = None if action.sf_event_id is None else self.real(action.sf_event_id)
                self.items[(action.mailbox, new_id)] = created_item(
                    action, item_id=new_id, version=_next_version("", action.key), sf_event_id=sf_id
                )
            case UpdateItem():
                item = self.item(action.mailbox, action.item_id)
                self.items[(item.mailbox, item.id)] = attrs.evolve(
                    item,
                    **self.changed(item, action.changes),
                    version=_next_version(item.version, action.key),
                )
            case DeleteItem():
                item = self.item(action.mailbox, action.item_id)
                del self.items[(item.mailbox, item.id)]
            case SetCategories():
                item = self.item(action.mailbox, action.item_id)
                self.items[(item.mailbox, item.id)] = attrs.evolve(
                    item,
                    categories=(item.categories - action.remove) | action.add,
                    version=_next_version(item.version, action.key),
                )
            case SaveAttachment():
                event = self.event(action.event_id)
                self.events[event.id] = attrs.evolve(
                    event,
                    attachment_ids=event.attachment_ids | {action.attachment.id},
                    version=_next_version(event.version, action.key),
                )


def apply(snapshot: Snapshot, plan: Plan) -> Snapshot:
    """The snapshot after ``plan`` is carried out: what the next ``before`` should be.

    Raises :class:`~calsync_core.ApplyError` if the plan does not fit the snapshot.
    """
    return apply_actions(snapshot, plan.actions)


def apply_actions(
    snapshot: Snapshot, actions: Iterable[Action], ids: Mapping[str, str] | None = None
) -> Snapshot:
    """Carry out ``actions`` in order; with ``ids`` (ref → real id), use those ids.

    The session driver uses ``ids`` to record what the real systems created.
    """
    state = Applying(
        {(i.mailbox, i.id): i for i in snapshot.items},
        {e.id: e for e in snapshot.events},
        {r.id: r for r in snapshot.records},
        ids,
    )
    for action in actions:
        state.run(action)
    return attrs.evolve(
        snapshot,
        items=tuple(state.items.values()),
        events=tuple(state.events.values()),
        records=tuple(state.records.values()),
    )
