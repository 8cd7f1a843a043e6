"""Time ``reconcile`` against a floor loop and vdirsyncer, and write ``benchmarks/RESULTS.md``.

Run it from a virtual environment that has the project and its ``bench``
extra (vdirsyncer)::

    python3 -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install -e ".[bench]" pyinstrument   # pyinstrument: optional
    /tmp/benchvenv/bin/python benchmarks/bench_reconcile.py --quick

``--quick`` runs 1k, 10k and 100k items (a few minutes); the default adds 1M
(about 15 minutes here, most of it the 1M run). Per size it measures, in one
run: ``reconcile`` for a first run and for a steady state (best of N), the
floor (a bare loop indexing both snapshots and comparing versions), the
garbage collector's share, the tracemalloc peak per item, and vdirsyncer's
steady-state sync on the same items and change rate; then the scaling
exponents, and a cProfile (plus pyinstrument) of the steady state at 100k.
Each measurement runs in a fresh process pinned to one CPU (``_measure.py``
says why). Others edit ``src/`` while benchmarks run, so the run first copies
``src/calsync_core`` to a temporary directory and every child imports that
copy: all numbers of one run, the profile included, are of one version of
the code, named in RESULTS.md by commit and content hash. Numbers inform;
they never gate CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUICK = [1_000, 10_000, 100_000]
FULL = [*QUICK, 1_000_000]


def repeats(size: int) -> int:
    """Best of N: fewer at 1M, where one steady-state run takes over a minute."""
    return 5 if size <= 100_000 else 2


def rounds(size: int) -> int:
    return 3 if size <= 100_000 else 2


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# -- the child processes ----------------------------------------------------------------


def child(kind: str, size: int, cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    sys.path.insert(0, str(HERE))
    import calsync_core

    code = os.environ.get("CALSYNC_BENCH_CODE")
    if code and not calsync_core.__file__.startswith(code):
        raise SystemExit(f"imported {calsync_core.__file__}, not the copy in {code}")
    import _measure
    import _profile
    import _vdirsyncer_side

    result: Any
    if kind == "calsync":
        result = _measure.calsync(size, repeats(size), progress)
    elif kind == "vdirsyncer":
        result = _measure.vdirsyncer(size, rounds(size), progress)
    elif kind == "profile":
        result = _profile.steady_state(size)
    elif kind == "vdirsyncer-profile":
        result = _vdirsyncer_side.profile(size)
    else:
        raise SystemExit(f"unknown child kind {kind!r}")
    print(json.dumps(result))


def run_child(kind: str, size: int, cpu: int | None, code: Path) -> Any:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(size)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    # The copy of the code goes first on the path, ahead of the editable install.
    path = os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "CALSYNC_BENCH_CODE": str(code)}
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{kind} at {size} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the machine --------------------------------------------------------------------------


def _cpuinfo(field: str) -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(field):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def snapshot_code(into: Path) -> str:
    """Copy ``src/calsync_core`` into ``into``; say which version of the code it is."""
    source = ROOT / "src" / "calsync_core"
    shutil.copytree(source, into / "calsync_core", ignore=shutil.ignore_patterns("__pycache__"))
    digest = hashlib.sha256()
    for path in sorted((into / "calsync_core").rglob("*.py")):
        digest.update(str(path.relative_to(into)).encode() + b"\0" + path.read_bytes())

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = [line for line in git("status", "--porcelain", "src").splitlines() if line]
    where = f"{head} (`git log -1`: {git('log', '-1', '--format=%s')})"
    if dirty:
        where += f" plus {len(dirty)} uncommitted change(s) under src/"
    return f"{where}; content hash of the copy measured: {digest.hexdigest()[:12]}"


def machine(cpu: int | None, code: str) -> dict[str, Any]:
    packages = ", ".join(
        f"{name} {_version(name)}" for name in ("attrs", "vdirsyncer", "pyinstrument")
    )
    return {
        "cpu": _cpuinfo("model name"),
        "cores": os.cpu_count(),
        "pinned": "none" if cpu is None else cpu,
        "memory": _memory(),
        "python": f"{platform.python_version()} ({platform.python_implementation()}, "
        f"{platform.python_compiler()}) on {platform.system()} {platform.release()}",
        "packages": packages,
        "commit": code,
        "load_start": _load(),
    }


# -- the run ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=FULL, metavar="N")
    parser.add_argument("--quick", action="store_true", help="1k, 10k and 100k only")
    parser.add_argument(
        "--vdirsyncer-max",
        type=int,
        default=1_000_000,
        metavar="N",
        help="largest size vdirsyncer is run at (default: all sizes)",
    )
    parser.add_argument("--no-vdirsyncer", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--cpu", type=int, help="the CPU to pin to (default: the last one)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    cpu = args.cpu
    if cpu is None and hasattr(os, "sched_getaffinity"):
        cpu = max(os.sched_getaffinity(0))
    if args.child:
        child(args.child[0], int(args.child[1]), cpu)
        return

    code = Path(tempfile.mkdtemp(prefix="calsync-bench-"))
    try:
        measure(args, cpu, code)
    finally:
        shutil.rmtree(code, ignore_errors=True)


def measure(args: argparse.Namespace, cpu: int | None, code: Path) -> None:
    started = time.perf_counter()
    sizes = QUICK if args.quick else sorted(set(args.sizes))
    run: dict[str, Any] = {
        "argv": " ".join(sys.argv[1:]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(cpu, snapshot_code(code)),
        "calsync": [],
        "vdirsyncer": [],
        "vdirsyncer_note": "",
        "profile": None,
        "vdirsyncer_profile": None,
    }
    for size in sizes:
        progress(f"reconcile at {size:,} items")
        run["calsync"].append(run_child("calsync", size, cpu, code))

    have_vdirsyncer = _version("vdirsyncer") != "not installed"
    if args.no_vdirsyncer or not have_vdirsyncer:
        why = "--no-vdirsyncer" if have_vdirsyncer else "vdirsyncer is not installed (`.[bench]`)"
        run["vdirsyncer_note"] = f"vdirsyncer was not run: {why}."
    else:
        capped = [s for s in sizes if s > args.vdirsyncer_max]
        if capped:
            run["vdirsyncer_note"] = (
                f"vdirsyncer was run up to {args.vdirsyncer_max:,} items only "
                f"(`--vdirsyncer-max`); not at {', '.join(f'{s:,}' for s in capped)}."
            )
        for size in sizes:
            if size <= args.vdirsyncer_max:
                progress(f"vdirsyncer at {size:,} items")
                run["vdirsyncer"].append(run_child("vdirsyncer", size, cpu, code))

    if not args.no_profile:
        target = 100_000 if 100_000 in sizes else max(sizes)
        progress(f"profiling the steady state at {target:,} items")
        run["profile"] = run_child("profile", target, cpu, code)
        if run["vdirsyncer"]:
            vsize = 10_000 if 10_000 in sizes else min(sizes)
            run["vdirsyncer_profile"] = run_child("vdirsyncer-profile", vsize, cpu, code)
            run["vdirsyncer_profile_size"] = vsize

    run["machine"]["load_end"] = _load()
    run["elapsed_s"] = time.perf_counter() - started
    sys.path.insert(0, str(HERE))
    import _report

    _report.write(args.output, run)
    (args.output.with_suffix(".json")).write_text(json.dumps(run, indent=1) + "\n")
    progress(f"wrote {args.output} in {run['elapsed_s'] / 60:.1f} minutes")


if __name__ == "__main__":
    main()
