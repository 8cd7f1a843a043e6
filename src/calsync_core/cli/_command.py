"""The ``calsync`` command: run the planner on JSON files and show the plan to a person.

``calsync plan`` and ``calsync explain`` read snapshots and settings written by
:func:`calsync_core.dumps` (or use the bundled example organisation), call
:func:`calsync_core.reconcile`, and print the plan; ``calsync example DIR``
writes the example's documents so users can see the file formats.

This is the library's only I/O, and it stays at this edge: the planner itself
never sees a path. Every fault in the input -- a file that cannot be read,
JSON that does not parse, a document that does not load, settings that
contradict themselves -- is reported as *one* line on stderr with exit status
2, because a person at a terminal needs the first thing to fix, not a
traceback. A plan with issues is still a successful run (exit 0): issues are
results (R-ISSUES). Any other exception is a bug in the library -- planning
never raises for a bad item -- and is also one line, naming the exception and
asking for a report, with exit status 70 (EX_SOFTWARE in sysexits.h), so that
a script can tell "fix your input" from "not your fault".

Nothing written may raise either: a value built in Python, or a path taken
from the command line, can hold a lone surrogate, and a terminal's encoding
may lack a character. Such characters are written as their backslash escapes.

The text a person reads is rendered by ``_render``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .._errors import CalsyncError, LoadError, SettingsError
from .._plan import Plan
from .._serde import dumps, loads, problem_count
from .._values import OrgSettings, Snapshot
from ..planner import reconcile
from . import _sync
from ._example import example_after, example_before, example_settings
from ._render import EXAMPLE, Inputs, Text, explain_text

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO


#: Exit status for bad input and usage errors (argparse uses 2 as well).
EXIT_USAGE = 2
#: Exit status for an internal error, a bug in calsync_core (EX_SOFTWARE in sysexits.h).
EXIT_SOFTWARE = 70
_REPORT = "this is a bug in calsync_core: please report it, with the command and its input files"
#: An internal error's message is shown up to this many characters: one line stays readable.
_MESSAGE_LIMIT = 300
_FILES = ("before.json", "after.json", "settings.json")

T = TypeVar("T")


class _Failure(Exception):
    """Bad input: reported as ``calsync: error: <where>: <reason>``, exit status 2.

    ``where`` is the file at fault; None when no one file is (an unknown id).
    """

    def __init__(self, where: str | None, reason: str) -> None:
        self.line = reason if where is None else f"{where}: {reason}"
        super().__init__(self.line)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``calsync`` with ``argv`` (default: the process's arguments); return the exit status."""
    parser, subparsers = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "sync":  # its own exit statuses and output: see cli/_sync.py
            return _sync.run(args)
        text = _run(args, subparsers)
    except SystemExit as exc:
        # argparse exits on --help (0) and on usage errors (2, its message already on
        # stderr); return the status so that in-process callers get an int too.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except _Failure as exc:
        _error(f"calsync: error: {exc.line}")
        return EXIT_USAGE
    except Exception as exc:  # a bug: the person at the terminal can only report it
        _error(f"calsync: internal error: {type(exc).__name__}: {_message(exc)} ({_REPORT})")
        return EXIT_SOFTWARE
    return _write(text)


def _error(line: str) -> None:
    # One line, whatever a reason contains: the contract for scripts reading stderr.
    _put(sys.stderr, " ".join(line.splitlines()) + "\n")
    sys.stderr.flush()


def _message(exc: Exception) -> str:
    # An exception's message may quote a calendar's text: like the rendered plan, it
    # reaches the terminal without control characters, and without its length.
    message = " ".join(str(exc).splitlines()) or "(no message)"
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 3] + "..."
    return "".join(ch if ch.isprintable() else "?" for ch in message)


