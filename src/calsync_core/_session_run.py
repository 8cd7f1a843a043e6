"""How a session carries out a plan: which action runs, which is skipped, what it was sent as.

The actions go to the ports in the plan's order. One that fails blocks what it
targets; a later action that needs what it would have created (a ref), or
touches the same item or event, is skipped rather than sent, because it would
act on a state the failure left unknown. Every other action still runs. What
a failed or skipped action touched is remembered (``Execution.touched``), so
the next ``before`` keeps its previous state there and the next session plans
the same work again.

Refs the plan invented are replaced by the real ids the ports returned before
an action is sent, so a port only ever sees ids its own system knows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ._enums import IssueCode
from ._plan import (
    Action,
    CreateEvent,
    CreateItem,
    CreateRecord,
    DeleteEvent,
    DeleteItem,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)
from ._refs import Target, changes, names, with_ids
from .ports import PortError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._plan import Plan
    from ._values import OrgSettings, Snapshot
    from .ports import Ports


@attrs.frozen(kw_only=True)
class Failure:
    """An action that a port refused or could not carry out."""

    action: Action
    error: str
    retryable: bool


# Defined here, where failures are met, so that both session drivers can report
# them; it belongs to the public face, :mod:`calsync_core.session`.
Failure.__module__ = "calsync_core.session"


class Execution:
    """Runs the actions of one plan, isolating failures.

    ``failed`` holds (action, error, retryable) for each action a port refused;
    :meth:`failures` gives them as :class:`Failure`.
    """

    def __init__(self, ports: Ports, observed: Snapshot, before: Snapshot | None) -> None:
        self.ports = ports
        self.ids: dict[str, str] = {}
        self.done: list[Action] = []
        self.failed: list[tuple[Action, str, bool]] = []
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
        needs = [("ref", name) for name in names(action)]
        targets = changes(action)
        if any(n in self.blocked for n in (*needs, *targets)):
            self.skipped.append(action)
            self._block(targets)
            return
        real = with_ids(action, self.ids)
        try:
            new_id = _send(self.ports, real)
        except PortError as exc:
            self.failed.append((action, str(exc), exc.retryable))
            self._block(targets)
            return
        if new_id is not None and isinstance(action, CreateEvent | CreateItem | CreateRecord):
            self.ids[action.ref] = new_id
        self.done.append(real)
        self.succeeded.add(id(action))

    def failures(self) -> tuple[Failure, ...]:
        return tuple(Failure(action=a, error=e, retryable=r) for a, e, r in self.failed)

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
