"""Plan actions written as Salesforce REST requests: the write side of the adapter.

Every URL is relative to the REST root ``services/data/<version>/``; a
connector prefixes its instance URL and version path (or puts the request into
a composite with ``/services/data/<version>/`` in front) and adds the token.
Values are written so that :func:`~calsync_core.salesforce.event_from_sobject`
reads them back unchanged.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from email.utils import format_datetime
from typing import Any, Final

from .._enums import RecordKind
from .._errors import PayloadError
from .._fieldmap import Direction, written
from .._plan import CreateEvent, CreateRecord, DeleteEvent, FieldChange, SaveAttachment, UpdateEvent
from .._request import Request
from .._timezones import all_day_dates
from .._values import SfEvent
from . import _mapping
from ._fields import parse_instant

#: A Salesforce record id: 15 or 18 letters and digits. Checked before an id goes
#: into a URL path ("../Account/..." or "?" would address another resource).
_SF_ID: Final = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def is_sf_id(value: str) -> bool:
    """Whether ``value`` has the form of a Salesforce record id."""
    return _SF_ID.fullmatch(value) is not None


def checked_id(value: str, what: str) -> str:
    """``value`` when it is a Salesforce id; ValueError for a plan ref or anything else."""
    if value.startswith(("new-event:", "new-item:", "new-record:")):
        raise ValueError(
            f"{what} {value!r} is a ref to something the plan creates: pass its real id"
        )
    if not is_sf_id(value):
        raise ValueError(f"{what} {value!r} is not a Salesforce id (15 or 18 letters and digits)")
    return value


#: What a Lead's required ``Company`` is set to when nothing better is known.
LEAD_COMPANY: Final = "[not provided]"
_DAY_MINUTES: Final = 24 * 60
#: SfEvent attributes an UpdateEvent may change, and the Event field each is written to:
#: the mapping's rows, so the docs' table and the writer cannot disagree.
_PLAIN: Final = written(_mapping.PLAIN, Direction.UPDATE)
_PRIMARY: Final = written(_mapping.PRIMARY, Direction.UPDATE)
_TIMES: Final = ("start", "end")
#: Changes with no field on the Event row: rows of their own (see relation_requests).
_ROWS_ONLY: Final = ("invitee_ids",)


def instant(value: dt.datetime) -> str:
    """A Salesforce datetime as REST writes it: ``2026-11-24T09:00:00.000+0000``."""
    utc = value.astimezone(dt.UTC)
    # Not strftime("%Y"): it writes year 999 as "999", which no reader takes.
    millis = f"{utc.microsecond // 1000:03d}"
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.") + millis + "+0000"


def http_date(version: str) -> str:
    """``SystemModstamp`` as an HTTP date, rounded *up* to the next whole second.

    HTTP dates have one-second resolution. Cut down, a record modified at
    ``...:05.200`` would be "modified since ...:05" and every update refused
    (412) for ever; rounded up, the write is refused for any edit after the next
    whole second, and an edit made within the same second as the version read
    (between ``...:05.200`` and ``...:06``) can be overwritten: the limit of the
    header, which Salesforce offers as Event's only precondition.
    """
    moment = parse_instant(version)
    if moment is None:
        raise ValueError(f"current.version {version!r} is not a Salesforce SystemModstamp")
    whole = moment.replace(microsecond=0)
    if moment.microsecond:
        whole += dt.timedelta(seconds=1)
    return format_datetime(whole, usegmt=True)


def times(start: dt.datetime, end: dt.datetime, is_all_day: bool, time_zone: str) -> dict[str, Any]:
    """The Event's time fields: Start/EndDateTime, or ActivityDate and DurationInMinutes.

    An all-day span is dates (``all_day_dates``): ``ActivityDate`` is its first
    day, the calendar date the user sees, and the duration counts days, not the
    hours between two midnights (23 or 25 on a daylight-saving change day).
    """
    if end < start:
        raise ValueError(f"the event ends ({end}) before it starts ({start})")
    if not is_all_day:
        return {"StartDateTime": instant(start), "EndDateTime": instant(end)}
    first, after = all_day_dates(start, end, time_zone)
    days = (after - first).days
    return {"ActivityDate": first.isoformat(), "DurationInMinutes": days * _DAY_MINUTES}


def create_event(action: CreateEvent, uid_field: str, created_field: str) -> Request:
    """POST ``sobjects/Event`` with the event's fields, primary Who and What, and series."""
    if len(action.what_ids) > 1:
        raise ValueError("a Salesforce event has one What; the action names more")
    if action.recurrence is not None and action.classic is None:
        raise ValueError("a series is written as Classic fields, and action.classic is None")
    body: dict[str, Any] = {
        "OwnerId": action.owner_id,
        "Subject": action.subject,
        "Description": action.description,
        "Location": action.location,
        "IsAllDayEvent": action.is_all_day,
        **times(action.start, action.end, action.is_all_day, action.time_zone),
        "IsPrivate": action.is_private,
    }
    if not action.is_private:
        # R-PRIVATE: a private event relates to nobody, so it carries neither.
        if action.who_ids:
            body["WhoId"] = action.who_ids[0]
        if action.what_ids:
            body["WhatId"] = action.what_ids[0]
    body[uid_field] = action.ical_uid
    body[created_field] = True
    if action.classic is not None:
        body["IsRecurrence"] = True
        body.update(action.classic.fields())
    return Request(method="POST", url="sobjects/Event", body=body)


