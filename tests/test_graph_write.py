"""The write side of the Graph adapter: actions as requests, and what they read back as.

Shapes are checked against the published request examples and the handmade
batch in tests/fixtures/graph (tests/fixtures/SOURCES.md says where each is from).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core.graph import SF_EVENT_ID_PROPERTY, item_from_graph, request_for
from calsync_core.testing import strategies as cst

GRAPH = Path(__file__).parent / "fixtures" / "graph"
BOX = "adelev@contoso.onmicrosoft.com"
ODD_ID = "AAMkAD/x+y=="


def fixture(name: str) -> Any:
    return json.loads((GRAPH / name).read_text(encoding="utf-8"))


def batch(n: int) -> Any:
    return fixture("batch-request-dependson.handmade.json")["requests"][n]


def url_of(published: Mapping[str, Any]) -> str:
    """A batch fixture's URL as request_for writes it: no leading slash, mailbox lower-cased."""
    users, mailbox, rest = published["url"].lstrip("/").split("/", 2)
    return f"{users}/{mailbox.lower()}/{rest}"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def create_action(**changes: Any) -> cs.CreateItem:
    fields: dict[str, Any] = {
        "ref": "new-item:adelev@contoso.onmicrosoft.com:00U1U000008tip8UAA",
        "mailbox": BOX,
        "ical_uid": "uid-1",
        "start": utc(2017, 8, 30, 18),  # 11:00 PDT
        "end": utc(2017, 8, 30, 19),
        "subject": "Plan summer company picnic",
        "body": "Bring ideas",
        "location": "Conf Room 3",
        "is_all_day": False,
        "sensitivity": cs.Sensitivity.NORMAL,
        "categories": {"Salesforce", "Blue"},
        "sf_event_id": "00U1U000008tip8UAA",
        "rule": "R-DOWN-CREATE",
        "time_zone": "Pacific Standard Time",
    }
    return cs.CreateItem(**{**fields, **changes})


def current_item(**changes: Any) -> cs.CalendarItem:
    fields: dict[str, Any] = {
        "id": "AAMkAGI1AAAt8AHjAAA=",
        "ical_uid": "uid-1",
        "mailbox": BOX,
        "start": utc(2017, 8, 30, 18),
        "end": utc(2017, 8, 30, 19),
        "subject": "Picnic",
        "time_zone": "Pacific Standard Time",
        "categories": {"Red category"},
        "version": "ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==",
    }
    return cs.CalendarItem(**{**fields, **changes})


def update(*changes: cs.FieldChange, item_id: str = "AAMkAGI1AAAt8AHjAAA=") -> cs.UpdateItem:
    return cs.UpdateItem(mailbox=BOX, item_id=item_id, changes=changes, rule="R-DOWN-UPDATE")


def as_graph_created(body: Mapping[str, Any], **extra: str) -> dict[str, Any]:
    """The event Graph would return for a POST of ``body``: the body plus the ids it assigns."""
    return {
        **body,
        "id": "AAMkNEW=",
        "changeKey": "ck-new",
        "iCalUId": "040000008200E0",
        "type": "seriesMaster" if "recurrence" in body else "singleInstance",
        "originalStartTimeZone": body["start"]["timeZone"],
        **extra,
    }


# -- shapes --------------------------------------------------------------------------------


