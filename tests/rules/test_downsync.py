"""Salesforce → calendar: R-DOWN-CREATE, R-DOWN-UPDATE, R-CONFLICT, R-DESCRIPTION,
R-DOWN-DELETE, R-PUBLIC-CALENDAR, R-DIRECTION and the Salesforce side of the series rules."""

from __future__ import annotations

from typing import Any

import attrs

import calsync_core as cs
from helpers import (
    PAT_CONTACT,
    SALESFORCE,
    actions_of,
    at,
    converge,
    decision_for,
    drop,
    edit,
    event,
    event_in,
    issue_codes,
    item_in,
    linked,
    meeting,
    only,
    org,
    put,
    run,
    settled,
    snap,
    upward,
    user,
)


def _made_in_salesforce(**kw: Any) -> cs.SfEvent:
    fields: dict[str, Any] = {
        "uid": None,
        "created_by_sync": False,
        "subject": "Call Northwind",
        "description": "Ask about the renewal.",
        "location": "Phone",
        **kw,
    }
    return event("00Usf1", **fields)


def _linked_pair(**settings: Any) -> tuple[cs.Snapshot, cs.OrgSettings]:
    config = org(**settings)
    return converge(snap(meeting(body="Agenda from the calendar"), PAT_CONTACT), config), config


def _item(s: cs.Snapshot) -> cs.CalendarItem:
    return item_in(s, "meeting-1")


def _event(s: cs.Snapshot) -> cs.SfEvent:
    return only(s.events)


# -- R-DOWN-CREATE --------------------------------------------------------------------------------


def test_r_down_create_event_made_in_salesforce_gets_an_item_and_is_stamped() -> None:
    plan = run(None, snap(_made_in_salesforce()), org())

    create = only(actions_of(plan, cs.CreateItem))
    assert (create.mailbox, create.sf_event_id) == ("alice@acme.example", "00Usf1")
    assert create.categories == {SALESFORCE}
    assert (create.subject, create.body, create.location) == (
        "Call Northwind",
        "Ask about the renewal.",
        "Phone",
    )
    stamp = only(actions_of(plan, cs.UpdateEvent))
    assert stamp.rule == "R-DOWN-CREATE"
    assert stamp.changes == (cs.FieldChange(field="ical_uid", old=None, new=create.ical_uid),)


def test_r_down_create_one_apply_converges() -> None:
    synced = converge(snap(_made_in_salesforce()), org())

    item = only(synced.items)
    assert _event(synced).ical_uid == item.ical_uid
    assert item.sf_event_id == "00Usf1"
    assert settled(synced, org()).actions == ()


def test_r_down_create_private_event_becomes_a_private_item() -> None:
    plan = run(None, snap(_made_in_salesforce(is_private=True)), org())
    assert only(actions_of(plan, cs.CreateItem)).sensitivity is cs.Sensitivity.PRIVATE


def test_r_down_create_outside_the_window_is_skipped() -> None:
    plan = run(None, snap(_made_in_salesforce(start=at(days=90))), org())
    assert plan.actions == ()
    assert decision_for(plan, "00Usf1").rule == "R-WINDOW"


def test_r_down_create_owner_not_an_internal_user_is_ignored() -> None:
    plan = run(None, snap(_made_in_salesforce(owner="005stranger")), org())
    assert plan.actions == ()
    assert plan.issues == ()


def test_r_down_create_invalid_event_is_invalid_item_for_that_event_only() -> None:
    bad = _made_in_salesforce(start=at(days=2), end=at(days=1))
    good = event("00Usf2", uid=None, created_by_sync=False)
    plan = run(None, snap(bad, good), org())

    assert [(i.code, i.event_id) for i in plan.issues] == [(cs.IssueCode.INVALID_ITEM, "00Usf1")]
    assert only(actions_of(plan, cs.CreateItem)).sf_event_id == "00Usf2"


def test_r_recurring_format_lightning_series_is_not_downsynced() -> None:
    series = _made_in_salesforce(
        recurrence=cs.Recurrence(rule="FREQ=WEEKLY;COUNT=3"),
        recurrence_format=cs.RecurrenceFormat.LIGHTNING,
    )
    plan = run(None, snap(series), org())

    assert issue_codes(plan) == [cs.IssueCode.LIGHTNING_SERIES_NOT_DOWNSYNCED]
    assert plan.actions == ()


def test_r_recurring_format_classic_series_is_downsynced_with_its_rule() -> None:
    rule = cs.Recurrence(rule="FREQ=WEEKLY;COUNT=3")
    plan = run(None, snap(_made_in_salesforce(recurrence=rule)), org())
    assert only(actions_of(plan, cs.CreateItem)).recurrence == rule


