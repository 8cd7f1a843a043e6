"""Construction of the public values: type faults are refused, semantic faults are not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import calsync_core as cs

T = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)


def _item(**changes: Any) -> cs.CalendarItem:
    fields: dict[str, Any] = {
        "id": "i1",
        "ical_uid": "u1",
        "mailbox": "ana@acme.example",
        "start": T,
        "end": T,
    }
    fields.update(changes)
    return cs.CalendarItem(**fields)


def test_naive_datetime_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        _item(start=dt.datetime(2026, 11, 24, 9))


def test_date_instead_of_datetime_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="datetime"):
        _item(end=dt.date(2026, 11, 24))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", 5),
        ("is_all_day", "yes"),
        ("response", "ACCEPTED"),
        ("categories", "Salesforce"),  # a bare string would split into letters
        ("attendees", ("ana@acme.example",)),
        ("link_choice", {"who_id": "003"}),
    ],
)
def test_wrong_types_are_refused_at_construction(field: str, value: object) -> None:
    with pytest.raises(TypeError):
        _item(**{field: value})


def test_bool_is_not_accepted_as_a_count() -> None:
    with pytest.raises(TypeError):
        cs.OrgSettings(past_days=True)


def test_semantic_faults_are_accepted_for_the_planner_to_report() -> None:
    item = _item(id="", end=T - dt.timedelta(hours=1), mailbox="not an address")
    assert item.end < item.start  # planned later as INVALID_ITEM (R-ISSUES)


def test_addresses_are_stored_lower_cased() -> None:
    item = _item(
        mailbox="Ana@ACME.example",
        organizer="Bob@Customer.Example",
        attendees=[cs.Attendee(email="EVE@x.example")],
    )
    assert (item.mailbox, item.organizer, item.attendees[0].email) == (
        "ana@acme.example",
        "bob@customer.example",
        "eve@x.example",
    )
    settings = cs.OrgSettings(company_domains={"ACME.example"}, blocklist=["Spam.Example"])
    assert settings.company_domains == frozenset({"acme.example"})
    assert settings.blocklist == frozenset({"spam.example"})
    route = cs.PublicCalendarRoute(calendar_id="023", mailboxes=["A@acme.example"], category="X")
    assert route.mailboxes == ("a@acme.example",)


def test_collections_become_tuples_and_frozensets() -> None:
    item = _item(categories=["Salesforce", "Blue"], attendees=[cs.Attendee(email="a@b.c")])
    assert item.categories == frozenset({"Salesforce", "Blue"})
    assert isinstance(item.attendees, tuple)


def test_datetimes_are_stored_in_utc_and_compare_by_instant() -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    item = _item(start=dt.datetime(2026, 11, 24, 10, tzinfo=berlin))
    assert item.start == T
    assert item.start.tzinfo is dt.UTC


def test_values_are_frozen_and_hashable() -> None:
    item = _item()
    with pytest.raises(AttributeError):
        item.subject = "x"  # type: ignore[misc]
    assert len({item, _item()}) == 1


def test_defaults_match_the_contract() -> None:
    s = cs.OrgSettings()
    assert (s.past_days, s.future_days, s.empty_guard) == (14, 60, 5)
    assert s.max_attachment_bytes == 25 * 1024 * 1024
    assert s.description_mode is cs.DescriptionMode.SAFE
    assert s.conflict_policy is cs.ConflictPolicy.CALENDAR_WINS
    assert s.direction is cs.Direction.BOTH
    u = cs.UserSettings(email="a@acme.example", sf_user_id="005")
    assert (u.meeting_autosave, u.appointment_autosave) == (True, False)
    item = _item()
    assert item.response is cs.Response.ORGANIZER
    assert item.time_zone == "UTC"
    assert cs.Attendee(email="a@b.c").response is cs.Response.NOT_RESPONDED


def test_every_enum_value_is_its_name() -> None:
    for enum in (
        cs.Response,
        cs.AttendeeRole,
        cs.Sensitivity,
        cs.RecordKind,
        cs.IssueCode,
        cs.RecurrenceFormat,
        cs.DescriptionMode,
        cs.Direction,
        cs.ConflictPolicy,
    ):
        assert all(member.value == member.name for member in enum)


def test_action_keys_are_stable_and_distinguish_changes() -> None:
    a = cs.UpdateEvent(
        event_id="00U1",
        rule="R-UPDATE",
        changes=(cs.FieldChange(field="subject", old="a", new="b"),),
    )
    b = cs.UpdateEvent(
        event_id="00U1",
        rule="R-UPDATE",
        changes=(cs.FieldChange(field="subject", old="a", new="c"),),
    )
    assert a.key == cs.UpdateEvent(event_id="00U1", rule="R-UPDATE", changes=a.changes).key
    assert a.key != b.key
    # Categories are sets: the key must not depend on their iteration order.
    c1 = cs.SetCategories(mailbox="a@b.c", item_id="i", add={"x", "y"}, remove=(), rule="R")
    c2 = cs.SetCategories(mailbox="a@b.c", item_id="i", add=["y", "x"], remove=(), rule="R")
    assert c1.key == c2.key


def test_settings_that_contradict_themselves_raise_one_error_listing_all() -> None:
    users = (
        cs.UserSettings(email="a@acme.example", sf_user_id="005A"),
        cs.UserSettings(email="A@acme.example", sf_user_id="005A"),
    )
    settings = cs.OrgSettings(users=users, past_days=-1, required_fields={"nope"})
    with pytest.raises(cs.SettingsError) as caught:
        cs.reconcile(None, cs.Snapshot(as_of=T), settings)
    assert isinstance(caught.value, cs.CalsyncError)
    assert isinstance(caught.value, ValueError)
    assert len(caught.value.problems) == 4


def test_rule_table_covers_every_cited_rule_and_has_unique_ids() -> None:
    ids = [r.id for r in cs.RULE_TABLE]
    assert len(ids) == len(set(ids)) == len(cs.RULES)
    assert all(r.sentence.endswith(".") for r in cs.RULE_TABLE)
    for code in cs.IssueCode:
        assert any(code in r.issues for r in cs.RULE_TABLE), code


def test_every_rule_constant_the_planner_cites_is_in_the_table() -> None:
    from calsync_core import _rules

    # The planner cites rules by these names; each is a row of the table, named
    # for its ID, so the ID is written once and a misspelt name fails type checks.
    cited = {k: v for k, v in vars(_rules).items() if k.isupper() and isinstance(v, _rules.Rule)}
    assert len(cited) >= 30
    assert all(cs.RULES[rule.id] is rule for rule in cited.values())
    assert all(name == rule.id[2:].replace("-", "_") for name, rule in cited.items())
    assert set(cited.values()) == set(cs.RULE_TABLE)


def test_docs_rule_reference_is_generated_from_the_table() -> None:
    from pathlib import Path

    from calsync_core._rules import rules_markdown

    page = Path(__file__).parent.parent / "docs" / "rules.md"
    assert page.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale; write calsync_core._rules.rules_markdown() to it"
    )


def test_apply_never_gives_a_created_item_an_id_already_in_use() -> None:
    # A ref can recur: sync made an item for an event, the user re-stamped it, and
    # sync makes the item again under the same ref. A server hands out a new id.
    at = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
    make = cs.CreateItem(
        ref="new-item:u0@acme.example:00Upub",
        mailbox="u0@acme.example",
        ical_uid="sf-00Upub@calsync",
        start=at,
        end=at,
        subject="All hands",
        body="",
        location="",
        is_all_day=False,
        sensitivity=cs.Sensitivity.NORMAL,
        categories={"Company"},
        sf_event_id="00Upub",
        rule="R-PUBLIC-CALENDAR",
    )
    from calsync_core._plan import planned_plan

    once = cs.apply(cs.Snapshot(as_of=at), planned_plan((make,), (), ()))
    (first,) = once.items
    again = cs.apply(once, planned_plan((make,), (), ()))
    assert len({(i.mailbox, i.id) for i in again.items}) == 2
    assert first in again.items
