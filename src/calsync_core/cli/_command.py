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
a script can tell "fix your input" from "not your fault". Ctrl-C is one line
too, with status 130, as a shell reports a process SIGINT ended; SIGTERM
likewise, with 143, after the progress line is erased.

Two inputs are refused although they load: an AFTER older than BEFORE (the
snapshots swapped, which would read every change as undone), and a
``--mailbox`` no one has (which would show an empty page that looks like
"nothing to do"). The planner is asked to check versions, so a pair edited
by hand without a new version is an issue, not a silent no-op (R-STALE-VERSION).

Nothing written may raise either: a value built in Python, or a path taken
from the command line, can hold a lone surrogate, and a terminal's encoding
may lack a character. Such characters are written as their backslash escapes.

The text a person reads is rendered by ``_plan_text`` and ``_render``; the
phase line on a terminal is ``_progress``'s; files are read and written by
``_files``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

from .. import __version__
from .._errors import CalsyncError, SettingsError
from .._plan import Plan
from .._serde import dumps
from .._values import OrgSettings, Snapshot
from ..planner import reconcile
from . import _sync
from ._example import example_after, example_before, example_settings
from ._files import Failure, check_stdout, load, name, problems, put, write_example, write_stdout
from ._plan_text import RECORDS, PlanPage, View
from ._progress import Progress
from ._render import EXAMPLE, Inputs, Text, explain_text, stamp

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import FrameType
    from typing import TextIO


#: Exit status for bad input and usage errors (argparse uses 2 as well).
EXIT_USAGE = 2
#: Exit status for an internal error, a bug in calsync_core (EX_SOFTWARE in sysexits.h).
EXIT_SOFTWARE = 70
#: Exit status after Ctrl-C: 128 + SIGINT, as a shell reports a process the signal ended.
EXIT_INTERRUPTED = 130
#: Exit status after SIGTERM: 128 + SIGTERM, likewise.
EXIT_TERMINATED = 143
_REPORT = "this is a bug in calsync_core: please report it, with the command and its input files"
#: An internal error's message is shown up to this many characters: one line stays readable.
_MESSAGE_LIMIT = 300


