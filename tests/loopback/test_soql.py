"""The SOQL evaluator on its own: each supported shape, and the refusals."""

from __future__ import annotations

from typing import Any

import pytest

from calsync_core.testing.loopback import _soql, _soql_eval
from calsync_core.testing.loopback._wire import WireError

TYPES = {
    "Id": "id",
    "Name": "string",
    "Email": "string",
    "IsConverted": "boolean",
    "Score": "int",
    "ActivityDate": "date",
    "SystemModstamp": "datetime",
}
ROWS: list[dict[str, Any]] = [
    {
        "Id": "00Q5g0000000001AAA",
        "Name": "Kim O'Brien",
        "Email": "KIM@contoso.example",
        "IsConverted": False,
        "Score": 3,
        "ActivityDate": "2025-03-04",
        "SystemModstamp": "2025-03-03T09:00:01.000+0000",
    },
    {
        "Id": "00Q5g0000000002AAA",
        "Name": "Lee",
        "Email": None,
        "IsConverted": True,
        "Score": 7,
        "ActivityDate": None,
        "SystemModstamp": "2025-03-03T09:00:05.500+0000",
    },
    {
        "Id": "00Q5g0000000003AAA",
        "Name": "Ann",
        "Email": "ann@fabrikam.example",
        "IsConverted": False,
        "Score": 5,
        "ActivityDate": "2025-03-10",
        "SystemModstamp": "2025-03-03T09:00:09.000+0000",
    },
]


def _ids(where: str) -> list[str]:
    query = _soql.parse(f"SELECT Id FROM Lead WHERE {where}")
    _soql_eval.check(query.where, TYPES)
    return [r["Id"][-6:-3] for r in ROWS if _soql_eval.matches(query.where, r, TYPES)]


@pytest.mark.parametrize(
    ("where", "found"),
    [
        ("Email = 'kim@CONTOSO.example'", ["001"]),
        ("Email != null", ["001", "003"]),
        ("Email = null", ["002"]),
        ("Name = 'Kim O\\'Brien'", ["001"]),
        ("Name LIKE 'a%'", ["003"]),
        ("Name LIKE 'Kim O\\'%'", ["001"]),
        ("Email LIKE '%\\_%'", []),
        ("Name LIKE 'L_e'", ["002"]),
        ("Name = 'KIM O\\'BRIEN'", ["001"]),
        ("Name NOT IN ('Lee', 'Ann')", ["001"]),
        ("Id IN ('00Q5g0000000002')", ["002"]),
        ("IsConverted = false AND Score > 3", ["003"]),
        ("(IsConverted = true OR Score < 4) AND Name != 'Lee'", ["001"]),
        ("NOT Score >= 5", ["001"]),
        ("ActivityDate <= 2025-03-04", ["001"]),
        ("SystemModstamp > 2025-03-03T09:00:05Z", ["002", "003"]),
        ("SystemModstamp >= 2025-03-03T10:00:05+01:00", ["002", "003"]),
    ],
)
def test_a_condition_selects_the_rows_salesforce_would(where: str, found: list[str]) -> None:
    assert _ids(where) == found


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("SystemModstamp > '2025-03-03T09:00:00Z'", "should not be enclosed in quotes"),
        ("Name = 3", "should be enclosed in quotes"),
        ("ActivityDate = 2025-03-03T09:00:00Z", "must be of type date"),
        ("Colour = 'red'", "No such column 'Colour'"),
    ],
)
def test_a_condition_on_the_wrong_type_or_field_is_invalid_field(where: str, message: str) -> None:
    query = _soql.parse(f"SELECT Id FROM Lead WHERE {where}")
    with pytest.raises(WireError, match=message) as caught:
        _soql_eval.check(query.where, TYPES)
    assert caught.value.code == "INVALID_FIELD"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT Id FROM Lead WHERE Name = 'a' AND Score = 1 OR Score = 2",
        "SELECT Id, FROM Lead",
        "SELECT Id FROM Lead WHERE Name = 'unterminated",
        "SELECT Id FROM Lead WHERE Name IN 'a'",
        "SELECT Id FROM Lead LIMIT many",
        "SELECT Id FROM Lead WHERE CALENDAR_YEAR(ActivityDate) = 2025",
        "SELECT Id FROM (SELECT Id FROM Lead)",
        "DELETE FROM Lead",
        "SELECT Id FROM Lead WHERE Name = 'a\\qb'",
        "SELECT Id FROM Lead WHERE Name = 'a\\%'",
    ],
)
def test_anything_beyond_the_known_shapes_is_malformed(text: str) -> None:
    with pytest.raises(WireError) as caught:
        _soql.parse(text)
    assert caught.value.code == "MALFORMED_QUERY"


def test_order_by_limit_and_offset_are_parsed() -> None:
    query = _soql.parse(
        "select Id, Owner.Name from Event where Subject like 'x%' "
        "order by StartDateTime desc nulls first, Id limit 10 offset 5"
    )
    assert query.table == "Event"
    assert query.fields == ("Id", "Owner.Name")
    assert query.order == (("StartDateTime", True, False), ("Id", False, False))
    assert (query.limit, query.offset) == (10, 5)
