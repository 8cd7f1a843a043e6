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
results (R-ISSUES).

The text output is plain (no colours) and wrapped to at most 100 columns, so
it reads the same in a terminal, a log and a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from ._errors import CalsyncError, LoadError, SettingsError
from ._example import example_after, example_before, example_settings
from ._plan import (
    CreateEvent,
    CreateItem,
    CreateRecord,
    DeleteEvent,
    DeleteItem,
    FieldChange,
    Issue,
    Plan,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)
from ._reconcile import reconcile
from ._rules import RULES
from ._serde import dumps, loads
from ._values import CalendarItem, OrgSettings, Record, SfEvent, Snapshot

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ._plan import Action, Decision, FieldValue

#: Exit status for bad input and usage errors (argparse uses 2 as well).
EXIT_USAGE = 2
#: Widest the text output gets; narrower when a terminal is narrower.
MAX_WIDTH = 100
#: Where the example comes from, named in error messages instead of a path.
EXAMPLE = "--example"
_FILES = ("before.json", "after.json", "settings.json")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CREATES: dict[type, str] = {CreateEvent: "event", CreateItem: "item", CreateRecord: "record"}

T = TypeVar("T")


class _Failure(Exception):
    """Bad input: reported as ``calsync: error: <where>: <reason>``, exit status 2.

    ``where`` is the file at fault; None when no one file is (an unknown id).
    """

    def __init__(self, where: str | None, reason: str) -> None:
        self.line = reason if where is None else f"{where}: {reason}"
        super().__init__(self.line)


class _Inputs(NamedTuple):
    before: Snapshot | None
    after: Snapshot
    settings: OrgSettings
    after_path: str
    settings_path: str


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``calsync`` with ``argv`` (default: the process's arguments); return the exit status."""
    parser, subparsers = _parser()
    try:
        args = parser.parse_args(argv)
        text = _run(args, subparsers)
    except SystemExit as exc:
        # argparse exits on --help (0) and on usage errors (2, its message already on
        # stderr); return the status so that in-process callers get an int too.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except _Failure as exc:
        # One line, whatever a reason contains: the contract for scripts reading stderr.
        print(" ".join(f"calsync: error: {exc.line}".splitlines()), file=sys.stderr)
        return EXIT_USAGE
    return _write(text)


def _run(args: argparse.Namespace, subparsers: dict[str, argparse.ArgumentParser]) -> str:
    """The text one command prints; raises ``_Failure`` for bad input."""
    command: str = args.command
    if command == "example":
        return _example(Path(args.dir), force=bool(args.force))
    inputs = _inputs(args, subparsers[command])
    plan = _reconcile(inputs)
    if command == "explain":
        return _explain(str(args.id), inputs, plan)
    if args.json:
        return dumps(plan) + "\n"
    return _Text(inputs, plan).render_plan()


def _write(text: str) -> int:
    try:
        sys.stdout.write(text)
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
        prog="calsync",  # not argv[0]: under `python -m` that would be "_cli.py"
        description="Plan how calendar items move between mail calendars and Salesforce.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser(
        "plan", help="print the plan for two snapshots (or one, on a first run)",
        usage="calsync plan [BEFORE] AFTER --settings SETTINGS [--json]\n"
              "       calsync plan --example [--json]",
        description="Print the plan reconcile(BEFORE, AFTER, SETTINGS) returns. With one "
                    "snapshot it is a first run: there is no BEFORE.",
    )
    _input_arguments(plan)
    plan.add_argument("--json", action="store_true",
                      help="print the plan as canonical JSON (calsync_core.dumps)")

    explain = commands.add_parser(
        "explain", help="print the decisions and issues about one item or event",
        usage="calsync explain ID [BEFORE] AFTER --settings SETTINGS\n"
              "       calsync explain ID --example",
        description="Print what the plan decided about one calendar item or Salesforce "
                    "event, each decision with the sentence of its rule.",
    )
    explain.add_argument("id", metavar="ID", help="a calendar item id or a Salesforce event id")
    _input_arguments(explain)

    example = commands.add_parser(
        "example", help="write the example's before/after/settings JSON into a directory",
        description="Write before.json, after.json and settings.json of the bundled example "
                    "organisation into DIR (created if missing), as a starting point.",
    )
    example.add_argument("dir", metavar="DIR", help="the directory to write into")
    example.add_argument("--force", action="store_true",
                         help="overwrite the files if they exist")
    return parser, {"plan": plan, "explain": explain}


