"""In-memory stand-ins for a mail server and a Salesforce org, with scripted faults.

They implement every protocol of :mod:`calsync_core.ports`, so
:func:`calsync_core.session.run_session` runs against them exactly as against a
real connector. Use them to test a product built on calsync_core, or as a
reference for what a connector's methods must do: check each ``old`` value
before writing (:class:`~calsync_core.ports.ConflictError` otherwise), assign
ids and change keys, and keep everything else untouched.

Faults are scripted on :attr:`FakeSystems.faults` and consumed by the next call
they match:

- ``fail(operation)``: the write raises a transient error and changes nothing;
  a read (``read_items``, ``read_items_by_id``, ``read_events``,
  ``read_events_by_id``) raises one;
- ``timeout(operation)``: the write happens, then reports a transient error;
- ``concurrent_edit(operation, edit)``: ``edit`` (a user's change) runs between
  the session's read and its write, so the write's precondition fails;
- ``empty_read(target)``: the next read of that mailbox (or of events, with
  ``"events"``) returns nothing, as a failed fetch that looks empty would --
  and so do lookups by id there until its next windowed read, so one session
  sees that mailbox (or Salesforce) wholly empty.

Lookups by id (``read_items_by_id``, ``read_events_by_id``) answer as a
faithful connector must: every asked-for item or event that exists, wherever
it now is, and nothing for one that was deleted. :class:`FakeChanges` reads
both as delta feeds and :class:`MemoryStateStore` keeps a state, for
:func:`calsync_core.session.run_changes_session`.

Nothing here reads a clock or the network; ids and change keys come from
counters, so a scenario replays identically.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from typing import Any, cast

import attrs

from .._apply import created_event, created_item
from .._domain import overlaps
from .._plan import (
    CreateEvent,
    CreateItem,
    CreateRecord,
    DeleteEvent,
    DeleteItem,
    FieldChange,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)
from .._values import CalendarItem, Record, SfEvent
from ..ports import ConflictError, PermanentError, TransientError
from ._delta import FakeChanges, MemoryStateStore

__all__ = ["FakeCalendar", "FakeChanges", "FakeSalesforce", "FakeSystems", "Faults",
           "MemoryStateStore"]  # fmt: skip


@attrs.define
class _Fault:
    kind: str  # "fail" | "timeout" | "conflict" | "empty"
    target: str  # an operation name, a mailbox, or "events"
    edit: Callable[[], object] | None = None


class Faults:
    """A script of faults, each consumed by the first call it matches."""

    def __init__(self) -> None:
        self._pending: list[_Fault] = []
        self.fired: list[str] = []  # what happened, for test messages

    def fail(self, operation: str) -> None:
        """The next ``operation`` (e.g. ``"create_event"``, or a read such as
        ``"read_items_by_id"``) fails and changes nothing."""
        self._pending.append(_Fault("fail", operation))

    def timeout(self, operation: str) -> None:
        """The next ``operation`` succeeds but reports a timeout."""
        self._pending.append(_Fault("timeout", operation))

    def concurrent_edit(self, operation: str, edit: Callable[[], object]) -> None:
        """Run ``edit`` just before the next ``operation`` writes."""
        self._pending.append(_Fault("conflict", operation, edit))

    def empty_read(self, target: str) -> None:
        """The next read of mailbox ``target`` (or ``"events"``) returns nothing."""
        self._pending.append(_Fault("empty", target))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def clear(self) -> None:
        self._pending.clear()

    def take(self, target: str, kinds: Collection[str]) -> _Fault | None:
        for n, fault in enumerate(self._pending):
            if fault.target == target and fault.kind in kinds:
                del self._pending[n]
                self.fired.append(f"{fault.kind}:{target}")
                return fault
        return None


class _Store:
    """Shared write mechanics: faults, preconditions, change keys."""

    def __init__(self, faults: Faults, prefix: str) -> None:
        self.faults = faults
        self._prefix = prefix
        self._counter = 0
        self._blank: set[str] = set()  # read as empty until their next windowed read

    def next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:0{18 - len(prefix)}d}"

    def next_version(self) -> str:
        self._counter += 1
        return f"{self._prefix}-v{self._counter}"

    def read(self, operation: str, target: str) -> bool:
        """Whether ``target`` reads as empty now; raise if a failure is scripted.

        A scripted ``empty_read`` blanks the target for its windowed read and for
        lookups by id until the next windowed read of it.
        """
        if self.faults.take(operation, ("fail",)) is not None:
            raise TransientError(f"{operation}: injected failure")
        if operation.endswith("_by_id"):
            return target in self._blank
        self._blank.discard(target)
        if self.faults.take(target, ("empty",)) is not None:
            self._blank.add(target)
            return True
        return False

    def write(self, operation: str, commit: Callable[[], Any]) -> Any:
        """Run ``commit`` under whatever fault is scripted for ``operation``."""
        fault = self.faults.take(operation, ("fail", "timeout", "conflict"))
        if fault is not None and fault.kind == "fail":
            raise TransientError(f"{operation}: injected failure")
        if fault is not None and fault.kind == "conflict" and fault.edit is not None:
            fault.edit()
        result = commit()
        if fault is not None and fault.kind == "timeout":
            raise TransientError(f"{operation}: injected timeout after the write")
        return result


def _check(
    target: CalendarItem | SfEvent, changes: Sequence[FieldChange], what: str
) -> dict[str, Any]:
    names = attrs.fields_dict(type(target))
    updates: dict[str, Any] = {}
    for change in changes:
        if change.field not in names:
            raise PermanentError(f"{what}: no field {change.field!r}")
        live = getattr(target, change.field)
        if live != change.old:
            raise ConflictError(f"{what}: {change.field} is {live!r}, expected {change.old!r}")
        updates[change.field] = change.new
    return updates


class FakeCalendar(_Store):
    """A mail server: mailboxes of calendar items. Implements MailboxReader and
    CalendarWriter, and remembers which items sync deleted."""

    def __init__(self, faults: Faults) -> None:
        super().__init__(faults, "ck")
        self.items: dict[tuple[str, str], CalendarItem] = {}
        self.deleted: list[CalendarItem] = []  # every item a session deleted, as it was

    # -- what users do ----------------------------------------------------------------------

    def put(self, item: CalendarItem) -> CalendarItem:
        """Add or replace an item as a user would, giving it a new change key."""
        stored = attrs.evolve(item, version=self.next_version())
        self.items[(stored.mailbox, stored.id)] = stored
        return stored

    def edit(self, mailbox: str, item_id: str, **changes: Any) -> CalendarItem:
        return self.put(attrs.evolve(self.items[(mailbox, item_id)], **changes))

    def remove(self, mailbox: str, item_id: str) -> None:
        del self.items[(mailbox, item_id)]

    # -- MailboxReader ---------------------------------------------------------------------

    def read_items(
        self, mailbox: str, start: dt.datetime, end: dt.datetime
    ) -> Sequence[CalendarItem]:
        if self.read("read_items", mailbox):
            return ()
        return tuple(
            item
            for (box, _), item in sorted(self.items.items())
            if box == mailbox and overlaps(item, start, end)
        )

    def read_items_by_id(self, mailbox: str, ids: Collection[str]) -> Sequence[CalendarItem]:
        if self.read("read_items_by_id", mailbox):
            return ()
        return tuple(self.items[key] for key in sorted((mailbox, i) for i in set(ids))
                     if key in self.items)  # fmt: skip

    # -- CalendarWriter ---------------------------------------------------------------------

    def create_item(self, action: CreateItem) -> str:
        def commit() -> str:
            new_id = self.next_id("AAMk")
            self.items[(action.mailbox, new_id)] = created_item(
                action, item_id=new_id, version=self.next_version(), sf_event_id=action.sf_event_id
            )
            return new_id

        return cast(str, self.write("create_item", commit))

    def update_item(self, action: UpdateItem) -> None:
        def commit() -> None:
            item = self._get(action.mailbox, action.item_id)
            updates = _check(item, action.changes, f"item {action.item_id}")
            self.items[(item.mailbox, item.id)] = attrs.evolve(
                item, **updates, version=self.next_version()
            )

        self.write("update_item", commit)

    def delete_item(self, action: DeleteItem) -> None:
        def commit() -> None:
            item = self._get(action.mailbox, action.item_id)
            self.deleted.append(self.items.pop((item.mailbox, item.id)))

        self.write("delete_item", commit)

    def set_categories(self, action: SetCategories) -> None:
        def commit() -> None:
            item = self._get(action.mailbox, action.item_id)
            categories = (item.categories - action.remove) | action.add
            self.items[(item.mailbox, item.id)] = attrs.evolve(
                item, categories=categories, version=self.next_version()
            )

        self.write("set_categories", commit)

    def _get(self, mailbox: str, item_id: str) -> CalendarItem:
        try:
            return self.items[(mailbox, item_id)]
        except KeyError:
            raise PermanentError(f"no item {item_id!r} in {mailbox}") from None


class FakeSalesforce(_Store):
    """A Salesforce org: events and the directory. Implements EventReader, Directory
    and SalesforceWriter, and remembers which events sync created and deleted."""

    def __init__(self, faults: Faults) -> None:
        super().__init__(faults, "sf")
        self.events: dict[str, SfEvent] = {}
        self.records: dict[str, Record] = {}
        self.deleted: list[SfEvent] = []  # every event a session deleted, as it was

    # -- what users do ----------------------------------------------------------------------

    def put_event(self, event: SfEvent) -> SfEvent:
        stored = attrs.evolve(event, version=self.next_version())
        self.events[stored.id] = stored
        return stored

    def edit_event(self, event_id: str, **changes: Any) -> SfEvent:
        return self.put_event(attrs.evolve(self.events[event_id], **changes))

    def remove_event(self, event_id: str) -> None:
        del self.events[event_id]

    def put_record(self, record: Record) -> None:
        self.records[record.id] = record

    # -- EventReader and Directory ------------------------------------------------------------

    def read_events(
        self, owner_ids: Collection[str], start: dt.datetime, end: dt.datetime
    ) -> Sequence[SfEvent]:
        if self.read("read_events", "events"):
            return ()
        owners = set(owner_ids)
        return tuple(
            event
            for _, event in sorted(self.events.items())
            if event.owner_id in owners and overlaps(event, start, end)
        )

    def read_events_by_id(self, ids: Collection[str]) -> Sequence[SfEvent]:
        if self.read("read_events_by_id", "events"):
            return ()
        return tuple(self.events[i] for i in sorted(set(ids)) if i in self.events)

    def resolve(self, addresses: Collection[str]) -> Sequence[Record]:
        wanted = {a.lower() for a in addresses}
        people = [r for _, r in sorted(self.records.items()) if r.email in wanted]
        accounts = {r.account_id for r in people if r.account_id}
        return (*people, *(self.records[a] for a in sorted(accounts) if a in self.records))

    # -- SalesforceWriter ------------------------------------------------------------------

    def create_event(self, action: CreateEvent) -> str:
        def commit() -> str:
            new_id = self.next_id("00U")
            self.events[new_id] = created_event(
                action,
                event_id=new_id,
                version=self.next_version(),
                who_ids=action.who_ids,
                what_ids=action.what_ids,
            )
            return new_id

        return cast(str, self.write("create_event", commit))

    def update_event(self, action: UpdateEvent) -> None:
        def commit() -> None:
            event = self._get(action.event_id)
            updates = _check(event, action.changes, f"event {action.event_id}")
            self.events[event.id] = attrs.evolve(event, **updates, version=self.next_version())

        self.write("update_event", commit)

    def delete_event(self, action: DeleteEvent) -> None:
        def commit() -> None:
            self.deleted.append(self.events.pop(self._get(action.event_id).id))

        self.write("delete_event", commit)

    def create_record(self, action: CreateRecord) -> str:
        def commit() -> str:
            new_id = self.next_id("003" if action.kind.value == "CONTACT" else "00Q")
            self.records[new_id] = Record(
                id=new_id, kind=action.kind, email=action.email, name=action.name
            )
            return new_id

        return cast(str, self.write("create_record", commit))

    def save_attachment(self, action: SaveAttachment) -> None:
        def commit() -> None:
            event = self._get(action.event_id)
            self.events[event.id] = attrs.evolve(
                event,
                attachment_ids=event.attachment_ids | {action.attachment.id},
                version=self.next_version(),
            )

        self.write("save_attachment", commit)

    def _get(self, event_id: str) -> SfEvent:
        try:
            return self.events[event_id]
        except KeyError:
            raise PermanentError(f"no event {event_id!r}") from None


class FakeSystems:
    """A mail server and a Salesforce org sharing one fault script.

    ``ports`` is what :func:`calsync_core.session.run_session` takes.
    """

    def __init__(self) -> None:
        #: The fault script both fakes consume.
        self.faults = Faults()
        #: The mail server: every mailbox's items.
        self.calendar = FakeCalendar(self.faults)
        #: The Salesforce org: events and the directory.
        self.salesforce = FakeSalesforce(self.faults)
        self.changes = FakeChanges(self.calendar, self.salesforce)

    @property
    def mailboxes(self) -> FakeCalendar:
        return self.calendar

    @property
    def events(self) -> FakeSalesforce:
        return self.salesforce

    @property
    def directory(self) -> FakeSalesforce:
        return self.salesforce

    @property
    def ports(self) -> FakeSystems:
        return self
