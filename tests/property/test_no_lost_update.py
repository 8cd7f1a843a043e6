"""A no-lost-update oracle for linked pairs, in the spirit of Unison's specification.

For every pair linked in ``before`` and still linked, in the window, in a
two-way org, and for every field the two sides keep equal, after the plan is
applied:

- a field changed on one side only ends with that value on both sides;
- a field changed on neither side is untouched on both;
- every resulting value is one of the two sides' values (nothing invented);
- a field changed on both sides to different values ends with the policy's
  winner on both sides, and the plan records a conflict decision.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given

import calsync_core as cs
from calsync_core._domain import overlaps, window
from calsync_core.planner.limits import duration_limit, event_fields

from .orgs import History, histories

pytestmark = pytest.mark.property

FIELDS = ("subject", "location", "start", "end", "is_all_day", "is_private")


def _pairs(h: History) -> list[tuple[cs.CalendarItem, cs.SfEvent, cs.CalendarItem, cs.SfEvent]]:
    """(item before, event before, item after, event after) for pairs the oracle covers."""
    assert h.before is not None
    users = {u.email: u for u in h.settings.users}
    before_items = {(i.mailbox, i.id): i for i in h.before.items}
    before_events = {e.id: e for e in h.before.events}
    after_events = {e.id: e for e in h.after.events}
    uid_owner: dict[tuple[str | None, str], int] = {}
    for e in h.after.events:
        uid_owner[(e.ical_uid, e.owner_id)] = uid_owner.get((e.ical_uid, e.owner_id), 0) + 1
    item_ids: dict[tuple[str, str], int] = {}
    for i in h.after.items:
        item_ids[(i.mailbox, i.id)] = item_ids.get((i.mailbox, i.id), 0) + 1
    window = _Window(h)
    pairs = []
    for item in h.after.items:
        user = users.get(item.mailbox)
        prior = before_items.get((item.mailbox, item.id))
        event = after_events.get(item.sf_event_id or "")
        prior_event = before_events.get(item.sf_event_id or "")
        if user is None or prior is None or event is None or prior_event is None:
            continue
        direction = user.direction or h.settings.direction
        if (
            direction is not cs.Direction.BOTH
            or prior.sf_event_id != item.sf_event_id
            or item_ids[(item.mailbox, item.id)] > 1
            or uid_owner[(event.ical_uid, event.owner_id)] > 1
            or event.owner_id != user.sf_user_id
            or item.is_cancelled
            or "Salesforce Unsync" in item.categories
            or duration_limit(item) is not None
            or not (window.holds(item) and window.holds(event))
        ):
            continue
        pairs.append((prior, prior_event, item, event))
    return pairs


class _Window:
    def __init__(self, h: History) -> None:
        self.start, self.end = window(h.settings, h.after.as_of)

    def holds(self, thing: cs.CalendarItem | cs.SfEvent) -> bool:
        return overlaps(thing, self.start, self.end)


@given(histories())
def test_p_safety_no_lost_update_on_linked_pairs(h: History) -> None:
    assume(h.before is not None)
    plan = cs.reconcile(h.before, h.after, h.settings)
    assume(not any(i.code is cs.IssueCode.MAILBOX_EMPTIED for i in plan.issues))
    result = cs.apply(h.after, plan)
    items = {(i.mailbox, i.id): i for i in result.items}
    events = {e.id: e for e in result.events}
    names: tuple[str, ...] = FIELDS
    if h.settings.description_mode is cs.DescriptionMode.OFF:
        names = (*FIELDS, "description")
    for old_item, old_event, item, event in _pairs(h):
        if (item.mailbox, item.id) not in items or event.id not in events:
            continue  # deleted on purpose (R-CANCEL, R-UNSYNC, R-DEDUP): not an update
        new_item, new_event = items[(item.mailbox, item.id)], events[event.id]
        was, now, out = event_fields(old_item), event_fields(item), event_fields(new_item)
        for name in names:
            cal_b, cal_a, cal_r = was.value(name), now.value(name), out.value(name)
            sf_b, sf_a, sf_r = (getattr(e, name) for e in (old_event, event, new_event))
            assert cal_r in (cal_a, sf_a), f"{name}: invented in the calendar"
            assert sf_r in (cal_a, sf_a), f"{name}: invented in Salesforce"
            cal_moved, sf_moved = cal_a != cal_b, sf_a != sf_b
            if cal_moved and not sf_moved:
                assert cal_r == sf_r == cal_a, f"{name}: calendar change lost"
            elif sf_moved and not cal_moved:
                assert cal_r == sf_r == sf_a, f"{name}: Salesforce change lost"
            elif not cal_moved and not sf_moved:
                assert (cal_r, sf_r) == (cal_a, sf_a), f"{name}: touched without a change"
            elif cal_a != sf_a:
                wins = h.settings.conflict_policy is cs.ConflictPolicy.CALENDAR_WINS
                assert cal_r == sf_r == (cal_a if wins else sf_a), f"{name}: wrong winner"
                notes = [
                    d.note for d in plan.explain(item.id, item.mailbox) if d.rule == "R-CONFLICT"
                ]
                assert any(note.startswith(name) for note in notes), f"{name}: no conflict noted"
