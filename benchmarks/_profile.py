"""Where a steady-state ``reconcile`` spends its time: cProfile, and pyinstrument if installed.

cProfile counts every call, so it inflates the share of small, frequently
called functions; pyinstrument samples, so it does not, but it only sees
whole frames. The two together say where the time goes; neither says how
long the run takes (the timings in RESULTS.md do).
"""

from __future__ import annotations

import cProfile
import gc
import pstats
import time
from typing import Any

import _synthetic as syn

import calsync_core as cs


def _where(filename: str, line: int, name: str) -> str:
    if "calsync_core/" in filename:
        return f"{filename.rsplit('calsync_core/', 1)[1]}:{line} {name}"
    if filename.startswith("<attrs generated"):
        # e.g. "<attrs generated methods calsync_core._plan.Decision>"
        return f"attrs {filename.split()[-1].rstrip('>')}.{name}"
    if filename == "~":
        return name  # a builtin, e.g. "<built-in method builtins.sorted>"
    return f"{filename.rsplit('/', 1)[-1]}:{line} {name}"


def steady_state(size: int, top: int = 25) -> dict[str, Any]:
    org = syn.organisation(size)
    before, _ = syn.synced(org)
    settings = org.settings
    del org
    after = syn.changed(before).after
    gc.collect()

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    plan = cs.reconcile(before, after, settings)
    profiler.disable()
    wall = time.perf_counter() - started
    del plan
    stats: Any = pstats.Stats(profiler)
    total = stats.total_tt
    rows = [
        {
            "where": _where(*key),
            "calls": row[1],
            "tottime": row[2],
            "cumtime": row[3],
        }
        for key, row in stats.stats.items()
    ]
    result: dict[str, Any] = {
        "size": size,
        "profiled_s": total,
        "wall_s": wall,
        "cumulative": sorted(rows, key=lambda r: -r["cumtime"])[:top],
        "self": sorted(rows, key=lambda r: -r["tottime"])[:top],
    }

    try:
        from pyinstrument import Profiler
    except ImportError:
        result["pyinstrument"] = None
        return result
    gc.collect()
    sampler = Profiler(interval=0.0005)
    sampler.start()
    plan = cs.reconcile(before, after, settings)
    sampler.stop()
    del plan
    result["pyinstrument"] = sampler.output_text(
        unicode=True, color=False, processor_options={"filter_threshold": 0.02}
    )
    return result
