"""R-RECURRING-FORMAT through the adapters: a series keeps its occurrences through requests.

Each trip starts from a series as one system holds it, goes through the plan
action the planner makes for it and the request the adapter writes, turns that
request into what the other system would answer when the series is read back,
and reads it with the adapter. The occurrences (expanded with
:func:`calsync_core.recurrence.expand` over a bounded horizon) must be the same
at both ends, and so must the other fields the trip carries.

* Graph: a calendar item → ``CreateItem`` → ``graph.request_for`` → the event
  Graph returns (lower-case days, filler, UTC times) → ``item_from_graph``.
* Graph → Salesforce: a Graph series → the ``CreateEvent`` the planner makes to
  save it, Classic fields included → ``salesforce.request_for``
  → the record a query returns (``+0000`` times, unused fields null) →
  ``event_from_sobject``.
* Salesforce → Graph: a Classic record → ``event_from_sobject`` → the planner's
  ``CreateItem`` (``planner.downsync.new_item``) → Graph and back.
* Lightning: never written by sync (R-RECURRING-FORMAT); its converters round-trip
  on their own, and a Lightning record reads with Salesforce's meaning.

Series a target cannot hold by nature (no end for Classic, a month day that RFC
5545 skips in short months for Exchange ...) are left out of the properties; the
examples show each is refused with a clear error instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core import _rules as R
from calsync_core import graph
from calsync_core import salesforce as sf
from calsync_core._timezones import iana_name
from calsync_core.graph import item_from_graph
from calsync_core.graph._times import zone_of
from calsync_core.planner.downsync import new_item
from calsync_core.recurrence import (
    ClassicRecurrence,
    RecurrenceError,
    check_lightning,
    classic_to_rrule,
    expand,
    graph_first_occurrence,
    graph_to_rrule,
    lightning_to_rrule,
    rrule_to_classic,
    rrule_to_lightning,
)
from calsync_core.testing import strategies as cst
from helpers import (
    PAT,
    PAT_CONTACT,
    actions_of,
    address,
    created_event,
    issue_codes,
    org,
    run,
    snap,
)
from property.test_recurrence_roundtrip import (
    Series,
    classic_can_hold,
    graph_recurrences,
    graph_shaped_rules,
    series_starts,
)

FIXTURES = Path(__file__).parent / "fixtures"
CUSTOM: dict[str, Any] = {"uid_field": "ICalUID__c", "created_field": "Created_By_Sync__c"}
BOX = "ana@acme.example"
OWNER = "0055g00000AbCdEAAV"
#: How far occurrences are compared: past every end date the strategies draw.
HORIZON = dt.timedelta(days=800)
#: What an item and the event made from it share, besides the series.
SHARED = ("start", "end", "is_all_day", "subject", "location")


def load(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text(encoding="utf-8"))


def occurrences(rule: str, start: dt.datetime, zone: str, since: dt.datetime) -> list[dt.datetime]:
    """The occurrence starts in UTC over ``HORIZON`` from ``since``."""
    found = expand(rule, start=start, time_zone=zone, after=since, before=since + HORIZON)
    return [moment.astimezone(dt.UTC) for moment in found]


def series_of(item: cs.CalendarItem | cs.SfEvent, since: dt.datetime) -> list[dt.datetime]:
    """The occurrences of a value's series as the planner reads them: from its start."""
    assert item.recurrence is not None
    return occurrences(item.recurrence.rule, item.start, item.time_zone, since)


# -- what each service answers -------------------------------------------------------------


def graph_wall(moment: dt.datetime) -> dict[str, str]:
    """A ``dateTimeTimeZone`` as Graph answers without a Prefer header: UTC, seven digits."""
    utc = moment.astimezone(dt.UTC)
    return {"dateTime": f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond:06d}0", "timeZone": "UTC"}


def graph_recurrence(sent: Mapping[str, Any]) -> dict[str, Any]:
    """A ``patternedRecurrence`` as Graph returns it: every field, unused ones filler."""
    pattern = {
        "type": sent["pattern"]["type"],
        "interval": 1,
        "month": 0,
        "dayOfMonth": 0,
        "daysOfWeek": [],
        "firstDayOfWeek": "sunday",
        "index": "first",
        **sent["pattern"],
    }
    pattern["daysOfWeek"] = [day.lower() for day in pattern["daysOfWeek"]]
    span = {"endDate": "0001-01-01", "numberOfOccurrences": 0, **sent["range"]}
    return {"pattern": pattern, "range": span}


