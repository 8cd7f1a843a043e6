"""R-EMPTY-GUARD: a mailbox or owner that suddenly shows nothing is a failed fetch.

A mailbox that held at least ``empty_guard`` linked items in ``before`` and
holds no item at all in ``after`` is far more likely a fetch that came back
empty than a user who deleted everything. Acting on it would delete events and
strip categories wholesale, so the planner plans no deletion and no category
removal for it and reports MAILBOX_EMPTIED. The same holds for the Salesforce
side of one owner. (vdirsyncer refuses such a sync the same way.)

Which sides came back empty is a fact of the world (``World.emptied``); this
module reports them, gives the decisions on what the guard holds
(``held_item``, ``held_event``), and is the one gate every deletion of an
event passes (``delete_event``), with R-DIRECTION's and sync's
own-events-only checks.
Category removals are held in one place too: an item of a held user has its
``CategoryState`` held (``ladder``), which adds what is missing and removes
nothing.
"""

from __future__ import annotations

from .. import _rules as R
from .._enums import IssueCode
from .._plan import DeleteEvent
from .._rules import Rule
from .._values import CalendarItem, SfEvent
from .builder import PlanBuilder
from .world import World

EMPTIED_TEXT = (
    "{what} held {count}+ synced items before and shows none now: most likely a failed "
    "fetch. Nothing is deleted or unlinked for it until it shows items again."
)


def report(w: World, out: PlanBuilder) -> None:
    """One MAILBOX_EMPTIED issue, and a decision, per side held back."""
    threshold = w.org.settings.empty_guard
    for mailbox in sorted(w.emptied.mailboxes):
        text = EMPTIED_TEXT.format(what=f"Mailbox {mailbox}", count=threshold)
        _emptied(out, mailbox, mailbox, text)
    for owner in sorted(w.emptied.owners):
        text = EMPTIED_TEXT.format(what=f"Salesforce user {owner}", count=threshold)
        _emptied(out, owner, w.mailbox_of(owner), text)


def _emptied(out: PlanBuilder, ref: str, mailbox: str | None, text: str) -> None:
    out.issue(R.EMPTY_GUARD, IssueCode.MAILBOX_EMPTIED, text, mailbox=mailbox)
    out.decide(ref, "keep", R.EMPTY_GUARD, "shows nothing: no deletion, no unlinking")


def held_item(out: PlanBuilder, item: CalendarItem, why: str) -> None:
    """The decision on an item a rule leaves as it is because its side came back empty."""
    out.note(item, "keep", R.EMPTY_GUARD, why)


def held_event(out: PlanBuilder, event_id: str, why: str) -> None:
    """The decision on an event left as it is because its owner's side came back empty."""
    out.decide(event_id, "keep", R.EMPTY_GUARD, why)


def delete_event(w: World, out: PlanBuilder, event: SfEvent, rule: Rule, reason: str) -> bool:
    """Delete ``event`` for ``rule`` if sync may; say why not otherwise. True if deleted.

    Sync deletes only events it created (R-UNSYNC's and R-CANCEL's own
    condition), never one whose owner's side came back empty (R-EMPTY-GUARD),
    and never one of a user who syncs to the calendar only (R-DIRECTION).
    """
    kept = _kept_because(w, event, rule, reason)
    if kept is not None:
        out.decide(event.id, "keep", *kept)
        return False
    out.act(DeleteEvent(event_id=event.id, rule=rule.id))
    out.decide(event.id, "delete", rule, reason)
    return True


def may_delete(w: World, event: SfEvent) -> bool:
    """Whether ``delete_event`` would delete ``event`` (for any rule): the run that
    cancels a meeting leaves only the events this says no to (R-CANCEL)."""
    return _kept_because(w, event, R.CANCEL, "") is None


def _kept_because(w: World, event: SfEvent, rule: Rule, reason: str) -> tuple[Rule, str] | None:
    """The rule and text that keep ``event`` from being deleted, or None if nothing does."""
    if not event.created_by_sync:
        return rule, f"{reason}; sync did not create it"
    if w.held(event.owner_id):
        return R.EMPTY_GUARD, f"{reason}; its owner came back empty"
    if not w.org.owner_up(event.owner_id):
        return R.DIRECTION, f"{reason}; its owner syncs to the calendar only"
    return None
