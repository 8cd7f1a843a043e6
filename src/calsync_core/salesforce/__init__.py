"""Salesforce REST API, read side: sobjects in, values out, and the SOQL to fetch them.

Sans-I/O: a connector runs the queries these functions write (``GET
/query?q=...``), and passes each returned record in. Nothing here reads the
network or a clock.

* :func:`event_from_sobject` reads one ``Event`` record with its relation rows;
* :func:`record_from_sobject` reads one ``Contact`` or ``Lead``;
* :func:`events_query`, :func:`records_query` and :func:`relations_query` write
  the SOQL for those records, every value escaped.

A payload that cannot be read raises one :exc:`~calsync_core.PayloadError`
listing every fault with its JSON path (``StartDateTime: not a date and
time``); fields the functions do not use are ignored.

The iCalendar UID sync stamps on an event and the mark of events sync created
live in custom fields; their API names are settings (``uid_field``,
``created_field``), by default :data:`ICAL_UID_FIELD` and
:data:`CREATED_BY_SYNC_FIELD`.

>>> from calsync_core import RecordKind
>>> from calsync_core.salesforce import event_from_sobject, records_query
>>> event = event_from_sobject({
...     "attributes": {"type": "Event"},
...     "Id": "00U5g00000LpWq1EAF", "OwnerId": "0055g00000AbCdEAAV",
...     "Subject": "Review", "IsAllDayEvent": False, "IsPrivate": False,
...     "StartDateTime": "2024-03-12T17:00:00.000+0000", "DurationInMinutes": 60,
...     "WhoId": "0035g00000QwErTAAZ",
... })
>>> event.end.isoformat(), event.who_ids
('2024-03-12T18:00:00+00:00', ('0035g00000QwErTAAZ',))
>>> print(records_query(RecordKind.CONTACT, ["kim.o'brien@fabrikam.com"]))
SELECT Id, Name, Email, AccountId FROM Contact WHERE Email IN ('kim.o\\'brien@fabrikam.com')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from .._enums import RecordKind
from .._values import Record, SfEvent
from . import _soql
from ._event import read_event
from ._record import read_record

__all__ = [
    "CREATED_BY_SYNC_FIELD",
    "EVENT_FIELDS",
    "ICAL_UID_FIELD",
    "event_from_sobject",
    "events_query",
    "record_from_sobject",
    "records_query",
    "relations_query",
]

#: Default API name of the custom Event field holding the iCalendar UID sync stamps.
ICAL_UID_FIELD: Final = "CalSync_iCalUID__c"
#: Default API name of the custom Event checkbox marking events sync created.
CREATED_BY_SYNC_FIELD: Final = "CalSync_Created__c"
#: The standard Event fields :func:`events_query` selects (the two custom fields follow).
EVENT_FIELDS: Final = (
    "Id", "OwnerId", "Owner.TimeZoneSidKey", "Subject", "Description", "Location",
    "StartDateTime", "EndDateTime", "DurationInMinutes", "ActivityDate", "IsAllDayEvent",
    "IsPrivate", "WhoId", "WhatId", "IsRecurrence", "RecurrenceActivityId",
    "RecurrenceType", "RecurrenceInterval", "RecurrenceDayOfWeekMask",
    "RecurrenceDayOfMonth", "RecurrenceInstance", "RecurrenceMonthOfYear",
    "RecurrenceStartDateTime", "RecurrenceEndDateOnly", "RecurrenceTimeZoneSidKey",
    "IsRecurrence2", "Recurrence2PatternText", "Recurrence2PatternTimeZone",
    "SystemModstamp",
)  # fmt: skip


def event_from_sobject(
    record: Mapping[str, Any],
    *,
    relations: Sequence[Mapping[str, Any]] = (),
    uid_field: str = ICAL_UID_FIELD,
    created_field: str = CREATED_BY_SYNC_FIELD,
) -> SfEvent:
    """The :class:`~calsync_core.SfEvent` one ``Event`` record describes.

    ``relations`` are the event's ``EventRelation`` / ``EventWhoRelation`` rows
    (as :func:`relations_query` fetches them): ``WhoId`` and ``WhatId`` come
    first, then the related Whos (``IsParent``) and Whats (``IsWhat``); invitees
    are the User rows with ``IsInvitee``. Required: ``Id``, ``OwnerId``,
    ``IsAllDayEvent``, ``IsPrivate``, ``StartDateTime`` (or, all-day,
    ``ActivityDate``) and, for a timed event, ``EndDateTime`` or
    ``DurationInMinutes``. An all-day event's end is exclusive (the midnight
    after its last day), as a calendar item's is. ``time_zone`` is the series'
    zone (``RecurrenceTimeZoneSidKey`` / ``Recurrence2PatternTimeZone``), else
    the owner's (``Owner.TimeZoneSidKey``), else UTC. ``version`` is
    ``SystemModstamp`` (else ``LastModifiedDate``) as Salesforce wrote it. A
    Classic occurrence (``RecurrenceActivityId`` naming another event) has its
    own start as ``original_start``: Salesforce keeps no other.
    Custom fields absent from the record read as null.
    """
    _soql.api_name(uid_field, "uid_field")
    _soql.api_name(created_field, "created_field")
    return read_event(record, relations, uid_field=uid_field, created_field=created_field)


def record_from_sobject(record: Mapping[str, Any]) -> Record:
    """The directory :class:`~calsync_core.Record` one ``Contact`` or ``Lead`` describes.

    The kind is ``attributes.type``; ``Email`` (lower-cased), ``Name`` and, for
    a contact, ``AccountId``.
    """
    return read_record(record)


def events_query(
    owner_ids: Iterable[str],
    start: dt.datetime,
    end: dt.datetime,
    *,
    uid_field: str = ICAL_UID_FIELD,
    created_field: str = CREATED_BY_SYNC_FIELD,
) -> str:
    """SOQL for the events of ``owner_ids`` that overlap ``[start, end)``.

    Selects :data:`EVENT_FIELDS` and the two custom fields, ordered by start and
    id. An all-day event ending at ``start``'s midnight is included (its
    ``EndDateTime`` is its last day's midnight).

    >>> import datetime as dt
    >>> from calsync_core.salesforce import events_query
    >>> print(events_query(["005A"], dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
    ...                    dt.datetime(2024, 4, 1, tzinfo=dt.UTC)).partition(" FROM Event ")[2])
    WHERE OwnerId IN ('005A') AND StartDateTime < 2024-04-01T00:00:00Z \