def graph_returned(body: Mapping[str, Any], uid: str = "040000008200E00074C5B7101A") -> Any:
    """The event Graph returns for a POST of ``body``, read back without a Prefer header."""
    zone = body["start"]["timeZone"]
    event = {
        **body,
        "id": "AAMkNEW=",
        "changeKey": "ck-new",
        "iCalUId": uid,
        "uid": uid,
        "type": "seriesMaster" if "recurrence" in body else "singleInstance",
        "originalStartTimeZone": zone,
        "originalEndTimeZone": zone,
        "seriesMasterId": None,
    }
    for key in ("start", "end"):
        wall = dt.datetime.fromisoformat(body[key]["dateTime"])
        event[key] = graph_wall(wall.replace(tzinfo=zone_of(zone)))
    if "recurrence" in body:
        event["recurrence"] = graph_recurrence(body["recurrence"])
    return event


def sf_instant(moment: dt.datetime) -> str:
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}+0000"


#: The recurrence fields a query returns, null unless the series uses them.
CLASSIC_FIELDS = ("RecurrenceType", "RecurrenceInterval", "RecurrenceDayOfWeekMask",
                  "RecurrenceDayOfMonth", "RecurrenceInstance", "RecurrenceMonthOfYear",
                  "RecurrenceStartDateTime", "RecurrenceEndDateOnly",
                  "RecurrenceTimeZoneSidKey")  # fmt: skip


def sf_queried(body: Mapping[str, Any], event_id: str = "00U5g00000NeWeVAAZ") -> dict[str, Any]:
    """The Event record a query returns once ``body`` was created: every field, ``+0000``."""
    record: dict[str, Any] = {
        "attributes": {"type": "Event", "url": f"/services/data/v61.0/sobjects/Event/{event_id}"},
        "Id": event_id,
        "IsRecurrence": False,
        "IsRecurrence2": False,
        "Recurrence2PatternText": None,
        **dict.fromkeys(CLASSIC_FIELDS),
        **body,
        "SystemModstamp": "2024-02-28T12:00:00.000+0000",
    }
    if record["IsRecurrence"]:
        record["RecurrenceActivityId"] = event_id
    for name in ("StartDateTime", "EndDateTime", "RecurrenceStartDateTime"):
        if record.get(name) is not None:
            record[name] = sf_instant(dt.datetime.fromisoformat(record[name]))
    return record


# -- the actions the planner makes ---------------------------------------------------------


def create_item(item: cs.CalendarItem) -> cs.CreateItem:
    """The CreateItem that makes ``item`` (what downsync makes for an event, field for field)."""
    names = ("mailbox", "ical_uid", "time_zone", "start", "end", "subject", "body", "location",
             "is_all_day", "sensitivity", "categories", "sf_event_id", "recurrence")  # fmt: skip
    return cs.CreateItem(
        ref="new-item:x:y", rule="R-DOWN-CREATE", **{n: getattr(item, n) for n in names}
    )


def save_plan(item: cs.CalendarItem) -> cs.Plan:
    """The plan that saves ``item`` as alice's accepted copy of a meeting pat organizes."""
    alice = address("alice")
    copy = attrs.evolve(
        item, mailbox=alice, organizer=PAT, response=cs.Response.ACCEPTED, categories=(),
        attendees=(cs.Attendee(email=PAT, response=cs.Response.ORGANIZER),
                   cs.Attendee(email=alice, response=cs.Response.ACCEPTED)),
    )  # fmt: skip
    settings = org(advanced_calendaring=True, recurring_events=True)
    return run(None, snap(copy, PAT_CONTACT, as_of=item.start), settings)


def graph_trip(action: cs.CreateItem) -> cs.CalendarItem:
    """The item ``action`` makes, as ``item_from_graph`` reads it back from Graph."""
    body = graph.request_for(action).body
    json.dumps(body)  # JSON-ready
    return item_from_graph(graph_returned(body), mailbox=action.mailbox)


