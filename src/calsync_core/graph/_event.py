"""One Graph v1.0 ``event`` resource read as a :class:`~calsync_core.CalendarItem`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .._enums import AttendeeRole, Response, Sensitivity
from .._recurrence_values import RecurrenceError
from .._timezones import iana_name
from .._values import Attendee, CalendarItem, Recurrence
from ..recurrence import graph_to_rrule
from ._read import Reader
from ._times import read_offset_time, read_when

#: The single-value extended property the sync stamps with the Salesforce Event id.
#:
#: A MAPI named property: property set GUID and name, of type String. It is an
#: extended property rather than an open extension because it can be read back
#: in the same GET as the event (``$expand=singleValueExtendedProperties($filter=
#: id eq '...')``) and queried with ``$filter`` on its value, while an open
#: extension's returned ``id`` changes form between create and GET and needs its
#: own ``extensions`` expansion. Neither arrives in calendarView delta pages (delta
#: takes no ``$expand`` or ``$filter``), so an item read from a delta page has
#: ``sf_event_id`` None: "not read", not "not stamped" (see :func:`delta_page`).
SF_EVENT_ID_PROPERTY: Final = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name SalesforceEventId"

#: ``responseStatus.response`` and attendee ``status.response``, lower-cased: the
#: resource page lists PascalCase names while payloads use camelCase.
RESPONSES: Final = {
    "none": Response.NOT_RESPONDED,
    "notresponded": Response.NOT_RESPONDED,
    "organizer": Response.ORGANIZER,
    "tentativelyaccepted": Response.TENTATIVE,
    "accepted": Response.ACCEPTED,
    "declined": Response.DECLINED,
}
ROLES: Final = {
    "required": AttendeeRole.REQUIRED,
    "optional": AttendeeRole.OPTIONAL,
    "resource": AttendeeRole.RESOURCE,
}
SENSITIVITIES: Final = {s.value.lower(): s for s in Sensitivity}
SINGLE, OCCURRENCE, EXCEPTION, SERIES = "singleInstance", "occurrence", "exception", "seriesMaster"
KINDS: Final = {kind.lower(): kind for kind in (SINGLE, OCCURRENCE, EXCEPTION, SERIES)}


def read_event(
    r: Reader, event: Mapping[str, Any], mailbox: str, *, whole: bool = False
) -> CalendarItem | None:
    """The item, or None with every fault noted in ``r``.

    ``whole``: ``categories`` must be there (a GET, which a ``$select`` may trim).
    """
    before = len(r.problems)
    kind = _kind(r, event)
    all_day = r.flag(event, "isAllDay", "isAllDay")
    start = read_when(r, event, "start", all_day=all_day)
    end = read_when(r, event, "end", all_day=all_day)
    # The zone the organizer set, which the user sees; start/end are in the zone
    # the request asked for (UTC by default). Kept as written, known or not.
    shown = r.text(event, "originalStartTimeZone", "originalStartTimeZone")
    if "originalStartTimeZone" not in event or event["originalStartTimeZone"] is None:
        shown = start[1] if start is not None else ""
    fields: dict[str, Any] = {
        "id": r.text(event, "id", "id", required=True),
        "ical_uid": _uid(r, event),
        "version": r.text(event, "changeKey", "changeKey"),
        "subject": r.text(event, "subject", "subject"),
        "body": _nested_text(r, event, "body", "content"),
        "location": _nested_text(r, event, "location", "displayName"),
        "is_all_day": all_day,
        "is_cancelled": r.flag(event, "isCancelled", "isCancelled"),
        "time_zone": shown,
        "sensitivity": _sensitivity(r, event),
        "categories": _categories(r, event, whole=whole),
        "organizer": _organizer(r, event),
        "attendees": _attendees(r, event),
        "sf_event_id": _stamp(r, event),
    }
    fields["response"] = _own_response(r, event, mailbox)
    if kind in (OCCURRENCE, EXCEPTION):
        fields["original_start"] = read_offset_time(r, event, "originalStart", "originalStart")
    if kind == SERIES:  # read even when start is not, to list its problems too
        zone = "" if start is None else start[1]
        fields["recurrence"] = _recurrence(r, event, zone, shown, all_day=all_day)
        fields["time_zone"] = _series_zone(event, shown)
    if len(r.problems) > before or start is None or end is None:
        return None
    return CalendarItem(mailbox=mailbox, start=start[0], end=end[0], **fields)


def _uid(r: Reader, event: Mapping[str, Any]) -> str:
    """The meeting's UID: ``uid`` when given, else ``iCalUId``; ``""`` when neither is."""
    # The planner groups a meeting's copies and a series' exceptions by ical_uid,
    # so it must be one value for the whole series. v1.0 documents iCalUId as
    # different for each occurrence; the series-wide uid (documented on the beta
    # resource, carried by current v1.0 responses) is the same for the master,
    # its occurrences and exceptions, in every attendee's copy. Either may be
    # absent or null (iCalUId just after creation): absent, not a fault.
    series_wide = r.text(event, "uid", "uid")
    per_occurrence = r.text(event, "iCalUId", "iCalUId")
    return series_wide or per_occurrence


