"""dumps/loads: exact round trips, canonical bytes, and strict loading that lists every problem."""

from __future__ import annotations

import datetime as dt
import json
import re
import tracemalloc
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calsync_core import DumpError
from calsync_core._enums import (
    AttendeeRole,
    ConflictPolicy,
    DescriptionMode,
    Direction,
    IssueCode,
    RecordKind,
    RecurrenceFormat,
    Response,
    Sensitivity,
)
from calsync_core._errors import CalsyncError, LoadError
from calsync_core._plan import (
    ACTION_TYPES,
    Action,
    CreateEvent,
    CreateItem,
    CreateRecord,
    Decision,
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
from calsync_core._serde import MAX_PROBLEMS, dumps, loads, problem_count
from calsync_core._values import (
    Attachment,
    Attendee,
    CalendarItem,
    LinkChoice,
    OrgSettings,
    PublicCalendarRoute,
    Record,
    Recurrence,
    SfEvent,
    Snapshot,
    UserSettings,
)

T0 = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _item(**kw: Any) -> CalendarItem:
    base: dict[str, Any] = {
        "id": "item-1",
        "ical_uid": "uid-1",
        "mailbox": "ann@example.com",
        "start": T0,
        "end": T0 + HOUR,
    }
    return CalendarItem(**{**base, **kw})


def _snapshot() -> Snapshot:
    rich = _item(
        subject="Café ☕ with Bob",
        body="<p>agenda</p>",
        location="Room 4",
        time_zone="Europe/Berlin",
        organizer="Ann@Example.com",
        attendees=[
            Attendee(email="bob@client.com", name="Bob", response=Response.ACCEPTED),
            Attendee(email="room@example.com", role=AttendeeRole.RESOURCE),
        ],
        response=Response.ORGANIZER,
        sensitivity=Sensitivity.PRIVATE,
        categories={"Salesforce", "Blue"},
        recurrence=Recurrence(rule="FREQ=WEEKLY;BYDAY=MO;COUNT=5"),
        calendar_id="cal-9",
        attachments=[Attachment(id="att-1", name="deck.pdf", size=2048, content_type="x/pdf")],
        link_choice=LinkChoice(who_id="003A", what_id="006B"),
        sf_event_id="00U1",
        version="ck-7",
    )
    event = SfEvent(
        id="00U1",
        owner_id="005A",
        start=T0 + dt.timedelta(microseconds=250),
        end=T0 + HOUR,
        subject="Call",
        is_private=True,
        who_ids=["003A", "00QB"],
        what_ids=["006B"],
        invitee_ids=["005B"],
        ical_uid="uid-1",
        created_by_sync=True,
        recurrence=Recurrence(rule="FREQ=DAILY;COUNT=2"),
        recurrence_format=RecurrenceFormat.LIGHTNING,
    )
    return Snapshot(
        as_of=T0,
        items=[rich, _item(id="item-2", ical_uid="uid-2")],
        events=[event, SfEvent(id="00U2", owner_id="005A", start=T0, end=T0)],
        records=[
            Record(id="003A", kind=RecordKind.CONTACT, email="bob@client.com", account_id="001"),
            Record(id="001", kind=RecordKind.ACCOUNT, name="Client Ltd"),
        ],
    )


def _settings() -> OrgSettings:
    return OrgSettings(
        users=[
            UserSettings(email="ann@example.com", sf_user_id="005A"),
            UserSettings(
                email="cy@example.com",
                sf_user_id="005C",
                meeting_autosave=False,
                description_mode=DescriptionMode.STRICT,
                direction=Direction.TO_CALENDAR,
            ),
        ],
        company_domains={"example.com", "example.org"},
        blocklist={"noreply@client.com"},
        auto_create=RecordKind.LEAD,
        conflict_policy=ConflictPolicy.SALESFORCE_WINS,
        public_calendar_routes=[
            PublicCalendarRoute(calendar_id="023X", mailboxes=["ann@example.com"], category="Team")
        ],
        required_fields={"Type", "Subject"},
        max_attachment_bytes=1000,
    )


def _plan() -> Plan:
    changes = [
        FieldChange(field="start", old=T0, new=T0 + HOUR),
        FieldChange(field="subject", old="a", new="b"),
        FieldChange(field="is_private", old=False, new=True),
        FieldChange(field="who_ids", old=("003A",), new=()),
        FieldChange(field="ical_uid", old=None, new="uid-1"),
    ]
    attachment = Attachment(id="att-1", name="deck.pdf", size=10)
    actions: list[Action] = [
        CreateRecord(ref="r1", kind=RecordKind.CONTACT, email="x@y.com", name="X", rule="R1"),
        CreateEvent(
            ref="e1",
            owner_id="005A",
            ical_uid="uid-1",
            start=T0,
            end=T0 + HOUR,
            subject="s",
            description="d",
            location="l",
            is_all_day=False,
            is_private=False,
            who_ids=["r1"],
            what_ids=[],
            invitee_ids=["005B"],
            recurrence=None,
            source_item_id="item-1",
            rule="R2",
            time_zone="Europe/Berlin",
        ),
        SaveAttachment(event_id="e1", attachment=attachment, rule="R3"),
        UpdateEvent(event_id="00U1", changes=changes, rule="R4"),
        DeleteEvent(event_id="00U2", rule="R5"),
        CreateItem(
            ref="i1",
            mailbox="ann@example.com",
            ical_uid="uid-3",
            start=T0,
            end=T0 + HOUR,
            subject="s",
            body="b",
            location="",
            is_all_day=True,
            sensitivity=Sensitivity.NORMAL,
            categories={"Team", "Salesforce"},
            sf_event_id="00U3",
            rule="R6",
        ),
        UpdateItem(
            mailbox="ann@example.com",
            item_id="item-2",
            changes=[FieldChange(field="sf_event_id", old=None, new="e1")],
            rule="R7",
        ),
        DeleteItem(mailbox="ann@example.com", item_id="item-9", rule="R8"),
        SetCategories(
            mailbox="ann@example.com", item_id="item-1", add={"b", "a"}, remove={"z"}, rule="R9"
        ),
    ]
    return Plan(
        actions=actions,
        issues=[
            Issue(code=IssueCode.ISE_013, message="m", rule="R10", mailbox="ann@example.com"),
            Issue(code=IssueCode.DUPLICATE_EVENT, message="n", rule="R11", event_id="00U1"),
        ],
        decisions=[Decision(ref="item-1", outcome="synced", rule="R2", note="because")],
    )


def _doc(value: object) -> Any:
    return json.loads(dumps(value))


def _problems(doc: Any, cls: type[Any]) -> tuple[str, ...]:
    with pytest.raises(LoadError) as info:
        loads(json.dumps(doc), cls)
    return info.value.problems


# --- round trips ---------------------------------------------------------------------------

SMALL_VALUES: list[object] = [
    Attendee(email="a@b.c", name="A", response=Response.TENTATIVE, role=AttendeeRole.OPTIONAL),
    Attachment(id="1", name="n", size=0),
    LinkChoice(),
    _item(),
    UserSettings(email="a@b.c", sf_user_id="005"),
    Record(id="1", kind=RecordKind.OPPORTUNITY),
    FieldChange(field="end", old=T0, new=None),
    *_plan().actions,
    *_plan().issues,
    *_plan().decisions,
]


@pytest.mark.parametrize(
    "value",
    [_snapshot(), _settings(), _plan(), Snapshot(as_of=T0), OrgSettings(), Plan(), *SMALL_VALUES],
    ids=lambda v: type(v).__name__,
)
def test_round_trip_is_exact(value: object) -> None:
    text = dumps(value)
    back = loads(text, type(value))
    assert back == value
    assert dumps(back) == text


def test_plan_fixture_has_every_action_kind_tagged_by_class_name() -> None:
    plan = _plan()
    assert {type(a) for a in plan.actions} == set(ACTION_TYPES)
    assert [a["type"] for a in _doc(plan)["actions"]] == [type(a).__name__ for a in plan.actions]


def test_loads_accepts_utf8_bytes() -> None:
    snapshot = _snapshot()
    assert loads(dumps(snapshot).encode(), Snapshot) == snapshot


@pytest.mark.parametrize("cls", [CalendarItem, SfEvent])
def test_field_change_of_every_field_round_trips_with_its_type(cls: type[Any]) -> None:
    snapshot = _snapshot()
    source = snapshot.items[0] if cls is CalendarItem else snapshot.events[0]
    for field in attrs.fields(cls):
        change = FieldChange(field=field.name, old=getattr(source, field.name), new=None)
        back = loads(dumps(change), FieldChange)
        assert back == change, field.name
        assert type(back.old) is type(change.old), field.name


def test_field_change_of_an_unknown_field_keeps_json_values() -> None:
    doc = {"field": "colour", "old": ["a", "b"], "new": True}
    assert loads(json.dumps(doc), FieldChange) == FieldChange(
        field="colour", old=("a", "b"), new=True
    )
    assert _problems({**doc, "new": 5}, FieldChange) == (
        "new: expected str, bool, null or a list of str",
    )


# --- canonical output ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [_snapshot(), _settings(), _plan()], ids=lambda v: type(v).__name__
)
def test_output_is_canonical_json(value: object) -> None:
    text = dumps(value)
    canonical = json.dumps(
        json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert text == canonical


def test_every_attribute_is_written_including_defaults() -> None:
    doc = _doc(_item())
    assert set(doc) == {a.name for a in attrs.fields(CalendarItem)}
    assert doc["sf_event_id"] is None
    assert doc["attendees"] == []
    assert doc["sensitivity"] == "NORMAL"


def test_values_are_written_as_json_natives() -> None:
    doc = _doc(_snapshot())
    item, event = doc["items"][0], doc["events"][0]
    assert doc["as_of"] == "2026-11-24T09:30:00Z"
    assert event["start"] == "2026-11-24T09:30:00.000250Z"
    assert item["categories"] == ["Blue", "Salesforce"]
    assert item["attendees"][0]["response"] == "ACCEPTED"
    assert item["subject"] == "Café ☕ with Bob"
    assert "Café ☕" in dumps(_snapshot())
    assert event["who_ids"] == ["003A", "00QB"]
    assert _doc(_settings())["company_domains"] == ["example.com", "example.org"]


def test_a_datetime_in_another_offset_is_written_as_the_same_utc_instant() -> None:
    berlin = dt.timezone(dt.timedelta(hours=2))
    local = _item(start=dt.datetime(2026, 11, 24, 11, 30, tzinfo=berlin))
    assert _doc(local)["start"] == "2026-11-24T09:30:00Z"
    assert dumps(local) == dumps(_item())


@given(names=st.lists(st.text(max_size=5), max_size=6), seed=st.randoms(use_true_random=False))
def test_equal_values_built_in_different_orders_give_identical_bytes(
    names: list[str], seed: Any
) -> None:
    shuffled = list(names)
    seed.shuffle(shuffled)
    one, two = _item(categories=names), _item(categories=shuffled)
    assert dumps(one) == dumps(two)
    assert _doc(one)["categories"] == sorted(set(names))


# --- problems ----------------------------------------------------------------------------


def test_load_error_is_a_calsync_error_and_a_value_error() -> None:
    with pytest.raises(LoadError) as info:
        loads("[]", Snapshot)
    assert isinstance(info.value, CalsyncError)
    assert isinstance(info.value, ValueError)
    assert info.value.problems == ("<root>: expected object",)


def test_every_problem_is_listed_with_its_path() -> None:
    doc = _doc(Snapshot(as_of=T0, items=[_item()] * 4, events=[_snapshot().events[1]] * 3))
    for i in (1, 3):
        doc["items"][i]["start"] = "2026-11-24T09:30:00"
    doc["items"][0]["attendees"] = [
        {"email": "a@b.c"},
        {"email": "d@e.f", "response": "MAYBE"},
    ]
    doc["events"][2]["is_private"] = "yes"
    del doc["as_of"]
    assert _problems(doc, Snapshot) == (
        "as_of: required field missing",
        "items[0].attendees[1].response: 'MAYBE' is not one of ORGANIZER, ACCEPTED, "
        "TENTATIVE, DECLINED, NOT_RESPONDED",
        "items[1].start: naive datetime",
        "items[3].start: naive datetime",
        "events[2].is_private: expected bool",
    )


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("id", 5, "items[0].id: expected str"),
        ("is_all_day", "true", "items[0].is_all_day: expected bool"),
        ("is_all_day", 1, "items[0].is_all_day: expected bool"),
        ("categories", "Blue", "items[0].categories: expected list"),
        ("categories", [1], "items[0].categories[0]: expected str"),
        (
            "attendees",
            [{"email": "a@b.c", "role": True}],
            "items[0].attendees[0].role: True is not one of REQUIRED, OPTIONAL, RESOURCE",
        ),
        (
            "attachments",
            [{"id": "1", "name": "n", "size": 1.0}],
            "items[0].attachments[0].size: expected int",
        ),
        (
            "attachments",
            [{"id": "1", "name": "n", "size": True}],
            "items[0].attachments[0].size: expected int",
        ),
        ("recurrence", "FREQ=DAILY", "items[0].recurrence: expected object"),
        ("start", 1767225600, "items[0].start: expected an ISO 8601 datetime string"),
        ("start", "tomorrow", "items[0].start: invalid datetime 'tomorrow'"),
        (
            "start",
            "0001-01-01T00:00:00+01:00",
            "items[0].start: datetime out of range '0001-01-01T00:00:00+01:00'",
        ),
        ("colour", "red", "items[0].colour: unknown field"),
    ],
)
def test_nothing_is_coerced(key: str, value: object, problem: str) -> None:
    doc = _doc(Snapshot(as_of=T0, items=[_item()]))
    doc["items"][0][key] = value
    assert _problems(doc, Snapshot) == (problem,)