def sf_trip(action: cs.CreateEvent) -> cs.SfEvent:
    """The event ``action`` makes, as ``event_from_sobject`` reads it back from a query."""
    body = sf.request_for(action, **CUSTOM).body
    json.dumps(body)
    return sf.event_from_sobject(sf_queried(body), relations=[], **CUSTOM)


def shared(value: cs.CalendarItem | cs.SfEvent) -> dict[str, Any]:
    return {name: getattr(value, name) for name in SHARED}


# -- a: Graph to Graph ---------------------------------------------------------------------

#: What Exchange cannot hold by nature (see the refusal examples): a month day that
#: RFC 5545 skips in shorter months, and a series whose UNTIL comes before it starts.
GRAPH_CANNOT = ("skips shorter months", "before the start")
SYNCED = ("subject", "body", "location", "start", "end", "is_all_day", "sensitivity",
          "categories", "sf_event_id")  # fmt: skip


@st.composite
def recurring_items(draw: st.DrawFn) -> cs.CalendarItem:
    """Series of every kind: the strategy's own rules and any rule Graph's patterns hold."""
    item = draw(cst.calendar_items(recurring=True))
    if item.recurrence is None or draw(st.booleans()):
        item = attrs.evolve(item, recurrence=cs.Recurrence(rule=draw(graph_shaped_rules())))
    return item


def new_york_daily(start: dt.datetime) -> cs.CalendarItem:
    return cs.CalendarItem(
        id="AAMk1=", ical_uid="u1", mailbox=BOX, start=start, end=start + dt.timedelta(hours=1),
        recurrence=cs.Recurrence(rule="FREQ=DAILY;COUNT=3"), time_zone="America/New_York",
    )  # fmt: skip


#: 01:30 EDT on 3 November 2024, ending at 01:30 EST: the end's wall time is ambiguous,
#: so the times are written in UTC. The series used to be written in UTC too, and came
#: back an hour early (00:30 EST) from the next day on.
ENDS_IN_A_FOLD = new_york_daily(dt.datetime(2024, 11, 3, 5, 30, tzinfo=dt.UTC))
#: The second 01:30 of that night (EST): its own wall time is ambiguous.
STARTS_IN_A_FOLD = new_york_daily(dt.datetime(2024, 11, 3, 6, 30, tzinfo=dt.UTC))


def test_a_series_whose_times_fall_back_to_utc_keeps_its_zone() -> None:
    for item in (ENDS_IN_A_FOLD, STARTS_IN_A_FOLD):
        body = graph.request_for(create_item(item)).body
        assert body["start"]["timeZone"] == "UTC"
        assert body["recurrence"]["range"]["recurrenceTimeZone"] == "America/New_York"
        back = item_from_graph(graph_returned(body), mailbox=BOX)
        assert back.time_zone == "America/New_York"
        assert series_of(back, item.start) == series_of(item, item.start)
    days = series_of(graph_trip(create_item(ENDS_IN_A_FOLD)), ENDS_IN_A_FOLD.start)
    assert [d.hour for d in days] == [5, 6, 6]  # 01:30 EDT, then 01:30 EST


@given(recurring_items())
@example(ENDS_IN_A_FOLD)
@example(STARTS_IN_A_FOLD)
def test_a_series_created_in_graph_reads_back_with_its_occurrences(item: cs.CalendarItem) -> None:
    try:
        back = graph_trip(create_item(item))
    except RecurrenceError as exc:
        assume(not any(reason in str(exc) for reason in GRAPH_CANNOT))
        raise
    assert back.recurrence is not None
    assert series_of(back, item.start) == series_of(item, item.start)
    assert attrs.asdict(back, filter=lambda a, _: a.name in SYNCED) == attrs.asdict(
        item, filter=lambda a, _: a.name in SYNCED
    )


def series_master(name: str) -> dict[str, Any]:
    """A Graph series from a fixture (a page's first event for a listing)."""
    found = load(f"graph/{name}")
    master: dict[str, Any] = found["value"][0] if "value" in found else found
    assert master["type"] == "seriesMaster"
    return {"categories": [], **master}  # a GET that selects them (item_from_graph needs them)


