"""The adapters' field mappings are exact: each row is what the reader reads and the writer writes.

For every read row, changing its wire field in a recorded payload changes that
attribute (a probe per wire field, none missing); for every written row, the
requests carry it; and no request body carries a field without a row. The docs'
tables (docs/_ext/fieldmap.py) render the same rows.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

import calsync_core as cs
from calsync_core import graph, salesforce
from calsync_core._fieldmap import Direction, FieldRow
from calsync_core.graph import _mapping as graph_mapping
from calsync_core.recurrence import ClassicRecurrence
from calsync_core.salesforce import _mapping as sf_mapping

sys.path.insert(0, str(Path(__file__).parent.parent / "docs" / "_ext"))
import fieldrows

FIXTURES = Path(__file__).parent / "fixtures"
DROP = object()  # a change that removes the field
UTC = dt.UTC


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def changed(payload: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` with each dotted path set (or dropped, for DROP)."""
    result: dict[str, Any] = copy.deepcopy(dict(payload))
    for path, value in changes.items():
        *parents, last = path.split(".")
        where = result
        for key in parents:
            where = where[key]
        if value is DROP:
            where.pop(last, None)
        else:
            where[last] = value
    return result


@attrs.frozen
class Probe:
    """Change ``wire`` (``changes``) in ``payload`` (after ``base``): ``attribute`` changes."""

    attribute: str
    wire: str
    payload: Callable[[], Mapping[str, Any]]
    changes: Mapping[str, Any]
    base: Mapping[str, Any] = attrs.Factory(dict)
    relations: Sequence[Mapping[str, Any]] = ()


def _graph(name: str) -> Callable[[], Any]:
    return lambda: load(f"graph/{name}")


def _event(n: int) -> Callable[[], Any]:
    return lambda: load("salesforce/query-events.handmade.json")["records"][n]


PST = _graph("event-single-instance-pst.json")
ALL_DAY = _graph("event-all-day.handmade.json")
GRAPH_PROBES = (
    Probe("id", "id", PST, {"id": "AAMk-other"}),
    Probe("ical_uid", "iCalUId", PST, {"iCalUId": "0400-other"}),
    Probe("ical_uid", "uid", ALL_DAY, {"uid": "0400-series-wide"}),
    Probe("version", "changeKey", PST, {"changeKey": "ck-other"}),
    Probe("start", "start", PST, {"start.dateTime": "2017-04-15T11:30:00.0000000"}),
    Probe("end", "end", PST, {"end.timeZone": "UTC"}),
    Probe("time_zone", "originalStartTimeZone", PST, {"originalStartTimeZone": "UTC"}),
    Probe("is_all_day", "isAllDay", ALL_DAY, {"isAllDay": False}),
    Probe("subject", "subject", PST, {"subject": "Other"}),
    Probe("body", "body.content", PST, {"body.content": "Other"}),
    Probe("location", "location.displayName", PST, {"location.displayName": "Other"}),
    Probe(
        "organizer",
        "organizer.emailAddress.address",
        PST,
        {"organizer.emailAddress.address": "kim@x.example"},
    ),
    Probe("attendees", "attendees", PST, {"attendees": []}),
    Probe("response", "responseStatus.response", PST, {"responseStatus.response": "declined"}),
    Probe("sensitivity", "sensitivity", PST, {"sensitivity": "private"}),
    Probe("categories", "categories", PST, {"categories": ["Red"]}),
    Probe("is_cancelled", "isCancelled", PST, {"isCancelled": True}),
    Probe(
        "recurrence",
        "recurrence",
        _graph("event-series-master-weekly-enddate.json"),
        {"recurrence.pattern.interval": 2},
    ),
    Probe(
        "original_start",
        "originalStart",
        _graph("event-exception-original-start.handmade.json"),
        {"originalStart": "2019-04-15T21:30:00Z"},
    ),
    Probe(
        "sf_event_id",
        "singleValueExtendedProperties",
        _graph("event-expand-extended-property.handmade.json"),
        {"singleValueExtendedProperties": []},
        base={"categories": []},  # a $select GET: item_from_graph needs categories
    ),
)

