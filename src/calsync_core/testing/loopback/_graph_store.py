"""The Graph side of the tenant: mailboxes of events, as Exchange keeps and answers them.

Each write gives the event a new ``changeKey`` (its weak ETag is
``W/"<changeKey>"``), a new ``lastModifiedDateTime`` and a new place in the
mailbox's change order (``seq``), which the delta rounds read
(``_graph_delta.py``). Times are answered as Graph answers them without a
``Prefer: outlook.timezone``: a timed event's ``start``/``end`` in UTC, the
zone it was written in kept as ``originalStartTimeZone``; an all-day event's
as its dates at midnight. A zone no table knows is kept as written.

Single-value extended properties are kept apart from the event: like Graph,
a GET returns them only when ``$expand`` asks for them, and delta never does.
Series masters are kept as one event with their ``recurrence``; occurrences
are not expanded (a calendarView would list them; the adapter reads a series
from its master).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from ._times import Stamps, graph_instant, graph_wall, wall_time, zone
from ._wire import WireError

#: The event properties a POST or PATCH may carry; any other is refused, as
#: Graph refuses a property its event type does not have.
WRITABLE: Final = frozenset(
    {
        "subject",
        "body",
        "start",
        "end",
        "isAllDay",
        "location",
        "locations",
        "sensitivity",
        "categories",
        "recurrence",
        "singleValueExtendedProperties",
        "attendees",
        "showAs",
        "importance",
        "isReminderOn",
        "reminderMinutesBeforeStart",
        "responseRequested",
        "allowNewTimeProposals",
        "isOnlineMeeting",
        "onlineMeetingProvider",
        "hideAttendees",
        "transactionId",
        "@odata.type",
    }
)
_NO_TIME: Final = "0001-01-01T00:00:00Z"
_NONE: Final[Mapping[str, Any]] = MappingProxyType({})
NOT_FOUND: Final = "The specified object was not found in the store."


@attrs.define
class Stored:
    """One event: its JSON (without extended properties), those, and where it sits in time."""

    data: dict[str, Any]
    #: Extended properties by :func:`property_key`: the id as first written, and the value.
    props: dict[tuple[str, str], tuple[str, str]]
    seq: int
    first: dt.datetime
    last: dt.datetime | None  # None: a series without an end


def _token(*parts: object) -> str:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return base64.b64encode(digest[:15]).decode("ascii")


def bad_request(message: str, code: str = "ErrorInvalidRequest") -> WireError:
    """A 400 with Graph's error code."""
    return WireError(400, code, message)