def graph_meaning(event: Mapping[str, Any], since: dt.datetime) -> list[dt.datetime]:
    """The occurrences of a Graph series as Exchange counts them (from its first occurrence)."""
    recurrence = event["recurrence"]
    start = item_from_graph(event, mailbox=BOX).start
    first = graph_first_occurrence(recurrence, start=start)
    zone = recurrence["range"]["recurrenceTimeZone"]
    return occurrences(graph_to_rrule(recurrence), first, zone, since)


ENDING_FIXTURES = ("event-series-master-weekly-enddate.json", "series-shared-uid.handmade.json")


@pytest.mark.parametrize("name", ENDING_FIXTURES)
def test_a_published_series_copied_through_graph_keeps_its_occurrences(name: str) -> None:
    event = series_master(name)
    item = item_from_graph(event, mailbox=BOX)
    expected = graph_meaning(event, item.start)
    assert len(expected) > 3
    assert series_of(graph_trip(create_item(item)), item.start) == expected


def test_a_month_day_rfc_skips_in_short_months_is_refused_by_graph() -> None:
    start = dt.datetime(2024, 1, 31, 15, tzinfo=dt.UTC)
    item = cs.CalendarItem(
        id="AAMk1=", ical_uid="u1", mailbox=BOX, start=start, end=start + dt.timedelta(hours=1),
        recurrence=cs.Recurrence(rule="FREQ=MONTHLY;COUNT=6"), time_zone="Europe/Berlin",
    )  # fmt: skip
    # From the 31st RFC 5545 skips February; Exchange's day 31 would fall on the 29th.
    with pytest.raises(RecurrenceError, match=r"day 31 .* skips shorter months in RFC 5545"):
        graph.request_for(create_item(item))
    # Written as the month's last day, it goes through with Exchange's meaning.
    last = attrs.evolve(item, recurrence=cs.Recurrence(rule="FREQ=MONTHLY;COUNT=6;BYMONTHDAY=-1"))
    days = [d.day for d in series_of(graph_trip(create_item(last)), start)]
    assert days == [31, 29, 31, 30, 31, 30]


# -- b: Graph to Salesforce ----------------------------------------------------------------

MINUTES = st.sampled_from([30, 60, 90, 24 * 60])


@st.composite
def graph_series(draw: st.DrawFn) -> tuple[dict[str, Any], Series]:
    """A series master as Graph returns it: its start the first occurrence, in UTC."""
    recurrence, series = draw(graph_recurrences())
    first = graph_first_occurrence(recurrence, start=series.start)
    sent = {"pattern": recurrence["pattern"],
            "range": {**recurrence["range"], "startDate": first.date().isoformat()}}  # fmt: skip
    end = first + dt.timedelta(minutes=draw(MINUTES))
    event = {
        "id": "AAMkSERIES=", "changeKey": "ck1", "iCalUId": "0400A", "uid": "0400A",
        "type": "seriesMaster", "subject": "Pipeline review", "isAllDay": False,
        "sensitivity": "normal", "categories": [],
        "body": {"contentType": "text", "content": "Agenda"},
        "location": {"displayName": "Room 4"}, "originalStartTimeZone": series.zone_id,
        "start": graph_wall(first), "end": graph_wall(end), "recurrence": graph_recurrence(sent),
    }  # fmt: skip
    return event, series


@given(graph_series())
def test_a_graph_series_saved_to_salesforce_keeps_its_occurrences(
    drawn: tuple[dict[str, Any], Series],
) -> None:
    event, series = drawn
    expected = graph_meaning(event, series.start)
    item = item_from_graph(event, mailbox=BOX)
    assert series_of(item, series.start) == expected
    plan = save_plan(item)
    if not classic_can_hold(event["recurrence"], expected):
        assert not actions_of(plan, cs.CreateEvent)
        if expected:  # one that never occurs is outside every window instead
            assert issue_codes(plan) == [cs.IssueCode.RECURRENCE_NOT_SUPPORTED]
    assume(classic_can_hold(event["recurrence"], expected))
    read = sf_trip(created_event(plan))
    assert read.recurrence_format is cs.RecurrenceFormat.CLASSIC
    assert series_of(read, series.start) == expected
    assert shared(read) == shared(item)
    assert read.description == item.body