CUSTOM = {"CalSync_iCalUID__c": "uid-1", "CalSync_Created__c": True}
MONTHLY = {"RecurrenceType": "RecursMonthly", "RecurrenceDayOfWeekMask": None}
SF_PROBES = (
    Probe("id", "Id", _event(0), {"Id": "00U5g00000LpWq9EAF"}),
    Probe("owner_id", "OwnerId", _event(0), {"OwnerId": "0055g00000AbCdFAAV"}),
    # EndDateTime and DurationInMinutes must agree with the start: probes keep one of them.
    Probe(
        "start",
        "StartDateTime",
        _event(0),
        {"StartDateTime": "2024-03-12T16:00:00.000+0000"},
        base={"EndDateTime": DROP},
    ),
    Probe(
        "start",
        "ActivityDate",
        lambda: load("salesforce/event-all-day.handmade.json"),
        {"ActivityDate": "2024-04-14"},
        base={"StartDateTime": DROP, "EndDateTime": DROP},
    ),
    Probe("end", "EndDateTime", _event(0), {"EndDateTime": "2024-03-12T19:00:00.000+0000"}),
    Probe("end", "DurationInMinutes", _event(0), {"DurationInMinutes": 90}, {"EndDateTime": DROP}),
    Probe(
        "is_all_day",
        "IsAllDayEvent",
        lambda: load("salesforce/event-all-day.handmade.json"),
        {"IsAllDayEvent": False},
        base={"DurationInMinutes": DROP},
    ),
    Probe("subject", "Subject", _event(0), {"Subject": "Other"}),
    Probe("description", "Description", _event(0), {"Description": "Other"}),
    Probe("location", "Location", _event(0), {"Location": "Other"}),
    Probe("is_private", "IsPrivate", _event(0), {"IsPrivate": True}),
    Probe("who_ids", "WhoId", _event(0), {"WhoId": None}),
    Probe("what_ids", "WhatId", _event(0), {"WhatId": None}),
    Probe(
        "invitee_ids",
        "EventRelation.RelationId",
        _event(0),
        {},
        relations=[{"EventId": "00U5g00000LpWq1EAF", "RelationId": "005B", "IsInvitee": True}],
    ),
    Probe("ical_uid", "CalSync_iCalUID__c", _event(0), {"CalSync_iCalUID__c": "uid-2"}, CUSTOM),
    Probe(
        "created_by_sync", "CalSync_Created__c", _event(0), {"CalSync_Created__c": False}, CUSTOM
    ),
    Probe("version", "SystemModstamp", _event(0), {"SystemModstamp": "2024-03-07T00:00:00.000Z"}),
    Probe(
        "version",
        "LastModifiedDate",
        _event(0),
        {"LastModifiedDate": "2024-03-07T00:00:00.000Z"},
        {"SystemModstamp": DROP},
    ),
    Probe("time_zone", "RecurrenceTimeZoneSidKey", _event(2), {"RecurrenceTimeZoneSidKey": "UTC"}),
    Probe(
        "time_zone", "Recurrence2PatternTimeZone", _event(3), {"Recurrence2PatternTimeZone": "UTC"}
    ),
    Probe("recurrence", "IsRecurrence", _event(2), {"IsRecurrence": False}),
    Probe("recurrence", "RecurrenceType", _event(2), {"RecurrenceType": "RecursMonthlyNth"}),
    Probe("recurrence", "RecurrenceInterval", _event(2), {"RecurrenceInterval": 2}),
    Probe("recurrence", "RecurrenceDayOfWeekMask", _event(2), {"RecurrenceDayOfWeekMask": 4}),
    Probe(
        "recurrence",
        "RecurrenceDayOfMonth",
        _event(2),
        {"RecurrenceDayOfMonth": 5},
        {**MONTHLY, "RecurrenceDayOfMonth": 4},
    ),
    Probe(
        "recurrence",
        "RecurrenceInstance",
        _event(2),
        {"RecurrenceInstance": "Last"},
        {"RecurrenceType": "RecursMonthlyNth", "RecurrenceInstance": "First"},
    ),
    Probe(
        "recurrence",
        "RecurrenceMonthOfYear",
        _event(2),
        {"RecurrenceMonthOfYear": "April"},
        {**MONTHLY, "RecurrenceType": "RecursYearly", "RecurrenceInterval": None}
        | {"RecurrenceDayOfMonth": 4, "RecurrenceMonthOfYear": "March"},
    ),
    Probe("recurrence", "RecurrenceStartDateTime", _event(2), {"RecurrenceStartDateTime": "x"}),
    Probe(
        "recurrence", "RecurrenceEndDateOnly", _event(2), {"RecurrenceEndDateOnly": "2024-07-01"}
    ),
    Probe("recurrence", "RecurrenceTimeZoneSidKey", _event(2), {"RecurrenceTimeZoneSidKey": "UTC"}),
    Probe("recurrence_format", "IsRecurrence2", _event(3), {"IsRecurrence2": False}),
    Probe(
        "recurrence",
        "Recurrence2PatternText",
        _event(3),
        {"Recurrence2PatternText": "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=WE;WKST=SU"},
    ),
    Probe(
        "original_start",
        "RecurrenceActivityId",
        _event(0),
        {"RecurrenceActivityId": "00U5g00000LpWq3EAF"},
    ),
)