AND EndDateTime >= 2024-03-01T00:00:00Z ORDER BY StartDateTime, Id
    """
    fields = (
        *EVENT_FIELDS,
        _soql.api_name(uid_field, "uid_field"),
        _soql.api_name(created_field, "created_field"),
    )
    owners = _soql.literal_list(owner_ids, "owner_ids")
    return (
        f"SELECT {', '.join(fields)} FROM Event WHERE OwnerId IN {owners}"
        f" AND StartDateTime < {_soql.instant(end, 'end')}"
        f" AND EndDateTime >= {_soql.instant(start, 'start')} ORDER BY StartDateTime, Id"
    )


def records_query(kind: RecordKind, addresses: Iterable[str]) -> str:
    """SOQL for the contacts or leads (``kind``) with one of ``addresses``.

    Converted leads are left out: an event cannot be related to one.
    """
    name = _soql.record_object(kind)
    fields = "Id, Name, Email, AccountId" if kind is RecordKind.CONTACT else "Id, Name, Email"
    where = f"Email IN {_soql.literal_list(addresses, 'addresses')}"
    if kind is RecordKind.LEAD:
        where += " AND IsConverted = false"
    return f"SELECT {fields} FROM {name} WHERE {where}"


def relations_query(event_ids: Iterable[str]) -> str:
    """SOQL for the ``EventRelation`` rows of ``event_ids``: Whos, Whats and invitees.

    With Shared Activities one EventRelation query returns all three kinds of
    row; group the rows by ``EventId`` and pass each event's to
    :func:`event_from_sobject`.
    """
    ids = _soql.literal_list(event_ids, "event_ids")
    return (
        "SELECT Id, EventId, RelationId, IsInvitee, IsParent, IsWhat FROM EventRelation"
        f" WHERE EventId IN {ids} ORDER BY EventId, Id"
    )
