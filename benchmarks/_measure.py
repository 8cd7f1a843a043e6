"""The measurements of one organisation size, run in a fresh child process.

Each size runs in a process of its own, pinned to one CPU, so that no size
inherits another's heap: with millions of live objects, a garbage collection
costs in proportion to everything alive, and a leftover heap would make the
later sizes look slower than they are. For the same reason vdirsyncer runs
in a process of its own, with none of calsync's snapshots alive.

Timings are the best of N CPU times (see ``best``) with the garbage collector
on, as an integrator's process would run; a collection is forced before each
repetition so every one starts from the same heap. Memory is a separate pass under tracemalloc
(which slows allocation several-fold): the peak of memory allocated during
one ``reconcile`` call -- its indexes, its working state and the plan it
returns -- divided by the number of items. The snapshots themselves exist
before tracing starts and are not counted.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import _synthetic as syn

import calsync_core as cs


def floor(before: cs.Snapshot, after: cs.Snapshot) -> int:
    """Index both snapshots and compare versions: the least a version-based planner must do.

    Items by (mailbox, id) and events by id, on both sides; then every item and
    event of ``after`` is looked up in ``before``, and what vanished is counted.
    """
    old_items = {(i.mailbox, i.id): i.version for i in before.items}
    old_events = {e.id: e.version for e in before.events}
    new_items = {(i.mailbox, i.id): i for i in after.items}
    new_events = {e.id: e for e in after.events}
    changes = 0
    for key, item in new_items.items():
        if old_items.get(key) != item.version:
            changes += 1
    for event_id, event in new_events.items():
        if old_events.get(event_id) != event.version:
            changes += 1
    changes += len(old_items.keys() - new_items.keys())
    changes += len(old_events.keys() - new_events.keys())
    return changes


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, dict[str, Any], Any]:
    """Best of ``repeat`` CPU times, every CPU and wall time, and the last result.

    CPU time (``process_time``) is what is compared: the process is pinned to
    one core, and on a shared machine wall time also counts the moments
    another process held that core. Wall times are kept alongside.
    """
    cpu, wall = [], []
    result = None
    for _ in range(repeat):
        del result  # a caller keeps the plan: freeing it is not part of planning
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return min(cpu), {"cpu": cpu, "wall": wall}, result


def best_without_gc(fn: Callable[[], object], repeat: int) -> float:
    """The same, with the collector off: how much of the time is garbage collection."""
    gc.collect()
    gc.disable()
    try:
        return best(fn, repeat)[0]
    finally:
        gc.enable()


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak memory allocated while ``fn`` runs, its result included."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _current, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return peak


def calsync(size: int, repeat: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """First-run and steady-state ``reconcile`` times, the floor, GC share and memory."""
    out: dict[str, Any] = {"size": size, "repeat": repeat}
    started = time.perf_counter()
    org = syn.organisation(size)
    settings, first = org.settings, org.first
    out.update(users=org.users, meetings=org.meetings, records=len(first.records))
    out["build_s"] = time.perf_counter() - started
    progress(f"{size}: organisation built in {out['build_s']:.1f}s")

    before = _first_run(out, first, settings, repeat)
    progress(f"{size}: first run {out['first_s']:.3f}s")
    del org, first

    change = syn.changed(before)
    after = change.after
    out.update(
        events=len(before.events),
        items_changed=change.items_changed,
        events_changed=change.events_changed,
    )
    out["steady_s"], out["steady_all"], plan = best(
        lambda: cs.reconcile(before, after, settings), repeat
    )
    progress(f"{size}: steady state {out['steady_s']:.3f}s")
    out["steady_actions"] = len(plan.actions)
    out["steady_issues"] = len(plan.issues)
    out["steady_decisions"] = len(plan.decisions)
    # One update per edited pair and nothing else, or the run measured the wrong thing.
    expected = change.items_changed + change.events_changed
    assert len(plan.actions) == expected, f"{len(plan.actions)} actions for {expected} edits"
    del plan
    out["floor_s"], *_ = best(lambda: floor(before, after), max(repeat, 5))
    out["steady_nogc_s"] = best_without_gc(
        lambda: cs.reconcile(before, after, settings), max(1, repeat // 2)
    )
    out["steady_bytes"] = peak_bytes(lambda: cs.reconcile(before, after, settings))
    progress(f"{size}: memory {out['steady_bytes'] / size:.0f} B/item")
    return out


def _first_run(
    out: dict[str, Any], first: cs.Snapshot, settings: cs.OrgSettings, repeat: int
) -> cs.Snapshot:
    """Time the first run, measure its memory, and return its plan carried out."""
    out["first_s"], out["first_all"], plan = best(
        lambda: cs.reconcile(None, first, settings), repeat
    )
    out["first_actions"] = len(plan.actions)
    out["first_bytes"] = peak_bytes(lambda: cs.reconcile(None, first, settings))
    return cs.apply(first, plan)


def vdirsyncer(size: int, rounds: int, progress: Callable[[str], None]) -> dict[str, Any]:
    import _vdirsyncer_side

    result = _vdirsyncer_side.measure(size, rounds)
    progress(f"{size}: vdirsyncer steady state {result['steady']:.3f}s")
    return result