def _outcome(read: Callable[[], Any], attribute: str) -> object:
    try:
        return getattr(read(), attribute)
    except cs.PayloadError as error:  # a field the reader needs: unreadable is a change too
        return f"PayloadError: {error}"


Rows = Sequence[Mapping[str, Any]]


def _check(probe: Probe, read: Callable[[Mapping[str, Any], Rows], Any]) -> None:
    before = changed(probe.payload(), probe.base)
    after = changed(before, probe.changes)
    was = _outcome(lambda: read(before, ()), probe.attribute)
    now = _outcome(lambda: read(after, probe.relations), probe.attribute)
    assert now != was, f"{probe.wire} changed, {probe.attribute} did not"
    if isinstance(now, str) and now.startswith("PayloadError"):
        assert probe.wire in now


def _read_rows(rows: Iterable[FieldRow]) -> set[tuple[str, str]]:
    return {(r.attribute, w) for r in rows if Direction.READ in r.direction for w in r.wire}


def _graph_read(payload: Mapping[str, Any], relations: Rows) -> cs.CalendarItem:
    return graph.item_from_graph(payload, mailbox="ana@acme.example")


def _sf_read(payload: Mapping[str, Any], relations: Rows) -> cs.SfEvent:
    return salesforce.event_from_sobject(payload, relations=relations)


def test_every_graph_read_row_has_a_probe_and_no_probe_lacks_a_row() -> None:
    assert {(p.attribute, p.wire) for p in GRAPH_PROBES} == _read_rows(graph_mapping.FIELDS)


def test_every_salesforce_read_row_has_a_probe_and_no_probe_lacks_a_row() -> None:
    assert {(p.attribute, p.wire) for p in SF_PROBES} == _read_rows(sf_mapping.FIELDS)


@pytest.mark.parametrize(
    "probe",
    GRAPH_PROBES,
    ids=lambda p: f"{p.wire}->{p.attribute}",
)
def test_each_graph_read_row_is_what_the_reader_reads(probe: Probe) -> None:
    _check(probe, _graph_read)


@pytest.mark.parametrize("probe", SF_PROBES, ids=lambda p: f"{p.wire}->{p.attribute}")
def test_each_salesforce_read_row_is_what_the_reader_reads(probe: Probe) -> None:
    _check(probe, _sf_read)


def _written_rows(rows: Iterable[FieldRow], direction: Direction) -> dict[str, set[str]]:
    """Attribute -> the top-level wire fields rows with ``direction`` write."""
    found: dict[str, set[str]] = {}
    for row in rows:
        if direction in row.direction:
            found.setdefault(row.attribute, set()).update(row.top)
    return found


def _graph_requests() -> tuple[dict[str, Any], dict[str, set[str]]]:
    """Every create body key, and per updated attribute the keys its PATCH sends."""
    common: dict[str, Any] = {
        "ref": "new-item:1", "mailbox": "ana@acme.example", "ical_uid": "uid-1",
        "start": dt.datetime(2024, 3, 11, 16, tzinfo=UTC),
        "end": dt.datetime(2024, 3, 11, 17, tzinfo=UTC), "subject": "Review", "body": "",
        "location": "", "is_all_day": False, "sensitivity": cs.Sensitivity.NORMAL,
        "categories": {"Salesforce"}, "sf_event_id": "00U1", "rule": "R-DOWNSYNC",
        "recurrence": cs.Recurrence(rule="FREQ=WEEKLY;BYDAY=MO;COUNT=3"),
    }  # fmt: skip
    created = graph.request_for(cs.CreateItem(**common)).body
    item = graph.item_from_graph(load("graph/event-single-instance-pst.json"), mailbox="a@x.io")
    new = {"subject": "New", "body": "New", "location": "New", "is_all_day": False,
           "sensitivity": cs.Sensitivity.PRIVATE, "categories": frozenset({"New"}),
           "sf_event_id": "00U2", "start": item.start - dt.timedelta(hours=1),
           "end": item.end + dt.timedelta(hours=1)}  # fmt: skip
    updated: dict[str, set[str]] = {}
    for field, value in new.items():
        change = cs.FieldChange(field=field, old=getattr(item, field), new=value)
        action = cs.UpdateItem(mailbox="a@x.io", item_id=item.id, changes=[change], rule="R-X")
        updated[field] = set(graph.request_for(action, current=item).body)
    return created, updated


