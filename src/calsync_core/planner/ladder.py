"""Calendar → Salesforce for one calendar item: the per-item ladder, as data.

Each copy of a meeting in an internal user's mailbox is read once into a
frozen ``Copy`` (its user, meeting, prior state, stamp and direction), then
the steps of ``LADDER`` are tried top to bottom and the first whose condition
holds decides the item. The order is the spec's: an unreadable event leaves
the pair alone; the organizer's cancellation beats everything; a cancelled
copy cancels only its own; a stamp that is not its own links nothing; an
unsync request is honoured (or held, one-way); a linked pair syncs; a
modified occurrence follows its series; an absent event is deleted or out
of view; a one-way user sends nothing up; and only then do the eligibility
rules decide whether the item is saved.

A copy of a public calendar's event (R-PUBLIC-CALENDAR) and an item in a
mailbox that is no user's (R-OWNER) never reach the ladder.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from .. import _rules as R
from .._domain import UNSYNC
from .._rules import Rule
from .._values import CalendarItem, UserSettings
from .builder import PlanBuilder
from .cancel import cancelled_copy, copy_of_cancelled
from .downdelete import absent_event, saved_again
from .duplicates import foreign_stamp, read_stamp
from .linked import exception, linked_copy
from .meetings import Copy, Meeting
from .routes import route_copy, route_of
from .saving import save_or_skip
from .unsync import one_way, unsync
from .world import World

Condition = Callable[[World, Copy], bool]
Handler = Callable[[World, PlanBuilder, Copy], None]


@attrs.frozen
class Step:
    """One rung: when ``applies`` holds, ``handler`` decides the item under ``rule``."""

    applies: Condition
    handler: Handler
    rule: Rule


def _keep_unreadable(w: World, out: PlanBuilder, c: Copy) -> None:
    # The event exists but cannot be read: it is not gone (R-DOWN-DELETE), and
    # its own INVALID_ITEM says why. Leave the pair as it is.
    out.status.saved()
    out.note(c.item, "keep", R.ISSUES, f"its event {c.item.sf_event_id} is invalid")


def _skip_one_way(w: World, out: PlanBuilder, c: Copy) -> None:
    out.note(c.item, "skip", R.DIRECTION, "this user syncs to the calendar only")


#: The per-item ladder, in the spec's order: the first step that applies decides.
LADDER: tuple[Step, ...] = (
    Step(lambda w, c: c.item.sf_event_id in w.now.bad_event_ids, _keep_unreadable, R.ISSUES),
    Step(lambda w, c: c.cancelled is not None, copy_of_cancelled, R.CANCEL),
    Step(lambda w, c: c.item.is_cancelled, cancelled_copy, R.CANCEL),
    Step(lambda w, c: c.stamp.foreign is not None, foreign_stamp, R.DEDUP),
    Step(lambda w, c: c.unsync and not c.up, one_way, R.DIRECTION),
    Step(lambda w, c: c.unsync, unsync, R.UNSYNC),
    Step(lambda w, c: c.event is not None, linked_copy, R.UPDATE),
    Step(lambda w, c: c.item.original_start is not None, exception, R.UPDATE),
    Step(
        lambda w, c: bool(c.item.sf_event_id) and not saved_again(w, c.item),
        absent_event,
        R.DOWN_DELETE,
    ),
    Step(lambda w, c: not c.up, _skip_one_way, R.DIRECTION),
    Step(lambda w, c: True, save_or_skip, R.AUTOSAVE_MEETING),
)


# The table as pairs, for the loop that runs once per item.
_STEPS = tuple((step.applies, step.handler) for step in LADDER)


def item(
    w: World, out: PlanBuilder, item: CalendarItem, meeting: Meeting, cancelled: str | None
) -> None:
    """Plan one copy of a meeting."""
    route = route_of(w, item)
    if route is not None:
        route_copy(w, out, item, route)
        return
    user = w.org.users.get(item.mailbox)
    if user is None:
        note = f"{item.mailbox} is not an internal user; only their calendars sync"
        out.note(item, "skip", R.OWNER, note)
        return
    state = out.begin()
    if w.emptied and w.held(user.sf_user_id):
        state.hold()  # R-EMPTY-GUARD: add what is missing, remove nothing
    c = read_copy(w, item, user, meeting, cancelled)
    for applies, handler in _STEPS:
        if applies(w, c):
            handler(w, out, c)
            break
    out.categories(item, state)


def read_copy(
    w: World, item: CalendarItem, user: UserSettings, meeting: Meeting, cancelled: str | None
) -> Copy:
    """Everything the ladder asks about ``item``, read once (no decisions, no writes)."""
    stamp = read_stamp(w, item, user, meeting)
    # Positional, in field order: one is made per item that takes the full rules.
    return Copy(
        item,
        user,
        meeting,
        None if w.prev is None else w.prev.items.get((item.mailbox, item.id)),  # prior
        cancelled,
        user.sf_user_id in w.org.sending_up,  # up: Org.up, inlined
        UNSYNC in item.categories,  # unsync
        stamp,
        None if stamp.event is None else w.kept(stamp.event),  # event
    )
