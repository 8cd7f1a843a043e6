"""Plan actions written as Graph v1.0 requests: the write side of the Graph adapter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import quote

import attrs

from .._enums import Sensitivity
from .._fieldmap import Direction, written
from .._plan import CreateItem, DeleteItem, FieldChange, SetCategories, UpdateItem
from .._request import Request
from .._timezones import all_day_dates, iana_name
from .._values import CalendarItem
from ..recurrence import rrule_to_graph
from ._event import SF_EVENT_ID_PROPERTY
from ._mapping import FIELDS
from ._times import zone_of

#: How a plan names what the same plan creates (see ``Plan``); never a real id.
REF_PREFIXES: Final = ("new-event:", "new-item:", "new-record:")
_JSON: Final = {"Content-Type": "application/json"}
#: The item fields an UpdateItem may change, and the Graph property each is written to:
#: the update rows of the mapping the docs show, so the two cannot disagree.
GRAPH_NAMES: Final = written(FIELDS, Direction.UPDATE)
_TIMES: Final = ("start", "end", "is_all_day")

GraphAction = CreateItem | UpdateItem | DeleteItem | SetCategories


def _segment(text: str) -> str:
    # Ids hold "/", "+" and "="; each is one path segment, so all are escaped.
    return quote(text, safe="@")


def events_url(mailbox: str, item_id: str | None = None) -> str:
    """``users/{mailbox}/events[/{id}]``, relative to the v1.0 root, segments quoted."""
    url = f"users/{_segment(mailbox)}/events"
    if item_id in ("", ".", ".."):
        # quote() leaves dots: ".." would address the events collection's parent.
        raise ValueError(f"item id {item_id!r} is not an id: it cannot be a URL path segment")
    return url if item_id is None else f"{url}/{_segment(item_id)}"


def resolve(value: str, ids: Mapping[str, str], what: str) -> str:
    """``value``, or the real id ``ids`` maps it to; ValueError for a ref left unresolved."""
    found = ids.get(value, value)
    if found.startswith(REF_PREFIXES):
        raise ValueError(
            f"{what} {found!r} is a ref to something the plan creates: "
            "pass its real id in ids={ref: id}"
        )
    return found


def _midnight(moment: dt.datetime, zone: dt.tzinfo) -> bool:
    return moment.astimezone(zone).time() == dt.time()


def _keeps(moment: dt.datetime, zone: dt.tzinfo) -> bool:
    """Whether the wall time of ``moment`` in ``zone`` reads back as the same instant."""
    # Written without an offset, a wall time is read with fold 0: its first occurrence.
    wall = moment.astimezone(zone).replace(tzinfo=None, fold=0)
    return wall.replace(tzinfo=zone).astimezone(dt.UTC) == moment


def write_zone(start: dt.datetime, end: dt.datetime, is_all_day: bool, time_zone: str) -> str:
    """The zone to write the times in: the item's when it is known and fits, else UTC.

    It fits when both wall times read back as the same instants (not in a
    daylight-saving gap or fold) and, for an all-day item, are midnights there.
    """
    known = iana_name(time_zone)
    candidates = [time_zone] if known is not None and known != "UTC" else []
    for name in (*candidates, "UTC"):
        zone = zone_of(name)
        if not (_keeps(start, zone) and _keeps(end, zone)):
            continue
        if is_all_day and not (_midnight(start, zone) and _midnight(end, zone)):
            continue
        return name
    raise ValueError(
        f"an all-day item runs midnight to midnight, the end exclusive: {start.isoformat()} "
        f"to {end.isoformat()} is not midnight to midnight in {time_zone!r} nor in UTC"
    )


def series_zone(action: CreateItem, written: str) -> str:
    """The zone a series keeps its wall time in: the item's, even when its times are in UTC.

    The times fall back to UTC when a wall time in the item's zone is ambiguous
    (the first occurrence ends in a daylight-saving fold ...). A series written in
    UTC would then keep its UTC time and drift an hour from the item's occurrences
    at each change; ``recurrenceTimeZone`` keeps the item's zone instead. An
    all-day series stays in the zone its midnights are in.
    """
    if action.is_all_day or iana_name(action.time_zone) is None:
        return written
    return action.time_zone


def when(moment: dt.datetime, zone: str) -> dict[str, str]:
    """A ``dateTimeTimeZone``: the wall time in ``zone`` (no offset) and the zone."""
    wall = moment.astimezone(zone_of(zone)).replace(tzinfo=None)
    return {"dateTime": wall.isoformat(), "timeZone": zone}


def span(
    start: dt.datetime, end: dt.datetime, is_all_day: bool, time_zone: str
) -> tuple[dict[str, str], dict[str, str], str]:
    """``start`` and ``end`` as ``dateTimeTimeZone``, and the zone they are written in.

    An all-day span is its dates at midnight of the item's zone (UTC when that is
    unknown): all-day values are dates, held at midnight UTC (see ``all_day_dates``).
    """
    if not is_all_day:
        zone = write_zone(start, end, False, time_zone)
        return when(start, zone), when(end, zone), zone
    first, after = all_day_dates(start, end, time_zone)
    zone = time_zone if iana_name(time_zone) is not None else "UTC"
    return (
        {"dateTime": f"{first.isoformat()}T00:00:00", "timeZone": zone},
        {"dateTime": f"{after.isoformat()}T00:00:00", "timeZone": zone},
        zone,
    )


def _series(action: CreateItem, zone: str) -> dict[str, Any]:
    """The ``recurrence`` of a series; an all-day one's dates are read in UTC, as its times."""
    assert action.recurrence is not None
    if action.is_all_day:
        found = rrule_to_graph(action.recurrence.rule, start=action.start, time_zone="UTC")
        found["range"]["recurrenceTimeZone"] = zone
        return found
    series = series_zone(action, zone)
    start = action.start.astimezone(zone_of(series))
    return rrule_to_graph(action.recurrence.rule, start=start, time_zone=series)