def test_r_limit_recurring_salesforce_series_over_24_hours_is_not_downsynced() -> None:
    series = _made_in_salesforce(recurrence=cs.Recurrence(rule="FREQ=DAILY;COUNT=3"), hours=30)
    plan = run(None, snap(series), org())
    assert issue_codes(plan) == [cs.IssueCode.RECURRING_TOO_LONG]


# -- R-DOWN-UPDATE, R-UPDATE both ways, R-CONFLICT -------------------------------------------


def test_r_down_update_salesforce_change_goes_to_the_item() -> None:
    synced, settings = _linked_pair()
    moved = edit(_event(synced), start=at(days=2), end=at(days=2, hours=1), location="HQ")

    plan = run(synced, put(synced, moved), settings)

    update = only(actions_of(plan, cs.UpdateItem))
    assert update.rule == "R-DOWN-UPDATE"
    assert {c.field: (c.old, c.new) for c in update.changes} == {
        "start": (at(days=1), at(days=2)),
        "end": (at(days=1, hours=1), at(days=2, hours=1)),
        "location": ("", "HQ"),
    }
    assert actions_of(plan, cs.UpdateEvent) == ()


def test_r_down_update_private_flag_becomes_sensitivity() -> None:
    synced, settings = _linked_pair()
    plan = run(synced, put(synced, edit(_event(synced), is_private=True)), settings)

    change = only(only(actions_of(plan, cs.UpdateItem)).changes)
    assert (change.field, change.old, change.new) == (
        "sensitivity",
        cs.Sensitivity.NORMAL,
        cs.Sensitivity.PRIVATE,
    )


def test_r_update_both_sides_different_fields_each_goes_its_way() -> None:
    synced, settings = _linked_pair()
    after = put(
        synced, edit(_item(synced), subject="New subject"), edit(_event(synced), location="HQ")
    )

    plan = run(synced, after, settings)

    assert only(actions_of(plan, cs.UpdateEvent)).changes[0].field == "subject"
    assert only(actions_of(plan, cs.UpdateItem)).changes[0].field == "location"
    assert settled(cs.apply(after, plan), settings).actions == ()


def test_r_conflict_calendar_wins_by_default_and_records_both_values() -> None:
    synced, settings = _linked_pair()
    after = put(
        synced,
        edit(_item(synced), subject="From Outlook"),
        edit(_event(synced), subject="From Salesforce"),
    )

    plan = run(synced, after, settings)

    change = only(only(actions_of(plan, cs.UpdateEvent)).changes)
    assert (change.old, change.new) == ("From Salesforce", "From Outlook")
    assert actions_of(plan, cs.UpdateItem) == ()
    conflict = only(d for d in plan.explain("meeting-1") if d.outcome == "conflict")
    assert conflict.rule == "R-CONFLICT"
    assert "'From Outlook'" in conflict.note
    assert "'From Salesforce'" in conflict.note


def test_r_conflict_salesforce_wins_when_the_policy_says_so() -> None:
    synced, settings = _linked_pair(conflict_policy=cs.ConflictPolicy.SALESFORCE_WINS)
    after = put(
        synced,
        edit(_item(synced), subject="From Outlook"),
        edit(_event(synced), subject="From Salesforce"),
    )

    plan = run(synced, after, settings)

    change = only(only(actions_of(plan, cs.UpdateItem)).changes)
    assert (change.field, change.new) == ("subject", "From Salesforce")
    assert upward(plan) == []


def test_r_conflict_first_run_differences_are_settled_not_reported() -> None:
    saved, ev = linked(meeting(subject="Outlook"), subject="Salesforce")
    for policy, expected in (
        (cs.ConflictPolicy.CALENDAR_WINS, cs.UpdateEvent),
        (cs.ConflictPolicy.SALESFORCE_WINS, cs.UpdateItem),
    ):
        plan = run(None, snap(saved, ev, PAT_CONTACT), org(conflict_policy=policy))
        assert isinstance(
            only(a for a in plan.actions if not isinstance(a, cs.SetCategories)), expected
        )
        assert not any(d.outcome == "conflict" for d in plan.decisions)


# -- R-DESCRIPTION -----------------------------------------------------------------------------


def test_r_description_safe_keeps_later_description_edits_where_they_are() -> None:
    synced, settings = _linked_pair()
    after = put(synced, edit(_event(synced), description="Internal: discount up to 20%"))
    assert run(synced, after, settings).actions == ()
    after = put(synced, edit(_item(synced), body="New agenda"))
    assert run(synced, after, settings).actions == ()