def test_an_unknown_key_that_is_not_a_name_is_quoted_in_its_path() -> None:
    doc = _doc(Snapshot(as_of=T0, items=[_item()]))
    doc["items"][0].update({"": 1, "a.b": 2, "size": 3})
    assert _problems(doc, Snapshot) == (
        'items[0][""]: unknown field',
        'items[0]["a.b"]: unknown field',
        "items[0].size: unknown field",
    )


def test_a_datetime_with_z_or_an_offset_loads_as_utc() -> None:
    doc = _doc(Snapshot(as_of=T0))
    doc["as_of"] = "2026-11-24T11:30:00+02:00"
    assert loads(json.dumps(doc), Snapshot).as_of == T0


def test_settings_problems() -> None:
    doc = _doc(_settings())
    doc["past_days"] = True
    doc["users"][1]["direction"] = "SIDEWAYS"
    doc["public_calendar_routes"][0]["mailboxes"] = [None]
    assert _problems(doc, OrgSettings) == (
        "users[1].direction: 'SIDEWAYS' is not one of BOTH, TO_SALESFORCE, TO_CALENDAR",
        "past_days: expected int",
        "public_calendar_routes[0].mailboxes[0]: expected str",
    )


def test_action_and_field_change_problems() -> None:
    doc = _doc(_plan())
    doc["actions"][0]["type"] = "LaunchRocket"
    del doc["actions"][1]["type"]
    doc["actions"][2] = ["SaveAttachment"]
    changes = doc["actions"][3]["changes"]
    changes[0]["old"] = "yesterday"
    changes[3]["new"] = "003A"
    del changes[1]["new"]
    changes[2]["why"] = "because"
    assert _problems(doc, Plan) == (
        "actions[0].type: 'LaunchRocket' is not a valid action type",
        "actions[1].type: required field missing",
        "actions[2]: expected object",
        "actions[3].changes[0].old: invalid datetime 'yesterday'",
        "actions[3].changes[1].new: required field missing",
        "actions[3].changes[2].why: unknown field",
        "actions[3].changes[3].new: expected list",
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"as_of": }', "<text>: invalid JSON at line 1 column 11: Expecting value"),
        ("", "<text>: invalid JSON at line 1 column 1: Expecting value"),
        (
            '{"as_of": "2026-11-24T09:30:00Z"} x',
            "<text>: invalid JSON at line 1 column 35: Extra data",
        ),
        ('{"as_of": "2026-11-24T09:30:00Z", "as_of": "x"}', "<text>: duplicate key 'as_of'"),
        (b"\xff", "<text>: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
        ("[" * 100_000, "<text>: nested too deeply"),
        ("[]", "<root>: expected object"),
        ("null", "<root>: expected object"),
        ('"2026-11-24T09:30:00Z"', "<root>: expected object"),
        ('{"as_of": NaN}', "as_of: expected an ISO 8601 datetime string"),
    ],
)
def test_bad_text_and_wrong_root_shape(text: str | bytes, problem: str) -> None:
    with pytest.raises(LoadError) as info:
        loads(text, Snapshot)
    assert info.value.problems == (problem,)