class GraphStore:
    """Every mailbox's events. Not locked itself: the tenant's lock guards it."""

    def __init__(self, stamps: Stamps) -> None:
        self._stamps = stamps
        self.mailboxes: dict[str, dict[str, Stored]] = {}
        self.names: dict[str, str] = {}
        self.seq = 0
        self._created = 0

    def add_mailbox(self, address: str, name: str = "") -> str:
        """Add a mailbox (no-op when it exists); its key, the address lower-cased."""
        key = address.lower()
        self.mailboxes.setdefault(key, {})
        self.names.setdefault(key, name or address.partition("@")[0])
        return key

    def events_of(self, mailbox: str) -> dict[str, Stored]:
        """The mailbox's events by id; 404 ``ErrorInvalidUser`` for an unknown mailbox."""
        found = self.mailboxes.get(mailbox.lower())
        if found is None:
            raise WireError(404, "ErrorInvalidUser", f"The requested user '{mailbox}' is invalid.")
        return found

    def find(self, mailbox: str, event_id: str) -> Stored:
        """The event, or 404 ``ErrorItemNotFound``."""
        found = self.events_of(mailbox).get(event_id)
        if found is None:
            raise WireError(404, "ErrorItemNotFound", NOT_FOUND)
        return found

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def _touch(self, stored: Stored) -> None:
        """A new change key, modification time and place in the change order."""
        stored.seq = self._next_seq()
        key = _token(stored.data["id"], stored.seq)
        stored.data["changeKey"] = key
        stored.data["@odata.etag"] = f'W/"{key}"'
        stored.data["lastModifiedDateTime"] = graph_instant(self._stamps.next())

    def create(self, mailbox: str, body: Any, *, defaults: Mapping[str, Any] = _NONE) -> Stored:
        """A new event from a POST body; ``defaults`` are server-set fields a seed overrides."""
        events = self.events_of(mailbox)
        owner = mailbox.lower()
        checked = _checked_body(body, creating=True)
        self._created += 1
        event_id = "AAMkAD" + _token("event", owner, self._created).replace("/", "_") + "="
        uid = (
            "040000008200E00074C5B7101A82E008" + hashlib.sha256(event_id.encode()).hexdigest()[:40]
        )
        stamp = graph_instant(self._stamps.next())
        data: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.event",
            "id": event_id,
            "createdDateTime": stamp,
            "iCalUId": uid.upper(),
            "uid": uid.upper(),
            "type": "seriesMaster" if checked.get("recurrence") else "singleInstance",
            "subject": "",
            "body": {"contentType": "text", "content": ""},
            "isAllDay": False,
            "isCancelled": False,
            "isOrganizer": True,
            "sensitivity": "normal",
            "categories": [],
            "location": {"displayName": ""},
            "showAs": "busy",
            "attendees": [],
            "recurrence": None,
            "organizer": {"emailAddress": {"name": self.names[owner], "address": owner}},
            "responseStatus": {"response": "organizer", "time": _NO_TIME},
            **defaults,
        }
        stored = Stored(data=data, props={}, seq=0, first=dt.datetime.min, last=None)
        _apply(stored, checked)
        self._touch(stored)
        events[event_id] = stored
        return stored

    def patch(self, mailbox: str, event_id: str, body: Any, if_match: str | None) -> Stored:
        """Change an event, on condition of ``If-Match``; 412 when it is stale."""
        stored = self.find(mailbox, event_id)
        check_etag(stored, if_match)
        _apply(stored, _checked_body(body, creating=False))
        self._touch(stored)
        return stored

    def delete(self, mailbox: str, event_id: str, if_match: str | None) -> None:
        """Delete an event, on condition of ``If-Match``."""
        stored = self.find(mailbox, event_id)
        check_etag(stored, if_match)
        # Delta rounds see the deletion as an id no longer in the window.
        del self.events_of(mailbox)[event_id]


def check_etag(stored: Stored, if_match: str | None) -> None:
    """412 ``ErrorIrresolvableConflict`` unless ``If-Match`` is absent, ``*`` or current."""
    if if_match is None or if_match.strip() == "*":
        return
    wanted = if_match.strip().removeprefix("W/").strip('"')
    if wanted != stored.data["changeKey"]:
        raise WireError(
            412,
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key "
            "passed in the request does not match the current change key for the item.",
        )


def answer(stored: Stored, expand: str | None) -> dict[str, Any]:
    """The event as a GET answers it; extended properties only when ``$expand`` names them."""
    data = dict(stored.data)
    if expand and expand.startswith("singleValueExtendedProperties"):
        wanted = _filtered_id(expand)
        data["singleValueExtendedProperties@odata.context"] = (
            "$metadata#users/events/singleValueExtendedProperties"
        )
        data["singleValueExtendedProperties"] = [
            {"id": prop, "value": value}
            for key, (prop, value) in sorted(stored.props.items())
            if wanted is None or key == property_key(wanted)
        ]
    return data


def property_key(prop: str) -> tuple[str, str]:
    """What names an extended property: its type and GUID in any case, its name exactly.

    ``String {66F5...} Name X`` and ``string {66f5...} Name X`` are one property;
    ``... Name x`` another (Graph compares the name case-sensitively).
    """
    head, _, name = prop.partition(" Name ")
    return head.lower(), name


def _filtered_id(expand: str) -> str | None:
    """The id in ``singleValueExtendedProperties($filter=id eq '...')``, None when no filter."""
    _, found, rest = expand.partition("$filter=")
    if not found:
        return None
    field, _, value = rest.rstrip(")").partition(" eq ")
    if field.strip() != "id" or not (value.startswith("'") and value.endswith("'")):
        raise bad_request(f"Invalid $expand filter: {rest!r}", "BadRequest")
    return value[1:-1].replace("''", "'")