def _input_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("snapshots", nargs="*", metavar="SNAPSHOT",
                     help="AFTER, or BEFORE and AFTER: snapshot JSON files")
    sub.add_argument("--settings", metavar="SETTINGS", help="the OrgSettings JSON file")
    sub.add_argument("--example", action="store_true",
                     help="use the bundled example organisation instead of files")


def _inputs(args: argparse.Namespace, sub: argparse.ArgumentParser) -> _Inputs:
    """The snapshots and settings the arguments name; usage errors exit through ``sub``."""
    paths: list[str] = list(args.snapshots)
    settings_path: str | None = args.settings
    if args.example:
        if paths or settings_path is not None:
            sub.error("--example takes no snapshot files and no --settings")
        return _Inputs(example_before(), example_after(), example_settings(), EXAMPLE, EXAMPLE)
    if not 1 <= len(paths) <= 2:
        sub.error("give AFTER, or BEFORE and AFTER (or --example)")
    if settings_path is None:
        sub.error("--settings is required (or --example)")
    *before_path, after_path = paths
    return _Inputs(
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
    # The first problem is the one to fix first; the count says whether more follow.
    if not exc.problems:
        return str(exc)
    more = len(exc.problems) - 1
    return f"{exc.label}: {exc.problems[0]}" + (f" (+{more} more)" if more else "")


def _reconcile(inputs: _Inputs) -> Plan:
    try:
        return reconcile(inputs.before, inputs.after, inputs.settings)
    except SettingsError as exc:
        raise _Failure(inputs.settings_path, _problems(exc)) from None
    except CalsyncError as exc:
        raise _Failure(inputs.after_path, str(exc)) from None


def _example(directory: Path, *, force: bool) -> str:
    documents = dict(zip(_FILES, (example_before(), example_after(), example_settings()),
                         strict=True))
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


# -- text for a person -------------------------------------------------------------------


def _width() -> int:
    # Only a terminal has a width worth following; pipes, files and tests get the maximum.
    if not sys.stdout.isatty():
        return MAX_WIDTH
    return max(60, min(MAX_WIDTH, shutil.get_terminal_size((MAX_WIDTH, 24)).columns))


def _when(start: dt.datetime, end: dt.datetime, all_day: bool) -> str:
    def day(d: dt.datetime) -> str:
        return f"{_WEEKDAYS[d.weekday()]} {d:%Y-%m-%d}"

    days = (end - start) / dt.timedelta(days=1)
    if all_day and days >= 1 and days == int(days):
        # All-day ends are exclusive (midnight after the last day); show the last day itself.
        if days == 1:
            return f"{day(start)}, all day"
        return f"{day(start)} to {day(end - dt.timedelta(days=1))}, all day ({days:g} days)"
    if start.date() == end.date():
        return f"{day(start)} {start:%H:%M}-{end:%H:%M}"
    return f"{day(start)} {start:%H:%M} to {day(end)} {end:%H:%M}"


def _quote(text: str, limit: int = 48) -> str:
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return f'"{shown}"'


class _Text:
    """Renders a plan (or part of one) as text, naming things the way the snapshots do."""

    def __init__(self, inputs: _Inputs, plan: Plan) -> None:
        self.inputs = inputs
        self.plan = plan
        self.width = _width()
        after = inputs.after
        self.items: dict[str, list[CalendarItem]] = {}
        for item in after.items:
            self.items.setdefault(item.id, []).append(item)
        self.events: dict[str, SfEvent] = {e.id: e for e in after.events}
        self.records: dict[str, Record] = {r.id: r for r in after.records}
        self.users = {u.sf_user_id: u.email for u in inputs.settings.users}
        # What each ref stands for, so a value that points at something this plan
        # creates reads "event of #3" rather than a long synthetic ref.
        self.numbers: dict[str, str] = {}
        for n, action in enumerate(plan.actions, 1):
            if isinstance(action, CreateEvent | CreateItem | CreateRecord):
                self.numbers[action.ref] = f"{_CREATES[type(action)]} of #{n}"

    # -- whole documents ----------------------------------------------------------

    def render_plan(self) -> str:
        plan, inputs = self.plan, self.inputs
        previous = (
            "First run: no previous state."
            if inputs.before is None
            else f"Compared with the previous run's state of {_stamp(inputs.before.as_of)}."
        )
        lines = [
            f"Plan as of {_stamp(inputs.after.as_of)}: {_count(plan.actions, 'action')}, "
            f"{_count(plan.issues, 'issue')}, {_count(plan.decisions, 'decision')}",
            f"{previous} All times are UTC.",
            "",
            *self.actions(enumerate(plan.actions, 1)),
            "",
            *self.issues(plan.issues),
            "",
            "Decisions",
        ]
        groups: dict[str, list[Decision]] = {}
        for decision in plan.decisions:
            groups.setdefault(decision.ref, []).append(decision)
        pad = max((len(d.outcome) for d in plan.decisions), default=0)
        for ref, decisions in groups.items():
            lines.extend(self.wrap(self.about(ref) or ref, 2, 6))
            for d in decisions:
                line = f"{d.outcome.ljust(pad)}  {d.note} [{d.rule}]"
                lines.extend(self.wrap(line, 6, 6 + pad + 2))
        if not groups:
            lines.append("  (none)")
        return "\n".join(lines) + "\n"

    def actions(self, numbered: Iterable[tuple[int, Action]]) -> list[str]:
        lines = ["Actions"]
        pad = len(str(len(self.plan.actions)))
        for n, action in numbered:
            label = f"{n:>{pad}}. "
            lines.extend(self.wrap(label + self.action(action), 2, 2 + len(label) + 2))
        if len(lines) == 1:
            lines.append("  (none)")
        return lines

    def issues(self, issues: Iterable[Issue]) -> list[str]:
        lines = ["Issues"]
        for issue in issues:
            where = [issue.code.value]
            if issue.mailbox is not None:
                where.append(issue.mailbox)
            if issue.item_id is not None:
                where.append(f"item {issue.item_id}{self.subject_of_item(issue.item_id)}")
            if issue.event_id is not None:
                where.append(f"event {issue.event_id}{self.subject_of_event(issue.event_id)}")
            lines.extend(self.wrap("  ".join(where), 2, 6))
            lines.extend(self.wrap(f"{issue.message} [{issue.rule}]", 6, 6))
        if len(lines) == 1:
            lines.append("  (none)")
        return lines

    # -- pieces -----------------------------------------------------------------------

    def wrap(self, text: str, indent: int, hang: int) -> list[str]:
        # Subjects and names come from other people's calendars: a control character
        # (a terminal escape, say) is shown as "?" rather than sent to the terminal.
        # textwrap itself turns newlines and tabs into spaces.
        text = "".join(ch if ch.isprintable() or ch.isspace() else "?" for ch in text)
        # Ids and refs contain hyphens; never break inside them.
        return textwrap.wrap(
            text, width=self.width, initial_indent=" " * indent, subsequent_indent=" " * hang,
            break_long_words=False, break_on_hyphens=False,
        )

    def about(self, ref: str) -> str | None:
        """Where the item or event ``ref`` lives in AFTER and what it is called, if it is there."""
        items = self.items.get(ref, [])
        if len(items) == 1:
            item = items[0]
            return f"item {ref} in {item.mailbox}: {_quote(item.subject)}"
        if items:  # one id in several mailboxes: name them all
            return f"item {ref} in {', '.join(sorted(i.mailbox for i in items))}"
        event = self.events.get(ref)
        if event is not None:
            return f"event {ref} owned by {self.owner(event.owner_id)}: {_quote(event.subject)}"
        return None

    def subject_of_item(self, item_id: str) -> str:
        items = self.items.get(item_id, [])
        return f" {_quote(items[0].subject)}" if len(items) == 1 else ""

    def subject_of_event(self, event_id: str) -> str:
        event = self.events.get(event_id)
        return "" if event is None else f" {_quote(event.subject)}"

    def owner(self, sf_user_id: str) -> str:
        return self.users.get(sf_user_id, sf_user_id)

    def ref(self, value: str) -> str:
        return self.numbers.get(value, value)

    def event(self, event_id: str) -> str:
        return self.numbers.get(event_id) or f"event {event_id}"

    def records_(self, ids: tuple[str, ...]) -> str:
        named = []
        for record_id in ids:
            record = self.records.get(record_id)
            name = f" ({record.name})" if record is not None and record.name else ""
            named.append(self.ref(record_id) + name)
        return ", ".join(named)

    def value(self, field: str, value: FieldValue) -> str:
        if value is None or value == ():
            return "none"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dt.datetime):
            return f"{value:%Y-%m-%d %H:%M}"
        if isinstance(value, tuple):
            return self.records_(value) if field in ("who_ids", "what_ids") else ", ".join(value)
        if field.endswith("_id"):
            return self.ref(value)
        return _quote(value, 40)

    def changes(self, changes: tuple[FieldChange, ...]) -> str:
        return "; ".join(
            f"{ch.field} {self.value(ch.field, ch.old)} -> {self.value(ch.field, ch.new)}"
            for ch in changes
        )

    def action(self, action: Action) -> str:
        """One action as a sentence: kind, target, the fields that matter, and its rule."""
        match action:
            case CreateEvent():
                parts = [
                    _when(action.start, action.end, action.is_all_day),
                    f"owner {self.owner(action.owner_id)}",
                ]
                if action.is_private:
                    parts.append("private")
                if action.who_ids:
                    parts.append(f"who {self.records_(action.who_ids)}")
                if action.what_ids:
                    parts.append(f"what {self.records_(action.what_ids)}")
                if action.invitee_ids:
                    parts.append(f"invitees {', '.join(self.owner(i) for i in action.invitee_ids)}")
                if action.recurrence is not None:
                    parts.append(f"repeats {action.recurrence.rule}")
                parts.append(f"from item {action.source_item_id}")
                text = f"CreateEvent {_quote(action.subject)} {', '.join(parts)}"
            case UpdateEvent():
                text = (f"UpdateEvent {action.event_id}{self.subject_of_event(action.event_id)}: "
                        f"{self.changes(action.changes)}")
            case DeleteEvent():
                text = f"DeleteEvent {action.event_id}{self.subject_of_event(action.event_id)}"
            case CreateItem():
                parts = [_when(action.start, action.end, action.is_all_day)]
                if action.categories:
                    parts.append(f"categories {', '.join(sorted(action.categories))}")
                if action.sf_event_id is not None:
                    parts.append(f"from {self.event(action.sf_event_id)}")
                text = (f"CreateItem in {action.mailbox} {_quote(action.subject)} "
                        f"{', '.join(parts)}")
            case UpdateItem():
                text = (f"UpdateItem {action.item_id} in {action.mailbox}: "
                        f"{self.changes(action.changes)}")
            case DeleteItem():
                text = (f"DeleteItem {action.item_id} in {action.mailbox}"
                        f"{self.subject_of_item(action.item_id)}")
            case SetCategories():
                changes = [f"add {_quote(c)}" for c in sorted(action.add)]
                changes += [f"remove {_quote(c)}" for c in sorted(action.remove)]
                text = (f"SetCategories {action.item_id} in {action.mailbox}: "
                        f"{', '.join(changes)}")
            case CreateRecord():
                name = f" {_quote(action.name)}" if action.name else ""
                text = f"CreateRecord {action.kind.value} {action.email}{name}"
            case SaveAttachment():
                a = action.attachment
                text = (f"SaveAttachment {_quote(a.name)} ({a.size:,} bytes) to "
                        f"{self.event(action.event_id)}")
        return f"{text} [{action.rule}]"


