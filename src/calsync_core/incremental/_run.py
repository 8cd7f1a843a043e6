"""``reconcile_changes``: plan from a kept state and what changed, at the cost of the changes.

The full ``reconcile`` is the reference; this plans the part of the world the
changes can reach (``_dirty``) with the same planner, on snapshots that hold
only that part, and takes the facts about the whole organisation -- the
directory, R-EMPTY-GUARD's emptied sides -- from the kept state. A run plans in
full when the state cannot vouch for the rest: a bare ``SyncState.of``, other
settings than the last run's, or a clock gone back.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any, Generic, TypeVar, cast

import attrs
from immutables import Map

from .. import _rules as R
from .._apply import Applying
from .._changes import Changes, ItemKey
from .._plan import Action, Decision, Issue, Plan
from .._values import CalendarItem, OrgSettings, Snapshot
from ..planner.builder import Scope
from ..planner.index import Directory
from ..planner.org import Org
from ..planner.run import Given, plan_scoped
from ..planner.world import Emptied
from . import _dirty, _window
from ._state import (
    STEPS,
    Run,
    Step,
    SyncState,
    Touched,
    changed_events,
    changed_keys,
    changed_records,
    series_of,
)
from ._tables import Tables, Thing

K = TypeVar("K")
V = TypeVar("V")


@attrs.frozen(kw_only=True, eq=False)
class _Pending:
    """What a plan's run learnt, until ``advance`` makes it part of the next state."""

    state: SyncState
    changes: Changes
    after: Tables
    settings: OrgSettings
    emptied: Emptied
    issues: Map[Scope, tuple[Issue, ...]]
    again: _dirty.Reach
    due: frozenset[Thing]  # series asked about again: their next change is learnt anew
    full: bool


# The plan a run returned → what that run learnt. Keyed by the plan's identity
# (equal plans of different runs must not be confused) and dropped with the plan.
_PENDING: dict[int, tuple[weakref.ref[Plan], _Pending]] = {}


def _remember(plan: Plan, pending: _Pending) -> None:
    key = id(plan)

    def forget(_gone: object, key: int = key) -> None:
        _PENDING.pop(key, None)

    _PENDING[key] = (weakref.ref(plan, forget), pending)


def reconcile_changes(state: SyncState, changes: Changes, settings: OrgSettings) -> Plan:
    """Plan from a kept state and what changed: the actions ``reconcile`` would plan.

    With ``after = changes.apply_to(state.snapshot())``, the actions are exactly
    those of ``reconcile(state.snapshot(), after, settings)``, in the same order;
    the issues and decisions are those the full run reports about what the run
    planned (everything ``changes`` names among it). Raises
    :class:`~calsync_core.SettingsError` for self-contradicting settings.
    """
    org = Org.build(settings, changes.as_of)
    t0 = state.tables
    items, events, records = (
        changed_keys(t0, changes),
        changed_events(t0, changes),
        changed_records(changes),
    )
    t1 = t0.update(changes.as_of, items=items, events=events, records=records)
    seeds = _dirty.Seeds()
    seeds.item_keys((t0, t1), items)
    seeds.events.update(events)
    seeds.records(t0, t1, records)
    gone = {k.mailbox for k in items if k not in t1.items and k not in t1.item_twins}
    gone_owners = {e.owner_id for event_id in events for e in t0.all_events(event_id)}
    emptied = _dirty.emptied(t0, t1, org, gone, gone_owners)
    why = _full_reason(state, changes, settings)
    due: frozenset[Thing] = frozenset()
    if why is None:
        assert state.run is not None  # _full_reason says so
        previous = state.run
        seeds.things((t0, t1), _window.flips(t1, settings, t0.as_of, changes.as_of))
        due = frozenset(previous.quiet.due(t0.as_of, changes.as_of))
        seeds.things(
            (t0, t1), _window.series_flips(t1, previous.quiet, settings, t0.as_of, changes.as_of)
        )
        seeds.held(t0, t1, org, previous.emptied, emptied)
        reach = _dirty.close(
            t0,
            t1,
            _dirty.moved(t0, t1, items, events),
            seeds.uids | previous.again.uids,
            seeds.events | previous.again.events,
        )
        plan, issues = _partial(t0, t1, reach, settings, emptied, previous.issues)
    else:
        plan, issues = _full(t0, t1, settings, why)
    pending = _Pending(
        state=state,
        changes=changes,
        after=t1,
        settings=settings,
        emptied=emptied,
        issues=issues[0],
        again=_again(seeds, issues[1], t1),
        due=due,
        full=why is not None,
    )
    _remember(plan, pending)
    return plan


def _full_reason(state: SyncState, changes: Changes, settings: OrgSettings) -> str | None:
    if state.run is None:
        return "a new state knows nothing of the last run's settings: planned in full"
    if state.run.settings != settings:
        return "the settings differ from the last run's: planned in full"
    if changes.as_of < state.as_of:
        return "the clock went back since the last run: planned in full"
    return None