def update_event(
    action: UpdateEvent, current: SfEvent | None, uid_field: str, created_field: str
) -> Request:
    """PATCH the changed fields, on condition the event is unchanged since ``current``."""
    if current is None:
        raise ValueError(
            "an UpdateEvent needs current (the event as last read) for its precondition"
        )
    if current.id != action.event_id:
        raise ValueError(f"current is event {current.id!r}, the update is for {action.event_id!r}")
    if not current.version:
        raise ValueError("current has no version (SystemModstamp) to send as the precondition")
    new: dict[str, Any] = {}
    for change in action.changes:
        _check_old(change, current)
        new[change.field] = change.new
    body: dict[str, Any] = {}
    for name, value in new.items():
        if name in _PLAIN:
            body[_PLAIN[name]] = value
        elif name in _PRIMARY:
            body[_PRIMARY[name]] = value[0] if value else None
        elif name == "ical_uid":
            body[uid_field] = value
        elif name == "created_by_sync":
            body[created_field] = value
        elif name not in _TIMES and name not in _ROWS_ONLY:
            raise ValueError(f"UpdateEvent cannot change {name!r} through the Event row")
    if "start" in new or "end" in new:
        start = new.get("start", current.start)
        end = new.get("end", current.end)
        body.update(times(start, end, current.is_all_day, current.time_zone))
    if new.get("is_private", current.is_private):
        for name, field in _PRIMARY.items():
            if name in new or getattr(current, name):
                body[field] = None
    headers = {"If-Unmodified-Since": http_date(current.version)}
    return Request(
        method="PATCH",
        url=f"sobjects/Event/{checked_id(action.event_id, 'event_id')}",
        headers=headers,
        body=body,
    )


def _check_old(change: FieldChange, current: SfEvent) -> None:
    if not hasattr(current, change.field):
        raise ValueError(f"an SfEvent has no field {change.field!r}")
    live = getattr(current, change.field)
    if live != change.old:
        raise ValueError(
            f"{change.field} is {live!r} in current, the plan expected {change.old!r}: "
            "the event changed since the plan was made"
        )


