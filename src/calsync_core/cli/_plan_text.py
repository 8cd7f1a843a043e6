"""``calsync plan``'s page: a summary first, then the details that need a person.

A first run over a large organisation plans hundreds of thousands of things, and
a steady run decides "in sync" about every item; printed in full, the few lines
that matter drown. So the page opens with counts -- actions by kind and
mailbox, issues by code, decisions by outcome -- and then lists every action
and issue, but only the decisions about an item or event that has an action or
an issue, unless ``--all``. ``--mailbox`` keeps what concerns some mailboxes
(an event belongs to its owner's), ``--issues-only`` the summary and issues.

Decisions are grouped by mailbox, then by the item's or event's start, as a
person looks for them in a calendar; actions keep their numbers, the order to
carry them out in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

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
from ._render import Text, day, quote, stamp, touched

if TYPE_CHECKING:
    from .._plan import Action, Decision, Issue
    from .._values import CalendarItem, SfEvent

#: Records are nobody's mailbox: their actions are counted under this name.
RECORDS = "(records)"
#: The summary names at most this many mailboxes; ``--mailbox`` shows any one.
MAILBOX_LIMIT = 25
#: Where a thing with no known start sorts: after everything with one.
_NO_START = dt.datetime.max.replace(tzinfo=dt.UTC)


class View(NamedTuple):
    """What the page shows: all decisions or only those that matter, which mailboxes."""

    show_all: bool = False
    #: Only these mailboxes' (lower-cased addresses); empty for all.
    mailboxes: frozenset[str] = frozenset()
    issues_only: bool = False


class _Place(NamedTuple):
    """Where a decision's item or event sits: whose calendar, and when."""

    mailbox: str
    start: dt.datetime
    label: str


