"""The Graph adapter's field mapping: Graph ``event`` property <-> CalendarItem attribute.

The writers take the properties an update may change from these rows
(``_write.GRAPH_NAMES``); tests/test_field_map.py proves every read row against
``item_from_graph`` and every write row against ``request_for``, and that a
request body carries no property without a row. ``docs/_ext/fieldmap.py``
renders the rows (``.. calsync-field-map:: graph``).
"""

from __future__ import annotations

from typing import Final

from .._fieldmap import Direction, FieldRow

_R, _RW, _RC = Direction.READ, Direction.READ | Direction.WRITE, Direction.READ | Direction.CREATE

#: Every row, in the order the docs show them.
FIELDS: Final = (
    FieldRow(attribute="id", wire="id", direction=_R, note="the URL of every other write"),
    FieldRow(
        attribute="ical_uid",
        wire=("uid", "iCalUId"),
        direction=_R,
        note="``uid`` (series-wide) when present, else ``iCalUId``; Graph assigns it, "
        "so a created item's UID is read back",
    ),
    FieldRow(
        attribute="version",
        wire="changeKey",
        direction=_R,
        note='sent back as ``If-Match: W/"<changeKey>"`` on every write but a create',
    ),
    FieldRow(
        attribute="start",
        wire="start",
        direction=_RW,
        note="``{dateTime, timeZone}``: the wall time without offset; stored in UTC",
    ),
    FieldRow(attribute="end", wire="end", direction=_RW, note="as ``start``"),
    FieldRow(
        attribute="time_zone",
        wire="originalStartTimeZone",
        direction=_R,
        note="else ``start.timeZone``; kept as written, known or not. A series master "
        "takes ``recurrence.range.recurrenceTimeZone`` when that names a known zone. Times "
        "are written in it when known, else in UTC",
    ),
    FieldRow(
        attribute="is_all_day",
        wire="isAllDay",
        direction=_RW,
        note="midnight to midnight, the end exclusive. All-day values are dates: read as "
        "midnight UTC of their date (as Salesforce's ``ActivityDate``), written as that date's "
        "midnight in ``time_zone`` (UTC when unknown); an update of any time sends all three",
    ),
    FieldRow(attribute="subject", wire="subject", direction=_RW),
    FieldRow(
        attribute="body",
        wire="body.content",
        direction=_RW,
        note='written as ``{"contentType": "text", "content": ...}``',
    ),
    FieldRow(attribute="location", wire="location.displayName", direction=_RW),
    FieldRow(
        attribute="organizer",
        wire="organizer.emailAddress.address",
        direction=_R,
        note="an organizer without an address is a fault unless ``isOrganizer`` is true "
        "(None means the mailbox owner)",
    ),
    FieldRow(
        attribute="attendees",
        wire="attendees",
        direction=_R,
        note="``emailAddress``; ``type`` is the role, ``status.response`` the answer",
    ),
    FieldRow(
        attribute="response",
        wire="responseStatus.response",
        direction=_R,
        note="the mailbox owner's answer; ``none`` and ``notResponded`` are NOT_RESPONDED. "
        "Absent: ORGANIZER when ``isOrganizer`` is true or the organizer is the mailbox, "
        "else NOT_RESPONDED",
    ),
    FieldRow(
        attribute="sensitivity",
        wire="sensitivity",
        direction=_RW,
        note="``normal``, ``personal``, ``private``, ``confidential``; absent reads as "
        "``private`` (published delta pages leave it out), so R-PRIVATE never autosaves "
        "what it could not check",
    ),
    FieldRow(
        attribute="categories",
        wire="categories",
        direction=_RW,
        note="written whole and sorted (SetCategories too)",
    ),
    FieldRow(attribute="is_cancelled", wire="isCancelled", direction=_R),
    FieldRow(
        attribute="recurrence",
        wire="recurrence",
        direction=_RC,
        note="``seriesMaster`` only, through ``graph_to_rrule`` / ``rrule_to_graph``",
    ),
    FieldRow(
        attribute="original_start",
        wire="originalStart",
        direction=_R,
        note="``occurrence`` and ``exception`` only (UTC)",
    ),
    FieldRow(
        attribute="sf_event_id",
        wire="singleValueExtendedProperties",
        direction=_RW,
        note='the entry with id ``SF_EVENT_ID_PROPERTY``; ``""`` clears it. Never in a '
        "delta page: read it with a GET and ``$expand``",
    ),
)
