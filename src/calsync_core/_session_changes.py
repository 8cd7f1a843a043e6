"""One incremental sync session: load the kept state, read what changed, plan, act, save.

:func:`run_changes_session` is :func:`~calsync_core.session.run_session` for a
connector whose systems say what changed (delta feeds): it costs what changed,
not what exists. It keeps the same promises:

- Absence is not deletion. What a feed reports as having left the view, and
  what a resync no longer lists, is looked up by id when the state last saw
  it inside the window; only what the ports confirm deleted is removed
  (:mod:`calsync_core._session_delta`).
- A failed action becomes a :class:`~calsync_core.session.Failure`; what
  depends on it is skipped, everything else runs (the same machinery as
  ``run_session``).
- Never lost: what a failed or skipped action touched keeps its previous
  value in the saved state, and every feed holding such a thing keeps its old
  delta link, so the next session reads that feed's changes again and sees
  the same difference. Re-reading is harmless: an upsert carries the value as
  it is now, and a removal is looked up again.
- Never done twice: what succeeded is in the saved state, under the ids the
  systems returned; a write that happened although it reported a failure is
  read back by the next session and adopted.
- A read that fails ends the session before anything is planned or written,
  and nothing is saved: the store keeps the old state and links.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import attrs

from ._changes import Changes, ItemKey
from ._plan import Action, Plan
from ._refs import Target
from ._session_delta import read_changes
from ._session_run import Execution, Failure
from ._values import OrgSettings, Snapshot
from .incremental import (
    ChangeReader,
    StateStore,
    SyncState,
    Touched,
    mailbox_feed,
    owner_feed,
    reconcile_changes,
)
from .ports import Ports


@attrs.frozen(kw_only=True)
class ChangesReport:
    """What one incremental session read, planned and did, and what it saved."""

    changes: Changes  # what was read, departures looked up: what the plan was made from
    observed: Snapshot  # the kept state with ``changes`` applied: what the planner saw
    plan: Plan
    done: tuple[Action, ...]  # as sent to the ports: real ids in place of refs
    failed: tuple[Failure, ...]
    skipped: tuple[Action, ...]  # not tried: they depend on a failed action
    ids: tuple[tuple[str, str], ...]  # (ref, real id) of everything created
    state: SyncState  # saved: what the next session starts from
    links: Mapping[str, str]  # saved with it
    held: frozenset[str]  # feeds whose old link was kept, to be read again

    @property
    def ok(self) -> bool:
        """Every planned action was carried out."""
        return not self.failed and not self.skipped

    @property
    def next_before(self) -> Snapshot:
        """The saved state as a plain snapshot (what ``run_session`` calls ``next_before``)."""
        return self.state.snapshot()


def run_changes_session(
    store: StateStore,
    reader: ChangeReader,
    ports: Ports,
    settings: OrgSettings,
    as_of: dt.datetime,
) -> ChangesReport:
    """Load, read changes, reconcile, execute, advance and save one sync.

    A store with nothing saved starts from an empty state: every feed is read
    as a resync and the plan is made in full. A
    :class:`~calsync_core.ports.PortError` from a read or lookup propagates
    and nothing is saved. An error from ``store.save`` propagates too, after
    the writes: the store still holds the old state and links, so the next
    session reads those changes again and adopts what this one did.
    """
    loaded = store.load()
    state, links = (SyncState.of(Snapshot(as_of=as_of)), {}) if loaded is None else loaded
    before = state.snapshot()
    changes, fresh = read_changes(reader, ports, before, links, settings, as_of)
    observed = changes.apply_to(before)
    plan = reconcile_changes(state, changes, settings)
    run = Execution(ports, observed, None if loaded is None else before)
    for action in plan.actions:
        run.run(action)
    keep, held = _kept(run.kept(plan, settings), changes, observed, before, fresh.keys())
    following = _advanced(state, changes, plan, run, keep, (before, observed))
    saved = {
        feed: links[feed] if feed in held else link
        for feed, link in fresh.items()
        if feed not in held or feed in links  # no old link: resync next time
    }
    store.save(following, saved)
    return ChangesReport(
        changes=changes,
        observed=observed,
        plan=plan,
        done=tuple(run.done),
        failed=run.failures(),
        skipped=tuple(run.skipped),
        ids=tuple(sorted(run.ids.items())),
        state=following,
        links=saved,
        held=frozenset(held),
    )


def _advanced(
    state: SyncState,
    changes: Changes,
    plan: Plan,
    run: Execution,
    keep: set[Target],
    seen: tuple[Snapshot, Snapshot],
) -> SyncState:
    """The state after ``changes`` and what of ``plan`` was done, as ``run_session`` keeps it.

    The actions that succeeded are carried out under the ids the systems gave;
    what ``keep`` names keeps its previous value (``keep_previous``'s targets:
    an item kept keeps its event, a mailbox or owner all of its own), so the
    next run plans that work again -- incrementally, as the state keeps what
    this run learnt.
    """
    done = tuple(a for a in plan.actions if id(a) in run.succeeded)
    return state.advance(changes, plan, done=done, ids=run.ids, keep=_targets(keep, seen))


def _targets(keep: set[Target], seen: tuple[Snapshot, Snapshot]) -> Touched:
    """``keep``'s targets as the keys ``SyncState.advance`` keeps, in ``before`` and ``after``."""
    mailboxes = {t[1] for t in keep if t[0] == "mailbox"}
    owners = {t[1] for t in keep if t[0] == "owner"}
    items = {ItemKey(t[1], t[2]) for t in keep if t[0] == "item"}
    events = {t[1] for t in keep if t[0] == "event"}
    for snapshot in seen:
        items.update(ItemKey(i.mailbox, i.id) for i in snapshot.items if i.mailbox in mailboxes)
        events.update(e.id for e in snapshot.events if e.owner_id in owners)
    for snapshot in seen:
        for item in snapshot.items:
            if item.sf_event_id and ItemKey(item.mailbox, item.id) in items:
                events.add(item.sf_event_id)
    return Touched(items=frozenset(items), events=frozenset(events))