def _put(stream: TextIO, text: str) -> None:
    """Write ``text``; what ``stream``'s encoding cannot hold is written as its escape."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        # A text stream encodes the whole text before it writes any of it, so
        # nothing has been written yet.
        encoding = stream.encoding or "utf-8"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


def _run(args: argparse.Namespace, subparsers: dict[str, argparse.ArgumentParser]) -> str:
    """The text one command prints; raises ``_Failure`` for bad input."""
    command: str = args.command
    if command == "example":
        return _example(Path(args.dir), force=bool(args.force))
    inputs = _inputs(args, subparsers[command])
    plan = _reconcile(inputs)
    if command == "explain":
        ref = str(args.id)
        if not _known(ref, inputs, plan):
            where = "the example" if inputs.after_path == EXAMPLE else "the snapshots"
            raise _Failure(None, f"no item or event {ref!r} in {where} or the plan")
        return explain_text(ref, inputs, plan)
    if args.json:
        return dumps(plan) + "\n"
    return Text(inputs, plan).render_plan()


def _write(text: str) -> int:
    try:
        _put(sys.stdout, text)
        sys.stdout.flush()
    except BrokenPipeError:
        # `calsync plan ... | head`: the reader left. Point stdout at devnull so the
        # interpreter's own flush at exit does not print a traceback (Python docs, "signal").
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0


# -- arguments -------------------------------------------------------------------------


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="calsync",  # not argv[0]: under `python -m` that would be "__main__.py"
        description="Plan how calendar items move between mail calendars and Salesforce.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser(
        "plan",
        help="print the plan for two snapshots (or one, on a first run)",
        usage="calsync plan [BEFORE] AFTER --settings SETTINGS [--json]\n"
        "       calsync plan --example [--json]",
        description="Print the plan reconcile(BEFORE, AFTER, SETTINGS) returns. With one "
        "snapshot it is a first run: there is no BEFORE.",
    )
    _input_arguments(plan)
    plan.add_argument(
        "--json", action="store_true", help="print the plan as canonical JSON (calsync_core.dumps)"
    )

    explain = commands.add_parser(
        "explain",
        help="print the decisions and issues about one item or event",
        usage="calsync explain ID [BEFORE] AFTER --settings SETTINGS\n"
        "       calsync explain ID --example",
        description="Print what the plan decided about one calendar item or Salesforce "
        "event, each decision with the sentence of its rule.",
    )
    explain.add_argument("id", metavar="ID", help="a calendar item id or a Salesforce event id")
    _input_arguments(explain)

    example = commands.add_parser(
        "example",
        help="write the example's before/after/settings JSON into a directory",
        description="Write before.json, after.json and settings.json of the bundled example "
        "organisation into DIR (created if missing), as a starting point.",
    )
    example.add_argument("dir", metavar="DIR", help="the directory to write into")
    example.add_argument("--force", action="store_true", help="overwrite the files if they exist")
    _sync.add_parser(commands)
    return parser, {"plan": plan, "explain": explain}


def _input_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "snapshots",
        nargs="*",
        metavar="SNAPSHOT",
        help="AFTER, or BEFORE and AFTER: snapshot JSON files",
    )
    sub.add_argument("--settings", metavar="SETTINGS", help="the OrgSettings JSON file")
    sub.add_argument(
        "--example",
        action="store_true",
        help="use the bundled example organisation instead of files",
    )


def _inputs(args: argparse.Namespace, sub: argparse.ArgumentParser) -> Inputs:
    """The snapshots and settings the arguments name; usage errors exit through ``sub``."""
    paths: list[str] = list(args.snapshots)
    settings_path: str | None = args.settings
    if args.example:
        if paths or settings_path is not None:
            sub.error("--example takes no snapshot files and no --settings")
        return Inputs(example_before(), example_after(), example_settings(), EXAMPLE, EXAMPLE)
    if not 1 <= len(paths) <= 2:
        sub.error("give AFTER, or BEFORE and AFTER (or --example)")
    if settings_path is None:
        sub.error("--settings is required (or --example)")
    *before_path, after_path = paths
    return Inputs(
        before=_load(before_path[0], Snapshot) if before_path else None,
        after=_load(after_path, Snapshot),
        settings=_load(settings_path, OrgSettings),
        after_path=after_path,
        settings_path=settings_path,
    )


def _load(path: str, cls: type[T]) -> T:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _Failure(path, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise _Failure(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        return loads(text, cls)
    except LoadError as exc:
        raise _Failure(path, _problems(exc)) from None


def _problems(exc: LoadError | SettingsError) -> str:
    # The first problem is the one to fix first; the count says whether more follow
    # (loads lists at most 100 and counts the rest on a last line).
    if not exc.problems:
        return str(exc)
    more = problem_count(exc.problems) - 1
    return f"{exc.label}: {exc.problems[0]}" + (f" (+{more} more)" if more else "")


def _reconcile(inputs: Inputs) -> Plan:
    try:
        return reconcile(inputs.before, inputs.after, inputs.settings)
    except SettingsError as exc:
        raise _Failure(inputs.settings_path, _problems(exc)) from None
    except CalsyncError as exc:
        raise _Failure(inputs.after_path, str(exc)) from None


def _example(directory: Path, *, force: bool) -> str:
    documents = dict(
        zip(_FILES, (example_before(), example_after(), example_settings()), strict=True)
    )
    targets = [directory / name for name in _FILES]
    if not force:
        # Refuse before writing anything: a user's edited copy must never be lost to a rerun.
        for target in targets:
            if target.exists():
                raise _Failure(str(target), "already exists (use --force to overwrite)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _Failure(str(directory), f"cannot create directory: {exc.strerror or exc}") from None
    for target in targets:
        try:
            target.write_text(dumps(documents[target.name]) + "\n", encoding="utf-8")
        except OSError as exc:
            raise _Failure(str(target), f"cannot write: {exc.strerror or exc}") from None
    return "".join(f"{target}\n" for target in targets)


def _known(ref: str, inputs: Inputs, plan: Plan) -> bool:
    snapshots = [inputs.after] if inputs.before is None else [inputs.before, inputs.after]
    ids = {i.id for s in snapshots for i in s.items} | {e.id for s in snapshots for e in s.events}
    return ref in ids or bool(plan.explain(ref)) or bool(plan.issues_about(ref))