@pytest.mark.parametrize("name", ENDING_FIXTURES)
def test_a_published_graph_series_saved_to_salesforce_keeps_its_occurrences(name: str) -> None:
    event = series_master(name)
    item = item_from_graph(event, mailbox=BOX)
    read = sf_trip(created_event(save_plan(item)))
    assert series_of(read, item.start) == graph_meaning(event, item.start)
    assert shared(read) == shared(item)


def test_a_series_without_end_is_not_saved_as_classic() -> None:
    item = item_from_graph(series_master("event-series-master-noend-utc.json"), mailbox=BOX)
    plan = save_plan(item)
    assert issue_codes(plan) == [cs.IssueCode.RECURRENCE_NOT_SUPPORTED]
    assert "Classic needs an end date" in plan.issues[0].message
    assert not actions_of(plan, cs.CreateEvent)


# -- c: Salesforce Classic to Graph --------------------------------------------------------


@st.composite
def classic_records(draw: st.DrawFn) -> tuple[dict[str, Any], ClassicRecurrence]:
    """A Classic series master as a query returns it, with the fields it was made from."""
    recurrence, series = draw(graph_recurrences())
    rule = graph_to_rrule(recurrence)
    first = graph_first_occurrence(recurrence, start=series.start)
    assume(classic_can_hold(recurrence, occurrences(rule, first, series.zone_id, series.start)))
    classic = rrule_to_classic(rule, start=first, time_zone=series.zone_id)
    end = classic.start + dt.timedelta(minutes=draw(MINUTES))
    body = {
        "OwnerId": OWNER, "Subject": "Pipeline call", "Location": "Teams",
        "Description": "Agenda", "IsAllDayEvent": False, "IsPrivate": False,
        "StartDateTime": classic.start.isoformat(), "EndDateTime": end.isoformat(),
        "IsRecurrence": True, **classic.fields(), "ICalUID__c": None,
        "Created_By_Sync__c": False,
    }  # fmt: skip
    return sf_queried(body), classic


def downsync_trip(record: Mapping[str, Any], since: dt.datetime) -> list[dt.datetime]:
    """Occurrences of a Classic record read, downsynced to Graph and read back; both checked."""
    event = sf.event_from_sobject(record, relations=[], **CUSTOM)
    back = graph_trip(new_item(event, BOX, "Salesforce", R.DOWN_CREATE))
    assert shared(back) == shared(event)
    assert back.body == event.description
    found = series_of(back, since)
    assert series_of(event, since) == found
    return found


@given(classic_records())
def test_a_classic_series_downsynced_to_graph_keeps_its_occurrences(
    drawn: tuple[dict[str, Any], ClassicRecurrence],
) -> None:
    record, classic = drawn
    since = classic.start
    expected = occurrences(classic_to_rrule(classic), classic.start, classic.time_zone, since)
    assert downsync_trip(record, since) == expected


def test_the_published_classic_series_downsynced_keeps_its_mondays() -> None:
    records = load("salesforce/query-events.handmade.json")["records"]
    [record] = [r for r in records if r["IsRecurrence"]]
    since = dt.datetime(2024, 3, 4, 16, tzinfo=dt.UTC)
    found = downsync_trip(record, since)
    assert [d.date().isoformat() for d in found[:2]] == ["2024-03-04", "2024-03-11"]
    assert found[-1] == dt.datetime(2024, 6, 24, 15, tzinfo=dt.UTC)  # 11:00 EDT as in March
    assert len(found) == 17


# -- d: Lightning --------------------------------------------------------------------------