def _full(
    t0: Tables, t1: Tables, settings: OrgSettings, why: str
) -> tuple[Plan, tuple[Map[Scope, tuple[Issue, ...]], frozenset[Scope]]]:
    plan, scopes, acting = plan_scoped(t0.snapshot(), t1.snapshot(), settings)
    note = Decision(ref="run", outcome="full", rule=R.CONVERGENCE.id, note=why)
    plan = attrs.evolve(plan, decisions=(note, *plan.decisions))
    return plan, (_by_scope(Map(), plan.issues, scopes), acting)


def _partial(
    t0: Tables,
    t1: Tables,
    reach: _dirty.Reach,
    settings: OrgSettings,
    emptied: Emptied,
    standing: Map[Scope, tuple[Issue, ...]],
) -> tuple[Plan, tuple[Map[Scope, tuple[Issue, ...]], frozenset[Scope]]]:
    given = Given(
        emptied=emptied,
        directory=Directory.of(t1.directory_records(), t1.people),
        prior_directory=Directory.of(t0.directory_records(), t0.people),
    )
    before, after = _part(t0, reach), _part(t1, reach)
    plan, scopes, acting = plan_scoped(before, after, settings, given)
    kept = standing.mutate()
    for scope in _scopes(reach):
        kept.pop(scope, None)
    return plan, (_by_scope(kept.finish(), plan.issues, scopes), acting)


def _part(t: Tables, reach: _dirty.Reach) -> Snapshot:
    """What of ``t`` the reached meetings and events can see (records come from ``Given``)."""
    return Snapshot(
        as_of=t.as_of,
        items=[i for key in reach.keys for i in t.all_items(key)],
        events=[e for event_id in reach.events for e in t.all_events(event_id)],
    )


def _scopes(reach: _dirty.Reach) -> Iterator[Scope]:
    """Every scope a run planning ``reach`` plans (whose issues it replaces)."""
    yield (2,)
    for key in reach.keys:
        yield (0, key.mailbox, key.id)
    for event_id in reach.events:
        yield (1, event_id)
        yield (5, event_id)
    for uid in reach.uids:
        yield (3, uid)
        yield (4, uid)


def _by_scope(
    kept: Map[Scope, tuple[Issue, ...]], issues: Iterable[Issue], scopes: Iterable[Scope]
) -> Map[Scope, tuple[Issue, ...]]:
    found: dict[Scope, list[Issue]] = {}
    for issue, scope in zip(issues, scopes, strict=True):
        found.setdefault(scope, []).append(issue)
    return kept.update({scope: tuple(found_issues) for scope, found_issues in found.items()})


def _again(seeds: _dirty.Seeds, acting: frozenset[Scope], t1: Tables) -> _dirty.Reach:
    """What the next run plans once more: what this run's inputs touched, and what acted.

    Kept unclosed: the next run closes it over its own tables with its own changes.
    """
    uids, events = set(seeds.uids), set(seeds.events)
    for scope in acting:
        if scope[0] in (3, 4):
            uids.add(scope[1])
        elif scope[0] in (1, 5):
            events.add(scope[1])
        elif scope[0] == 0:
            uids.update(i.ical_uid for i in t1.all_items(ItemKey(scope[1], scope[2])))
    return _dirty.Reach(uids=frozenset(uids), events=frozenset(events))


# -- advance -------------------------------------------------------------------------


def advanced(
    state: SyncState,
    changes: Changes,
    plan: Plan,
    *,
    done: Sequence[Action] | None = None,
    ids: Mapping[str, str] | None = None,
    keep: Touched | None = None,
) -> SyncState:
    """``state.advance(changes, plan, done=..., ids=..., keep=...)``."""
    actions = plan.actions if done is None else _subsequence(tuple(done), plan.actions)
    found = _PENDING.get(id(plan))
    pending = None if found is None or found[0]() is not plan else found[1]
    t0 = state.tables
    items, events = changed_keys(t0, changes), changed_events(t0, changes)
    records = changed_records(changes)
    by_changes = Touched(frozenset(items), frozenset(events), frozenset(records))
    if pending is None or pending.state is not state or pending.changes != changes:
        # Not the plan of this state's run with these changes: keep the tables
        # right, and let the next run plan in full rather than trust the rest.
        t1 = t0.update(changes.as_of, items=items, events=events, records=records)
        t2, by_plan = _kept(state.tables, *_applied(t1, actions, ids), keep)
        return _next(state, t2, None, by_changes | by_plan)
    t2, by_plan = _kept(state.tables, *_applied(pending.after, actions, ids), keep)
    asked: list[Thing]
    if pending.full or state.run is None:
        base, asked = _window.Quiet(), [*t2.items, *t2.item_twins, *t2.events, *t2.event_twins]
    else:
        base = state.run.quiet
        every: set[Thing] = {*by_plan.items, *by_plan.events, *pending.due}
        every.update(by_changes.items, by_changes.events)
        asked = sorted(every, key=str)
    updates = {
        thing: _quiet(t2, thing, pending.settings) for thing in series_or_gone(t2, base.at, asked)
    }
    # What the plan wrote -- an event it deleted names the items stamped with
    # it; ids held twice collapsed to one -- is planned once more next time.
    wrote = _dirty.Seeds()
    wrote.item_keys((pending.after, t2), by_plan.items)
    wrote.events.update(by_plan.events)
    wrote.records(pending.after, t2, by_plan.records)
    again = _dirty.Reach(
        uids=pending.again.uids | wrote.uids, events=pending.again.events | wrote.events
    )
    run = Run(
        settings=pending.settings,
        emptied=pending.emptied,
        quiet=base.update(updates),
        issues=pending.issues,
        again=again,
    )
    return _next(state, t2, run, by_changes | by_plan)