def _series_zone(event: Mapping[str, Any], shown: str) -> str:
    """The zone a series keeps its wall time in: a known ``recurrenceTimeZone``, else ``shown``.

    Exchange expands a series in its recurrence's zone, which may differ from the
    one its first start was written in (a series created with UTC times); an
    unknown or empty one leaves the zone the user sees, known or not (R-TIMEZONE).
    """
    recurrence = event.get("recurrence")
    span = recurrence.get("range") if isinstance(recurrence, Mapping) else None
    zone = span.get("recurrenceTimeZone") if isinstance(span, Mapping) else None
    return zone if isinstance(zone, str) and iana_name(zone) else shown


def _kind(r: Reader, event: Mapping[str, Any]) -> str:
    kind: str | None = r.choice(event, "type", "type", KINDS)
    if kind is not None:
        return kind
    if "type" in event and event["type"] is not None:
        return SINGLE  # a fault already noted
    # A $select that leaves out ``type``: a recurrence object marks the series.
    return SERIES if isinstance(event.get("recurrence"), Mapping) else SINGLE


def _nested_text(r: Reader, event: Mapping[str, Any], key: str, inner: str) -> str:
    value = r.mapping(event, key, key)
    return "" if value is None else r.text(value, inner, f"{key}.{inner}")


def _sensitivity(r: Reader, event: Mapping[str, Any]) -> Sensitivity:
    """``sensitivity``; absent reads as PRIVATE, never as the least restrictive NORMAL.

    Published delta pages leave it out; read as NORMAL, a private meeting would be
    autosaved (R-PRIVATE). PRIVATE keeps such an item from being autosaved.
    """
    found: Sensitivity | None = r.choice(event, "sensitivity", "sensitivity", SENSITIVITIES)
    return Sensitivity.PRIVATE if found is None else found


def _categories(r: Reader, event: Mapping[str, Any], *, whole: bool) -> frozenset[str]:
    """``categories``; absent is a fault when ``whole``, as it is not "none".

    SetCategories writes the whole list: an item read without its categories
    would have them erased. A delta page always carries them (delta takes no
    ``$select``), so only a GET is held to it.
    """
    if whole and event.get("categories") is None:
        r.fault("categories", "missing: SetCategories would erase the item's categories")
        return frozenset()
    names = set()
    for n, name in enumerate(r.array(event, "categories", "categories")):
        if isinstance(name, str):
            if name:  # "" names no category, and would be written back as one
                names.add(name)
        else:
            r.wrong(f"categories[{n}]", "a string", name)
    return frozenset(names)


def _address(
    r: Reader, holder: Mapping[str, Any], path: str, *, required: bool
) -> tuple[str, str] | None:
    """``emailAddress``'s address and name; None when there is no address."""
    email = r.mapping(holder, "emailAddress", f"{path}.emailAddress", required=required)
    if email is None:
        return None
    address = r.text(email, "address", f"{path}.emailAddress.address", required=required)
    name = r.text(email, "name", f"{path}.emailAddress.name")
    return (address, name) if address else None


def _organizer(r: Reader, event: Mapping[str, Any]) -> str | None:
    """The organizer's address; None (the mailbox owner) only when it is the owner.

    An organizer without a usable address is nobody known: None would make the
    meeting the owner's own, so unless ``isOrganizer`` is true it is a fault.
    """
    organizer = r.mapping(event, "organizer", "organizer")
    found = None if organizer is None else _address(r, organizer, "organizer", required=False)
    if found is not None:
        return found[0]
    if organizer is not None and event.get("isOrganizer") is not True:
        r.fault(
            "organizer.emailAddress.address",
            "missing or empty, and isOrganizer is not true: the organizer is unknown",
        )
    return None