def test_r_description_safe_leaks_the_salesforce_notes_with_a_subject_change() -> None:
    synced, settings = _linked_pair()
    notes = "Internal: discount up to 20%"
    after = put(synced, edit(_event(synced), subject="Renewal", description=notes))

    plan = run(synced, after, settings)

    changes = {c.field: c.new for c in only(actions_of(plan, cs.UpdateItem)).changes}
    assert changes == {"subject": "Renewal", "body": notes}  # the documented vendor leak
    assert any(d.rule == "R-DESCRIPTION" for d in plan.explain("meeting-1"))


def test_r_description_strict_never_sends_the_notes_down() -> None:
    synced, settings = _linked_pair(description_mode=cs.DescriptionMode.STRICT)
    after = put(synced, edit(_event(synced), subject="Renewal", description="Internal"))

    plan = run(synced, after, settings)

    changes = {c.field: c.new for c in only(actions_of(plan, cs.UpdateItem)).changes}
    assert changes == {"subject": "Renewal"}


def test_r_description_off_syncs_descriptions_both_ways() -> None:
    synced, settings = _linked_pair(description_mode=cs.DescriptionMode.OFF)
    up = run(synced, put(synced, edit(_item(synced), body="New agenda")), settings)
    assert only(only(actions_of(up, cs.UpdateEvent)).changes).new == "New agenda"
    down = run(synced, put(synced, edit(_event(synced), description="Notes")), settings)
    assert only(only(actions_of(down, cs.UpdateItem)).changes).new == "Notes"


def test_r_description_user_override_beats_the_org_mode() -> None:
    settings = org(user("alice", description_mode=cs.DescriptionMode.STRICT))
    synced = converge(snap(meeting(), PAT_CONTACT), settings)
    after = put(synced, edit(_event(synced), subject="Renewal", description="Internal"))

    plan = run(synced, after, settings)

    assert [c.field for c in only(actions_of(plan, cs.UpdateItem)).changes] == ["subject"]


# -- R-DOWN-DELETE -------------------------------------------------------------------------------


def test_r_down_delete_item_is_kept_and_loses_the_category() -> None:
    synced, settings = _linked_pair()
    gone = drop(synced, _event(synced).id)

    plan = run(synced, gone, settings)

    assert actions_of(plan, cs.DeleteItem) == ()
    assert only(actions_of(plan, cs.SetCategories)).remove == {SALESFORCE}
    after = cs.apply(gone, plan)
    assert _item(after).sf_event_id == _event(synced).id  # the mark autosave respects
    assert settled(after, settings).actions == ()


def test_r_down_delete_switch_deletes_the_item_the_user_organizes() -> None:
    settings = org(delete_items_deleted_in_salesforce=True)
    synced = converge(
        snap(meeting(organizer=None, attendees=["pat@partner.example"]), PAT_CONTACT), settings
    )

    plan = run(synced, drop(synced, _event(synced).id), settings)

    assert actions_of(plan, cs.DeleteItem) == (
        cs.DeleteItem(mailbox="alice@acme.example", item_id="meeting-1", rule="R-DOWN-DELETE"),
    )


def test_r_down_delete_switch_never_deletes_a_meeting_someone_else_organizes() -> None:
    synced, settings = _linked_pair(delete_items_deleted_in_salesforce=True)
    plan = run(synced, drop(synced, _event(synced).id), settings)

    assert actions_of(plan, cs.DeleteItem) == ()
    assert only(actions_of(plan, cs.SetCategories)).remove == {SALESFORCE}


def test_r_down_delete_manual_save_saves_it_again() -> None:
    synced, settings = _linked_pair()
    unmarked = cs.apply(
        drop(synced, _event(synced).id), run(synced, drop(synced, _event(synced).id), settings)
    )
    again = put(unmarked, edit(_item(unmarked), categories={SALESFORCE}))

    plan = run(unmarked, again, settings)

    assert only(actions_of(plan, cs.CreateEvent)).source_item_id == "meeting-1"


# -- R-PUBLIC-CALENDAR -----------------------------------------------------------------------


ROUTE = cs.PublicCalendarRoute(
    calendar_id="023company",
    mailboxes=("alice@acme.example", "bob@acme.example"),
    category="Company",
)


def _holiday() -> cs.SfEvent:
    # Owned by the public calendar itself (a 023 id), not by a user.
    return attrs.evolve(_made_in_salesforce(subject="Company offsite"), owner_id="023company")


def test_r_public_calendar_events_go_to_each_route_mailbox_with_the_route_category() -> None:
    settings = org(user("alice"), user("bob"), public_calendar_routes=(ROUTE,))
    plan = run(None, snap(_holiday()), settings)

    creates = actions_of(plan, cs.CreateItem)
    assert [(c.mailbox, c.categories) for c in creates] == [
        ("alice@acme.example", frozenset({"Company"})),
        ("bob@acme.example", frozenset({"Company"})),
    ]
    assert upward(plan) == []  # nothing goes back, not even a UID stamp