def delete_event(action: DeleteEvent, current: SfEvent | None) -> Request:
    """DELETE ``sobjects/Event/{id}``; with ``current``, only an event sync created."""
    if current is not None:
        if current.id != action.event_id:
            raise ValueError(
                f"current is event {current.id!r}, the delete is for {action.event_id!r}"
            )
        if not current.created_by_sync:
            raise ValueError(f"event {current.id!r} was not created by sync: it is not deleted")
    return Request(method="DELETE", url=f"sobjects/Event/{checked_id(action.event_id, 'event_id')}")


def name_parts(name: str, email: str) -> dict[str, str]:
    """FirstName and LastName from a display name: the last word is the last name.

    Without a name, the address's local part is the last name (Salesforce
    requires one).
    """
    words = name.split()
    if not words:
        return {"LastName": email.partition("@")[0] or email}
    parts = {"LastName": words[-1]}
    if len(words) > 1:
        parts["FirstName"] = " ".join(words[:-1])
    return parts


def create_record(action: CreateRecord, company: str) -> Request:
    """POST ``sobjects/Contact`` or ``sobjects/Lead`` for one participant."""
    if action.kind is RecordKind.CONTACT:
        body: dict[str, Any] = {**name_parts(action.name, action.email), "Email": action.email}
        return Request(method="POST", url="sobjects/Contact", body=body)
    if action.kind is RecordKind.LEAD:
        if not company.strip():
            raise ValueError("a Lead needs a Company; company is empty")
        body = {**name_parts(action.name, action.email), "Email": action.email, "Company": company}
        return Request(method="POST", url="sobjects/Lead", body=body)
    raise ValueError(f"CreateRecord writes contacts and leads, not {action.kind!r}")


def save_attachment(action: SaveAttachment, content: bytes | None) -> Request:
    """POST ``sobjects/ContentVersion``: a file published to the event."""
    if content is None:
        raise ValueError("a SaveAttachment needs content (the attachment's bytes)")
    attachment = action.attachment
    if len(content) != attachment.size:
        raise ValueError(
            f"content has {len(content)} bytes; attachment {attachment.id!r} "
            f"has size {attachment.size}"
        )
    body = {
        "Title": attachment.name,
        "PathOnClient": attachment.name,
        "VersionData": base64.b64encode(content).decode("ascii"),
        "FirstPublishLocationId": action.event_id,
    }
    return Request(method="POST", url="sobjects/ContentVersion", body=body)


def relation_rows(action: CreateEvent, event_id: str) -> tuple[Request, ...]:
    """POST ``sobjects/EventRelation`` for each Who after the first and each invitee."""
    if action.is_private:
        return ()
    if len(action.what_ids) > 1:
        raise ValueError("a Salesforce event has one What; the action names more")
    others = action.who_ids[1:]
    requests = [
        Request(
            method="POST",
            url="sobjects/EventRelation",
            body={
                "EventId": event_id,
                "RelationId": who,
                "IsParent": True,
                "IsInvitee": who in action.invitee_ids,
            },
        )
        for who in others
    ]
    requests.extend(
        Request(
            method="POST",
            url="sobjects/EventRelation",
            body={"EventId": event_id, "RelationId": user, "IsInvitee": True},
        )
        for user in action.invitee_ids
        if user not in others
    )
    return tuple(requests)


def relation_deletes(relations: Sequence[Mapping[str, Any]]) -> tuple[Request, ...]:
    """DELETE each relation row by its ``Id`` (see ``private_relation_deletes``)."""
    problems: list[str] = []
    requests = []
    for n, row in enumerate(relations):
        # Typed as mappings, but decoded JSON can hold anything: checked, never trusted.
        raw: object = row
        row_id = raw.get("Id") if isinstance(raw, Mapping) else None
        if not (isinstance(row_id, str) and is_sf_id(row_id)):
            problems.append(f"relations[{n}].Id: {row_id!r} is not a Salesforce id")
            continue
        requests.append(Request(method="DELETE", url=f"sobjects/EventRelation/{row_id}"))
    if problems:
        raise PayloadError(problems)
    return tuple(requests)