def test_create_writes_the_documented_event_body() -> None:
    request = request_for(create_action())
    assert (request.method, request.url) == ("POST", "users/adelev@contoso.onmicrosoft.com/events")
    assert dict(request.headers) == batch(0)["headers"]
    assert request.body == {
        "subject": "Plan summer company picnic",
        "body": {"contentType": "text", "content": "Bring ideas"},
        "start": {"dateTime": "2017-08-30T11:00:00", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2017-08-30T12:00:00", "timeZone": "Pacific Standard Time"},
        "isAllDay": False,
        "location": {"displayName": "Conf Room 3"},
        "sensitivity": "normal",
        "categories": ["Blue", "Salesforce"],
        "singleValueExtendedProperties": batch(0)["body"]["singleValueExtendedProperties"],
    }
    published = fixture("event-create-with-extended-property.request.json")
    for key in ("body", "start", "end"):
        assert request.body[key].keys() == published[key].keys()
    assert [p.keys() for p in request.body["singleValueExtendedProperties"]] == [
        p.keys() for p in published["singleValueExtendedProperties"]
    ]


def test_create_writes_a_series_through_the_recurrence_converter() -> None:
    published = fixture("event-create-recurring.request.json")
    action = create_action(
        subject=published["subject"],
        start=utc(2017, 9, 4, 19),  # 12:00 PDT
        end=utc(2017, 9, 4, 21),
        location="Harry's Bar",
        recurrence=cs.Recurrence(rule="FREQ=WEEKLY;UNTIL=20171231T235959Z;BYDAY=MO"),
        sf_event_id=None,
    )
    body = request_for(action).body
    for key in ("subject", "start", "end", "location"):
        assert body[key] == published[key]
    assert "singleValueExtendedProperties" not in body
    pattern, span = body["recurrence"]["pattern"], body["recurrence"]["range"]
    assert (pattern["type"], pattern["interval"]) == ("weekly", 1)
    assert [d.lower() for d in pattern["daysOfWeek"]] == ["monday"]
    assert {k: span[k] for k in published["recurrence"]["range"]} == published["recurrence"][
        "range"
    ]
    back = item_from_graph(as_graph_created(body), mailbox=BOX)
    assert back.recurrence is not None
    assert "FREQ=WEEKLY" in back.recurrence.rule
    assert "BYDAY=MO" in back.recurrence.rule


def test_set_categories_patches_the_whole_list_with_if_match() -> None:
    published = batch(1)
    action = cs.SetCategories(
        mailbox=BOX, item_id="AAMkAGI1AAAt8AHjAAA=", add={"Salesforce"}, remove=(), rule="R"
    )
    request = request_for(action, current=current_item())
    assert request.method == published["method"]
    assert unquote(request.url) == url_of(published)
    assert dict(request.headers) == published["headers"]
    assert request.body == published["body"]


def test_delete_is_conditional_when_current_is_given() -> None:
    published = batch(2)
    item = current_item(id="AAMkADQwMD", version="+T8RDneHMkKe2BGYEaQZ4wAA5a9Acw==")
    action = cs.DeleteItem(mailbox=BOX, item_id="AAMkADQwMD", rule="R-DOWN-DELETE")
    request = request_for(action, current=item)
    assert (request.method, request.url) == (published["method"], url_of(published))
    assert dict(request.headers) == published["headers"]
    assert request.body is None
    assert dict(request_for(action).headers) == {}


def test_path_segments_are_quoted() -> None:
    action = cs.DeleteItem(mailbox=BOX, item_id=ODD_ID, rule="R")
    url = request_for(action).url
    assert url == "users/adelev@contoso.onmicrosoft.com/events/AAMkAD%2Fx%2By%3D%3D"
    assert unquote(url.rsplit("/", 1)[1]) == ODD_ID


# -- updates -------------------------------------------------------------------------------


def test_update_sends_only_the_changed_fields() -> None:
    item = current_item(sf_event_id="00U000000000001AAA")
    request = request_for(
        update(
            cs.FieldChange(field="subject", old="Picnic", new="Summer picnic"),
            cs.FieldChange(field="body", old="", new="Bring food"),
            cs.FieldChange(field="sensitivity", old=item.sensitivity, new=cs.Sensitivity.PRIVATE),
            cs.FieldChange(field="sf_event_id", old="00U000000000001AAA", new=None),
        ),
        current=item,
    )
    assert request.method == "PATCH"
    assert request.headers["If-Match"] == 'W/"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ=="'
    assert request.body == {
        "subject": "Summer picnic",
        "body": {"contentType": "text", "content": "Bring food"},
        "sensitivity": "private",
        "singleValueExtendedProperties": [{"id": SF_EVENT_ID_PROPERTY, "value": ""}],
    }


def test_an_update_of_the_times_sends_them_as_a_set_and_reads_back() -> None:
    item = current_item()
    action = update(
        cs.FieldChange(field="start", old=item.start, new=utc(2017, 9, 1, 7)),
        cs.FieldChange(field="end", old=item.end, new=utc(2017, 9, 2, 7)),
        cs.FieldChange(field="is_all_day", old=False, new=True),
    )
    body = request_for(action, current=item).body
    assert body == {
        "start": {"dateTime": "2017-09-01T00:00:00", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2017-09-02T00:00:00", "timeZone": "Pacific Standard Time"},
        "isAllDay": True,
    }
    event = {**as_graph_created(body), "subject": "Picnic", "categories": []}
    back = item_from_graph(event, mailbox=BOX)
    # All-day values read back as their dates, held at midnight UTC.
    assert (back.start, back.end, back.is_all_day) == (utc(2017, 9, 1), utc(2017, 9, 2), True)


def test_an_update_needs_current() -> None:
    with pytest.raises(ValueError, match="needs current"):
        request_for(update(cs.FieldChange(field="subject", old="Picnic", new="x")))
    action = cs.SetCategories(
        mailbox=BOX, item_id="AAMkAGI1AAAt8AHjAAA=", add={"a"}, remove=(), rule="R"
    )
    with pytest.raises(ValueError, match="needs current"):
        request_for(action)


def test_a_stale_old_value_is_refused() -> None:
    action = update(cs.FieldChange(field="subject", old="Lunch", new="Dinner"))
    with pytest.raises(ValueError, match="planned on another version"):
        request_for(action, current=current_item())
    same = update(cs.FieldChange(field="categories", old=("Red category",), new=("x",)))
    assert request_for(same, current=current_item()).body == {"categories": ["x"]}


RENAME = cs.FieldChange(field="subject", old="Picnic", new="x")


@pytest.mark.parametrize(
    ("action", "current", "message"),
    [
        (update(cs.FieldChange(field="ical_uid", old="uid-1", new="u2")), current_item(),
         "cannot be written"),
        (update(RENAME), current_item(version=""), "no change key"),
        (update(RENAME, item_id="other"), current_item(), "current is item"),
        (update(RENAME, item_id="new-item:a:b"), None, "is a ref"),
    ],
)  # fmt: skip
def test_unsafe_or_unwritable_updates_are_refused(
    action: cs.UpdateItem, current: cs.CalendarItem | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        request_for(action, current=current)


def test_refs_are_replaced_through_ids() -> None:
    action = create_action(sf_event_id="new-event:005A:uid-1")
    with pytest.raises(ValueError, match="is a ref"):
        request_for(action)
    body = request_for(action, ids={"new-event:005A:uid-1": "00U1U000008tip8UAA"}).body
    assert body["singleValueExtendedProperties"][0]["value"] == "00U1U000008tip8UAA"
    stamp = update(
        cs.FieldChange(field="sf_event_id", old=None, new="new-event:005A:uid-1"),
        item_id="new-item:x:y",
    )
    ids = {"new-item:x:y": "AAMkAGI1AAAt8AHjAAA=", "new-event:005A:uid-1": "00U9"}
    request = request_for(stamp, current=current_item(), ids=ids)
    assert request.url.endswith("/events/AAMkAGI1AAAt8AHjAAA%3D")
    assert request.body["singleValueExtendedProperties"][0]["value"] == "00U9"


def test_other_actions_are_not_graph_writes() -> None:
    action = cs.DeleteEvent(event_id="00U1", rule="R")
    with pytest.raises(TypeError, match="expected CreateItem"):
        request_for(action)  # type: ignore[arg-type]


# -- zones ---------------------------------------------------------------------------------


def test_zones_fall_back_to_utc_when_the_item_zone_cannot_hold_the_times() -> None:
    def zone_of(**changes: Any) -> str:
        zone: str = request_for(create_action(**changes)).body["start"]["timeZone"]
        return zone

    assert zone_of(time_zone="tzone://Microsoft/Custom") == "UTC"
    assert zone_of(time_zone="America/New_York") == "America/New_York"
    # 01:30 EST on 2024-11-03, the second time that wall time comes round.
    assert zone_of(time_zone="America/New_York", start=utc(2024, 11, 3, 6, 30)) == "UTC"
    # An all-day item (its dates at midnight UTC): the dates, in the item's zone.
    day = {"is_all_day": True, "start": utc(2024, 3, 12), "end": utc(2024, 3, 13)}
    assert zone_of(time_zone="America/New_York", **day) == "America/New_York"
    assert zone_of(time_zone="Asia/Tokyo", **day) == "Asia/Tokyo"
    assert zone_of(time_zone="tzone://Microsoft/Custom", **day) == "UTC"
    tokyo = {"is_all_day": True, "start": utc(2024, 3, 11, 15), "end": utc(2024, 3, 12, 15)}
    assert zone_of(time_zone="Tokyo Standard Time", **tokyo) == "Tokyo Standard Time"
    with pytest.raises(ValueError, match="midnight to midnight"):
        request_for(create_action(is_all_day=True))


# -- properties ----------------------------------------------------------------------------

SYNCED = ("subject", "body", "location", "start", "end", "is_all_day", "sensitivity",
          "categories", "sf_event_id")  # fmt: skip


@given(cst.calendar_items(recurring=False))
def test_a_created_item_reads_back_as_itself(item: cs.CalendarItem) -> None:
    action = cs.CreateItem(
        ref="new-item:x:y", rule="R-DOWN-CREATE", **{
            name: getattr(item, name)
            for name in ("mailbox", "ical_uid", "time_zone", *SYNCED)
        }
    )  # fmt: skip
    body = request_for(action).body
    json.dumps(body)  # JSON-ready
    back = item_from_graph(as_graph_created(body), mailbox=item.mailbox)
    assert attrs.asdict(back, filter=lambda a, _: a.name in SYNCED) == attrs.asdict(
        item, filter=lambda a, _: a.name in SYNCED
    )
    if body["start"]["timeZone"] != "UTC":
        assert back.time_zone == item.time_zone


names = st.sampled_from(("Salesforce", "Salesforce Unsync", "Red", "Blue", "Green"))


@given(st.frozensets(names), st.frozensets(names), st.frozensets(names))
def test_set_categories_never_drops_a_category_it_was_not_asked_to(
    have: frozenset[str], add: frozenset[str], remove: frozenset[str]
) -> None:
    action = cs.SetCategories(
        mailbox=BOX, item_id="AAMkAGI1AAAt8AHjAAA=", add=add, remove=remove, rule="R"
    )
    sent = request_for(action, current=current_item(categories=have)).body["categories"]
    assert sent == sorted(set(sent))
    assert set(sent) >= (have | add) - remove
    assert not set(sent) & remove
    assert set(sent) <= have | add