def test_r_public_calendar_changes_flow_one_way_only() -> None:
    settings = org(user("alice"), user("bob"), public_calendar_routes=(ROUTE,))
    synced = converge(snap(_holiday()), settings)
    assert settled(synced, settings).actions == ()
    copy = only(i for i in synced.items if i.mailbox == "alice@acme.example")

    local_edit = run(synced, put(synced, edit(copy, subject="My note")), settings)
    assert local_edit.actions == ()

    moved = edit(event_in(synced, "00Usf1"), location="Lisbon")
    plan = run(synced, put(synced, moved), settings)
    assert {(u.mailbox, u.rule) for u in actions_of(plan, cs.UpdateItem)} == {
        ("alice@acme.example", "R-PUBLIC-CALENDAR"),
        ("bob@acme.example", "R-PUBLIC-CALENDAR"),
    }
    assert upward(plan) == []


def test_r_public_calendar_deleted_event_unmarks_the_copies() -> None:
    settings = org(user("alice"), user("bob"), public_calendar_routes=(ROUTE,))
    synced = converge(snap(_holiday()), settings)

    plan = run(synced, drop(synced, "00Usf1"), settings)

    assert {a.remove for a in actions_of(plan, cs.SetCategories)} == {frozenset({"Company"})}
    assert settled(cs.apply(drop(synced, "00Usf1"), plan), settings).actions == ()


# -- R-DIRECTION ----------------------------------------------------------------------------------


def test_r_direction_to_salesforce_plans_nothing_downward() -> None:
    settings = org(direction=cs.Direction.TO_SALESFORCE)
    assert run(None, snap(_made_in_salesforce()), settings).actions == ()
    synced = converge(snap(meeting(), PAT_CONTACT), settings)
    plan = run(synced, put(synced, edit(_event(synced), subject="Renamed")), settings)
    assert plan.actions == ()
    assert decision_for(plan, "meeting-1").rule == "R-DIRECTION"


def test_r_direction_per_user_override() -> None:
    settings = org(user("alice", direction=cs.Direction.TO_SALESFORCE), user("bob"))
    bobs = event("00Usf2", owner="bob", uid=None, created_by_sync=False)
    plan = run(None, snap(_made_in_salesforce(), bobs), settings)
    assert [c.mailbox for c in actions_of(plan, cs.CreateItem)] == ["bob@acme.example"]


# -- P-SAFETY ------------------------------------------------------------------------------


def test_p_safety_every_item_update_names_the_items_current_value() -> None:
    synced, settings = _linked_pair()
    after = put(synced, edit(_event(synced), subject="Renamed", location="HQ"))
    plan = run(synced, after, settings)
    item = _item(after)
    for change in only(actions_of(plan, cs.UpdateItem)).changes:
        assert getattr(item, change.field) == change.old


def test_r_cancel_a_deleted_public_calendar_copy_cancels_nothing() -> None:
    # A copy sync made of a company event organizes nothing: alice deleting hers is
    # no organizer cancelling a meeting, whatever else carries the copies' UID.
    settings = org(user("alice"), user("bob"), public_calendar_routes=(ROUTE,))
    own = event("00Ubob", owner="bob", uid="uid-bob")
    synced = converge(snap(_holiday(), own), settings)
    alices = only(i for i in synced.items if i.mailbox == "alice@acme.example")
    bobs = only(i for i in synced.items if i.mailbox == "bob@acme.example")
    # bob's copy now carries his own event's stamp (an item copied with its stamps)
    after = put(drop(synced, alices.id), edit(bobs, sf_event_id="00Ubob"))

    plan = run(synced, after, settings)

    assert "R-CANCEL" not in {d.rule for d in plan.decisions}
    assert decision_for(plan, bobs.id).rule == "R-DEDUP"


def test_r_cancel_a_public_calendar_copy_deleted_with_its_event_cancels_nothing() -> None:
    # The company event goes in Salesforce and, with R-DOWN-DELETE's switch on,
    # alice's copy goes with it. That copy organizes nothing: bob's copy of the
    # same UID (re-stamped with his own event) is not cancelled for it.
    settings = org(
        user("alice"),
        user("bob"),
        public_calendar_routes=(ROUTE,),
        delete_items_deleted_in_salesforce=True,
    )
    own = event("00Ubob", owner="bob", uid="uid-bob")
    synced = converge(snap(_holiday(), own), settings)
    bobs = only(i for i in synced.items if i.mailbox == "bob@acme.example")
    after = put(drop(synced, "00Usf1"), edit(bobs, sf_event_id="00Ubob"))

    plan = run(synced, after, settings)

    assert [a.mailbox for a in actions_of(plan, cs.DeleteItem)] == ["alice@acme.example"]
    assert "R-CANCEL" not in {d.rule for d in plan.decisions}