def test_loads_refuses_a_type_that_is_not_a_library_value() -> None:
    with pytest.raises(TypeError):
        loads("{}", dict)


# --- a bound on problems ------------------------------------------------------------------


def _empty_items(n: int) -> str:
    """A snapshot of ``n`` empty items: five problems each (id, ical_uid, mailbox, start, end)."""
    return '{"as_of":"2026-11-24T09:00:00Z","items":[' + ",".join(["{}"] * n) + "]}"


def test_problems_past_the_bound_are_counted_not_listed() -> None:
    with pytest.raises(LoadError) as info:
        loads(_empty_items(1000), Snapshot)
    problems = info.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[:6] == (
        "items[0].id: required field missing",
        "items[0].ical_uid: required field missing",
        "items[0].mailbox: required field missing",
        "items[0].start: required field missing",
        "items[0].end: required field missing",
        "items[1].id: required field missing",
    )
    assert problems[99] == "items[19].end: required field missing"
    assert problems[100] == "and 4900 more problems"
    assert problem_count(problems) == 5000


def test_the_bound_holds_across_nested_lists_and_fields() -> None:
    doc = _doc(Snapshot(as_of=T0, items=[_item()]))
    doc["items"][0]["attendees"] = [{}] * 150  # one problem each: email
    doc["items"][0]["colour"] = "red"
    doc["events"] = [{}] * 10  # four each: id, owner_id, start, end
    problems = _problems(doc, Snapshot)
    assert problems[:2] == (
        "items[0].attendees[0].email: required field missing",
        "items[0].attendees[1].email: required field missing",
    )
    assert problems[MAX_PROBLEMS - 1] == "items[0].attendees[99].email: required field missing"
    assert problems[MAX_PROBLEMS:] == ("and 91 more problems",)
    assert problem_count(problems) == 150 + 1 + 40