def _attendees(r: Reader, event: Mapping[str, Any]) -> tuple[Attendee, ...]:
    attendees = []
    seen: set[str] = set()
    for n, entry in enumerate(r.array(event, "attendees", "attendees")):
        path = f"attendees[{n}]"
        if not isinstance(entry, Mapping):
            r.wrong(path, "an object", entry)
            continue
        found = _address(r, entry, path, required=True)
        role = r.choice(entry, "type", f"{path}.type", ROLES) or AttendeeRole.REQUIRED
        status = r.mapping(entry, "status", f"{path}.status")
        response = None
        if status is not None:
            response = r.choice(status, "response", f"{path}.status.response", RESPONSES)
        if found is not None and found[0].lower() not in seen:
            # Addresses compare case-insensitively: one person listed twice is one.
            seen.add(found[0].lower())
            address, name = found
            answer = response or Response.NOT_RESPONDED
            attendees.append(Attendee(email=address, name=name, response=answer, role=role))
    return tuple(attendees)


def _own_response(r: Reader, event: Mapping[str, Any], mailbox: str) -> Response:
    """``responseStatus.response``; without it, ORGANIZER only for the owner's own meeting.

    Absent must not mean the least restrictive answer: the owner organizes it when
    ``isOrganizer`` is true or the organizer read is the mailbox itself, and
    otherwise has not answered (published delta pages leave the field out).
    """
    status = r.mapping(event, "responseStatus", "responseStatus")
    if status is not None:
        answer: Response | None = r.choice(status, "response", "responseStatus.response", RESPONSES)
        if answer is not None:
            return answer
    own = event.get("isOrganizer") is True or _organizes(event, mailbox)
    return Response.ORGANIZER if own else Response.NOT_RESPONDED


def _organizes(event: Mapping[str, Any], mailbox: str) -> bool:
    """Whether the payload names ``mailbox`` as the organizer."""
    organizer = event.get("organizer")
    email = organizer.get("emailAddress") if isinstance(organizer, Mapping) else None
    address = email.get("address") if isinstance(email, Mapping) else None
    return isinstance(address, str) and address.lower() == mailbox.lower()


def _same_property(found: str, wanted: str) -> bool:
    # The property set GUID and type compare case-insensitively; the name does not.
    head, _, name = found.partition(" Name ")
    wanted_head, _, wanted_name = wanted.partition(" Name ")
    return head.lower() == wanted_head.lower() and name == wanted_name


def _stamp(r: Reader, event: Mapping[str, Any]) -> str | None:
    """The Salesforce Event id in :data:`SF_EVENT_ID_PROPERTY`; None if absent or empty."""
    key = "singleValueExtendedProperties"
    stamp = None
    for n, entry in enumerate(r.array(event, key, key)):
        path = f"{key}[{n}]"
        if not isinstance(entry, Mapping):
            r.wrong(path, "an object", entry)
            continue
        prop = r.text(entry, "id", f"{path}.id", required=True)
        value = r.text(entry, "value", f"{path}.value")
        if prop and _same_property(prop, SF_EVENT_ID_PROPERTY):
            stamp = value or None
    return stamp


def _recurrence(
    r: Reader, event: Mapping[str, Any], start_zone: str, shown: str, *, all_day: bool
) -> Recurrence | None:
    """The series' RRULE, through :func:`calsync_core.recurrence.graph_to_rrule`."""
    value = r.mapping(event, "recurrence", "recurrence", required=True)
    if value is None:
        return None
    span = value.get("range")
    if isinstance(span, Mapping):
        # An endDate is a date in recurrenceTimeZone (else the event's zone). When
        # none is known (custom or "" zones) it is read in the zone start/end were
        # written in, so that reading does not fail: the item keeps its unknown
        # time_zone, and the planner reports it (R-TIMEZONE) instead of saving it.
        # An all-day series' dates are read in UTC, where its days are held.
        zones = ("UTC",) if all_day else (span.get("recurrenceTimeZone"), shown, start_zone)
        known = next((z for z in zones if isinstance(z, str) and iana_name(z)), "UTC")
        value = {**value, "range": {**span, "recurrenceTimeZone": known}}
    try:
        return Recurrence(rule=graph_to_rrule(value))
    except RecurrenceError as exc:
        for problem in exc.problems:
            head, _, rest = problem.partition(" ")
            if head.startswith(("pattern.", "range.")):
                r.fault(f"recurrence.{head.rstrip(':')}", rest)
            else:
                r.fault("recurrence", problem)
        return None
