"""One sync session over the ports: read both systems, plan, carry the plan out.

:func:`run_session` is the only place calsync_core touches the outside world,
and it does so only through the :mod:`calsync_core.ports` an integrator passes
in. It reads no clock (``as_of`` is an argument), starts no thread and retries
nothing itself. Its promise is about failures:

- A failed action becomes a :class:`Failure` in the report; the actions that
  depend on it -- that use the id it would have created, or touch the same item
  or event after it -- are skipped; every other action still runs.
- The report's ``next_before`` is the state to persist for the next session.
  It records what was done, and for everything a failed or skipped action
  touched it keeps the *previous* state, so the next session sees the same
  difference and plans the same work again: never lost. Work that did happen
  although the write reported a failure (a timeout after the commit) is seen
  by the next read and adopted, not repeated: never done twice.
- Absence from a windowed read is not deletion. What ``before`` saw inside the
  window and the read no longer shows is looked up by id, so the snapshot
  holds it wherever it now is; only what the ports confirm deleted is absent
  (:func:`collect`).
- What is out of view ahead of the window (a meeting rescheduled months out)
  stays in ``next_before`` as it was last seen, so when it comes back into
  the window -- moved back, or reached by time -- the planner still knows
  which side changed what since (R-CONFLICT), and notices if it was deleted
  meanwhile (R-CANCEL).
- What R-EMPTY-GUARD held back is kept from the previous state as well, so a
  mailbox that came back empty once is not taken for an empty mailbox later.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping

import attrs

from ._apply import apply_actions
from ._domain import overlaps, window
from ._enums import IssueCode
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
from ._values import CalendarItem, OrgSettings, SfEvent, Snapshot
from .planner import reconcile
from .ports import (
    CalendarWriter,
    Directory,
    EventReader,
    MailboxReader,
    PortError,
    Ports,
    SalesforceWriter,
)

__all__ = ["Connection", "Failure", "SessionReport", "collect", "run_session"]


@attrs.frozen(kw_only=True)
class Connection:
    """A ready-made :class:`~calsync_core.ports.Ports`: the five parts side by side."""

    mailboxes: MailboxReader
    events: EventReader
    directory: Directory
    calendar: CalendarWriter
    salesforce: SalesforceWriter


@attrs.frozen(kw_only=True)
class Failure:
    """An action that a port refused or could not carry out."""

    action: Action
    error: str
    retryable: bool


@attrs.frozen(kw_only=True)
class SessionReport:
    """What one session saw, planned and did, and the ``before`` for the next one."""

    observed: Snapshot
    plan: Plan
    done: tuple[Action, ...]  # as sent to the ports: real ids in place of refs
    failed: tuple[Failure, ...]
    skipped: tuple[Action, ...]  # not tried: they depend on a failed action
    ids: tuple[tuple[str, str], ...]  # (ref, real id) of everything created
    next_before: Snapshot

    @property
    def ok(self) -> bool:
        """Every planned action was carried out."""
        return not self.failed and not self.skipped


def run_session(
    before: Snapshot | None, ports: Ports, settings: OrgSettings, as_of: dt.datetime
) -> SessionReport:
    """Read, reconcile and execute one sync; see the module docstring for the guarantees.

    Reading looks up by id what ``before`` saw inside the window and the
    windowed reads no longer show (see :func:`collect`), so that an item or
    event moved out of the window is not taken for a deleted one. A read or
    lookup that raises :class:`~calsync_core.ports.PortError` ends the session
    before anything is planned or written: the error propagates and the caller
    keeps its ``before``.
    """
    observed = collect(ports, settings, as_of, before)
    plan = reconcile(before, observed, settings)
    run = _Execution(ports, observed, before)
    for action in plan.actions:
        run.run(action)
    done_in_plan = [a for a in plan.actions if id(a) in run.succeeded]
    after = apply_actions(observed, done_in_plan, run.ids)
    kept = _keep_previous(after, before, run.kept(plan, settings))
    next_before = _ahead_of_view(kept, before, observed, settings)
    return SessionReport(
        observed=observed,
        plan=plan,
        done=tuple(run.done),
        failed=tuple(run.failed),
        skipped=tuple(run.skipped),
        ids=tuple(sorted(run.ids.items())),
        next_before=next_before,
    )


def collect(
    ports: Ports, settings: OrgSettings, as_of: dt.datetime, before: Snapshot | None = None
) -> Snapshot:
    """Read a snapshot through the ports: every synced mailbox, their events, the directory.

    The windowed reads show what is in the window now. What ``before`` saw inside
    that window and they no longer show was either deleted or moved elsewhere
    (an organizer rescheduled it 90 days out, someone moved the event past the
    window in Salesforce); only the system can tell which, so each such item
    and event is looked up by id (:meth:`~calsync_core.ports.MailboxReader.read_items_by_id`,
    :meth:`~calsync_core.ports.EventReader.read_events_by_id`) and what still
    exists goes into the snapshot, wherever it now is. An item or event absent
    from the result although ``before`` saw it inside the window is therefore
    deleted, and the planner may act on that (R-CANCEL, R-DOWN-DELETE);
    one ``before`` saw outside the window is merely out of view (R-WINDOW).
    The events stamped on the items read are looked up the same way, so a
    linked item whose event moved out of the window keeps seeing it.

    Lookups go in sorted order, so the same systems give the same calls.
    """
    start, end = window(settings, as_of)
    mailboxes, owners = _scope(settings)
    items: list[CalendarItem] = []
    for mailbox in sorted(mailboxes):
        items.extend(ports.mailboxes.read_items(mailbox, start, end))
    events = list(ports.events.read_events(sorted(owners), start, end))
    if before is not None:
        items.extend(_missing_items(ports.mailboxes, before, items, mailboxes, start, end))
    events.extend(_missing_events(ports.events, before, items, events, owners, start, end))
    addresses: set[str] = set()
    for item in items:
        addresses.update(a.email for a in item.attendees)
        if item.organizer is not None:
            addresses.add(item.organizer)
    records = ports.directory.resolve(sorted(addresses))
    return Snapshot(as_of=as_of, items=tuple(items), events=tuple(events), records=tuple(records))


def _scope(settings: OrgSettings) -> tuple[set[str], set[str]]:
    """The mailboxes and Salesforce owners a session reads."""
    mailboxes = {u.email for u in settings.users}
    owners = {u.sf_user_id for u in settings.users}
    for route in settings.public_calendar_routes:
        mailboxes.update(route.mailboxes)
        owners.add(route.calendar_id)
    return mailboxes, owners


def _missing_items(
    reader: MailboxReader,
    before: Snapshot,
    read: Iterable[CalendarItem],
    mailboxes: Collection[str],
    start: dt.datetime,
    end: dt.datetime,
) -> list[CalendarItem]:
    """The items ``before`` saw inside the window that the windowed reads did not return,
    as they now are; what no longer exists is left out (the reader confirmed it)."""
    shown = {(i.mailbox, i.id) for i in read}
    wanted: dict[str, set[str]] = {}
    for item in before.items:
        if (
            item.mailbox in mailboxes
            and (item.mailbox, item.id) not in shown
            and overlaps(item, start, end)
        ):
            wanted.setdefault(item.mailbox, set()).add(item.id)
    found: list[CalendarItem] = []
    for mailbox, ids in sorted(wanted.items()):
        # Only what was asked for, once: a reader's extra answers cannot duplicate an item.
        got = {i.id: i for i in reader.read_items_by_id(mailbox, sorted(ids))
               if i.mailbox == mailbox and i.id in ids}  # fmt: skip
        found.extend(got[i] for i in sorted(got))
    return found


def _missing_events(
    reader: EventReader,
    before: Snapshot | None,
    items: Iterable[CalendarItem],
    read: Iterable[SfEvent],
    owners: Collection[str],
    start: dt.datetime,
    end: dt.datetime,
) -> list[SfEvent]:
    """The events ``before`` saw inside the window, and those stamped on the items read,
    that the windowed read did not return, as they now are."""
    shown = {e.id for e in read}
    wanted = {i.sf_event_id for i in items if i.sf_event_id and i.sf_event_id not in shown}
    if before is not None:
        wanted.update(
            e.id
            for e in before.events
            if e.owner_id in owners and e.id not in shown and overlaps(e, start, end)
        )
    if not wanted:
        return []
    got = {e.id: e for e in reader.read_events_by_id(sorted(wanted)) if e.id in wanted}
    return [got[e] for e in sorted(got)]


Target = tuple[str, ...]  # ("item", mailbox, id) | ("event", id) | ("ref", ref)


class _Execution:
    """Runs the actions of one plan, isolating failures."""

    def __init__(self, ports: Ports, observed: Snapshot, before: Snapshot | None) -> None:
        self.ports = ports
        self.ids: dict[str, str] = {}
        self.done: list[Action] = []
        self.failed: list[Failure] = []
        self.skipped: list[Action] = []
        self.succeeded: set[int] = set()
        self.blocked: set[Target] = set()
        self.touched: set[Target] = set()  # by failed or skipped actions
        # Which items an event is paired with, so a failure blocks its partners too.
        self.partners: dict[str, set[tuple[str, str]]] = {}
        for item in observed.items:
            if item.sf_event_id:
                self.partners.setdefault(item.sf_event_id, set()).add((item.mailbox, item.id))
        # Items gone since ``before`` that an event's deletion answers (R-CANCEL: the
        # organizer deleted their item). Should the deletion fail, they stay in the next
        # ``before``, so the next session sees them gone again and retries.
        if before is not None:
            shown = {(i.mailbox, i.id) for i in observed.items}
            by_uid: dict[str, list[str]] = {}
            for event in observed.events:
                if event.ical_uid:
                    by_uid.setdefault(event.ical_uid, []).append(event.id)
            for item in before.items:
                if (item.mailbox, item.id) in shown:
                    continue
                for event_id in {*by_uid.get(item.ical_uid, ()), item.sf_event_id or ""} - {""}:
                    self.partners.setdefault(event_id, set()).add((item.mailbox, item.id))

    def run(self, action: Action) -> None:
        needs = _needs(action)
        targets = _targets(action)
        if any(n in self.blocked for n in (*needs, *targets)):
            self.skipped.append(action)
            self._block(targets)
            return
        real = _with_ids(action, self.ids)
        try:
            new_id = _send(self.ports, real)
        except PortError as exc:
            self.failed.append(Failure(action=action, error=str(exc), retryable=exc.retryable))
            self._block(targets)
            return
        if new_id is not None and isinstance(action, CreateEvent | CreateItem | CreateRecord):
            self.ids[action.ref] = new_id
        self.done.append(real)
        self.succeeded.add(id(action))

    def _block(self, targets: Iterable[Target]) -> None:
        for target in targets:
            self.blocked.add(target)
            self.touched.add(target)
            if target[0] == "event":
                self.touched.update(("item", *key) for key in self.partners.get(target[1], ()))

    def kept(self, plan: Plan, settings: OrgSettings) -> set[Target]:
        """What keeps its previous state: touched by a failure, or held back by the guard."""
        keep = set(self.touched)
        owners = {u.email: u.sf_user_id for u in settings.users}
        for issue in plan.issues:
            if issue.code is IssueCode.MAILBOX_EMPTIED and issue.mailbox is not None:
                keep.add(("mailbox", issue.mailbox))
                if issue.mailbox in owners:
                    keep.add(("owner", owners[issue.mailbox]))
        return keep


def _needs(action: Action) -> list[Target]:
    """The refs (created in this session) an action cannot do without."""
    refs: list[str] = []
    match action:
        case CreateEvent():
            refs = [*action.who_ids, *action.what_ids]
        case UpdateItem() | UpdateEvent():
            for change in action.changes:
                if isinstance(change.new, str):
                    refs.append(change.new)
        case SaveAttachment():
            refs = [action.event_id]
        case _:
            pass
    return [("ref", r) for r in refs]


def _targets(action: Action) -> list[Target]:
    """What an action changes; later actions on the same thing wait for it."""
    match action:
        case CreateEvent() | CreateRecord():
            return [("ref", action.ref)]
        case CreateItem():
            made: list[Target] = [("ref", action.ref), ("item", action.mailbox, action.ref)]
            if action.sf_event_id is not None:
                made.append(("event", action.sf_event_id))  # its UID stamp comes next
            return made
        case UpdateEvent() | DeleteEvent() | SaveAttachment():
            return [("event", action.event_id)]
        case UpdateItem() | DeleteItem() | SetCategories():
            return [("item", action.mailbox, action.item_id)]


def _with_ids(action: Action, ids: Mapping[str, str]) -> Action:
    """``action`` with every ref it mentions replaced by the real id of what it names."""

    def real(value: str) -> str:
        return ids.get(value, value)

    match action:
        case CreateEvent():
            return attrs.evolve(
                action,
                who_ids=tuple(real(v) for v in action.who_ids),
                what_ids=tuple(real(v) for v in action.what_ids),
            )
        case UpdateItem() | UpdateEvent():
            return attrs.evolve(
                action, changes=tuple(_real_change(c, real) for c in action.changes)
            )
        case SaveAttachment():
            return attrs.evolve(action, event_id=real(action.event_id))
        case _:
            return action


def _real_change(change: FieldChange, real: Callable[[str], str]) -> FieldChange:
    if isinstance(change.new, str) and change.field.endswith("_id"):
        return attrs.evolve(change, new=real(change.new))
    return change


def _send(ports: Ports, action: Action) -> str | None:
    match action:
        case CreateEvent():
            return ports.salesforce.create_event(action)
        case UpdateEvent():
            ports.salesforce.update_event(action)
        case DeleteEvent():
            ports.salesforce.delete_event(action)
        case CreateRecord():
            return ports.salesforce.create_record(action)
        case SaveAttachment():
            ports.salesforce.save_attachment(action)
        case CreateItem():
            return ports.calendar.create_item(action)
        case UpdateItem():
            ports.calendar.update_item(action)
        case DeleteItem():
            ports.calendar.delete_item(action)
        case SetCategories():
            ports.calendar.set_categories(action)
    return None


def _keep_previous(after: Snapshot, before: Snapshot | None, keep: set[Target]) -> Snapshot:
    """``after``, with the previous state of everything in ``keep`` put back."""
    if not keep:
        return after
    mailboxes = {t[1] for t in keep if t[0] == "mailbox"}
    item_keys = {(t[1], t[2]) for t in keep if t[0] == "item"}
    event_ids = {t[1] for t in keep if t[0] == "event"}
    owners = {t[1] for t in keep if t[0] == "owner"}
    # An item kept keeps its event, so the pair's difference is seen again.
    for snapshot in (after, before):
        for item in () if snapshot is None else snapshot.items:
            if item.sf_event_id and (item.mailbox, item.id) in item_keys:
                event_ids.add(item.sf_event_id)

    def kept_item(item: CalendarItem) -> bool:
        return item.mailbox in mailboxes or (item.mailbox, item.id) in item_keys

    def kept_event(event: SfEvent) -> bool:
        return event.id in event_ids or event.owner_id in owners

    previous_items = () if before is None else tuple(i for i in before.items if kept_item(i))
    previous_events = () if before is None else tuple(e for e in before.events if kept_event(e))
    return attrs.evolve(
        after,
        items=(*(i for i in after.items if not kept_item(i)), *previous_items),
        events=(*(e for e in after.events if not kept_event(e)), *previous_events),
    )


#: How far past the window an out-of-view series is asked whether it occurs again.
_AHEAD = dt.timedelta(days=5 * 366)


def _ahead_of_view(
    after: Snapshot, before: Snapshot | None, observed: Snapshot, settings: OrgSettings
) -> Snapshot:
    """``after`` plus what ``before`` held that is out of view ahead of the window.

    The snapshot read now holds the window and what was looked up; an item or
    event ``before`` last saw past the window's end is neither, yet it still
    exists as far as anyone knows. Keeping it as it was last seen keeps the base
    of the three-way comparison for the day it comes back into view. What lies
    behind the window is let go: time only takes it further away.
    """
    if before is None:
        return after
    start, end = window(settings, observed.as_of)
    mailboxes, owners = _scope(settings)
    item_keys = {(i.mailbox, i.id) for i in observed.items}
    item_keys.update((i.mailbox, i.id) for i in after.items)
    event_ids = {e.id for e in observed.events} | {e.id for e in after.events}

    def ahead(thing: CalendarItem | SfEvent) -> bool:
        return not overlaps(thing, start, end) and overlaps(thing, end, end + _AHEAD)

    items = [
        i
        for i in before.items
        if i.mailbox in mailboxes and (i.mailbox, i.id) not in item_keys and ahead(i)
    ]
    events = [
        e for e in before.events if e.owner_id in owners and e.id not in event_ids and ahead(e)
    ]
    if not items and not events:
        return after
    return attrs.evolve(after, items=(*after.items, *items), events=(*after.events, *events))
