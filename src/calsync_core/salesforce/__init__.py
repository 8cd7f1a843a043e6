"""Salesforce REST API: sobjects in, values out, the SOQL to fetch them, and the writes.

Sans-I/O: a connector runs the queries these functions write (``GET
/query?q=...``), passes each returned record in, and sends the
:class:`~calsync_core.Request` values :func:`request_for` and
:func:`relation_requests` return. Nothing here reads the network or a clock.

* :func:`event_from_sobject` reads one ``Event`` record with its relation rows;
* :func:`record_from_sobject` reads one ``Contact`` or ``Lead``;
* :func:`events_query`, :func:`records_query` and :func:`relations_query` write
  the SOQL for those records, every value escaped;
* :func:`request_for` writes one plan action as a REST request, and
  :func:`relation_requests` the ``EventRelation`` rows a new event needs beyond
  its ``WhoId``, and :func:`private_relation_deletes` the deletes of the rows
  of an event made private;
* :func:`composites` packs those requests into ``POST composite`` requests,
  and :func:`composite_results` reads the answer to one.

A payload that cannot be read raises one :exc:`~calsync_core.PayloadError`
listing every fault with its JSON path (``StartDateTime: not a date and
time``); fields the functions do not use are ignored.

The iCalendar UID sync stamps on an event and the mark of events sync created
live in custom fields; their API names are settings (``uid_field``,
``created_field``), by default :data:`ICAL_UID_FIELD` and
:data:`CREATED_BY_SYNC_FIELD`.

The field mapping, ``Event`` field to :class:`~calsync_core.SfEvent`
attribute, for reading and writing (generated from the rows the writers use,
``salesforce/_mapping.py``):

.. calsync-field-map:: salesforce

What :func:`request_for` writes, each URL relative to :func:`rest_root`
(``services/data/v61.0/``, :data:`API_VERSION`):

* :class:`~calsync_core.CreateEvent`: ``POST sobjects/Event``. Times as
  Salesforce writes them (``2026-11-24T09:00:00.000+0000``); an all-day
  event as ``ActivityDate`` (its first day: the calendar date the user sees,
  which the Graph adapter holds at midnight UTC) and ``DurationInMinutes``
  (days × 1,440, counted from the dates, so a 23- or 25-hour day is one day).
  ``WhoId`` and ``WhatId`` are the first Who and What -- none
  on a private event (R-PRIVATE); :func:`relation_requests` writes the
  rest. The UID goes into ``uid_field``, true into ``created_field``, and a
  series into the Classic fields of ``action.classic`` with
  ``IsRecurrence``. The Event object has no time-zone field of its own:
  a series' zone is its ``RecurrenceTimeZoneSidKey``.
* :class:`~calsync_core.UpdateEvent`: ``PATCH sobjects/Event/{id}`` with
  the changed fields only, and ``If-Unmodified-Since`` set to ``current``'s
  ``SystemModstamp`` (``version``) rounded up to the next whole second (HTTP
  dates have one-second resolution; cut down, a record modified at
  ``.200`` would answer 412 for ever): for Event this is the only
  precondition Salesforce honours, and its limit is that an edit made
  within the same second as the version read can be overwritten. ``who_ids`` / ``what_ids``
  change ``WhoId`` / ``WhatId`` (their first id, or null); other relation
  rows, and ``invitee_ids``, are ``EventRelation`` rows the Event row does
  not carry. A change of ``start`` or ``end`` writes both times. An event
  that is or becomes private has its ``WhoId`` and ``WhatId`` nulled.
* :class:`~calsync_core.DeleteEvent`: ``DELETE sobjects/Event/{id}``.
  Salesforce takes no precondition on a DELETE, so none is sent; with
  ``current``, an event sync did not create is refused (P-SAFETY).
* :class:`~calsync_core.CreateRecord`: ``POST sobjects/Contact`` or
  ``sobjects/Lead`` with ``Email``, ``LastName`` (the name's last word, or
  the address's local part when there is no name) and ``FirstName`` (the
  words before it); a Lead's required ``Company`` is ``company``.
* :class:`~calsync_core.SaveAttachment`: ``POST sobjects/ContentVersion``,
  a Salesforce file (the legacy ``Attachment`` object is not used) whose
  ``FirstPublishLocationId`` is the event; ``content`` is the file's bytes,
  sent base64-encoded. An ``event_id`` that is a ``CreateEvent`` ref is
  written as given: in a composite request, give the created id instead
  (``@{ref.id}``).

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
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from .._enums import RecordKind
from .._plan import CreateEvent, CreateRecord, DeleteEvent, SaveAttachment, UpdateEvent
from .._request import Request
from .._values import Record, SfEvent
from . import _composite, _soql, _write
from ._composite import CompositeResult
from ._event import read_event
from ._record import read_record

__all__ = [
    "API_VERSION",
    "COMPOSITE_LIMIT",
    "CREATED_BY_SYNC_FIELD",
    "EVENT_FIELDS",
    "ICAL_UID_FIELD",
    "LEAD_COMPANY",
    "CompositeResult",
    "composite_results",
    "composites",
    "event_from_sobject",
    "events_query",
    "private_relation_deletes",
    "record_from_sobject",
    "records_query",
    "relation_requests",
    "relations_query",
    "request_for",
    "rest_root",
]

#: The REST API version the requests are written for.
API_VERSION: Final = "v61.0"
#: The ``Company`` a Lead is created with when ``company`` is not given (Salesforce requires one).
LEAD_COMPANY: Final = _write.LEAD_COMPANY
#: The most sub-requests one request of :func:`composites` carries.
COMPOSITE_LIMIT: Final = _composite.COMPOSITE_LIMIT
_VERSION = re.compile(r"v[0-9]+\.[0-9]")

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
    own start as ``original_start``: Salesforce keeps no other. A private
    event's relations are read as they are, not hidden: R-PRIVATE then plans
    their removal (see :func:`private_relation_deletes`).
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


def rest_root(api_version: str = API_VERSION) -> str:
    """The REST root the URLs of :func:`request_for` are relative to.

    Prefix the instance URL, or ``/`` inside a composite request.

    >>> from calsync_core.salesforce import rest_root
    >>> rest_root()
    'services/data/v61.0/'
    """
    if _VERSION.fullmatch(api_version) is None:
        raise ValueError(f"api_version {api_version!r} is not a REST API version such as 'v61.0'")
    return f"services/data/{api_version}/"


def request_for(
    action: CreateEvent | UpdateEvent | DeleteEvent | CreateRecord | SaveAttachment,
    *,
    current: SfEvent | None = None,
    uid_field: str = ICAL_UID_FIELD,
    created_field: str = CREATED_BY_SYNC_FIELD,
    company: str = LEAD_COMPANY,
    content: bytes | None = None,
) -> Request:
    """The REST request that carries out ``action``; its URL is relative to :func:`rest_root`.

    What each action becomes is in the module's "Writing" section above.

    Raises ValueError, rather than write something unsafe or wrong: an update
    without ``current`` (or for another event), a change whose ``old`` is not
    ``current``'s value, a field the Event row cannot change, more than one
    What, a series without Classic fields, an all-day event that is not whole
    days, an attachment without (or with the wrong size of) ``content``.

    >>> from calsync_core import DeleteEvent
    >>> from calsync_core.salesforce import request_for
    >>> request_for(DeleteEvent(event_id="00U5g00000LpWq9EAF", rule="R-CANCEL")).url
    'sobjects/Event/00U5g00000LpWq9EAF'
    """
    _soql.api_name(uid_field, "uid_field")
    _soql.api_name(created_field, "created_field")
    if isinstance(action, CreateEvent):
        return _write.create_event(action, uid_field, created_field)
    if isinstance(action, UpdateEvent):
        return _write.update_event(action, current, uid_field, created_field)
    if isinstance(action, DeleteEvent):
        return _write.delete_event(action, current)
    if isinstance(action, CreateRecord):
        return _write.create_record(action, company)
    if isinstance(action, SaveAttachment):
        return _write.save_attachment(action, content)
    raise TypeError(f"request_for writes Salesforce actions, not {type(action).__name__}")


def relation_requests(action: CreateEvent, event_id: str) -> tuple[Request, ...]:
    """The ``EventRelation`` rows a created event needs beyond its ``WhoId``.

    ``event_id`` is the new event's id (or ``@{ref.id}`` in a composite). Each
    Who after the first is a row with ``IsParent`` (and ``IsInvitee`` when it
    is also invited); each other invitee a row with ``IsInvitee``: just what
    :func:`event_from_sobject` reads back. A private event has none
    (R-PRIVATE). Changing the rows of an existing event needs the rows' own
    ids, which a plan does not carry: a connector deletes and adds them itself.
    """
    if not event_id:
        raise ValueError("event_id is empty")
    return _write.relation_rows(action, event_id)


def private_relation_deletes(relations: Sequence[Mapping[str, Any]]) -> tuple[Request, ...]:
    """``DELETE sobjects/EventRelation/{Id}`` of each row, for an event made private.

    R-PRIVATE: a private event has no Who, What or invitees. The UpdateEvent
    that sets ``is_private`` nulls ``WhoId`` and ``WhatId``; the other relations
    are rows of their own. Pass the event's rows as :func:`relations_query`
    fetched them (with ``Id``); a row without a valid ``Id`` is a PayloadError.
    """
    return _write.relation_deletes(relations)


def composites(
    requests: Sequence[tuple[str, Request]],
    *,
    refs: Mapping[str, str] | None = None,
    api_version: str = API_VERSION,
    all_or_none: bool = False,
) -> tuple[Request, ...]:
    """``requests`` packed into ``POST composite`` requests of at most :data:`COMPOSITE_LIMIT`.

    Each input is ``(referenceId, request)``, the request as :func:`request_for`
    or :func:`relation_requests` wrote it; the referenceIds are letters,
    digits and ``_`` only, each used once. The result keeps the order, each
    request appearing exactly once, as a sub-request ``{method, url,
    referenceId, body, httpHeaders}`` whose URL is absolute
    (``/services/data/v61.0/...``); ``body`` and ``httpHeaders`` are left out
    when there are none. ``all_or_none`` sets ``allOrNone`` on each composite:
    it makes one composite, not all of them, a single transaction.

    ``refs`` maps each plan ref the requests carry (a ``CreateEvent`` or
    ``CreateRecord`` ``ref`` standing for an id not made yet) to the
    referenceId of the request that creates it. Every body value and URL path
    segment equal to such a ref becomes ``@{referenceId.id}``. A request must
    come after the create it names, and a create is never put in an earlier
    composite than a request naming it: a composite is cut short instead. When
    requests naming each other span more than :data:`COMPOSITE_LIMIT`, no cut
    is possible and ValueError is raised: send the creates first and pass
    their real ids. ValueError is raised too for a bad or repeated
    referenceId, a ref mapped to no request, or a request naming a create
    that does not come before it.

    >>> from calsync_core import Request
    >>> from calsync_core.salesforce import composites
    >>> new = Request(method="POST", url="sobjects/Event", body={"Subject": "Review"})
    >>> row = Request(method="POST", url="sobjects/EventRelation",
    ...               body={"EventId": "item-1", "RelationId": "0055g00000XyZaCAAV"})
    >>> [batch] = composites([("newEvent", new), ("row1", row)], refs={"item-1": "newEvent"})
    >>> batch.method, batch.url, batch.body["compositeRequest"][1]["body"]["EventId"]
    ('POST', 'composite', '@{newEvent.id}')
    """
    return _composite.group(requests, refs or {}, rest_root(api_version), all_or_none)


def composite_results(response: Mapping[str, Any]) -> tuple[CompositeResult, ...]:
    """Each sub-response of a composite response, in order, as a :class:`CompositeResult`.

    A 2xx sub-response succeeded, with the created (or upserted) ``id`` when
    its body has one. Any other carries ``error``, classified by error code
    before status, since Salesforce answers ``REQUEST_LIMIT_EXCEEDED`` with
    403: ``REQUEST_LIMIT_EXCEEDED`` and ``UNABLE_TO_LOCK_ROW`` are a
    :exc:`~calsync_core.ports.TransientError`; so is ``PROCESSING_HALTED``,
    what ``allOrNone`` answers for the sub-requests rolled back because
    another failed -- they did not fail themselves and may succeed next time.
    Otherwise 412 (a failed ``If-Unmodified-Since``) is a
    :exc:`~calsync_core.ports.ConflictError`, 429 and 5xx a ``TransientError``,
    and anything else (``ENTITY_IS_DELETED``, ``INVALID_FIELD`` ...) a
    :exc:`~calsync_core.ports.PermanentError`. The error's text holds the
    status and every ``errorCode: message``.

    A response that cannot be read raises one :exc:`~calsync_core.PayloadError`
    listing every fault with its path (``compositeResponse[2].httpStatusCode:
    missing``), including a referenceId answered twice.

    >>> from calsync_core.salesforce import composite_results
    >>> [result] = composite_results({"compositeResponse": [{
    ...     "body": [{"errorCode": "ENTITY_IS_DELETED", "message": "entity is deleted"}],
    ...     "httpHeaders": {}, "httpStatusCode": 404, "referenceId": "delete_1"}]})
    >>> result.ok, type(result.error).__name__, str(result.error)
    (False, 'PermanentError', 'HTTP 404: ENTITY_IS_DELETED: entity is deleted')
    """
    return _composite.read_results(response)
