"""The Salesforce read adapter against the fixture payloads, bad payloads and SOQL escaping."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core import salesforce as sf
from calsync_core.testing import strategies as cst

FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"
CUSTOM: dict[str, Any] = {"uid_field": "ICalUID__c", "created_field": "Created_By_Sync__c"}
UTC = dt.UTC


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _events() -> list[dict[str, Any]]:
    return list(_load("query-events.handmade.json")["records"])


def test_a_timed_meeting_reads_with_its_relations_and_stamps() -> None:
    relations = _load("query-eventrelation.handmade.json")["records"]
    event = sf.event_from_sobject(_events()[0], relations=relations, **CUSTOM)
    assert event.id == "00U5g00000LpWq1EAF"
    assert event.owner_id == "0055g00000AbCdEAAV"
    assert event.start == dt.datetime(2024, 3, 12, 17, tzinfo=UTC)
    assert event.end == dt.datetime(2024, 3, 12, 18, tzinfo=UTC)
    assert event.subject == "Quarterly review with Fabrikam"
    assert event.location == "Conf Room 3"
    assert event.description == "Agenda:\r\n1. Pipeline\r\n2. Renewal"
    assert event.who_ids == ("0035g00000QwErTAAZ", "0035g00000QwErUAAZ")
    assert event.what_ids == ("0015g00000HjKlMAAV",)
    assert event.invitee_ids == ("0055g00000XyZaBAAV", "0055g00000XyZaCAAV")
    assert event.ical_uid is not None
    assert event.ical_uid.startswith("040000008200E000")
    assert event.created_by_sync is True
    assert event.version == "2024-03-06T16:20:35.000+0000"
    assert event.recurrence is None
    assert event.time_zone == "UTC"


def test_who_relation_rows_add_whos_after_the_primary() -> None:
    rows = _load("query-eventwhorelation.handmade.json")["records"]
    record = {**_events()[0], "WhoId": "0035g00000QwErUAAZ"}
    event = sf.event_from_sobject(record, relations=rows, **CUSTOM)
    assert event.who_ids == ("0035g00000QwErUAAZ", "0035g00000QwErTAAZ")
    assert event.invitee_ids == ()


def test_a_private_event_with_nulls() -> None:
    event = sf.event_from_sobject(_events()[1], **CUSTOM)
    assert event.is_private is True
    assert (event.location, event.description, event.ical_uid) == ("", "", None)
    assert event.who_ids == event.what_ids == ()
    assert event.created_by_sync is False


def test_a_classic_series_goes_through_the_classic_converter() -> None:
    event = sf.event_from_sobject(_events()[2], **CUSTOM)
    assert event.recurrence == cs.Recurrence(rule="FREQ=WEEKLY;UNTIL=20240625T035959Z;BYDAY=MO")
    assert event.recurrence_format is cs.RecurrenceFormat.CLASSIC
    assert event.time_zone == "America/New_York"
    assert event.original_start is None


def test_a_classic_occurrence_has_an_original_start() -> None:
    child = {
        **_events()[1],
        "Id": "00U5g00000LpWq9EAF",
        "RecurrenceActivityId": "00U5g00000LpWq3EAF",
    }
    event = sf.event_from_sobject(child, **CUSTOM)
    assert event.original_start == dt.datetime(2024, 3, 13, 8, 30, tzinfo=UTC)


def test_a_lightning_series_is_read_canonical() -> None:
    event = sf.event_from_sobject(_events()[3], **CUSTOM)
    assert event.recurrence == cs.Recurrence(rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;WKST=SU")
    assert event.recurrence_format is cs.RecurrenceFormat.LIGHTNING
    assert event.time_zone == "America/New_York"


def test_an_all_day_event_ends_at_the_midnight_after_its_last_day() -> None:
    event = sf.event_from_sobject(_load("event-all-day.handmade.json"))
    assert event.is_all_day is True
    assert event.start == dt.datetime(2024, 4, 15, tzinfo=UTC)
    assert event.end == dt.datetime(2024, 4, 17, tzinfo=UTC)
    without_duration = {**_load("event-all-day.handmade.json"), "DurationInMinutes": None}
    assert sf.event_from_sobject(without_duration).end == event.end
    neither = {**without_duration, "EndDateTime": None, "StartDateTime": None}
    one_day = sf.event_from_sobject(neither)
    assert (one_day.start, one_day.end) == (event.start, dt.datetime(2024, 4, 16, tzinfo=UTC))


def test_z_times_duration_and_the_owner_zone() -> None:
    record = {
        **_events()[1],
        "StartDateTime": "2020-01-01T09:00:00Z",
        "EndDateTime": None,
        "DurationInMinutes": 90,
        "Owner": {"attributes": {"type": "User"}, "TimeZoneSidKey": "Europe/Berlin"},
        "SystemModstamp": None,
        "Unknown__c": {"nested": [1, 2]},
    }
    event = sf.event_from_sobject(record, **CUSTOM)
    assert event.start == dt.datetime(2020, 1, 1, 9, tzinfo=UTC)
    assert event.end == dt.datetime(2020, 1, 1, 10, 30, tzinfo=UTC)
    assert event.time_zone == "Europe/Berlin"
    assert event.version == "2024-03-01T07:12:00.000+0000"  # LastModifiedDate


def test_a_bad_event_lists_every_problem_with_its_path() -> None:
    record = {
        **_events()[0],
        "Id": None,
        "StartDateTime": "12 March 2024",
        "IsPrivate": "no",
        "Created_By_Sync__c": 1,
    }
    del record["OwnerId"]
    relations: list[Any] = [{"attributes": {"type": "EventRelation"}, "IsWhat": "yes"}, "row"]
    with pytest.raises(cs.PayloadError) as caught:
        sf.event_from_sobject(record, relations=relations, **CUSTOM)
    assert set(caught.value.problems) == {
        "Id: null",
        "OwnerId: missing",
        "StartDateTime: not a date and time",
        "IsPrivate: not true or false",
        "Created_By_Sync__c: not true or false",
        "relations[0].RelationId: missing",
        "relations[0].IsWhat: not true or false",
        "relations[1]: not a JSON object",
        "relations[1].RelationId: missing",
    }


def test_a_bad_series_and_missing_end_are_reported() -> None:
    record = {**_events()[2], "RecurrenceType": "RecursHourly", "RecurrenceEndDateOnly": "soon"}
    with pytest.raises(cs.PayloadError) as caught:
        sf.event_from_sobject(record)
    assert caught.value.problems == ("RecurrenceEndDateOnly: not a date",)
    with pytest.raises(cs.PayloadError, match="RecurrenceType: RecurrenceType 'RecursHourly'"):
        sf.event_from_sobject({**_events()[2], "RecurrenceType": "RecursHourly"})
    timed = {k: v for k, v in _events()[1].items() if k not in ("EndDateTime", "DurationInMinutes")}
    with pytest.raises(cs.PayloadError, match="EndDateTime: missing, and so is DurationInMinutes"):
        sf.event_from_sobject(timed)
    lightning = {**_events()[3], "Recurrence2PatternText": "RRULE:FREQ=HOURLY"}
    with pytest.raises(
        cs.PayloadError, match=r"Recurrence2PatternText: Lightning does not take FREQ=HOURLY"
    ):
        sf.event_from_sobject(lightning)


def test_relations_of_another_event_are_a_fault() -> None:
    rows = [{"EventId": "00U000000000000AAA", "RelationId": "003A", "IsParent": True}]
    with pytest.raises(cs.PayloadError, match=r"relations\[0\].EventId: '00U000000000000AAA'"):
        sf.event_from_sobject(_events()[0], relations=rows)


def test_contacts_and_leads() -> None:
    kim, fanny = _load("query-contacts.handmade.json")["records"]
    assert sf.record_from_sobject(kim) == cs.Record(
        id="0035g00000QwErTAAZ",
        kind=cs.RecordKind.CONTACT,
        email="kim.o'brien@fabrikam.com",
        account_id="0015g00000HjKlMAAV",
        name="Kim O'Brien",
    )
    assert sf.record_from_sobject(fanny).email == "fannyd@fabrikam.com"
    assert sf.record_from_sobject(fanny).account_id is None
    (lead,) = _load("query-leads.handmade.json")["records"]
    assert sf.record_from_sobject(lead) == cs.Record(
        id="00Q5g00000DeFgHEAV", kind=cs.RecordKind.LEAD, email="fannyd@fabrikam.com",
        name="Fanny Downs",
    )  # fmt: skip


def test_bad_records() -> None:
    (account,) = _load("query-account.json")["records"][:1]
    with pytest.raises(cs.PayloadError) as caught:
        sf.record_from_sobject(account)
    assert caught.value.problems == (
        "attributes.type: 'Account' is not Contact or Lead",
        "Id: missing",
    )
    with pytest.raises(cs.PayloadError) as caught:
        sf.record_from_sobject({"Id": 3, "Email": ["x"]})
    assert caught.value.problems == ("attributes: missing", "Id: not text", "Email: not text")


def _inside_literals(query: str) -> list[str]:
    """The query split at unescaped quotes: odd parts are literals' contents."""
    parts, current, escaped = [], "", False
    for char in query:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            current, escaped = current + char, True
        elif char == "'":
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def test_soql_values_are_escaped() -> None:
    query = sf.records_query(cs.RecordKind.CONTACT, ["kim.o'brien@fabrikam.com"])
    assert query.endswith("WHERE Email IN ('kim.o\\'brien@fabrikam.com')")
    attack = "x' OR Email != '"
    query = sf.records_query(cs.RecordKind.LEAD, [attack, "a\\' OR Id != '\n"])
    parts = _inside_literals(query)
    assert parts[0] == "SELECT Id, Name, Email FROM Lead WHERE Email IN ("
    assert parts[1] == "x\\' OR Email != \\'"
    assert parts[3] == "a\\\\\\' OR Id != \\'\\n"
    assert parts[-1] == ") AND IsConverted = false"
    assert len(parts) == 5


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_no_value_can_leave_its_literal(values: list[str]) -> None:
    parts = _inside_literals(sf.relations_query(values))
    assert parts[0].endswith("IN (")
    assert parts[-1] == ") ORDER BY EventId, Id"
    assert all(part == ", " for part in parts[2:-1:2])
    assert not any(ch in part for part in parts for ch in "\n\r\x00")