def _stamp(value: str | None) -> list[dict[str, str]]:
    # An empty value reads back as "not stamped" (item_from_graph): how a stamp is cleared.
    return [{"id": SF_EVENT_ID_PROPERTY, "value": value or ""}]


def _scalar(field: str, value: Any) -> Any:
    """The Graph value of one non-time field."""
    if field == "body":
        return {"contentType": "text", "content": value}
    if field == "location":
        return {"displayName": value}
    if field == "sensitivity":
        return Sensitivity(value).value.lower()
    if field == "categories":
        return sorted(value)
    return value


def create(action: CreateItem, ids: Mapping[str, str]) -> Request:
    """POST a new event with every field the action sets."""
    start, end, zone = span(action.start, action.end, action.is_all_day, action.time_zone)
    body: dict[str, Any] = {
        "subject": action.subject,
        "body": _scalar("body", action.body),
        "start": start,
        "end": end,
        "isAllDay": action.is_all_day,
        "location": _scalar("location", action.location),
        "sensitivity": _scalar("sensitivity", action.sensitivity),
        "categories": _scalar("categories", action.categories),
    }
    if action.recurrence is not None:
        body["recurrence"] = _series(action, zone)
    if action.sf_event_id is not None:
        stamp = resolve(action.sf_event_id, ids, "sf_event_id")
        body["singleValueExtendedProperties"] = _stamp(stamp)
    return Request(method="POST", url=events_url(action.mailbox), headers=_JSON, body=body)


def if_match(current: CalendarItem) -> dict[str, str]:
    """The precondition: the weak ETag Graph builds from the change key."""
    if not current.version:
        raise ValueError(
            f"item {current.id!r} has no change key (version): cannot send a conditional write"
        )
    return {"If-Match": f'W/"{current.version}"'}