@attrs.frozen(kw_only=True)
class _AttendeeList:
    """A value with one list, to count its problems exactly."""

    email: str
    attendees: tuple[Attendee, ...]


@pytest.mark.parametrize(
    ("n", "last"),
    [
        (MAX_PROBLEMS, "attendees[99].email: required field missing"),
        (MAX_PROBLEMS + 1, "and 1 more problem"),
    ],
)
def test_the_count_appears_only_past_the_bound(n: int, last: str) -> None:
    problems = _problems({"email": "a@b.c", "attendees": [{}] * n}, _AttendeeList)
    assert problems[-1] == last
    assert problem_count(problems) == n


def test_a_large_bad_document_is_rejected_with_a_bounded_list() -> None:
    with pytest.raises(LoadError) as info:
        loads(_empty_items(10**4), Snapshot)
    assert len(info.value.problems) == MAX_PROBLEMS + 1
    assert info.value.problems[-1] == f"and {5 * 10**4 - MAX_PROBLEMS} more problems"


def test_rejecting_a_document_holds_little_more_than_the_parsed_document() -> None:
    """Not one exception per bad element kept to the end (cattrs' way): ~8 KB per ``{}``."""
    text = _empty_items(3000)
    with pytest.raises(LoadError):  # first use builds the hooks: not what is measured
        loads(_empty_items(1), Snapshot)
    tracemalloc.start()
    try:
        json.loads(text)
        parsed = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        with pytest.raises(LoadError):
            loads(text, Snapshot)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * parsed  # before the bound: over 100 times