def test_events_query_and_its_arguments() -> None:
    start, end = dt.datetime(2024, 3, 1, tzinfo=UTC), dt.datetime(2024, 4, 1, tzinfo=UTC)
    query = sf.events_query(["005A", "005B", "005A"], start, end, uid_field="ICalUID__c")
    assert "ICalUID__c, CalSync_Created__c FROM Event WHERE OwnerId IN ('005A', '005B')" in query
    with pytest.raises(ValueError, match="not a field API name"):
        sf.events_query(["005A"], start, end, uid_field="Id FROM User --")
    with pytest.raises(ValueError, match="owner_ids is empty"):
        sf.events_query([], start, end)
    with pytest.raises(ValueError, match="timezone-aware"):
        sf.events_query(["005A"], start.replace(tzinfo=None), end)
    with pytest.raises(ValueError, match="contacts and leads"):
        sf.records_query(cs.RecordKind.ACCOUNT, ["a@b.c"])


def _stamp(value: dt.datetime) -> str:
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{value.microsecond // 1000:03d}+0000"
    )


def _write(event: cs.SfEvent) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``event`` as Salesforce returns it: the Event record and its EventRelation rows."""
    minutes = int((event.end - event.start).total_seconds() // 60)
    end = event.end - dt.timedelta(days=1) if event.is_all_day else event.end
    record: dict[str, Any] = {
        "attributes": {"type": "Event", "url": f"/services/data/v61.0/sobjects/Event/{event.id}"},
        "Id": event.id, "OwnerId": event.id and event.owner_id,
        "Owner": {"attributes": {"type": "User"}, "TimeZoneSidKey": event.time_zone},
        "Subject": event.subject or None, "Description": event.description or None,
        "Location": event.location or None, "IsAllDayEvent": event.is_all_day,
        "ActivityDate": event.start.date().isoformat(), "StartDateTime": _stamp(event.start),
        "EndDateTime": _stamp(end), "DurationInMinutes": minutes, "IsPrivate": event.is_private,
        "WhoId": event.who_ids[0] if event.who_ids else None,
        "WhatId": event.what_ids[0] if event.what_ids else None,
        "IsRecurrence": False, "RecurrenceActivityId": None, "IsRecurrence2": False,
        "SystemModstamp": event.version or None,
        sf.ICAL_UID_FIELD: event.ical_uid, sf.CREATED_BY_SYNC_FIELD: event.created_by_sync,
    }  # fmt: skip
    rows = [
        {"EventId": event.id, "RelationId": rid, "IsParent": kind != "invitee",
         "IsWhat": kind == "what", "IsInvitee": kind == "invitee"}
        for kind, ids in (("who", event.who_ids), ("what", event.what_ids),
                          ("invitee", event.invitee_ids))
        for rid in ids
    ]  # fmt: skip
    return record, rows


@given(
    cst.sf_events(recurring=False),
    st.none() | st.datetimes(dt.datetime(2000, 1, 1), timezones=st.just(UTC)),
)
def test_a_written_event_reads_back_equal(event: cs.SfEvent, modified: dt.datetime | None) -> None:
    event = attrs.evolve(
        event,
        start=event.start.replace(microsecond=event.start.microsecond // 1000 * 1000),
        end=event.end.replace(microsecond=event.end.microsecond // 1000 * 1000),
        version="" if modified is None else _stamp(modified),
        attachment_ids=frozenset(),
        recurrence_format=cs.RecurrenceFormat.CLASSIC,  # no series: the flag is unread
    )
    if event.end - event.start != dt.timedelta(
        minutes=(event.end - event.start) // dt.timedelta(minutes=1)
    ):
        event = attrs.evolve(
            event,
            end=event.start
            + (event.end - event.start) // dt.timedelta(minutes=1) * dt.timedelta(minutes=1),
        )
    record, rows = _write(event)
    assert sf.event_from_sobject(record, relations=rows) == event
