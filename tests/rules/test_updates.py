"""R-UPDATE: a linked item's changes go to its event; P-SAFETY: an update names what it replaces."""

from __future__ import annotations

import datetime as dt

import calsync_core as cs
from helpers import (
    PAT_ACCOUNT,
    PAT_CONTACT,
    actions_of,
    decision_for,
    edit,
    event_in,
    linked,
    meeting,
    only,
    org,
    put,
    run,
    settled,
    snap,
)

HOUR = dt.timedelta(hours=1)


def _synced() -> tuple[cs.CalendarItem, cs.SfEvent, cs.Snapshot]:
    """A meeting saved earlier, with its Who and What, as ``before``."""
    saved, ev = linked(
        meeting(location="Room 1"), who_ids=(PAT_CONTACT.id,), what_ids=(PAT_ACCOUNT,)
    )
    return saved, ev, snap(saved, ev, PAT_CONTACT)


def test_r_update_subject_change_names_old_and_new() -> None:
    saved, ev, before = _synced()

    plan = run(before, put(before, edit(saved, subject="Renewal")), org())

    update = only(actions_of(plan, cs.UpdateEvent))
    assert update.event_id == ev.id
    assert update.rule == "R-UPDATE"
    assert update.changes == (
        cs.FieldChange(field="subject", old="Quarterly review", new="Renewal"),
    )


def test_r_update_moved_meeting_changes_start_and_end() -> None:
    saved, ev, before = _synced()
    moved = edit(saved, start=saved.start + HOUR, end=saved.end + HOUR)

    plan = run(before, put(before, moved), org())

    changes = only(actions_of(plan, cs.UpdateEvent)).changes
    assert set(changes) == {
        cs.FieldChange(field="start", old=ev.start, new=ev.start + HOUR),
        cs.FieldChange(field="end", old=ev.end, new=ev.end + HOUR),
    }


def test_r_update_location_and_all_day_changes() -> None:
    saved, ev, before = _synced()
    midnight = saved.start.replace(hour=0)
    changed = edit(
        saved,
        location="Room 2",
        is_all_day=True,
        start=midnight,
        end=midnight + dt.timedelta(days=1),
    )

    plan = run(before, put(before, changed), org())

    changes = {c.field: (c.old, c.new) for c in only(actions_of(plan, cs.UpdateEvent)).changes}
    assert changes["location"] == ("Room 1", "Room 2")
    assert changes["is_all_day"] == (False, True)
    assert changes["start"] == (ev.start, midnight)


def test_r_update_only_fields_changed_in_the_calendar_are_sent() -> None:
    saved, ev, before = _synced()
    # Salesforce moved the location; the calendar renamed the meeting.
    after = put(before, edit(saved, subject="Renewal"), edit(ev, location="Room 9"))

    plan = run(before, after, org())

    changes = only(actions_of(plan, cs.UpdateEvent)).changes
    assert [c.field for c in changes] == ["subject"]


def test_r_update_unchanged_version_plans_nothing() -> None:
    saved, ev, before = _synced()
    # The event differs (changed in Salesforce) but the item's change key is the same.
    after = put(before, edit(ev, subject="Changed in Salesforce"))

    plan = run(before, after, org())

    assert actions_of(plan, cs.UpdateEvent) == ()
    # ... and what Salesforce changed goes down instead (R-DOWN-UPDATE).
    assert decision_for(plan, saved.id).rule == "R-DOWN-UPDATE"


def test_r_update_new_version_without_a_synced_field_change_plans_nothing() -> None:
    saved, _, before = _synced()
    # A user's own category is no field of the event.
    after = put(before, edit(saved, categories=saved.categories | {"Customer"}))

    plan = run(before, after, org())

    assert plan.actions == ()


def test_r_update_private_flag_change_clears_relations() -> None:
    saved, ev, before = _synced()
    after = put(before, edit(saved, sensitivity=cs.Sensitivity.PRIVATE))

    plan = run(before, after, org())

    changes = {c.field: (c.old, c.new) for c in only(actions_of(plan, cs.UpdateEvent)).changes}
    assert changes == {
        "is_private": (False, True),
        "who_ids": ((PAT_CONTACT.id,), ()),
        "what_ids": ((PAT_ACCOUNT,), ()),
    }
    applied = event_in(cs.apply(after, plan), ev.id)
    assert (applied.is_private, applied.who_ids, applied.what_ids) == (True, (), ())


def test_r_update_applied_update_converges() -> None:
    saved, ev, before = _synced()
    after = put(before, edit(saved, subject="Renewal", location="Room 2"))

    synced = cs.apply(after, run(before, after, org()))

    assert (event_in(synced, ev.id).subject, event_in(synced, ev.id).location) == (
        "Renewal",
        "Room 2",
    )
    assert settled(synced, org()).actions == ()


def test_p_safety_every_update_names_the_events_current_value() -> None:
    saved, ev, before = _synced()
    changed_ev = edit(ev, location="Room 9", description="Notes from Salesforce")
    changed_item = edit(saved, subject="Renewal", start=saved.start + HOUR, end=saved.end + HOUR)
    after = put(before, changed_item, changed_ev)

    plan = run(before, after, org())

    updates = actions_of(plan, cs.UpdateEvent)
    assert updates
    for update in updates:
        current = event_in(after, update.event_id)
        for change in update.changes:
            assert change.old == getattr(current, change.field)
    cs.apply(after, plan)  # apply refuses a change whose old value is not the current one