def _kept(
    kept: set[Target],
    changes: Changes,
    observed: Snapshot,
    before: Snapshot,
    feeds: Collection[str],
) -> tuple[set[Target], set[str]]:
    """What keeps its previous value, and which feeds keep their old links.

    A held feed's old link re-reports what changed since then, so whatever
    this read changed there is seen again -- except a removal the systems did
    not make (a fetch that came back empty, below R-EMPTY-GUARD's threshold):
    re-read from the old link, that thing looks unchanged and would stay lost
    from the state. So what this read removed in a held feed keeps its
    previous value too; if it is really gone, the old link says so again.
    """
    keep = set(kept)
    while True:
        held = _held(keep, observed, before) & set(feeds)
        more: set[Target] = {
            ("item", mailbox, item_id)
            for mailbox, item_id in removed_items(changes, before)
            if mailbox_feed(mailbox) in held
        }
        owners = {e.id: e.owner_id for e in before.events}
        more.update(
            ("event", event_id)
            for event_id in removed_events(changes, before)
            if owner_feed(owners[event_id]) in held
        )
        if more <= keep:
            return keep, held
        keep |= more


def removed_items(changes: Changes, before: Snapshot) -> set[tuple[str, str]]:
    """The item keys held in ``before`` that ``changes`` removes (a resync included)."""
    upserted = {(i.mailbox, i.id) for i in changes.items}
    found = {(k.mailbox, k.id) for k in changes.removed_items}
    found.update((i.mailbox, i.id) for i in before.items if i.mailbox in changes.complete_mailboxes)
    return (found - upserted) & {(i.mailbox, i.id) for i in before.items}


def removed_events(changes: Changes, before: Snapshot) -> set[str]:
    """The event ids held in ``before`` that ``changes`` removes (a resync included)."""
    upserted = {e.id for e in changes.events}
    found = set(changes.removed_events)
    found.update(e.id for e in before.events if e.owner_id in changes.complete_owners)
    return (found - upserted) & {e.id for e in before.events}


def _held(keep: set[Target], observed: Snapshot, before: Snapshot) -> set[str]:
    """The feeds holding something ``keep`` names: they keep their old delta links."""
    held: set[str] = set()
    events: set[str] = set()
    for target in keep:
        if target[0] in ("item", "mailbox"):
            held.add(mailbox_feed(target[1]))
        elif target[0] == "owner":
            held.add(owner_feed(target[1]))
        elif target[0] == "event":
            events.add(target[1])
    items = {(t[1], t[2]) for t in keep if t[0] == "item"}
    for snapshot in (observed, before):
        # A kept item keeps its event (``keep_previous``), so its owner's feed is held too.
        events.update(
            i.sf_event_id for i in snapshot.items if i.sf_event_id and (i.mailbox, i.id) in items
        )
    for snapshot in (observed, before):
        held.update(owner_feed(e.owner_id) for e in snapshot.events if e.id in events)
    return held
