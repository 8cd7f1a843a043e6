"""The read side of the Graph adapter against published (and a few handmade) payloads.

The fixtures are Microsoft Graph documentation examples and handmade payloads in
the same shape; tests/fixtures/SOURCES.md says where each came from.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given

import calsync_core as cs
from calsync_core.graph import SF_EVENT_ID_PROPERTY, DeltaPage, delta_page, item_from_graph
from calsync_core.testing import strategies as cst

GRAPH = Path(__file__).parent / "fixtures" / "graph"
BOX = "Adele@Contoso.example"
OWNER = "adele@contoso.example"


def fixture(name: str) -> Any:
    return json.loads((GRAPH / name).read_text(encoding="utf-8"))


def read(name: str) -> cs.CalendarItem:
    return item_from_graph(fixture(name), mailbox=BOX)


def with_categories(event: Any) -> Any:
    """``event`` as a GET whose ``$select`` names ``categories`` (item_from_graph needs them)."""
    return {"categories": [], **event}


def read_selected(name: str) -> cs.CalendarItem:
    return item_from_graph(with_categories(fixture(name)), mailbox=BOX)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


EVENT_FIXTURES = sorted(
    p.name
    for p in GRAPH.glob("event-*.json")
    if not p.name.startswith("event-open-extension")
    and ".request." not in p.name
    and p.name != "event-instances-occurrence-exception.json"
)


@pytest.mark.parametrize("name", EVENT_FIXTURES)
def test_every_event_fixture_reads(name: str) -> None:
    if "categories" not in fixture(name):
        # A $select without categories: refused, since SetCategories would erase them.
        with pytest.raises(cs.PayloadError, match="categories: missing"):
            read(name)
    item = read_selected(name)
    assert item.mailbox == OWNER
    assert item.id == fixture(name)["id"]
    assert item.end >= item.start


def test_a_single_instance_in_pacific_time() -> None:
    item = read("event-single-instance-pst.json")
    assert item.start == utc(2017, 8, 30, 18)  # 11:00 PDT
    assert item.end == utc(2017, 8, 30, 19)
    assert item.time_zone == "Pacific Standard Time"
    assert item.ical_uid == "04000000820089190544"  # a short docs value, kept as is
    assert item.version == "y53lbKh6jkaxHzFwGhgyxgAAz3IKMA=="  # changeKey, not the etag
    assert item.subject == "Plan summer company picnic"
    assert item.location == "Conf Room 3; Fourth Coffee; Home Office"
    assert item.organizer == "adelev@contoso.onmicrosoft.com"
    assert item.response is cs.Response.ORGANIZER
    assert [(a.email, a.name, a.response, a.role) for a in item.attendees] == [
        ("danas@contoso.onmicrosoft.com", "Dana Swope", cs.Response.NOT_RESPONDED,
         cs.AttendeeRole.REQUIRED),
        ("alexw@contoso.onmicrosoft.com", "Alex Wilber", cs.Response.NOT_RESPONDED,
         cs.AttendeeRole.REQUIRED),
    ]  # fmt: skip
    assert item.recurrence is None
    assert item.original_start is None
    assert item.sf_event_id is None
    assert "kick-start this event planning" in item.body


def test_a_weekly_series_with_an_end_date() -> None:
    item = read("event-series-master-weekly-enddate.json")
    assert item.recurrence == cs.Recurrence(
        rule="FREQ=WEEKLY;UNTIL=20180101T075959Z;BYDAY=MO;WKST=SU"
    )
    assert item.start == utc(2017, 9, 4, 19)  # noon PDT
    assert item.subject == "Let's go for lunch"


def test_a_series_in_utc_whose_range_is_in_eastern_time() -> None:
    item = read("event-series-master-noend-utc.json")
    assert item.recurrence == cs.Recurrence(rule="FREQ=WEEKLY;BYDAY=TU,TH;WKST=SU")
    assert item.time_zone == "Eastern Standard Time"  # the organizer's, not the response's
    assert item.start == utc(2017, 8, 15, 14, 30)
    lidia = item.attendees[0]
    assert (lidia.email, lidia.response) == ("lidiah@contoso.com", cs.Response.ACCEPTED)


def test_a_series_in_a_custom_zone_reads_and_keeps_the_zone() -> None:
    item = read("event-series-master-custom-zone.handmade.json")
    assert item.time_zone == "tzone://Microsoft/Custom"
    assert item.recurrence == cs.Recurrence(rule="FREQ=MONTHLY;BYDAY=1TH")
    assert item.start == utc(2012, 5, 3, 15)


def test_an_unknown_zone_in_start_reads_the_wall_time_as_utc_and_keeps_the_name() -> None:
    event = fixture("event-series-master-custom-zone.handmade.json")
    event["start"]["timeZone"] = event["end"]["timeZone"] = ""
    event["originalStartTimeZone"] = ""
    event["recurrence"]["range"].update(type="endDate", endDate="2012-12-31")
    item = item_from_graph(event, mailbox=BOX)
    assert (item.time_zone, item.start) == ("", utc(2012, 5, 3, 15))
    assert item.recurrence == cs.Recurrence(rule="FREQ=MONTHLY;UNTIL=20121231T235959Z;BYDAY=1TH")


def test_an_iana_zone_is_read_too() -> None:
    event = fixture("event-single-instance-pst.json")
    event["start"]["timeZone"] = event["end"]["timeZone"] = "America/Los_Angeles"
    assert item_from_graph(event, mailbox=BOX).start == utc(2017, 8, 30, 18)


def test_an_all_day_event_keeps_graphs_exclusive_end() -> None:
    item = read("event-all-day.handmade.json")
    assert item.is_all_day
    assert (item.start, item.end) == (utc(2024, 4, 15), utc(2024, 4, 17))  # two days
    assert item.time_zone == "W. Europe Standard Time"
    assert item.attendees == ()


def test_an_attendees_copy_of_a_cancelled_meeting() -> None:
    item = read("event-cancelled-attendee-copy.handmade.json")
    assert item.is_cancelled
    assert item.response is cs.Response.ACCEPTED  # the owner's own answer
    assert item.organizer == "danas@fabrikam.com"
    kim = item.attendees[1]
    assert (kim.email, kim.role) == ("kim.o'brien@fabrikam.com", cs.AttendeeRole.OPTIONAL)


def test_an_exception_with_its_original_start() -> None:
    item = read("event-exception-original-start.handmade.json")
    assert item.original_start == utc(2019, 4, 15, 20, 30)
    assert item.start == utc(2019, 4, 16, 20, 30)
    assert item.sensitivity is cs.Sensitivity.PRIVATE
    assert item.categories == {"Salesforce", "Blue category"}
    # uid, not iCalUId: the series-wide UID (zeros where iCalUId has the date 2019-04-15).
    assert item.ical_uid.startswith("040000008200E00074C5B7101A82E00800000000")
    fanny, room = item.attendees
    assert (fanny.response, fanny.role) == (cs.Response.TENTATIVE, cs.AttendeeRole.REQUIRED)
    assert (room.response, room.role) == (cs.Response.ACCEPTED, cs.AttendeeRole.RESOURCE)


def test_occurrences_and_an_exception_from_instances() -> None:
    items = [
        item_from_graph(with_categories(e), mailbox=BOX)
        for e in fixture("event-instances-occurrence-exception.json")["value"]
    ]
    assert [i.start.date().isoformat() for i in items] == [
        "2019-04-16", "2019-04-08", "2019-04-22", "2019-04-29",
    ]  # fmt: skip
    # $select left out originalStart and iCalUId: they take their defaults.
    assert all(i.original_start is None and i.recurrence is None for i in items)
    assert all(i.ical_uid == "" for i in items)


def test_a_series_master_its_occurrences_and_exception_share_the_uid() -> None:
    events = fixture("series-shared-uid.handmade.json")["value"]
    items = [item_from_graph(with_categories(e), mailbox=BOX) for e in events]
    assert [i.id for i in items] == [e["id"] for e in events]
    assert len({e["iCalUId"] for e in events}) == 4  # iCalUId differs for each
    assert {i.ical_uid for i in items} == {events[0]["uid"]}
    master, _, exception, _ = items
    assert master.recurrence is not None
    assert exception.original_start == utc(2019, 4, 15, 20, 30)


@pytest.mark.parametrize(
    ("ids", "wanted"),
    [
        ({"uid": "U", "iCalUId": "I"}, "U"),
        ({"uid": "", "iCalUId": "I"}, "I"),
        ({"uid": None, "iCalUId": "I"}, "I"),
        ({"iCalUId": "I"}, "I"),
        ({"uid": "U", "iCalUId": None}, "U"),
        ({"iCalUId": None}, ""),  # just after creation: null, not a payload fault
        ({}, ""),
    ],
)
def test_ical_uid_is_uid_else_ical_uid(ids: dict[str, Any], wanted: str) -> None:
    event = {**fixture("event-single-instance-pst.json"), **ids}
    event = {k: v for k, v in event.items() if k in ids or k not in ("uid", "iCalUId")}
    assert item_from_graph(event, mailbox=BOX).ical_uid == wanted


def test_a_uid_that_is_not_a_string_is_a_payload_fault() -> None:
    event = {**fixture("event-single-instance-pst.json"), "uid": 7}
    with pytest.raises(cs.PayloadError, match="uid: expected a string, got a number"):
        item_from_graph(event, mailbox=BOX)


def test_a_proposed_new_time_does_not_disturb_the_answer() -> None:
    item = read_selected("event-get-select-tentative-proposed-time.json")
    dana = item.attendees[1]
    assert (dana.email, dana.response) == (
        "danas@a830edad905084922e17020313.onmicrosoft.com", cs.Response.TENTATIVE,
    )  # fmt: skip
    assert item.start == utc(2017, 4, 21, 17)


def test_the_stamp_is_read_from_the_extended_property() -> None:
    item = read_selected("event-expand-extended-property.handmade.json")
    assert item.sf_event_id == "00U1U000008tip8UAA"
    assert (
        fixture("event-expand-extended-property.handmade.json")["singleValueExtendedProperties"][0][
            "id"
        ]
        == SF_EVENT_ID_PROPERTY
    )


def test_other_extended_properties_are_not_the_stamp() -> None:
    event = with_categories(fixture("event-expand-extended-property.handmade.json"))
    prop = event["singleValueExtendedProperties"][0]
    prop["id"] = prop["id"].upper()  # the name compares case-sensitively
    assert item_from_graph(event, mailbox=BOX).sf_event_id is None
    prop["id"] = SF_EVENT_ID_PROPERTY.replace("66f5a359", "66F5A359")  # the GUID does not
    assert item_from_graph(event, mailbox=BOX).sf_event_id == "00U1U000008tip8UAA"


def test_a_truncated_docs_payload_is_refused_with_every_missing_field() -> None:
    event = fixture("calendarview-accepted-subset.json")["value"][0]
    with pytest.raises(cs.PayloadError) as caught:
        item_from_graph(event, mailbox=BOX)
    assert caught.value.problems == (
        "start: missing",
        "end: missing",
        "id: missing",
        "categories: missing: SetCategories would erase the item's categories",
    )


# -- delta ---------------------------------------------------------------------------------


def test_delta_pages_follow_next_links_to_a_delta_link() -> None:
    first = delta_page(fixture("calendarview-delta-page1-nextlink.json"), mailbox=BOX)
    assert first.next_link is not None
    assert "$skiptoken=R0usmcCM996atia_s" in first.next_link
    assert first.delta_link is None
    assert [i.subject for i in first.items] == ["Plan shopping list", "Pick up car"]
    assert first.items[0].start == utc(2016, 12, 9, 20, 30)
    assert first.items[0].sf_event_id is None  # delta never carries the stamp
    assert first.removed == ()
    last = delta_page(fixture("calendarview-delta-page3-deltalink.json"), mailbox=BOX)
    assert last.next_link is None
    assert last.delta_link == (
        "https://graph.microsoft.com/v1.0/me/calendarView/delta?$deltatoken=R0usmcMDNGg0J1E"
    )


def test_removed_entries_are_keys() -> None:
    page = delta_page(fixture("calendarview-delta-next-round-removed.json"), mailbox=BOX)
    assert page.removed == ((OWNER, "AAMkADk0MGFkODE3LWE4MmYtNDRhOS04OGQLkRkXbBznTvAADb6ytyAAA="),)
    (item,) = page.items
    assert (item.id, item.location) == ("AAMkADj1HvAAA=", "Chapel of Saint Ignatius")
    assert isinstance(page, DeltaPage)


def test_an_entry_that_comes_twice_counts_once_as_its_later_version() -> None:
    page = fixture("calendarview-delta-page1-nextlink.json")
    first, second = page["value"]
    page["value"] = [first, second, {**first, "subject": "Changed"}]
    read_page = delta_page(page, mailbox=BOX)
    assert [i.subject for i in read_page.items] == ["Pick up car", "Changed"]
    page["value"] = [first, {"id": first["id"], "@removed": {"reason": "deleted"}}]
    assert delta_page(page, mailbox=BOX).removed == ((OWNER, first["id"]),)
    assert delta_page(page, mailbox=BOX).items == ()


def test_a_bad_delta_page_names_each_entrys_problems_by_place() -> None:
    page = fixture("calendarview-delta-page1-nextlink.json")
    page["value"][1]["start"]["dateTime"] = "2016-12-10T01:00:00Z"
    page["value"].append({"@removed": {"reason": "deleted"}})
    page["value"].append(7)
    page["@odata.deltaLink"] = (
        "https://graph.microsoft.com/v1.0/me/calendarView/delta?$deltatoken=X"
    )
    with pytest.raises(cs.PayloadError) as caught:
        delta_page(page, mailbox=BOX)
    assert caught.value.problems == (
        "@odata.nextLink: a delta page has either it or @odata.deltaLink, not both or none",
        "value[1].start.dateTime: '2016-12-10T01:00:00Z' is not a date and time without offset"
        " (YYYY-MM-DDThh:mm:ss[.fffffff])",
        "value[2].id: missing",
        "value[3]: expected an object, got a number",
    )


def test_a_page_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(cs.PayloadError, match=r"\(page\): expected an object, got an array"):
        delta_page([], mailbox=BOX)  # type: ignore[arg-type]


# -- bad events ----------------------------------------------------------------------------


def test_every_problem_of_an_event_is_listed_with_its_path() -> None:
    event = fixture("event-exception-original-start.handmade.json")
    event["start"] = {"dateTime": "2019-04-16 20:30", "timeZone": "UTC"}
    del event["end"]["timeZone"]
    event["isAllDay"] = "no"
    event["sensitivity"] = "secret"
    event["categories"] = ["Blue", 3]
    event["attendees"][1]["type"] = "chair"
    event["attendees"][0]["emailAddress"]["address"] = ""
    event["responseStatus"]["response"] = 1
    event["originalStart"] = "2019-04-15T20:30:00"
    with pytest.raises(cs.PayloadError) as caught:
        item_from_graph(event, mailbox=BOX)
    assert caught.value.problems == (
        "isAllDay: expected a boolean, got a string",  # read first: it says how times read
        "start.dateTime: '2019-04-16 20:30' is not a date and time without offset"
        " (YYYY-MM-DDThh:mm:ss[.fffffff])",
        "end.timeZone: missing",
        "sensitivity: 'secret' is not one of normal, personal, private, confidential",
        "categories[1]: expected a string, got a number",
        "attendees[0].emailAddress.address: empty",
        "attendees[1].type: 'chair' is not one of required, optional, resource",
        "responseStatus.response: expected a string, got a number",
        "originalStart: '2019-04-15T20:30:00' is not a date and time with offset (…Z or …+hh:mm)",
    )


def test_an_unknown_event_type_is_a_problem() -> None:
    event = fixture("event-single-instance-pst.json")
    event["type"] = "meeting"
    with pytest.raises(cs.PayloadError) as caught:
        item_from_graph(event, mailbox=BOX)
    assert caught.value.problems == (
        "type: 'meeting' is not one of singleinstance, occurrence, exception, seriesmaster",
    )


def test_a_series_with_a_bad_pattern_names_the_recurrence_fields() -> None:
    event = fixture("event-series-master-weekly-enddate.json")
    event["recurrence"]["pattern"]["daysOfWeek"] = ["funday"]
    event["recurrence"]["range"]["endDate"] = "someday"
    del event["start"]
    with pytest.raises(cs.PayloadError) as caught:
        item_from_graph(event, mailbox=BOX)
    assert caught.value.problems == (
        "start: missing",
        "recurrence.pattern.daysOfWeek: item 'funday' is not a day name",
        "recurrence.range.endDate: 'someday' is not a date (YYYY-MM-DD)",
    )


def test_a_series_without_its_recurrence_is_refused() -> None:
    event = fixture("event-series-master-weekly-enddate.json")
    event["recurrence"] = None
    with pytest.raises(cs.PayloadError, match="recurrence: expected an object, got null"):
        item_from_graph(event, mailbox=BOX)


def test_an_event_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(cs.PayloadError, match=r"\(event\): expected an object, got a string"):
        item_from_graph("{}", mailbox=BOX)  # type: ignore[arg-type]


# -- round trip ----------------------------------------------------------------------------

_ANSWERS = {
    cs.Response.ORGANIZER: "organizer",
    cs.Response.ACCEPTED: "accepted",
    cs.Response.TENTATIVE: "tentativelyAccepted",
    cs.Response.DECLINED: "declined",
    cs.Response.NOT_RESPONDED: "notResponded",
}


def _when(moment: dt.datetime) -> dict[str, str]:
    # As Graph answers without a Prefer header: the wall time in UTC, seven digits.
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.%f0"), "timeZone": "UTC"}


def _email(address: str, name: str = "") -> dict[str, Any]:
    return {"emailAddress": {"name": name, "address": address}}


def graph_event(item: cs.CalendarItem) -> dict[str, Any]:
    """``item`` written as Graph v1.0 answers a GET of an event (test-only writer)."""
    event: dict[str, Any] = {
        "@odata.etag": f'W/"{item.version}"',
        "id": item.id,
        "iCalUId": item.ical_uid,
        "changeKey": item.version,
        "type": "singleInstance" if item.original_start is None else "exception",
        "subject": item.subject,
        "body": {"contentType": "html", "content": item.body},
        "location": {"displayName": item.location, "locationType": "default"},
        "isAllDay": item.is_all_day,
        "isCancelled": item.is_cancelled,
        "isOrganizer": item.response is cs.Response.ORGANIZER,
        "sensitivity": item.sensitivity.value.lower(),
        "categories": sorted(item.categories),
        "originalStartTimeZone": item.time_zone,
        "originalEndTimeZone": item.time_zone,
        "start": _when(item.start),
        "end": _when(item.end),
        "recurrence": None,
        "responseStatus": {"response": _ANSWERS[item.response], "time": "0001-01-01T00:00:00Z"},
        "attendees": [
            {
                "type": a.role.value.lower(),
                "status": {"response": _ANSWERS[a.response], "time": "0001-01-01T00:00:00Z"},
                **_email(a.email, a.name),
            }
            for a in item.attendees
        ],
    }
    if item.organizer is not None:
        event["organizer"] = _email(item.organizer)
    if item.original_start is not None:
        event["originalStart"] = item.original_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    if item.sf_event_id is not None:
        event["singleValueExtendedProperties"] = [
            {"id": SF_EVENT_ID_PROPERTY, "value": item.sf_event_id}
        ]
    return event


@given(cst.calendar_items(recurring=False))
def test_an_item_written_as_a_graph_event_reads_back_equal(item: cs.CalendarItem) -> None:
    # What a Graph event cannot hold is left out: the calendar, attachments, the
    # Save dialog's choice.
    item = attrs.evolve(item, calendar_id=None, attachments=(), link_choice=None)
    assert item_from_graph(graph_event(item), mailbox=item.mailbox) == item
