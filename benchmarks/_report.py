"""RESULTS.md: the tables of one run, the targets, and where the time goes.

Everything here is regenerated on each run except the text between the
``notes`` markers, which is written by a person reading the profile and is
carried over from the previous RESULTS.md -- re-read it after a re-run.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

NOTES_BEGIN = "<!-- notes:begin (hand-written; kept across runs) -->"
NOTES_END = "<!-- notes:end -->"
NO_NOTES = "_No notes yet: read the profile above and write the suggestions here._"

#: The targets from the brief: (name, threshold). Checked in ``targets``.
STEADY_LIMIT_S = 0.5
FLOOR_RATIO = 4.0
VDIR_SPEEDUP = 30.0
BYTES_PER_ITEM = 2048
EXPONENT = 1.1


def exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) against log(items): 1.0 is linear."""
    points = [(n, t) for n, t in points if t > 0]
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 0.1:
        return f"{seconds:.4f}"
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def _x(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.1f}×" if ratio < 100 else f"{ratio:.0f}×"


def _e(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _yes(ok: bool | None) -> str:
    return "not run" if ok is None else "**met**" if ok else "**not met**"


def _at(rows: list[dict[str, Any]], size: int) -> dict[str, Any] | None:
    return next((r for r in rows if r["size"] == size), None)


def targets(cal: list[dict[str, Any]], vdir: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each of the brief's targets."""
    out = []
    r100 = _at(cal, 100_000)
    ok = None if r100 is None else r100["steady_s"] < STEADY_LIMIT_S
    measured = "100k not run" if r100 is None else f"{r100['steady_s']:.3f} s"
    out.append((f"Steady state at 100k under {STEADY_LIMIT_S} s on one core", measured, _yes(ok)))

    ratio = None if r100 is None else r100["steady_s"] / r100["floor_s"]
    ok = None if ratio is None else ratio <= FLOOR_RATIO
    out.append((f"Within {FLOOR_RATIO:g}× the floor (at 100k)", _x(ratio), _yes(ok)))

    r10, v10 = _at(cal, 10_000), _at(vdir, 10_000)
    speedup = None if r10 is None or v10 is None else v10["steady"] / r10["steady_s"]
    ok = None if speedup is None else speedup >= VDIR_SPEEDUP
    shown = "—" if speedup is None else f"{speedup:.2f}× faster"
    out.append((f"At least {VDIR_SPEEDUP:g}× faster than vdirsyncer at 10k", shown, _yes(ok)))

    largest = max(cal, key=lambda r: r["size"]) if cal else None
    if largest is None:
        out.append((f"Under {BYTES_PER_ITEM // 1024} KiB per item", "—", _yes(None)))
    else:
        n = largest["size"]
        first, steady = largest["first_bytes"] / n, largest["steady_bytes"] / n
        shown = f"steady {steady:,.0f} B, first run {first:,.0f} B (at {n:,})"
        ok = max(first, steady) < BYTES_PER_ITEM
        out.append((f"Under {BYTES_PER_ITEM // 1024} KiB per item (peak)", shown, _yes(ok)))

    slope = exponent([(r["size"], r["steady_s"]) for r in cal])
    ok = None if slope is None else slope <= EXPONENT
    out.append((f"Scaling exponent ≤ {EXPONENT} (steady state)", _e(slope), _yes(ok)))
    return out


def _profile_rows(rows: list[dict[str, Any]], total: float, key: str, limit: int) -> list[str]:
    lines = [
        "| function | calls | self s | cumulative s | share |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows[:limit]:
        lines.append(
            f"| `{r['where']}` | {r['calls']:,} | {r['tottime']:.3f} | {r['cumtime']:.3f} "
            f"| {100 * r[key] / total:.0f}% |"
        )
    return lines


def previous_notes(path: Path) -> str:
    if not path.exists():
        return NO_NOTES
    text = path.read_text(encoding="utf-8")
    if NOTES_BEGIN not in text or NOTES_END not in text:
        return NO_NOTES
    return text.split(NOTES_BEGIN, 1)[1].split(NOTES_END, 1)[0].strip() or NO_NOTES


def write(path: Path, run: dict[str, Any]) -> None:
    cal: list[dict[str, Any]] = run["calsync"]
    vdir: list[dict[str, Any]] = run["vdirsyncer"]
    machine: dict[str, Any] = run["machine"]
    notes = previous_notes(path)
    lines = [
        "# reconcile benchmarks",
        "",
        f"Written by `{' '.join(['python benchmarks/bench_reconcile.py', run['argv']]).strip()}`"
        f" on {run['date']}, "
        f"in {run['elapsed_s'] / 60:.1f} minutes. Numbers inform; they never gate CI "
        "(STYLE.md, *Measure, don't guess*). Every ratio below comes from this one run.",
        "",
        "## Machine",
        "",
        f"- CPU: {machine['cpu']}; {machine['cores']} cores visible, every measurement "
        f"pinned to CPU {machine['pinned']} (one core).",
        f"- Memory: {machine['memory']}. Load average at start / end: "
        f"{machine['load_start']} / {machine['load_end']} (other work shared the machine).",
        f"- Python {machine['python']}; {machine['packages']}.",
        f"- calsync_core at {machine['commit']}. Every child process imported this one copy.",
        "",
        "## Workload",
        "",
        "Synthetic organisations (`benchmarks/_synthetic.py`): about 250 calendar items per "
        "internal user; every meeting organized by an external customer who has a Contact "
        "(one in four also invites an address with no record); 1–5 internal attendees per "
        "meeting (3 on average), each with a copy that owns an event of its own; everything "
        "inside the sync window. *First run*: `reconcile(None, snapshot)`, nothing linked yet. "
        "*Steady state*: `before` is the first run's plan carried out by `apply` (every copy "
        "linked), `after` is 15 minutes later with 0.8% of the items edited in the calendar "
        "(subject or time, new change key) and the events of 0.2% edited in Salesforce "
        "(subject or location, new version). The steady-state plan is checked to hold exactly "
        "one update per edit.",
        "",
        "*Floor*: a bare loop that indexes both snapshots (items by (mailbox, id), events by "
        "id) and compares versions — the least any version-based planner must do. "
        "*vdirsyncer*: 0.21's `sync` between two `MemoryStorage`s with `SqliteStatus(':memory:')`,"
        " one item per mailbox copy (each with its own UID), the initial sync copying every "
        "item, then the same 1% edits per round; its sync also carries its actions out in "
        "memory, which `reconcile` leaves to the integrator.",
        "",
        "Times are CPU seconds (`time.process_time`) of a process pinned to one core, best of N "
        "(N in the table), with the garbage collector on and a collection forced before each "
        "repetition; each size runs in a fresh process. CPU time rather than wall time because "
        "other work shared this machine: wall time would also count the moments another "
        "process held the core. The best steady-state wall time is shown for comparison. Memory "
        "is the tracemalloc peak of one `reconcile` call (indexes, working state and the "
        "returned plan; not the input snapshots) per item, measured in a separate pass.",
        "",
        "## Results",
        "",
        "| items | users | N | first run s | steady s | steady wall s | µs/item | floor s "
        "| × floor "
        "| steady, GC off s | vdirsyncer initial s | vdirsyncer steady s | vdirsyncer ÷ reconcile "
        "| B/item first | B/item steady |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in cal:
        v = _at(vdir, r["size"])
        lines.append(
            f"| {r['size']:,} | {r['users']:,} | {r['repeat']} | {_s(r['first_s'])} "
            f"| {_s(r['steady_s'])} | {_s(min(r['steady_all']['wall']))} "
            f"| {1e6 * r['steady_s'] / r['size']:.1f} | {_s(r['floor_s'])} "
            f"| {_x(r['steady_s'] / r['floor_s'])} | {_s(r['steady_nogc_s'])} "
            f"| {_s(v['initial']) if v else 'not run'} | {_s(v['steady']) if v else 'not run'} "
            f"| {_x(v['steady'] / r['steady_s']) if v else '—'} "
            f"| {r['first_bytes'] / r['size']:,.0f} | {r['steady_bytes'] / r['size']:,.0f} |"
        )
    if run["vdirsyncer_note"]:
        lines += ["", run["vdirsyncer_note"]]
    lines += [
        "",
        '"vdirsyncer ÷ reconcile" above 1 means reconcile is faster. Steady-state plans held '
        + ", ".join(f"{r['steady_actions']:,} actions at {r['size']:,}" for r in cal)
        + "; first-run plans "
        + ", ".join(f"{r['first_actions']:,}" for r in cal)
        + ".",
        "",
        "Scaling exponents (least-squares slope of log time against log items, over "
        + ", ".join(f"{r['size']:,}" for r in cal)
        + "; 1.0 is linear):",
        "",
        "| what | exponent |",
        "|---|---:|",
        f"| reconcile, first run | {_e(exponent([(r['size'], r['first_s']) for r in cal]))} |",
        f"| reconcile, steady state | {_e(exponent([(r['size'], r['steady_s']) for r in cal]))} |",
        "| reconcile, steady state, GC off | "
        f"{_e(exponent([(r['size'], r['steady_nogc_s']) for r in cal]))} |",
        f"| floor | {_e(exponent([(r['size'], r['floor_s']) for r in cal]))} |",
        f"| vdirsyncer, steady state | {_e(exponent([(r['size'], r['steady']) for r in vdir]))} |",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *(f"| {name} | {measured} | {verdict} |" for name, measured, verdict in targets(cal, vdir)),
        "",
        "## Where the time goes",
        "",
    ]
    lines += _where_section(run)
    lines += ["", "### Suggestions for the planner", "", NOTES_BEGIN, "", notes, "", NOTES_END, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _where_section(run: dict[str, Any]) -> list[str]:
    prof = run["profile"]
    if prof is None:
        return ["Not profiled in this run (`--no-profile`)."]
    total = prof["profiled_s"]
    lines = [
        f"cProfile of one steady-state `reconcile` at {prof['size']:,} items: {total:.2f} s "
        f"under the profiler ({prof['wall_s']:.2f} s wall). Shares are of the profiled time; "
        "cProfile's per-call overhead inflates small, hot functions, and the garbage "
        "collector's pauses land on whichever call allocated (the GC-off column above says "
        "how much of the time they are).",
        "",
        "Top by cumulative time:",
        "",
        *_profile_rows(prof["cumulative"], total, "cumtime", 22),
        "",
        "Top by own (self) time:",
        "",
        *_profile_rows(prof["self"], total, "tottime", 18),
    ]
    if prof.get("pyinstrument"):
        lines += [
            "",
            "<details><summary>pyinstrument (sampling, frames over 2% of the run)</summary>",
            "",
            "```",
            prof["pyinstrument"].strip(),
            "```",
            "",
            "</details>",
        ]
    vprof = run.get("vdirsyncer_profile")
    if vprof:
        whole = vprof.get("sync", 0.0)
        look, decide, act = (vprof.get(k, 0.0) for k in ("look", "decide", "act"))
        lines += [
            "",
            f"For comparison, one steady-state vdirsyncer sync at "
            f"{run['vdirsyncer_profile_size']:,} items under cProfile: {whole:.2f} s, of which "
            f"{look:.2f} s looking at both sides (listing, one status query per item, hashing "
            f"what changed), {decide:.2f} s deciding (several status queries per item), "
            f"{act:.2f} s carrying the actions out, and {whole - look - decide - act:.2f} s "
            "rewriting and committing its status table.",
        ]
    return lines
