"""Plans as text for a person: the pieces, and ``calsync explain``'s page.

Plain text (no colours), wrapped to at most 100 columns, so it reads the same in
a terminal, a log and a test. Things are named the way the snapshots name them:
owners by address, records by name, and a value that points at something the
same plan creates as "the event created by #3" rather than its ref. The whole
plan's page, with its summary and filters, is ``_plan_text``'s.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import textwrap
from typing import TYPE_CHECKING, NamedTuple

from .._enums import Sensitivity
from .._plan import (
    CreateEvent,
    CreateItem,
    CreateRecord,
    DeleteEvent,
    DeleteItem,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)
from .._rules import RULES
from .._values import CalendarItem, OrgSettings, Record, SfEvent, Snapshot

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._plan import Action, FieldChange, FieldValue, Issue, Plan

#: Widest the text output gets; narrower when a terminal is narrower.
MAX_WIDTH = 100
#: Where the example comes from, named in messages instead of a path.
EXAMPLE = "--example"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CREATES: dict[type, str] = {CreateEvent: "event", CreateItem: "item", CreateRecord: "record"}
#: A word of a note: what a ref or an id may be made of (refs hold ":", "@" and ".").
_WORD = re.compile(r"[\w.:@-]+")


class Inputs(NamedTuple):
    """What one command planned over, and where it came from (for messages)."""

    before: Snapshot | None
    after: Snapshot
    settings: OrgSettings
    after_path: str
    settings_path: str


# -- text for a person ------------------------------------------------------------------


def _width() -> int:
    # Only a terminal has a width worth following; pipes, files and tests get the maximum.
    if not sys.stdout.isatty():
        return MAX_WIDTH
    return max(60, min(MAX_WIDTH, shutil.get_terminal_size((MAX_WIDTH, 24)).columns))


def day(when: dt.datetime) -> str:
    """``Mon 2026-11-30``: the weekday and the ISO date."""
    # isoformat, not strftime's %Y, which writes the year 1 as "1".
    return f"{_WEEKDAYS[when.weekday()]} {when.date().isoformat()}"


def stamp(when: dt.datetime, timespec: str = "minutes") -> str:
    """``2026-11-30 16:00 UTC`` (``timespec`` as isoformat's); every datetime here is UTC."""
    return when.replace(tzinfo=None).isoformat(sep=" ", timespec=timespec) + " UTC"


def _when(start: dt.datetime, end: dt.datetime, all_day: bool) -> str:
    days = (end - start) / dt.timedelta(days=1)
    if all_day and days >= 1 and days == int(days):
        # All-day ends are exclusive (midnight after the last day); show the last day itself.
        if days == 1:
            return f"{day(start)}, all day"
        return f"{day(start)} to {day(end - dt.timedelta(days=1))}, all day ({days:g} days)"
    if start.date() == end.date():
        return f"{day(start)} {start:%H:%M}-{end:%H:%M}"
    return f"{day(start)} {start:%H:%M} to {day(end)} {end:%H:%M}"


def quote(text: str, limit: int = 48) -> str:
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return f'"{shown}"'


class Text:
    """Renders a plan (or part of one) as text, naming things the way the snapshots do."""

    def __init__(self, inputs: Inputs, plan: Plan) -> None:
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
        # creates reads "the event created by #3" rather than a long synthetic ref.
        self.numbers: dict[str, str] = {}
        for n, action in enumerate(plan.actions, 1):
            if isinstance(action, CreateEvent | CreateItem | CreateRecord):
                self.numbers[action.ref] = f"the {_CREATES[type(action)]} created by #{n}"

    # -- whole documents ----------------------------------------------------------

    def actions(self, numbered: Iterable[tuple[int, Action]]) -> list[str]:
        lines = ["Actions"]
        pad = len(str(len(self.plan.actions)))
        for n, action in numbered:
            label = f"{n:>{pad}}. "
            lines.extend(self.wrap(label + self.action(action), 2, 2 + len(label) + 2))
        if len(lines) == 1:
            lines.append("  (none)")
        return lines

    def rename(self, text: str) -> str:
        """``text`` (a note or message) with refs and user ids named as everywhere else.

        The planner's notes speak of a ref of something the plan creates, and of
        owners by Salesforce user id; a person reads "the event created by #3" and
        an address. Words are looked up one by one, so this costs the same
        whatever the size of the plan.
        """
        return _WORD.sub(self._renamed, text)

    def _renamed(self, match: re.Match[str]) -> str:
        word = match.group()
        stem = word.rstrip(".:")  # a word that ends a sentence or a clause
        name = self.numbers.get(stem) or self.users.get(stem)
        if name is None:
            return word
        if stem in self.numbers and match.string.endswith("event ", 0, match.start()):
            # "the organizer's event <ref>": the noun is already there.
            name = f"({name.removeprefix('the event ')})"
        return name + word[len(stem) :]

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
            lines.extend(self.wrap(f"{self.rename(issue.message)} [{issue.rule}]", 6, 6))
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
            text,
            width=self.width,
            initial_indent=" " * indent,
            subsequent_indent=" " * hang,
            break_long_words=False,
            break_on_hyphens=False,
        )

    def about(self, ref: str) -> str | None:
        """Where the item or event ``ref`` lives in AFTER and what it is called, if it is there."""
        items = self.items.get(ref, [])
        if len(items) == 1:
            item = items[0]
            return f"item {ref} in {item.mailbox}: {quote(item.subject)}"
        if items:  # one id in several mailboxes: name them all
            return f"item {ref} in {', '.join(sorted(i.mailbox for i in items))}"
        event = self.events.get(ref)
        if event is not None:
            return f"event {ref} owned by {self.owner(event.owner_id)}: {quote(event.subject)}"
        return None

    def subject_of_item(self, item_id: str) -> str:
        items = self.items.get(item_id, [])
        return f" {quote(items[0].subject)}" if len(items) == 1 else ""

    def subject_of_event(self, event_id: str) -> str:
        event = self.events.get(event_id)
        return "" if event is None else f" {quote(event.subject)}"

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
            return stamp(value).removesuffix(" UTC")
        if isinstance(value, tuple):
            return self.records_(value) if field in ("who_ids", "what_ids") else ", ".join(value)
        if isinstance(value, Sensitivity):
            return value.value.lower()
        if field.endswith("_id"):
            return self.ref(value)
        return quote(value, 40)

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
                text = f"CreateEvent {quote(action.subject)} {', '.join(parts)}"
            case UpdateEvent():
                text = (
                    f"UpdateEvent {action.event_id}{self.subject_of_event(action.event_id)}: "
                    f"{self.changes(action.changes)}"
                )
            case DeleteEvent():
                text = f"DeleteEvent {action.event_id}{self.subject_of_event(action.event_id)}"
            case CreateItem():
                parts = [_when(action.start, action.end, action.is_all_day)]
                if action.categories:
                    parts.append(f"categories {', '.join(sorted(action.categories))}")
                if action.sf_event_id is not None:
                    parts.append(f"from {self.event(action.sf_event_id)}")
                text = f"CreateItem in {action.mailbox} {quote(action.subject)} {', '.join(parts)}"
            case UpdateItem():
                text = (
                    f"UpdateItem {action.item_id} in {action.mailbox}: "
                    f"{self.changes(action.changes)}"
                )
            case DeleteItem():
                text = (
                    f"DeleteItem {action.item_id} in {action.mailbox}"
                    f"{self.subject_of_item(action.item_id)}"
                )
            case SetCategories():
                changes = [f"add {quote(c)}" for c in sorted(action.add)]
                changes += [f"remove {quote(c)}" for c in sorted(action.remove)]
                text = f"SetCategories {action.item_id} in {action.mailbox}: {', '.join(changes)}"
            case CreateRecord():
                name = f" {quote(action.name)}" if action.name else ""
                text = f"CreateRecord {action.kind.value} {action.email}{name}"
            case SaveAttachment():
                a = action.attachment
                text = (
                    f"SaveAttachment {quote(a.name)} ({a.size:,} bytes) to "
                    f"{self.event(action.event_id)}"
                )
        return f"{text} [{action.rule}]"