# --- lone surrogates ------------------------------------------------------------------------

_LONE = "\ud800"


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Each string of a JSON document, as (its path, its container, its key or index)."""
    pairs = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in pairs:
        here = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}".removeprefix(".")
        if isinstance(value, str):
            yield here, node, key
        elif isinstance(value, dict | list):
            yield from _strings(value, here)


def _unicode_problem(path: str) -> str:
    return f"{path}: not valid Unicode (lone surrogate \\ud800)"


@pytest.mark.parametrize(
    "value", [_snapshot(), _settings(), _plan()], ids=lambda v: type(v).__name__
)
def test_loads_refuses_a_lone_surrogate_in_any_string(value: object) -> None:
    """Ids, subjects, addresses, set members, enum values, datetimes, action tags: all of them."""
    doc = _doc(value)
    for path, container, key in list(_strings(doc)):
        original = container[key]
        container[key] = original[:1] + _LONE + original[1:]
        text = json.dumps(doc)  # written as the escape "\ud800", as a JSON file would hold it
        assert "\\ud800" in text
        with pytest.raises(LoadError) as info:
            loads(text, type(value))
        assert info.value.problems == (_unicode_problem(path),), path
        container[key] = original


def test_loads_refuses_a_lone_surrogate_in_a_key() -> None:
    doc = _doc(Snapshot(as_of=T0, items=[_item()]))
    doc["items"][0][f"x{_LONE}"] = 1
    assert _problems(doc, Snapshot) == (_unicode_problem('items[0]["x\\ud800"]'),)


def test_loads_refuses_a_lone_surrogate_in_an_unknown_field_change() -> None:
    doc = {"field": "colour", "old": f"a{_LONE}", "new": ["b", _LONE]}
    assert _problems(doc, FieldChange) == (_unicode_problem("old"), _unicode_problem("new[1]"))


@pytest.mark.parametrize(
    "text", [f'"a{_LONE}"', '"a\\ud800"', '"\\udfff\\ud800"', '"\\ude00\\ud83d"']
)
def test_a_surrogate_as_character_or_escape_or_wrong_pair_is_refused(text: str) -> None:
    record = '{"id": ' + text + ', "kind": "LEAD"}'
    with pytest.raises(LoadError) as info:
        loads(f'{{"as_of": "2026-11-24T09:30:00Z", "records": [{record}]}}', Snapshot)
    (problem,) = info.value.problems
    assert problem.startswith("records[0].id: not valid Unicode (lone surrogate \\ud")
    str(info.value).encode("utf-8")  # the message itself can be printed


def test_a_surrogate_pair_is_one_character_and_loads() -> None:
    doc = _doc(_item(subject="Launch \U0001f680"))
    text = json.dumps(doc)  # ASCII: the rocket written as the pair "\ud83d\ude80"
    assert "\\ud83d\\ude80" in text
    assert loads(text, CalendarItem).subject == "Launch \U0001f680"


def test_dumps_refuses_a_lone_surrogate_naming_its_path() -> None:
    snapshot = Snapshot(
        as_of=T0,
        items=[_item(), _item(id="item-2", subject=f"Call {_LONE}", categories={"b", f"a{_LONE}"})],
    )
    with pytest.raises(DumpError) as info:
        dumps(snapshot)
    assert isinstance(info.value, CalsyncError)
    assert isinstance(info.value, ValueError)
    assert info.value.problems == (
        _unicode_problem("items[1].categories[0]"),
        _unicode_problem("items[1].subject"),
    )
    str(info.value).encode("utf-8")


def test_dumps_refuses_a_lone_surrogate_anywhere_in_a_plan() -> None:
    plan = attrs.evolve(
        _plan(), decisions=[Decision(ref="item-1", outcome="save", rule="R", note=_LONE)]
    )
    with pytest.raises(DumpError) as info:
        dumps(plan)
    assert info.value.problems == (_unicode_problem("decisions[0].note"),)


_any_text = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=6)


@given(subject=_any_text, names=st.frozensets(_any_text, max_size=3))
def test_what_dumps_writes_is_utf8_and_loads_back(subject: str, names: frozenset[str]) -> None:
    item = _item(subject=subject, categories=names)
    lone = any(0xD800 <= ord(ch) <= 0xDFFF for text in (subject, *names) for ch in text)
    try:
        text = dumps(item)
    except DumpError:
        assert lone
        return
    assert not lone
    text.encode("utf-8")
    assert loads(text, CalendarItem) == item


# --- fuzz ----------------------------------------------------------------------------------

_FIELD_NAMES = sorted(
    {
        a.name
        for cls in (Snapshot, CalendarItem, SfEvent, OrgSettings, Plan)
        for a in attrs.fields(cls)
    }
    | {"type", "field", "old", "new"}
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | _any_text,
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.dictionaries(st.sampled_from(_FIELD_NAMES) | _any_text, kids, max_size=5)
    ),
    max_leaves=25,
)
_ROOTS: list[tuple[type[Any], object]] = [
    (Snapshot, _snapshot()),
    (OrgSettings, _settings()),
    (Plan, _plan()),
]
_roots = st.sampled_from(_ROOTS)
# A path (no "$", no leading dot) or a placeholder, then one of loads' own messages:
# never a Python-internal error text leaking out.
_NAME, _QUOTED = r'[^\s.:\[\]"]+', r'\[".*"\]'
_PATH = rf"(<text>|<root>|({_NAME}|{_QUOTED})(\.{_NAME}|{_QUOTED}|\[\d+\])*)"
_MESSAGE = (
    r"expected (str|bool|int|list|object|an ISO 8601 datetime string"
    r"|str, bool, null or a list of str)"
    r"|required field missing|unknown field|naive datetime|nested too deeply"
    r"|(invalid datetime|datetime out of range|duplicate key) .+"
    r"|.+ is not a valid action type|.+ is not one of [A-Z_0-9]+(, [A-Z_0-9]+)*"
    r"|invalid JSON at line \d+ column \d+: .+"
    r"|'utf-8' codec can't decode .+"
    r"|not valid Unicode \(lone surrogate \\ud[89a-f][0-9a-f]{2}\)"
)
_PROBLEM = re.compile(rf"{_PATH}: (?:{_MESSAGE})", re.DOTALL)
_fuzz = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load_or_problems(text: str | bytes, cls: type[Any]) -> None:
    """Only a value (which must round-trip) or a LoadError with located problems comes out."""
    try:
        value = loads(text, cls)
    except LoadError as exc:
        problems = exc.problems
    else:
        assert loads(dumps(value), cls) == value
        return
    assert problems
    *located, last = problems
    if re.fullmatch(r"and \d+ more problems?", last):
        assert len(located) == MAX_PROBLEMS
    else:
        located.append(last)
    for problem in located:
        assert _PROBLEM.fullmatch(problem), problem


@_fuzz
@given(doc=_json, root=_roots)
def test_fuzz_arbitrary_json(doc: Any, root: tuple[type[Any], object]) -> None:
    _load_or_problems(json.dumps(doc), root[0])


@_fuzz
@given(data=st.data(), root=_roots)
def test_fuzz_mutated_document(data: st.DataObject, root: tuple[type[Any], object]) -> None:
    cls, value = root
    doc = _doc(value)
    node: Any = doc
    # Walk down to a random object or list of the valid document...
    while data.draw(st.booleans()):
        inner = node.values() if isinstance(node, dict) else node
        children = [v for v in inner if isinstance(v, dict | list)]
        if not children:
            break
        node = data.draw(st.sampled_from(children))
    # ...then drop, replace or add one entry.
    if isinstance(node, dict):
        key = data.draw(st.sampled_from([*node, "extra"]))
        if key in node and data.draw(st.booleans()):
            del node[key]
        else:
            node[key] = data.draw(_json)
    else:
        index = data.draw(st.integers(0, len(node)))
        if index == len(node):
            node.append(data.draw(_json))
        elif data.draw(st.booleans()):
            del node[index]
        else:
            node[index] = data.draw(_json)
    _load_or_problems(json.dumps(doc), cls)


@_fuzz
@given(data=st.data(), root=_roots)
def test_fuzz_truncated_or_mutated_text(
    data: st.DataObject, root: tuple[type[Any], object]
) -> None:
    cls, value = root
    text = dumps(value)
    cut = data.draw(st.integers(0, len(text) - 1))
    if data.draw(st.booleans()):
        text = text[:cut]
    else:
        text = text[:cut] + data.draw(st.text(min_size=0, max_size=3)) + text[cut + 1 :]
    _load_or_problems(text, cls)


@_fuzz
@given(raw=st.binary(max_size=64), root=_roots)
def test_fuzz_arbitrary_bytes(raw: bytes, root: tuple[type[Any], object]) -> None:
    _load_or_problems(raw, root[0])