def _stamp(when: dt.datetime) -> str:
    return f"{when:%Y-%m-%d %H:%M} UTC"


def _count(things: tuple[object, ...], noun: str) -> str:
    return f"{len(things)} {noun}{'' if len(things) == 1 else 's'}"


# -- explain ---------------------------------------------------------------------------


def _touches(action: Action, ref: str) -> bool:
    """Whether ``action`` acts on the item or event ``ref``."""
    match action:
        case CreateEvent():
            return action.source_item_id == ref
        case UpdateEvent() | DeleteEvent() | SaveAttachment():
            return action.event_id == ref
        case UpdateItem() | DeleteItem() | SetCategories():
            return action.item_id == ref
        case CreateItem():
            return action.sf_event_id == ref
        case CreateRecord():
            return False


def _known(ref: str, inputs: _Inputs, plan: Plan) -> bool:
    snapshots = [inputs.after] if inputs.before is None else [inputs.before, inputs.after]
    ids = {i.id for s in snapshots for i in s.items} | {e.id for s in snapshots for e in s.events}
    return ref in ids or bool(plan.explain(ref)) or bool(plan.issues_about(ref))


def _explain(ref: str, inputs: _Inputs, plan: Plan) -> str:
    if not _known(ref, inputs, plan):
        where = "the example" if inputs.after_path == EXAMPLE else "the snapshots"
        raise _Failure(None, f"no item or event {ref!r} in {where} or the plan")
    text = _Text(inputs, plan)
    lines = [text.about(ref) or f"{ref}: not in AFTER (only in BEFORE or the plan)", "",
             "Decisions"]
    for d in plan.explain(ref):
        lines.extend(text.wrap(f"{d.outcome}: {d.note} [{d.rule}]", 2, 4))
        rule = RULES.get(d.rule)
        sentence = "(not in the rule table)" if rule is None else rule.sentence
        lines.extend(text.wrap(f"{d.rule}: {sentence}", 6, 6))
    if len(lines) == 3:
        lines.append("  (none)")
    lines += ["", *text.issues(plan.issues_about(ref)), ""]
    lines += text.actions((n, a) for n, a in enumerate(plan.actions, 1) if _touches(a, ref))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