class _Terminated(BaseException):
    """SIGTERM arrived: the run stops as after Ctrl-C.

    A BaseException, as KeyboardInterrupt is, so that no ``except Exception`` on
    the way takes it for a fault of the input.
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``calsync`` with ``argv`` (default: the process's arguments); return the exit status."""
    parser, subparsers = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "sync":  # its own exit statuses and output: see cli/_sync.py
            return _sync.run(args)
        check_stdout()
        with _sigterm_stops(), Progress(sys.stderr, enabled=_shows_progress()) as progress:
            text = _run(args, subparsers, progress)
            if not _terminal(sys.stdout):  # to a terminal, the text itself shows progress
                progress.phase("writing")
                return write_stdout(text)
        return write_stdout(text)
    except SystemExit as exc:
        # argparse exits on --help (0) and on usage errors (2, its message already on
        # stderr); return the status so that in-process callers get an int too.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except Failure as exc:
        _error(f"calsync: error: {exc.line}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        # Ctrl-C is the person's choice, not a fault: one line, no traceback.
        _error("calsync: interrupted")
        return EXIT_INTERRUPTED
    except _Terminated:
        # `kill`, a CI timeout, a closing terminal: the progress line is erased by now.
        _error("calsync: terminated")
        return EXIT_TERMINATED
    except MemoryError:
        # Input too large for the machine is no bug to report; the traceback would not help.
        _error("calsync: error: out of memory: the input is too large for this machine")
        return EXIT_USAGE
    except Exception as exc:  # a bug: the person at the terminal can only report it
        _error(f"calsync: internal error: {type(exc).__name__}: {_message(exc)} ({_REPORT})")
        return EXIT_SOFTWARE


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """While the command runs, SIGTERM raises ``_Terminated`` instead of ending the process.

    Ended by the signal's default action, the process would leave a progress line
    on the terminal, the next prompt written after it. Only the main thread may
    set a handler: a caller running ``main`` in another keeps the default.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        # None: a handler set outside Python, which cannot be put back; the default will do.
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def _shows_progress() -> bool:
    # A dumb terminal (Emacs's shell, some CI logs) prints the escape that erases the
    # line as it is; there is no line to redraw there.
    return _terminal(sys.stderr) and os.environ.get("TERM") != "dumb"


def _terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced by a test, or closed
        return False


def _error(line: str) -> None:
    # One line, whatever a reason contains: the contract for scripts reading stderr.
    if sys.stderr is None:  # closed (`2>&-`): the exit status alone tells
        return
    try:
        put(sys.stderr, " ".join(line.splitlines()) + "\n")
        sys.stderr.flush()
    except OSError:  # a full or gone terminal: likewise
        pass


def _message(exc: Exception) -> str:
    # An exception's message may quote a calendar's text: like the rendered plan, it
    # reaches the terminal without control characters, and without its length.
    message = " ".join(str(exc).splitlines()) or "(no message)"
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 3] + "..."
    return "".join(ch if ch.isprintable() else "?" for ch in message)


def _run(
    args: argparse.Namespace, subparsers: dict[str, argparse.ArgumentParser], progress: Progress
) -> str:
    """The text one command prints; raises ``Failure`` for bad input."""
    command: str = args.command
    if command == "example":
        return write_example(str(args.dir), force=bool(args.force))
    view = _view(args, subparsers[command]) if command == "plan" else View()
    inputs = _inputs(args, subparsers[command], progress)
    view = _mailboxes(view, inputs)
    progress.phase("planning")
    plan = _reconcile(inputs)
    progress.phase("rendering")
    if command == "explain":
        ref = str(args.id)
        if not _known(ref, inputs, plan):
            where = "the example" if inputs.after_path == EXAMPLE else "the snapshots"
            raise Failure(None, f"no item or event {ref!r} in {where} or the plan")
        return explain_text(ref, inputs, plan)
    if args.json:
        return dumps(plan) + "\n"
    return PlanPage(Text(inputs, plan), view).render()


# -- arguments -------------------------------------------------------------------------


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="calsync",  # not argv[0]: under `python -m` that would be "__main__.py"
        description="Plan how calendar items move between mail calendars and Salesforce.",
    )
    parser.add_argument("--version", action="version", version=f"calsync {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser(
        "plan",
        help="print the plan for two snapshots (or one, on a first run)",
        usage="calsync plan [BEFORE] AFTER --settings SETTINGS [--json | FILTERS]\n"
        "       calsync plan --example [--json | FILTERS]",
        description="Print the plan reconcile(BEFORE, AFTER, SETTINGS) returns: a summary, "
        "then every action and issue, and the decisions about what has one. With one "
        "snapshot it is a first run: there is no BEFORE. A file name of - reads standard input.",
    )
    _input_arguments(plan)
    plan.add_argument(
        "--json", action="store_true", help="print the plan as canonical JSON (calsync_core.dumps)"
    )
    filters = plan.add_argument_group("filters (text output only)")
    filters.add_argument(
        "--all", action="store_true", help="list every decision, also those with nothing to do"
    )
    filters.add_argument(
        "--mailbox",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="only what concerns this mailbox (an event: its owner's); may be repeated",
    )
    filters.add_argument(
        "--issues-only", action="store_true", help="only the summary and the issues"
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
        # A default, or argparse names SNAPSHOT among the missing when ID is (it is optional).
        default=[],
        metavar="SNAPSHOT",
        help="AFTER, or BEFORE and AFTER: snapshot JSON files",
    )
    sub.add_argument("--settings", metavar="SETTINGS", help="the OrgSettings JSON file")
    sub.add_argument(
        "--example",
        action="store_true",
        help="use the bundled example organisation instead of files",
    )


def _view(args: argparse.Namespace, sub: argparse.ArgumentParser) -> View:
    mailboxes = frozenset(m.strip().lower() for m in args.mailbox)
    if args.json and (args.all or mailboxes or args.issues_only):
        sub.error(
            "--json prints the whole plan: --all, --mailbox and --issues-only filter the text"
        )
    if args.all and args.issues_only:
        sub.error("--issues-only shows no decisions: --all has nothing to list")
    return View(show_all=bool(args.all), mailboxes=mailboxes, issues_only=bool(args.issues_only))


def _mailboxes(view: View, inputs: Inputs) -> View:
    """``view`` with a user's Salesforce id read as their address; ``Failure`` for an unknown.

    The page names a user by address: matched as it was typed, a user's id would
    show an empty page, as a misspelt address would -- one that looks like
    "nothing to do".
    """
    if not view.mailboxes:
        return view
    addresses = {u.sf_user_id.lower(): u.email for u in inputs.settings.users}
    mailboxes = frozenset(addresses.get(m, m) for m in view.mailboxes)
    known = set(addresses.values()) | {i.mailbox for i in inputs.after.items}
    # The page also names an event's owner who is no user by id, and records as a group:
    # every name it shows is one --mailbox takes.
    snapshots = [inputs.after] if inputs.before is None else [inputs.before, inputs.after]
    known.update(e.owner_id.lower() for s in snapshots for e in s.events)
    known.add(RECORDS)
    for mailbox in sorted(mailboxes - known):
        raise Failure(
            None,
            f"--mailbox {mailbox!r} is no user of the settings, no mailbox of AFTER "
            "and no owner of an event",
        )
    return view._replace(mailboxes=mailboxes)


def _inputs(args: argparse.Namespace, sub: argparse.ArgumentParser, progress: Progress) -> Inputs:
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
    if [*paths, settings_path].count("-") > 1:
        sub.error("only one of the files can be standard input (-)")
    *before_path, after_path = paths
    before = load(before_path[0], Snapshot, progress) if before_path else None
    after = load(after_path, Snapshot, progress)
    if before is not None and after.as_of < before.as_of:
        # Time does not run backwards: planning the swap would read every change as undone.
        now, then = stamp(after.as_of, "seconds"), stamp(before.as_of, "seconds")
        raise Failure(
            None,
            f"AFTER ({name(after_path)}) is as of {now}, older than BEFORE "
            f"({name(before_path[0])}) as of {then}: are they swapped? "
            "Give the older snapshot first",
        )
    return Inputs(
        before=before,
        after=after,
        settings=load(settings_path, OrgSettings, progress),
        after_path=name(after_path),
        settings_path=name(settings_path),
    )


def _reconcile(inputs: Inputs) -> Plan:
    try:
        # The command checks versions: a hand-edited file is where a stale one is made.
        return reconcile(inputs.before, inputs.after, inputs.settings, check_versions=True)
    except SettingsError as exc:
        raise Failure(inputs.settings_path, problems(exc)) from None
    except CalsyncError as exc:
        raise Failure(inputs.after_path, str(exc)) from None


def _known(ref: str, inputs: Inputs, plan: Plan) -> bool:
    snapshots = [inputs.after] if inputs.before is None else [inputs.before, inputs.after]
    ids = {i.id for s in snapshots for i in s.items} | {e.id for s in snapshots for e in s.events}
    return ref in ids or bool(plan.explain(ref)) or bool(plan.issues_about(ref))
