"""The JSON formats page is generated from the values' fields (``docs/_ext/formatrows.py``).

What the page says a file may hold must be what ``loads`` takes: these tests
hold the rows to the values and to ``loads`` itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import attrs

import calsync_core as cs
from calsync_core.cli._example import example_after, example_settings

sys.path.insert(0, str(Path(__file__).parent.parent / "docs" / "_ext"))
import formatrows


def _text(row: formatrows.Row) -> str:
    return "".join(p if isinstance(p, str) else f"<{p.__name__}>" for p in row.value)


def test_the_page_covers_every_value_a_file_can_hold() -> None:
    names = [cls.__name__ for cls in formatrows.documents()]
    assert names[:3] == ["Snapshot", "OrgSettings", "Plan"]
    for name in ("CalendarItem", "SfEvent", "Record", "UserSettings", "Attendee", "FieldChange"):
        assert name in names
    assert len(names) == len(set(names))


def test_every_field_is_a_row_in_declaration_order() -> None:
    for cls in formatrows.documents():
        assert [r.name for r in formatrows.rows(cls)] == [f.name for f in attrs.fields(cls)]


def test_rows_say_what_json_a_field_takes_and_its_default() -> None:
    rows = {r.name: r for r in formatrows.rows(cs.OrgSettings)}
    assert _text(rows["direction"]) == "one of BOTH, TO_SALESFORCE, TO_CALENDAR"
    assert rows["direction"].default == '"BOTH"'
    assert _text(rows["users"]) == "an array of <UserSettings> objects"
    assert _text(rows["blocklist"]) == "an array of strings"
    assert rows["past_days"].default == "14"
    snapshot = {r.name: r for r in formatrows.rows(cs.Snapshot)}
    assert snapshot["as_of"].default is None  # required
    assert _text(snapshot["as_of"]).startswith("a date and time (ISO 8601 with an offset")
    plan = {r.name: r for r in formatrows.rows(cs.Plan)}
    assert _text(plan["actions"]).startswith('an array of objects whose "type" names their kind:')
    item = {r.name: r for r in formatrows.rows(cs.CalendarItem)}
    assert _text(item["organizer"]) == "a string or null"


def test_a_document_of_only_the_required_keys_loads_with_the_listed_defaults() -> None:
    # What the page calls optional may be left out; what it calls required may not.
    full = json.loads(cs.dumps(example_after().items[0]))
    required = {r.name for r in formatrows.rows(cs.CalendarItem) if r.default is None}
    item = cs.loads(json.dumps({k: v for k, v in full.items() if k in required}), cs.CalendarItem)
    for row in formatrows.rows(cs.CalendarItem):
        if row.default is not None:
            assert json.loads(cs.dumps(item))[row.name] == json.loads(row.default), row.name
    settings = json.loads(cs.dumps(example_settings()))
    required = {r.name for r in formatrows.rows(cs.OrgSettings) if r.default is None}
    bare = cs.loads(json.dumps({k: settings[k] for k in required}), cs.OrgSettings)
    assert bare == cs.OrgSettings(**{k: getattr(example_settings(), k) for k in required})
