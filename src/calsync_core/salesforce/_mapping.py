"""The Salesforce adapter's field mapping: ``Event`` field <-> SfEvent attribute.

The update writer takes the fields it names from these rows (``PLAIN`` and
``PRIMARY``, through ``_write``); tests/test_field_map.py proves every read row
against ``event_from_sobject`` and every write row against ``request_for``, and
that a request body carries no field without a row. ``docs/_ext/fieldmap.py``
renders ``FIELDS`` (``.. calsync-field-map:: salesforce``). The two custom
fields are shown with their default API names; both are settings.
"""

from __future__ import annotations

from typing import Final

from .._fieldmap import Direction, FieldRow

_R, _RC = Direction.READ, Direction.READ | Direction.CREATE
_RW = Direction.READ | Direction.WRITE

#: Text and checkbox fields written as they are.
PLAIN: Final = (
    FieldRow(attribute="subject", wire="Subject", direction=_RW),
    FieldRow(attribute="description", wire="Description", direction=_RW),
    FieldRow(attribute="location", wire="Location", direction=_RW),
    FieldRow(
        attribute="is_private",
        wire="IsPrivate",
        direction=_RW,
        note="a private event is written without ``WhoId``, ``WhatId`` or relation rows "
        "(R-PRIVATE)",
    ),
)
#: The first Who and What, which the Event row carries itself.
PRIMARY: Final = (
    FieldRow(
        attribute="who_ids",
        wire="WhoId",
        direction=_RW,
        note="the first Who; the others are EventRelation rows with ``IsParent`` (or "
        "EventWhoRelation rows), which ``relation_requests`` writes for a new event",
    ),
    FieldRow(attribute="what_ids", wire="WhatId", direction=_RW, note="the one What"),
)

#: Every row, in the order the docs show them.
FIELDS: Final = (
    FieldRow(attribute="id", wire="Id", direction=_R, note="the URL of an update or delete"),
    FieldRow(
        attribute="owner_id",
        wire="OwnerId",
        direction=_RC,
        note="also ``Owner.TimeZoneSidKey``, the zone of an event with no series zone",
    ),
    FieldRow(
        attribute="start",
        wire=("StartDateTime", "ActivityDate"),
        direction=_RW,
        note="``2024-03-12T17:00:00.000+0000``; an all-day event as ``ActivityDate`` "
        "(midnight UTC)",
    ),
    FieldRow(
        attribute="end",
        wire=("EndDateTime", "DurationInMinutes"),
        direction=_RW,
        note="either; an all-day event's end is exclusive, written as whole days of "
        "``DurationInMinutes``. A change of either time writes both",
    ),
    FieldRow(attribute="is_all_day", wire="IsAllDayEvent", direction=_RC),
    *PLAIN,
    *PRIMARY,
    FieldRow(
        attribute="invitee_ids",
        wire="EventRelation.RelationId",
        direction=_R,
        note="rows with ``IsInvitee`` naming a User; ``relation_requests`` writes them",
    ),
    FieldRow(
        attribute="ical_uid",
        wire="CalSync_iCalUID__c",
        direction=_RW,
        note="custom field, the setting ``uid_field``",
    ),
    FieldRow(
        attribute="created_by_sync",
        wire="CalSync_Created__c",
        direction=_RW,
        note="custom checkbox, the setting ``created_field``; only such events are deleted",
    ),
    FieldRow(
        attribute="version",
        wire=("SystemModstamp", "LastModifiedDate"),
        direction=_R,
        note="sent back as ``If-Unmodified-Since``, cut to whole seconds",
    ),
    FieldRow(
        attribute="time_zone",
        wire=("RecurrenceTimeZoneSidKey", "Recurrence2PatternTimeZone"),
        direction=_R,
        note="the series' zone, else the owner's, else UTC",
    ),
    FieldRow(
        attribute="recurrence",
        wire=(
            "IsRecurrence",
            "RecurrenceType",
            "RecurrenceInterval",
            "RecurrenceDayOfWeekMask",
            "RecurrenceDayOfMonth",
            "RecurrenceInstance",
            "RecurrenceMonthOfYear",
            "RecurrenceStartDateTime",
            "RecurrenceEndDateOnly",
            "RecurrenceTimeZoneSidKey",
        ),
        direction=_RC,
        note="a Classic series, through ``classic_to_rrule``; written from ``action.classic``",
    ),
    FieldRow(
        attribute="recurrence",
        wire="Recurrence2PatternText",
        direction=_R,
        note="a Lightning series: the RRULE after ``RRULE:``, checked; never written",
    ),
    FieldRow(
        attribute="recurrence_format",
        wire="IsRecurrence2",
        direction=_R,
        note="``LIGHTNING`` when true, else ``CLASSIC``",
    ),
    FieldRow(
        attribute="original_start",
        wire="RecurrenceActivityId",
        direction=_R,
        note="a Classic occurrence (naming another event): its own start",
    ),
)
