"""One sync session over the ports: read both systems, plan, carry the plan out.

:func:`run_session` and its incremental twin :func:`run_changes_session` (which
reads delta feeds and keeps a :class:`~calsync_core.SyncState` in a store; see
its own module, ``_session_changes``) are the only places calsync_core touches
the outside world, and only through the ports an integrator passes in. They
read no clock (``as_of`` is an argument), start no thread and retry nothing
themselves. The promise of ``run_session`` is about failures:

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
  (:func:`collect`). Likewise an item ``before`` holds whose event the read
  shows: an event moved back into the window keeps the item it is linked to
  (a public calendar's copy, one made in a mailbox), never gets a second one.
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

import attrs

from ._apply import apply_actions
from ._domain import window
from ._plan import Action, Plan
from ._refs import predecessors, waves, with_ids
from ._session_changes import ChangesReport, run_changes_session
from ._session_next import ahead_of_view, keep_previous
from ._session_read import missing_events, missing_items, scope
from ._session_run import Execution, Failure
from ._values import CalendarItem, OrgSettings, Snapshot
from .planner import reconcile
from .ports import (
    CalendarWriter,
    Directory,
    EventReader,
    MailboxReader,
    Ports,
    SalesforceWriter,
)

# This module is the session's public face and its order of steps; each step's
# decisions live in a private module: what to read (_session_read), what runs and
# what is skipped (_session_run), what the next session starts from (_session_next).
__all__ = [
    "ChangesReport",
    "Connection",
    "Failure",
    "SessionReport",
    "collect",
    "predecessors",
    "run_changes_session",
    "run_session",
    "waves",
    "with_ids",
]


@attrs.frozen(kw_only=True)
class Connection:
    """A ready-made :class:`~calsync_core.ports.Ports`: the five parts side by side."""

    mailboxes: MailboxReader
    events: EventReader
    directory: Directory
    calendar: CalendarWriter
    salesforce: SalesforceWriter


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
    run = Execution(ports, observed, before)
    for action in plan.actions:
        run.run(action)
    done_in_plan = [a for a in plan.actions if id(a) in run.succeeded]
    after = apply_actions(observed, done_in_plan, run.ids)
    kept = keep_previous(after, before, run.kept(plan, settings))
    next_before = ahead_of_view(kept, before, observed, settings)
    return SessionReport(
        observed=observed,
        plan=plan,
        done=tuple(run.done),
        failed=run.failures(),
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
    linked item whose event moved out of the window keeps seeing it; and so
    are the items ``before`` holds stamped with an event the read shows, so an
    event moved back into the window (its item left behind the window, which
    ``next_before`` lets go) keeps its item, to update rather than copy again.

    Lookups go in sorted order, so the same systems give the same calls.
    """
    start, end = window(settings, as_of)
    mailboxes, owners = scope(settings)
    items: list[CalendarItem] = []
    for mailbox in sorted(mailboxes):
        items.extend(ports.mailboxes.read_items(mailbox, start, end))
    events = list(ports.events.read_events(sorted(owners), start, end))
    if before is not None:
        items.extend(missing_items(ports.mailboxes, before, items, events, mailboxes, start, end))
    events.extend(missing_events(ports.events, before, items, events, owners, start, end))
    addresses: set[str] = set()
    for item in items:
        addresses.update(a.email for a in item.attendees)
        if item.organizer is not None:
            addresses.add(item.organizer)
    records = ports.directory.resolve(sorted(addresses))
    return Snapshot(as_of=as_of, items=tuple(items), events=tuple(events), records=tuple(records))