# -- explain: what touches one ref ------------------------------------------------------


def touched(action: Action) -> str | None:
    """The item or event ``action`` acts on (None for a record): what ``explain`` looks for."""
    match action:
        case CreateEvent():
            return action.source_item_id
        case UpdateEvent() | DeleteEvent() | SaveAttachment():
            return action.event_id
        case UpdateItem() | DeleteItem() | SetCategories():
            return action.item_id
        case CreateItem():
            return action.sf_event_id
        case CreateRecord():
            return None


def explain_text(ref: str, inputs: Inputs, plan: Plan) -> str:
    """What the plan decided about ``ref``: decisions (with rule sentences), issues, actions."""
    text = Text(inputs, plan)
    # The heading names the item by its subject: wrapped like every other line, so
    # that what a calendar put there cannot reach the terminal as it is.
    heading = text.about(ref) or f"{ref}: not in AFTER (only in BEFORE or the plan)"
    lines = [*text.wrap(heading, 0, 4), "", "Decisions"]
    decided = len(lines)
    for d in plan.explain(ref):
        lines.extend(text.wrap(f"{d.outcome}: {text.rename(d.note)} [{d.rule}]", 2, 4))
        rule = RULES.get(d.rule)
        sentence = "(not in the rule table)" if rule is None else rule.sentence
        lines.extend(text.wrap(f"{d.rule}: {sentence}", 6, 6))
    if len(lines) == decided:
        lines.append("  (none)")
    lines += ["", *text.issues(plan.issues_about(ref)), ""]
    lines += text.actions((n, a) for n, a in enumerate(plan.actions, 1) if touched(a) == ref)
    return "\n".join(lines) + "\n"