def _checked_body(body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise bad_request("The request body must be a JSON object.", "RequestBodyRead")
    unknown = sorted(set(body) - WRITABLE)
    if unknown:
        raise bad_request(
            f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.event'.",
            "RequestBodyRead",
        )
    if creating and not ("start" in body and "end" in body):
        raise bad_request("An event needs a start and an end.")
    return dict(body)


def _when(value: Any, name: str) -> tuple[dt.datetime, str]:
    """A ``dateTimeTimeZone``: its wall time and zone, or 400."""
    if not isinstance(value, Mapping):
        raise bad_request(f"{name} must be a dateTimeTimeZone object.")
    wall = wall_time(value.get("dateTime"))
    zone_name = value.get("timeZone")
    if wall is None or not isinstance(zone_name, str):
        raise bad_request(f"{name} is not a valid dateTimeTimeZone: {dict(value)!r}.")
    return wall, zone_name


def _apply(stored: Stored, body: dict[str, Any]) -> None:
    """Write ``body``'s properties, times normalised as Graph answers them."""
    data = stored.data
    for prop in body.pop("singleValueExtendedProperties", None) or []:
        if not (isinstance(prop, Mapping) and isinstance(prop.get("id"), str)):
            raise bad_request("Each singleValueExtendedProperty needs an id and a value.")
        stored.props[property_key(prop["id"])] = (prop["id"], str(prop.get("value") or ""))
    times = {name: _when(body.pop(name), name) for name in ("start", "end") if name in body}
    all_day = bool(body.pop("isAllDay", data["isAllDay"]))
    if "recurrence" in body and body["recurrence"] is not None:
        data["type"] = "seriesMaster"
    data.update(body)
    data["isAllDay"] = all_day
    if times:
        start = times.get("start") or (stored.first.replace(tzinfo=None), "UTC")
        end = times.get("end") or (_end_wall(stored), "UTC")
        _set_times(stored, start, end, all_day)
    elif "isAllDay" in body or "recurrence" in body:
        _set_times(
            stored, (stored.first.replace(tzinfo=None), "UTC"), (_end_wall(stored), "UTC"), all_day
        )


def _end_wall(stored: Stored) -> dt.datetime:
    end = wall_time(stored.data["end"]["dateTime"])
    assert end is not None  # written by _set_times
    return end


def _set_times(
    stored: Stored, start: tuple[dt.datetime, str], end: tuple[dt.datetime, str], all_day: bool
) -> None:
    data = stored.data
    if all_day:
        if start[0].time() != dt.time() or end[0].time() != dt.time():
            raise bad_request("An all-day event must start and end at midnight.")
        first, last = start[0].replace(tzinfo=dt.UTC), end[0].replace(tzinfo=dt.UTC)
        shown = ("UTC", "UTC")
    else:
        first, last = _utc(*start), _utc(*end)
        shown = ("UTC" if zone(start[1]) else start[1], "UTC" if zone(end[1]) else end[1])
    if last < first:
        raise bad_request("The end of an event cannot come before its start.")
    data["start"] = {"dateTime": graph_wall(first.replace(tzinfo=None)), "timeZone": shown[0]}
    data["end"] = {"dateTime": graph_wall(last.replace(tzinfo=None)), "timeZone": shown[1]}
    data["originalStartTimeZone"] = start[1]
    data["originalEndTimeZone"] = end[1]
    stored.first, stored.last = first, last
    recurrence = data.get("recurrence")
    if isinstance(recurrence, Mapping):
        stored.last = _series_end(recurrence)


def _utc(wall: dt.datetime, zone_name: str) -> dt.datetime:
    """The instant of a wall time in a zone; a zone no table knows is read as UTC."""
    found = zone(zone_name)
    return wall.replace(tzinfo=found or dt.UTC).astimezone(dt.UTC)


def _series_end(recurrence: Mapping[str, Any]) -> dt.datetime | None:
    """The day after a series' ``endDate``; None for a series without one."""
    span = recurrence.get("range")
    if not isinstance(span, Mapping) or span.get("type") != "endDate":
        return None
    try:
        last = dt.date.fromisoformat(str(span.get("endDate")))
    except ValueError as exc:
        raise bad_request(f"recurrence.range.endDate is not a date: {exc}") from exc
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def in_window(stored: Stored, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether the event (a series: any day from its first to its end) overlaps ``[start, end)``."""
    if stored.first >= end:
        return False
    if stored.last is None:
        return True
    return stored.last > start or (stored.last == stored.first == start)