def _checked(
    action: UpdateItem | DeleteItem | SetCategories,
    current: CalendarItem | None,
    ids: Mapping[str, str],
) -> tuple[CalendarItem | None, str]:
    """``current`` (refused when it is another item) and the real item id."""
    item_id = resolve(action.item_id, ids, "item_id")
    if current is not None and (current.id, current.mailbox) != (item_id, action.mailbox):
        raise ValueError(
            f"current is item {current.id!r} in {current.mailbox}, "
            f"the action is about {item_id!r} in {action.mailbox}"
        )
    return current, item_id


def _needed(current: CalendarItem | None, kind: str) -> CalendarItem:
    if current is None:
        raise ValueError(
            f"{kind} needs current, the item as last read: its change key is the "
            "precondition, and no unconditional write is sent"
        )
    return current


def _same(change: FieldChange, value: object) -> bool:
    old = change.old
    if change.field == "categories" and isinstance(old, tuple):
        return frozenset(old) == value
    return old == value


def update(action: UpdateItem, current: CalendarItem | None, ids: Mapping[str, str]) -> Request:
    """PATCH the changed fields, on the condition of ``current``'s change key."""
    found, item_id = _checked(action, current, ids)
    item = _needed(found, "UpdateItem")
    new: dict[str, Any] = {}
    for change in action.changes:
        if change.field not in GRAPH_NAMES:
            raise ValueError(f"field {change.field!r} cannot be written to a Graph event")
        if not _same(change, getattr(item, change.field)):
            raise ValueError(
                f"{change.field}: the plan expected {change.old!r}, the item holds "
                f"{getattr(item, change.field)!r}: it was planned on another version"
            )
        new[change.field] = change.new
    after = attrs.evolve(item, **new)
    body: dict[str, Any] = {}
    if any(name in new for name in _TIMES):
        # Times go as a set: Graph checks start, end and isAllDay together.
        body["start"], body["end"], _ = span(
            after.start, after.end, after.is_all_day, after.time_zone
        )
        body["isAllDay"] = after.is_all_day
    for field, value in new.items():
        if field == "sf_event_id":
            stamp = None if value is None else resolve(value, ids, "sf_event_id")
            body[GRAPH_NAMES[field]] = _stamp(stamp)
        elif field not in _TIMES:
            body[GRAPH_NAMES[field]] = _scalar(field, getattr(after, field))
    headers = {**_JSON, **if_match(item)}
    return Request(
        method="PATCH", url=events_url(action.mailbox, item_id), headers=headers, body=body
    )


def delete(action: DeleteItem, current: CalendarItem | None, ids: Mapping[str, str]) -> Request:
    """DELETE the item; conditional on ``current``'s change key when it is given."""
    found, item_id = _checked(action, current, ids)
    headers = {} if found is None else if_match(found)
    return Request(method="DELETE", url=events_url(action.mailbox, item_id), headers=headers)


def set_categories(
    action: SetCategories, current: CalendarItem | None, ids: Mapping[str, str]
) -> Request:
    """PATCH ``categories`` with the whole resulting list, sorted."""
    found, item_id = _checked(action, current, ids)
    item = _needed(found, "SetCategories")
    names = (item.categories | action.add) - action.remove
    headers = {**_JSON, **if_match(item)}
    url = events_url(action.mailbox, item_id)
    return Request(method="PATCH", url=url, headers=headers, body={"categories": sorted(names)})


WRITERS: Final[dict[type, Callable[..., Request]]] = {
    UpdateItem: update,
    DeleteItem: delete,
    SetCategories: set_categories,
}


def write(action: GraphAction, current: CalendarItem | None, ids: Mapping[str, str]) -> Request:
    """The request for one action (see :func:`calsync_core.graph.request_for`)."""
    if isinstance(action, CreateItem):
        return create(action, ids)
    writer = WRITERS.get(type(action))
    if writer is None:
        raise TypeError(
            f"expected CreateItem, UpdateItem, DeleteItem or SetCategories, got {action!r}"
        )
    return writer(action, current, ids)