def test_every_property_graph_writes_has_a_row_and_every_written_row_is_sent() -> None:
    created, updated = _graph_requests()
    creates = _written_rows(graph_mapping.FIELDS, Direction.CREATE)
    assert set(created) == set().union(*creates.values())
    updates = _written_rows(graph_mapping.FIELDS, Direction.UPDATE)
    assert set(updated) == set(updates)
    for field, keys in updated.items():
        # A time goes with the other two: Graph checks start, end and isAllDay together.
        times = {"start", "end", "isAllDay"} if field in ("start", "end", "is_all_day") else set()
        assert keys == updates[field] | times, field


def _sf_requests() -> tuple[dict[str, Any], dict[str, set[str]]]:
    classic = ClassicRecurrence(
        type="RecursWeekly", interval=1, day_of_week_mask=2,
        start=dt.datetime(2024, 3, 4, 16, tzinfo=UTC), end_date=dt.date(2024, 6, 24),
        time_zone="America/New_York",
    )  # fmt: skip
    create = cs.CreateEvent(
        ref="item-1", owner_id="005A", ical_uid="uid-1", subject="Review", description="",
        location="", start=dt.datetime(2024, 3, 4, 16, tzinfo=UTC),
        end=dt.datetime(2024, 3, 4, 17, tzinfo=UTC), is_all_day=False, is_private=False,
        who_ids=("003A",), what_ids=("001A",), invitee_ids=(), source_item_id="AAMk",
        recurrence=cs.Recurrence(rule="FREQ=WEEKLY;UNTIL=20240625T035959Z;BYDAY=MO"),
        classic=classic, rule="R-AUTOSAVE",
    )  # fmt: skip
    all_day = attrs.evolve(
        create, is_all_day=True, start=dt.datetime(2024, 3, 4, tzinfo=UTC),
        end=dt.datetime(2024, 3, 5, tzinfo=UTC), recurrence=None, classic=None,
    )  # fmt: skip
    created = {**salesforce.request_for(create).body, **salesforce.request_for(all_day).body}
    current = salesforce.event_from_sobject(changed(_event(0)(), CUSTOM))
    new = {"subject": "New", "description": "New", "location": "New", "is_private": True,
           "who_ids": ("003B",), "what_ids": ("001B",), "ical_uid": "uid-2",
           "created_by_sync": False, "start": current.start - dt.timedelta(hours=1),
           "end": current.end + dt.timedelta(hours=1)}  # fmt: skip
    updated: dict[str, set[str]] = {}
    for field, value in new.items():
        change = cs.FieldChange(field=field, old=getattr(current, field), new=value)
        action = cs.UpdateEvent(event_id=current.id, changes=[change], rule="R-X")
        updated[field] = set(salesforce.request_for(action, current=current).body)
    return created, updated


def test_every_field_salesforce_writes_has_a_row_and_every_written_row_is_sent() -> None:
    created, updated = _sf_requests()
    creates = _written_rows(sf_mapping.FIELDS, Direction.CREATE)
    assert set(created) == set().union(*creates.values())
    updates = _written_rows(sf_mapping.FIELDS, Direction.UPDATE)
    assert set(updated) == set(updates)
    for field, keys in updated.items():
        if field in ("start", "end"):  # a change of either time writes both
            assert keys == {"StartDateTime", "EndDateTime"}
        elif field == "is_private":  # R-PRIVATE: a private event relates to nobody
            assert keys == {"IsPrivate", "WhoId", "WhatId"}
        else:
            assert keys == updates[field], field


def test_the_docs_table_renders_every_row_and_filters_by_direction() -> None:
    for side, rows in (("graph", graph_mapping.FIELDS), ("salesforce", sf_mapping.FIELDS)):
        table = fieldrows.table_rows(side)
        assert [cells[1] for cells in table] == [f"``{row.attribute}``" for row in rows]
        written = fieldrows.table_rows(side, "update")
        assert len(written) == sum(Direction.UPDATE in row.direction for row in rows)
    ical = next(cells for cells in fieldrows.table_rows("graph") if cells[1] == "``ical_uid``")
    assert ical[0] == "``uid``, ``iCalUId``"
    assert ical[3].startswith("``uid`` (series-wide) when present, else ``iCalUId``")