def _next(state: SyncState, t: Tables, run: Run | None, touched: Touched) -> SyncState:
    """The advanced state, with its token and the step that made it."""
    digest = hashlib.sha256(f"{state.token}\n{t.as_of.isoformat()}\n".encode())
    for key in sorted(touched.items):
        digest.update(repr((key, t.all_items(key))).encode())
    for event_id in sorted(touched.events):
        digest.update(repr((event_id, t.all_events(event_id))).encode())
    for record_id in sorted(touched.records):
        digest.update(repr((record_id, t.all_records(record_id))).encode())
    steps = (*state.steps, Step(parent=state.token, touched=touched))[-STEPS:]
    return SyncState(t, run, digest.hexdigest(), steps)


def _quiet(t: Tables, thing: Thing, settings: OrgSettings) -> int | None:
    hours = [
        h
        for value in _window.thing_of(t, thing)
        if (h := _window.quiet_hour(value, settings, t.as_of)) is not None
    ]
    return min(hours, default=None)


def series_or_gone(t: Tables, quiet: Map[Thing, int], asked: Iterable[Thing]) -> list[Thing]:
    """Of ``asked``, the series of ``t``, and those ``quiet`` holds that are no series now."""
    found = list(asked)
    series = set(series_of(t, found))
    return [thing for thing in found if thing in series or thing in quiet]


class _Overlay(MutableMapping[K, V], Generic[K, V]):
    """A persistent map seen through the writes made to it: what ``Applying`` runs on."""

    _GONE: Any = object()

    def __init__(self, base: Map[K, V]) -> None:
        self.base = base
        self.written: dict[K, Any] = {}

    def __getitem__(self, key: K) -> V:
        value = self.written.get(key, self)
        if value is self:
            return cast(V, self.base[key])
        if value is self._GONE:
            raise KeyError(key)
        return cast(V, value)

    def __setitem__(self, key: K, value: V) -> None:
        self.written[key] = value

    def __delitem__(self, key: K) -> None:
        self[key]  # KeyError if absent
        self.written[key] = self._GONE

    def __contains__(self, key: object) -> bool:
        value = self.written.get(cast(K, key), self)
        return key in self.base if value is self else value is not self._GONE

    def __iter__(self) -> Iterator[K]:
        yield from (k for k in self.base if k not in self.written)
        yield from (k for k, v in self.written.items() if v is not self._GONE)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def values_of(self, key: K) -> tuple[V, ...]:
        return (self[key],) if key in self else ()


def _kept(t0: Tables, t2: Tables, written: Touched, keep: Touched | None) -> tuple[Tables, Touched]:
    """``t2`` with what ``keep`` names as ``t0`` holds it, and all that was written."""
    if keep is None or not (keep.items or keep.events or keep.records):
        return t2, written
    back = t2.update(
        t2.as_of,
        items={key: t0.all_items(key) for key in keep.items},
        events={event_id: t0.all_events(event_id) for event_id in keep.events},
        records={record_id: t0.all_records(record_id) for record_id in keep.records},
    )
    return back, written | keep


def _subsequence(done: tuple[Action, ...], actions: tuple[Action, ...]) -> tuple[Action, ...]:
    """``done``, checked to be some of ``actions`` in their order (ValueError if not)."""
    rest = iter(actions)
    if not all(any(a == b for b in rest) for a in done):
        raise ValueError("done must be actions of the plan, in the plan's order")
    return done


def _applied(
    t: Tables, actions: Sequence[Action], ids: Mapping[str, str] | None
) -> tuple[Tables, Touched]:
    """``t`` after ``actions``, as :func:`~calsync_core.apply` carries them out, and what
    they wrote; with ``ids``, what they create gets those ids.

    ``apply`` holds one value per key, so an id held twice keeps its last value.
    """
    # Applying names items by plain (mailbox, id) pairs, equal to ItemKeys and hashed alike.
    items = _Overlay(cast(Map[tuple[str, str], CalendarItem], t.items))
    events, records = _Overlay(t.events), _Overlay(t.records)
    doing = Applying(items, events, records, ids)
    for action in actions:
        doing.run(action)
    item_keys = {ItemKey(*k) for k in items.written} | set(t.item_twins)
    event_ids = {*events.written, *t.event_twins}
    record_ids = {*records.written, *t.record_twins}
    after = t.update(
        t.as_of,
        items={k: items.values_of(k) for k in item_keys},
        events={k: events.values_of(k) for k in event_ids},
        records={k: records.values_of(k) for k in record_ids},
    )
    return after, Touched(frozenset(item_keys), frozenset(event_ids), frozenset(record_ids))
