"""``SyncState``: a kept ``before``, indexed once, advanced by what changed.

A state holds the snapshot as persistent tables (``_tables``), and what the
last run learnt that depends on the settings (``Run``): the settings
themselves, the R-EMPTY-GUARD facts, each series' next possible change of
window (``_window.Quiet``), the issues standing on each part of the world, and
what that run planned (planned once more by the next one). A bare
``SyncState.of(snapshot)`` knows none of it, so its first run plans in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import attrs
from immutables import Map

from .._changes import Changes, ItemKey, grouped, id_of_event, id_of_record, item_key
from .._plan import Action, Issue, Plan
from .._values import CalendarItem, OrgSettings, Record, SfEvent, Snapshot
from ..planner.builder import Scope
from ..planner.world import Emptied
from . import _persist, _window
from ._dirty import Reach
from ._tables import Tables, Thing
from ._window import Quiet


@attrs.frozen(kw_only=True)
class Run:
    """What one run learnt that the next one builds on."""

    settings: OrgSettings
    emptied: Emptied
    quiet: Quiet
    #: scope → the issues found in it, for every scope with any (``planner.builder.Scope``).
    issues: Map[Scope, tuple[Issue, ...]]
    #: What that run planned or acted on: the next run plans it once more.
    again: Reach


@attrs.frozen
class Touched:
    """The keys one or more advances changed: what a store writes again."""

    items: frozenset[ItemKey] = frozenset()
    events: frozenset[str] = frozenset()
    records: frozenset[str] = frozenset()

    def __or__(self, other: Touched) -> Touched:
        return Touched(
            self.items | other.items, self.events | other.events, self.records | other.records
        )


@attrs.frozen
class Step:
    """One advance: from the state with token ``parent``, these keys changed."""

    parent: str
    touched: Touched


#: How many advances a state remembers for its store (older ones: written whole).
STEPS = 32


@attrs.frozen(eq=False)
class SyncState:
    """A kept ``before``: the snapshot indexed once, and what the last run learnt.

    Immutable: :meth:`advance` returns a new state and leaves this one usable,
    so a session that fails keeps the state it started from.
    """

    tables: Tables
    run: Run | None = None
    #: Names this state's content for a store: the token of the state it came
    #: from and the changes since, digested ("" for a state made with ``of``).
    token: str = ""
    steps: tuple[Step, ...] = ()

    @classmethod
    def of(cls, snapshot: Snapshot) -> SyncState:
        """Index ``snapshot`` once; its first run plans in full (no settings are known yet)."""
        return cls(Tables.of(snapshot))

    @property
    def as_of(self) -> dt.datetime:
        """When the kept snapshot was observed (the last ``Changes.as_of`` advanced to)."""
        return self.tables.as_of

    def snapshot(self) -> Snapshot:
        """The kept state as a plain value: items sorted by key, events and records by id."""
        return self.tables.snapshot()

    @property
    def issues(self) -> tuple[Issue, ...]:
        """The issues standing now: the ones a full run of the last run's inputs reports.

        An issue on an item no change touched stays here until a run plans the
        item again, so a dashboard shows the same set a full run would.
        """
        if self.run is None:
            return ()
        return tuple(i for scope in sorted(self.run.issues) for i in self.run.issues[scope])

    def touched_since(self, token: str) -> Touched | None:
        """The keys changed since the state ``token`` names, or None if unknown here.

        What a store rewrites when it last saved that state; None when this
        state does not descend from it within its last ``STEPS`` advances.
        """
        if token == self.token and token:
            return Touched()
        for n, step in enumerate(self.steps):
            if step.parent == token and token:
                found = Touched()
                for later in self.steps[n:]:
                    found = found | later.touched
                return found
        return None

    def run_json(self) -> str | None:
        """What the last run learnt, as JSON for a store (None: a state that never ran)."""
        return None if self.run is None else _persist.to_json(self.run)

    @classmethod
    def restore(cls, snapshot: Snapshot, *, token: str, run_json: str | None) -> SyncState:
        """A state a store saved: its snapshot, token and ``run_json``.

        Raises :class:`~calsync_core.LoadError` if ``run_json`` is not what
        :meth:`run_json` wrote.
        """
        run = None if run_json is None else Run(**_persist.from_json(run_json))
        return cls(Tables.of(snapshot), run, token)

    def advance(
        self,
        changes: Changes,
        plan: Plan,
        *,
        done: Sequence[Action] | None = None,
        ids: Mapping[str, str] | None = None,
        keep: Touched | None = None,
    ) -> SyncState:
        """The state after ``changes`` and then ``plan`` (as :func:`~calsync_core.apply`).

        ``plan`` is the one :func:`reconcile_changes` made from this state and
        ``changes``; with any other plan the next run plans in full. A session
        that carried out only some actions passes them as ``done`` (in plan
        order), and the ids the systems gave what it created as ``ids`` (ref →
        real id, as :func:`~calsync_core.apply` takes them in a session), and
        what must stay as this state holds it as ``keep`` (the targets of a
        failed action, whose changes the next session reads again): the next
        run plans the rest again, as the last run's work is always planned once
        more.
        """
        from ._run import advanced  # the run module builds on this one

        return advanced(self, changes, plan, done=done, ids=ids, keep=keep)


def changed_keys(t0: Tables, changes: Changes) -> dict[ItemKey, tuple[CalendarItem, ...]]:
    """Every item key ``changes`` sets, to its values after (``()``: removed)."""
    found: dict[ItemKey, list[CalendarItem]] = {}
    for mailbox in sorted(changes.complete_mailboxes):
        for key in t0.by_mailbox.get(mailbox, Map()):
            found[key] = []
    for key in changes.removed_items:
        found[key] = []
    return {**{k: tuple(v) for k, v in found.items()}, **grouped(changes.items, item_key)}


def changed_events(t0: Tables, changes: Changes) -> dict[str, tuple[SfEvent, ...]]:
    """Every event id ``changes`` sets, to its values after (``()``: removed).

    A resynced owner loses its events; an id held twice keeps its other
    owner's value, as :meth:`Changes.apply_to` removes events one by one.
    """
    found: dict[str, list[SfEvent]] = {}
    owners = changes.complete_owners
    for owner in sorted(owners):
        for event_id in t0.by_owner.get(owner, Map()):
            found[event_id] = [e for e in t0.all_events(event_id) if e.owner_id not in owners]
    for removed in changes.removed_events:
        found[removed] = []
    return {**{k: tuple(v) for k, v in found.items()}, **grouped(changes.events, id_of_event)}


def changed_records(changes: Changes) -> dict[str, tuple[Record, ...]]:
    """Every record id ``changes`` sets, to its values after (``()``: removed)."""
    removed: dict[str, tuple[Record, ...]] = dict.fromkeys(changes.removed_records, ())
    return {**removed, **grouped(changes.records, id_of_record)}


def series_of(t: Tables, things: Iterable[Thing]) -> list[Thing]:
    """Those of ``things`` that are series (have a recurrence) in ``t``."""
    return [
        thing
        for thing in things
        if any(v.recurrence is not None for v in _window.thing_of(t, thing))
    ]