class PlanPage:
    """The text of ``calsync plan`` for one plan and one view."""

    def __init__(self, text: Text, view: View) -> None:
        self.text = text
        self.view = view
        inputs = text.inputs
        # Events of both snapshots, and those the plan creates: an action on an event
        # is counted under its owner's mailbox even when AFTER no longer holds it.
        owners = {} if inputs.before is None else {e.id: e.owner_id for e in inputs.before.events}
        owners.update((e.id, e.owner_id) for e in inputs.after.events)
        owners.update((a.ref, a.owner_id) for a in text.plan.actions if isinstance(a, CreateEvent))
        self.owners = owners
        self.prior_items: dict[tuple[str, str], CalendarItem] = {}
        self.prior_events: dict[str, SfEvent] = {}
        if inputs.before is not None:
            self.prior_items = {(i.mailbox, i.id): i for i in reversed(inputs.before.items)}
            self.prior_events = {e.id: e for e in reversed(inputs.before.events)}
        numbered = enumerate(text.plan.actions, 1)
        self.actions = [(n, a) for n, a in numbered if self.wanted(self.action_mailbox(a))]
        self.issues = [i for i in text.plan.issues if self.wanted(self.issue_mailbox(i))]

    # -- whose is what -----------------------------------------------------------------

    def wanted(self, mailbox: str) -> bool:
        # Addresses are lower-cased already; an owner shown by id is not.
        return not self.view.mailboxes or mailbox.lower() in self.view.mailboxes

    def event_mailbox(self, event_id: str) -> str:
        owner = self.owners.get(event_id)
        return RECORDS if owner is None else self.text.owner(owner)

    def action_mailbox(self, action: Action) -> str:
        match action:
            case CreateItem() | UpdateItem() | DeleteItem() | SetCategories():
                return action.mailbox
            case CreateEvent():
                return self.text.owner(action.owner_id)
            case UpdateEvent() | DeleteEvent() | SaveAttachment():
                return self.event_mailbox(action.event_id)
            case CreateRecord():
                return RECORDS

    def issue_mailbox(self, issue: Issue) -> str:
        if issue.mailbox is not None:
            return issue.mailbox
        return RECORDS if issue.event_id is None else self.event_mailbox(issue.event_id)

    def place(self, decision: Decision) -> _Place:
        ref, text = decision.ref, self.text
        if decision.mailbox is not None:
            now = [i for i in text.items.get(ref, ()) if i.mailbox == decision.mailbox]
            item = now[0] if now else self.prior_items.get((decision.mailbox, ref))
            if item is None:
                return _Place(decision.mailbox, _NO_START, f"item {ref}")
            return _Place(item.mailbox, item.start, f"item {ref} {quote(item.subject)}")
        event = text.events.get(ref) or self.prior_events.get(ref)
        if event is None:
            return _Place(self.event_mailbox(ref), _NO_START, f"event {ref}")
        label = f"event {ref} {quote(event.subject)}"
        return _Place(text.owner(event.owner_id), event.start, label)

    # -- the page ----------------------------------------------------------------------

    def render(self) -> str:
        plan, inputs = self.text.plan, self.text.inputs
        previous = (
            "First run: no previous state."
            if inputs.before is None
            else f"Compared with the previous run's state of {stamp(inputs.before.as_of)}."
        )
        wrap = self.text.wrap
        lines = wrap(
            f"Plan as of {stamp(inputs.after.as_of)}: {_count(len(plan.actions), 'action')}, "
            f"{_count(len(plan.issues), 'issue')}, {_count(len(plan.decisions), 'decision')}",
            0,
            4,
        )
        lines += wrap(f"{previous} All times are UTC.", 0, 0)
        if self.view.mailboxes:
            lines += wrap(f"Showing only {', '.join(sorted(self.view.mailboxes))}.", 0, 4)
        decisions = list(plan.decisions)
        if self.view.mailboxes:
            decisions = [d for d in decisions if self.wanted(self.place(d).mailbox)]
        lines += ["", *self.summary(decisions)]
        if not self.view.issues_only:
            lines += ["", *self.text.actions(self.actions)]
        lines += ["", *self.text.issues(self.issues)]
        if not self.view.issues_only:
            lines += ["", *self.decisions(decisions)]
        return "\n".join(lines) + "\n"

    def summary(self, decisions: list[Decision]) -> list[str]:
        kinds = [(self.action_mailbox(a), type(a).__name__) for _, a in self.actions]
        codes = [(self.issue_mailbox(i), i.code.value) for i in self.issues]
        lines = ["Summary"]
        lines += self.tally(kinds, "action")
        lines += self.tally(codes, "issue")
        outcomes = Counter(d.outcome for d in decisions)
        lines += self.text.wrap(f"{_count(len(decisions), 'decision')}{_kinds(outcomes)}", 2, 6)
        return lines

    def tally(self, found: list[tuple[str, str]], noun: str) -> list[str]:
        """``N nouns: n kind, ...``, then the same per mailbox, at most ``MAILBOX_LIMIT``."""
        lines = self.text.wrap(
            f"{_count(len(found), noun)}{_kinds(Counter(k for _, k in found))}", 2, 6
        )
        per: dict[str, Counter[str]] = {}
        for mailbox, kind in found:
            per.setdefault(mailbox, Counter())[kind] += 1
        if len(per) < 2 and not self.view.mailboxes:
            return lines  # one mailbox's counts are the totals above
        names = sorted(per)
        pad = max(len(name) for name in names[:MAILBOX_LIMIT]) if names else 0
        for name in names[:MAILBOX_LIMIT]:
            counts = per[name]
            line = f"{name.ljust(pad)}  {counts.total()}{_kinds(counts)}"
            lines += self.text.wrap(line, 4, 4 + pad + 2)
        if len(names) > MAILBOX_LIMIT:
            more = len(names) - MAILBOX_LIMIT
            lines.append(f"    and {_count(more, 'more mailbox')} (--mailbox ADDRESS shows one)")
        return lines

    def decisions(self, decisions: list[Decision]) -> list[str]:
        shown = decisions if self.view.show_all else self.that_matter(decisions)
        heading = "Decisions"
        if len(shown) < len(decisions):
            heading += (
                f" about items and events with an action or an issue ({len(shown)} of "
                f"{len(decisions)}; --all shows every decision)"
            )
        lines = self.text.wrap(heading, 0, 2)
        groups: dict[tuple[str, str], list[Decision]] = {}
        places: dict[tuple[str, str], _Place] = {}
        for d in shown:
            key = (d.ref, d.mailbox or "")
            if key not in groups:
                places[key] = self.place(d)
                groups[key] = []
            groups[key].append(d)
        pad = max((len(d.outcome) for d in shown), default=0)
        mailbox = None
        for key in sorted(groups, key=lambda k: (places[k].mailbox, places[k].start, k)):
            place = places[key]
            if place.mailbox != mailbox:
                mailbox = place.mailbox
                lines.append(f"  {mailbox}")
            lines += self.text.wrap(f"{_when(place.start)}  {place.label}", 4, 8)
            for d in groups[key]:
                note = f"{d.outcome.ljust(pad)}  {self.text.rename(d.note)} [{d.rule}]"
                lines += self.text.wrap(note, 6, 6 + pad + 2)
        if not groups:
            lines.append("  (none)")
        return lines

    def that_matter(self, decisions: list[Decision]) -> list[Decision]:
        """The decisions about an item or event that an action touches or an issue names."""
        refs = set(_refs(self.text.plan.issues))
        refs.update(ref for _, a in self.actions if (ref := touched(a)) is not None)
        return [d for d in decisions if d.ref in refs]


def _refs(issues: Iterable[Issue]) -> Iterator[str]:
    for issue in issues:
        if issue.item_id is not None:
            yield issue.item_id
        if issue.event_id is not None:
            yield issue.event_id


def _kinds(counts: Counter[str]) -> str:
    # Most frequent first, ties by name: the order does not depend on the plan's.
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return (": " + ", ".join(f"{n:,} {kind}" for kind, n in ordered)) if ordered else ""


def _when(start: dt.datetime) -> str:
    if start == _NO_START:
        return "(start unknown)".ljust(20)
    return f"{day(start)} {start:%H:%M}"


def _count(n: int, noun: str) -> str:
    if noun.endswith("box"):
        return f"{n:,} {noun}{'' if n == 1 else 'es'}"
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