def test_a_series_without_classic_fields_is_never_written_to_salesforce() -> None:
    start = dt.datetime(2024, 3, 6, 17, tzinfo=dt.UTC)
    action = cs.CreateEvent(
        ref="new-event:x", owner_id=OWNER, ical_uid="u1", start=start,
        end=start + dt.timedelta(hours=1), subject="Sync", description="", location="",
        is_all_day=False, is_private=False, who_ids=(), what_ids=(), invitee_ids=(),
        recurrence=cs.Recurrence(rule="FREQ=WEEKLY;INTERVAL=2;COUNT=5;BYDAY=WE"),
        source_item_id="AAMk1=", rule="R-AUTOSAVE", time_zone="America/New_York",
    )  # fmt: skip
    refusal = "a series is written as Classic fields, and action.classic is None"
    with pytest.raises(ValueError, match=re.escape(refusal)):
        sf.request_for(action, **CUSTOM)


def as_salesforce_returns(text: str) -> str:
    """``Recurrence2PatternText`` as Salesforce returns it: ``RRULE:`` and an INTERVAL."""
    freq, _, rest = text.partition(";")
    interval = "" if "INTERVAL=" in text else ";INTERVAL=1"
    return f"RRULE:{freq}{interval}{';' if rest else ''}{rest}"


def lightning_record(text: str, series: Series) -> dict[str, Any]:
    start = series.start
    return sf_queried({
        "OwnerId": OWNER, "Subject": "Standup", "IsAllDayEvent": False, "IsPrivate": False,
        "StartDateTime": start.isoformat(),
        "EndDateTime": (start + dt.timedelta(hours=1)).isoformat(),
        "IsRecurrence2": True, "Recurrence2PatternText": text, "Recurrence2PatternVersion": "1",
        "Recurrence2PatternTimeZone": iana_name(series.zone_id),
    })  # fmt: skip


@given(graph_shaped_rules(), series_starts())
def test_lightning_text_the_converter_writes_reads_back_with_the_same_occurrences(
    rule: str, series: Series
) -> None:
    try:
        written = rrule_to_lightning(rule)
    except RecurrenceError:
        assume(False)  # Lightning's limits; the refusals have their own examples
        raise
    assert check_lightning(written) == written
    returned = as_salesforce_returns(written)
    since, zone = series.start, series.zone_id
    expected = occurrences(rule, since, zone, since)
    assert occurrences(lightning_to_rrule(returned), since, zone, since) == expected
    event = sf.event_from_sobject(lightning_record(returned, series), relations=[], **CUSTOM)
    assert event.recurrence_format is cs.RecurrenceFormat.LIGHTNING
    assert series_of(event, series.start) == expected


DAY_31 = "RRULE:FREQ=MONTHLY;INTERVAL=1;COUNT=6;BYMONTHDAY=31"


def test_lightning_day_31_falls_on_the_last_day_of_shorter_months() -> None:
    assert rrule_to_lightning("FREQ=MONTHLY;COUNT=6;BYMONTHDAY=-1") == (
        "FREQ=MONTHLY;COUNT=6;BYMONTHDAY=31"
    )
    start = dt.datetime(2024, 1, 31, 9, tzinfo=dt.UTC)
    days = [d.day for d in occurrences(lightning_to_rrule(DAY_31), start, "UTC", start)]
    assert days == [31, 29, 31, 30, 31, 30]


def test_a_lightning_record_on_day_31_reads_with_salesforces_meaning() -> None:
    # Read as RFC text, BYMONTHDAY=31 skipped February, April and June.
    series = Series(dt.datetime(2024, 1, 31, 9, tzinfo=dt.UTC), "UTC")
    event = sf.event_from_sobject(lightning_record(DAY_31, series), relations=[], **CUSTOM)
    assert event.recurrence == cs.Recurrence(rule="FREQ=MONTHLY;COUNT=6;BYMONTHDAY=-1")
    assert [d.day for d in series_of(event, series.start)] == [31, 29, 31, 30, 31, 30]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1", "day 30 of the month"),
        ("FREQ=MONTHLY;BYMONTHDAY=31", "skips shorter months"),
        ("FREQ=DAILY;BYDAY=MO,TU", "no BYDAY with FREQ=DAILY"),
        ("FREQ=YEARLY;INTERVAL=2", "only INTERVAL=1 with FREQ=YEARLY"),
    ],
)
def test_lightning_refuses_what_it_cannot_hold(rule: str, problem: str) -> None:
    with pytest.raises(RecurrenceError, match=problem):
        rrule_to_lightning(rule)
