"""Time incremental runs against full ones, and write ``RESULTS-incremental.md``.

Run it from a virtual environment with the project and its ``bench`` extra::

    python3 -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install -e ".[bench]"
    /tmp/benchvenv/bin/python benchmarks/bench_incremental.py            # 10k, 100k
    /tmp/benchvenv/bin/python benchmarks/bench_incremental.py --million  # and 1M

The organisation is ``_synthetic``'s (the one ``bench_reconcile.py`` uses),
synced by a first run. A kept state is made from it, run to rest, and then
each measured run gets ``Changes`` with a share of the items edited in the
calendar (renamed or moved by an hour) and a quarter as many events edited in
Salesforce, a quarter of an hour later. Per size, in one process: the full
``reconcile`` of the same before and after (best of N), ``reconcile_changes``
(best of N; the state is immutable, so each repetition plans from the same
one), ``advance``, and ``dumps``/``loads`` of the whole snapshot (what keeping
``before`` cost without a state); then the cost per change with the same
1,000 changes at each size, and vdirsyncer's steady-state sync at 10k on the
same change rate (when vdirsyncer is installed). Times are CPU seconds; the
plans are checked equal before anything is reported. Numbers inform; they
never gate CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _synthetic as syn  # noqa: E402
from _measure import best  # noqa: E402

import calsync_core as cs  # noqa: E402

REPEAT = 5


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def edits(before: cs.Snapshot, count: int, round_: int = 0) -> cs.Changes:
    """``count`` calendar edits and ``count // 4`` Salesforce edits, 15 minutes later."""
    by_id = {e.id: e for e in before.events}
    step = max(1, len(before.items) // max(1, count))
    chosen = before.items[::step][:count]
    items = [syn.calendar_edit(i, syn.meeting_number(i.ical_uid), round_) for i in chosen]
    edited = {(i.mailbox, i.id) for i in chosen}
    events = [
        syn.salesforce_edit(by_id[i.sf_event_id], round_)
        for i in before.items[step // 2 :: step][: count // 4]
        if (i.mailbox, i.id) not in edited and i.sf_event_id in by_id
    ]
    return cs.Changes(as_of=syn.NEXT, items=items, events=events)


def rested(before: cs.Snapshot, settings: cs.OrgSettings) -> tuple[cs.SyncState, float, float]:
    """A state of ``before`` run to rest; the seconds ``of`` and a full advance took."""
    started = time.process_time()
    state = cs.SyncState.of(before)
    of_s = time.process_time() - started
    advance_s = 0.0
    for _ in range(2):
        quiet = cs.Changes(as_of=before.as_of)
        plan = cs.reconcile_changes(state, quiet, settings)
        started = time.process_time()
        state = state.advance(quiet, plan)
        advance_s = advance_s or time.process_time() - started
    return state, of_s, advance_s


def measure_rate(
    state: cs.SyncState, before: cs.Snapshot, settings: cs.OrgSettings, changes: cs.Changes
) -> dict[str, Any]:
    after = changes.apply_to(before)
    full_s, _, full = best(lambda: cs.reconcile(before, after, settings), REPEAT)
    inc_s, _, plan = best(lambda: cs.reconcile_changes(state, changes, settings), REPEAT)
    assert plan.actions == full.actions, "the incremental plan differs from the full one"
    advance_s, _, _ = best(lambda: state.advance(changes, plan), REPEAT)
    return {
        "changes": len(changes.items) + len(changes.events),
        "actions": len(plan.actions),
        "full_s": full_s,
        "inc_s": inc_s,
        "advance_s": advance_s,
    }


def size_run(size: int) -> dict[str, Any]:
    org = syn.organisation(size)
    before, _ = syn.synced(org)
    settings = org.settings
    del org
    progress(f"{size}: synced")
    state, of_s, full_advance_s = rested(before, settings)
    progress(f"{size}: state made in {of_s:.2f}s")
    out: dict[str, Any] = {"size": size, "of_s": of_s, "full_advance_s": full_advance_s}
    for label, share in (("1%", 100), ("0.1%", 1000)):
        out[label] = measure_rate(state, before, settings, edits(before, size // share))
        progress(f"{size}: {label} {out[label]}")
    out["per_change"] = measure_rate(state, before, settings, edits(before, 1000))
    dumps_s, _, text = best(lambda: cs.dumps(before), 2)
    loads_s, _, _ = best(lambda: cs.loads(text, cs.Snapshot), 2)
    out.update(dumps_s=dumps_s, loads_s=loads_s)
    return out


def vdirsyncer_10k() -> float | None:
    try:
        import _vdirsyncer_side
    except ImportError:
        return None
    return float(_vdirsyncer_side.measure(10_000, 2)["steady"])


def report(rows: list[dict[str, Any]], vdir: float | None, minutes: float) -> str:
    lines = [
        "# incremental runs",
        "",
        f"Written by `python benchmarks/bench_incremental.py` on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC in {minutes:.1f} minutes, "
        f"Python {platform.python_version()}, calsync_core at {_commit()}. CPU seconds, best "
        f"of {REPEAT}. Numbers inform; they never gate CI.",
        "",
        "| items | changed | changes | full reconcile s | reconcile_changes s | × faster "
        "| advance s | full ÷ (changes + advance) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        for label in ("1%", "0.1%"):
            r = row[label]
            lines.append(
                f"| {row['size']:,} | {label} | {r['changes']:,} | {r['full_s']:.3f} | "
                f"{r['inc_s']:.4f} | {r['full_s'] / r['inc_s']:.1f}× | {r['advance_s']:.4f} | "
                f"{r['full_s'] / (r['inc_s'] + r['advance_s']):.1f}× |"
            )
    lines += ["", "Cost per change, the same 1,000 changes at each size:", ""]
    lines += ["| items | changes | reconcile_changes s | µs per change |", "|---:|---:|---:|---:|"]
    for row in rows:
        r = row["per_change"]
        lines.append(
            f"| {row['size']:,} | {r['changes']:,} | {r['inc_s']:.4f} | "
            f"{1e6 * r['inc_s'] / r['changes']:.0f} |"
        )
    lines += ["", "Keeping `before` between runs:", ""]
    lines += [
        "| items | SyncState.of s | advance after a full run s | dumps s | loads s |",
        "|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['size']:,} | {row['of_s']:.2f} | {row['full_advance_s']:.3f} | "
            f"{row['dumps_s']:.2f} | {row['loads_s']:.2f} |"
        )
    if vdir is not None:
        at_10k = next((r for r in rows if r["size"] == 10_000), None)
        if at_10k is not None:
            inc = at_10k["1%"]["inc_s"]
            lines += [
                "",
                f"vdirsyncer 0.21 steady-state sync at 10k, same change rate: {vdir:.3f} s; "
                f"reconcile_changes: {inc:.4f} s ({vdir / inc:.0f}× faster).",
            ]
    return "\n".join(lines) + "\n"


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 items")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    started = time.perf_counter()
    sizes = [10_000, 100_000, *([1_000_000] if args.million else [])]
    rows = []
    for size in sizes:
        rows.append(size_run(size))
        gc.collect()
    vdir = vdirsyncer_10k()
    text = report(rows, vdir, (time.perf_counter() - started) / 60)
    (HERE / "RESULTS-incremental.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
