"""The values both systems are described with: items, events, records, settings.

All are frozen, slotted, keyword-only attrs classes (API.md). Datetimes are
stored in UTC; the zone the user sees is the separate ``time_zone`` field, so
that equality, hashing and serialisation never depend on how a caller spelled
an instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from . import _converters as c
from ._enums import (
    AttendeeRole,
    ConflictPolicy,
    DescriptionMode,
    Direction,
    RecordKind,
    RecurrenceFormat,
    Response,
    Sensitivity,
)

_str = c.check(str)
_bool = c.check(bool)
_int = c.check(int)
_opt_str = c.check_optional(str)


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return c.tuple_of(value, str)


@attrs.frozen(kw_only=True)
class Attendee:
    """One attendee of a meeting, as the mailbox shows it."""

    email: str = attrs.field(converter=c.address)
    name: str = attrs.field(default="", validator=_str)
    response: Response = attrs.field(default=Response.NOT_RESPONDED, validator=c.check(Response))
    role: AttendeeRole = attrs.field(default=AttendeeRole.REQUIRED, validator=c.check(AttendeeRole))


@attrs.frozen(kw_only=True)
class Attachment:
    """A file attached to a calendar item (R-ATTACHMENTS); ``size`` in bytes."""

    id: str = attrs.field(validator=_str)
    name: str = attrs.field(validator=_str)
    size: int = attrs.field(validator=_int)
    content_type: str = attrs.field(default="", validator=_str)


def _instants(value: Iterable[dt.datetime]) -> frozenset[dt.datetime]:
    return frozenset(c.utc(v) for v in c.tuple_of(value, dt.datetime))


@attrs.frozen(kw_only=True)
class Recurrence:
    """A series: RFC 5545 RRULE text, e.g. ``FREQ=WEEKLY;BYDAY=MO;COUNT=5``.

    The series' time zone is its item's (or event's) ``time_zone``, and its first
    occurrence starts at the item's ``start``. ``cancelled`` holds the original
    starts of occurrences the organizer cancelled (EXDATE); a modified occurrence
    is an item of its own with the same UID and ``original_start`` set.
    """

    rule: str = attrs.field(validator=_str)
    cancelled: frozenset[dt.datetime] = attrs.field(default=frozenset(), converter=_instants)


@attrs.frozen(kw_only=True)
class LinkChoice:
    """What the user picked in the Save dialog: a primary Who and/or a What."""

    who_id: str | None = attrs.field(default=None, validator=_opt_str)
    what_id: str | None = attrs.field(default=None, validator=_opt_str)


def _attendees(value: Iterable[Attendee]) -> tuple[Attendee, ...]:
    return c.tuple_of(value, Attendee)


def _attachments(value: Iterable[Attachment]) -> tuple[Attachment, ...]:
    return c.tuple_of(value, Attachment)


@attrs.frozen(kw_only=True)
class CalendarItem:
    """One item in one mailbox: a meeting copy, an appointment or an all-day event.

    ``ical_uid`` is the meeting's global UID, shared by every attendee's copy;
    ``id`` and ``version`` (the change key) belong to this mailbox's copy only.
    """

    id: str = attrs.field(validator=_str)
    ical_uid: str = attrs.field(validator=_str)
    mailbox: str = attrs.field(converter=c.address)
    start: dt.datetime = attrs.field(converter=c.utc)
    end: dt.datetime = attrs.field(converter=c.utc)
    subject: str = attrs.field(default="", validator=_str)
    body: str = attrs.field(default="", validator=_str)
    location: str = attrs.field(default="", validator=_str)
    is_all_day: bool = attrs.field(default=False, validator=_bool)
    time_zone: str = attrs.field(default="UTC", validator=_str)
    organizer: str | None = attrs.field(default=None, converter=c.optional_address)
    attendees: tuple[Attendee, ...] = attrs.field(default=(), converter=_attendees)
    response: Response = attrs.field(default=Response.ORGANIZER, validator=c.check(Response))
    sensitivity: Sensitivity = attrs.field(
        default=Sensitivity.NORMAL, validator=c.check(Sensitivity)
    )
    categories: frozenset[str] = attrs.field(default=frozenset(), converter=c.names)
    is_cancelled: bool = attrs.field(default=False, validator=_bool)
    recurrence: Recurrence | None = attrs.field(
        default=None, validator=c.check_optional(Recurrence)
    )
    calendar_id: str | None = attrs.field(default=None, validator=_opt_str)
    attachments: tuple[Attachment, ...] = attrs.field(default=(), converter=_attachments)
    link_choice: LinkChoice | None = attrs.field(
        default=None, validator=c.check_optional(LinkChoice)
    )
    sf_event_id: str | None = attrs.field(default=None, validator=_opt_str)
    version: str = attrs.field(default="", validator=_str)
    #: For a modified occurrence (an exception) of a series with the same UID: the
    #: start the occurrence had in the series. None for a single item or a series.
    original_start: dt.datetime | None = attrs.field(default=None, converter=c.optional_utc)


@attrs.frozen(kw_only=True)
class SfEvent:
    """One Salesforce Event. The first of ``who_ids`` is WhoId, the first of ``what_ids`` WhatId."""

    id: str = attrs.field(validator=_str)
    owner_id: str = attrs.field(validator=_str)
    start: dt.datetime = attrs.field(converter=c.utc)
    end: dt.datetime = attrs.field(converter=c.utc)
    subject: str = attrs.field(default="", validator=_str)
    description: str = attrs.field(default="", validator=_str)
    location: str = attrs.field(default="", validator=_str)
    is_all_day: bool = attrs.field(default=False, validator=_bool)
    is_private: bool = attrs.field(default=False, validator=_bool)
    who_ids: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    what_ids: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    invitee_ids: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    ical_uid: str | None = attrs.field(default=None, validator=_opt_str)
    created_by_sync: bool = attrs.field(default=False, validator=_bool)
    recurrence: Recurrence | None = attrs.field(
        default=None, validator=c.check_optional(Recurrence)
    )
    recurrence_format: RecurrenceFormat = attrs.field(
        default=RecurrenceFormat.CLASSIC, validator=c.check(RecurrenceFormat)
    )
    time_zone: str = attrs.field(default="UTC", validator=_str)
    version: str = attrs.field(default="", validator=_str)
    #: Ids of the calendar attachments already saved with this event (R-ATTACHMENTS).
    attachment_ids: frozenset[str] = attrs.field(default=frozenset(), converter=c.names)
    #: For one occurrence of a Classic series (a child event): its start in the series.
    original_start: dt.datetime | None = attrs.field(default=None, converter=c.optional_utc)


@attrs.frozen(kw_only=True)
class Record:
    """A Salesforce record in the directory: what addresses resolve to (R-LINK)."""

    id: str = attrs.field(validator=_str)
    kind: RecordKind = attrs.field(validator=c.check(RecordKind))
    email: str | None = attrs.field(default=None, converter=c.optional_address)
    account_id: str | None = attrs.field(default=None, validator=_opt_str)
    name: str = attrs.field(default="", validator=_str)


@attrs.frozen(kw_only=True)
class UserSettings:
    """One internal user: their mailbox address, Salesforce user id and own switches.

    ``description_mode`` and ``direction`` left as None take the org's value.
    """

    email: str = attrs.field(converter=c.address)
    sf_user_id: str = attrs.field(validator=_str)
    meeting_autosave: bool = attrs.field(default=True, validator=_bool)
    appointment_autosave: bool = attrs.field(default=False, validator=_bool)
    description_mode: DescriptionMode | None = attrs.field(
        default=None, validator=c.check_optional(DescriptionMode)
    )
    direction: Direction | None = attrs.field(default=None, validator=c.check_optional(Direction))


@attrs.frozen(kw_only=True)
class PublicCalendarRoute:
    """Events of one Salesforce public calendar, sent one way to some mailboxes."""

    calendar_id: str = attrs.field(validator=_str)
    mailboxes: tuple[str, ...] = attrs.field(converter=c.address_tuple)
    category: str = attrs.field(validator=_str)


def _users(value: Iterable[UserSettings]) -> tuple[UserSettings, ...]:
    return c.tuple_of(value, UserSettings)


def _routes(value: Iterable[PublicCalendarRoute]) -> tuple[PublicCalendarRoute, ...]:
    return c.tuple_of(value, PublicCalendarRoute)


@attrs.frozen(kw_only=True)
class OrgSettings:
    """The organisation's sync settings; every default is the vendor's default."""

    users: tuple[UserSettings, ...] = attrs.field(default=(), converter=_users)
    company_domains: frozenset[str] = attrs.field(default=frozenset(), converter=c.addresses)
    blocklist: frozenset[str] = attrs.field(default=frozenset(), converter=c.addresses)
    past_days: int = attrs.field(default=14, validator=_int)
    future_days: int = attrs.field(default=60, validator=_int)
    sync_unresponded_and_declined: bool = attrs.field(default=False, validator=_bool)
    autosave_private: bool = attrs.field(default=False, validator=_bool)
    autosave_internal: bool = attrs.field(default=False, validator=_bool)
    smart_auto_sharing: bool = attrs.field(default=False, validator=_bool)
    auto_create: RecordKind | None = attrs.field(
        default=None, validator=c.check_optional(RecordKind)
    )
    multiple_business_records: bool = attrs.field(default=False, validator=_bool)
    advanced_calendaring: bool = attrs.field(default=False, validator=_bool)
    recurring_events: bool = attrs.field(default=False, validator=_bool)
    description_mode: DescriptionMode = attrs.field(
        default=DescriptionMode.SAFE, validator=c.check(DescriptionMode)
    )
    direction: Direction = attrs.field(default=Direction.BOTH, validator=c.check(Direction))
    conflict_policy: ConflictPolicy = attrs.field(
        default=ConflictPolicy.CALENDAR_WINS, validator=c.check(ConflictPolicy)
    )
    delete_items_deleted_in_salesforce: bool = attrs.field(default=False, validator=_bool)
    public_calendar_routes: tuple[PublicCalendarRoute, ...] = attrs.field(
        default=(), converter=_routes
    )
    save_attachments: bool = attrs.field(default=False, validator=_bool)
    max_attachment_bytes: int = attrs.field(default=25 * 1024 * 1024, validator=_int)
    required_fields: frozenset[str] = attrs.field(default=frozenset(), converter=c.names)
    empty_guard: int = attrs.field(default=5, validator=_int)


def _items(value: Iterable[CalendarItem]) -> tuple[CalendarItem, ...]:
    return c.tuple_of(value, CalendarItem)


def _events(value: Iterable[SfEvent]) -> tuple[SfEvent, ...]:
    return c.tuple_of(value, SfEvent)


def _records(value: Iterable[Record]) -> tuple[Record, ...]:
    return c.tuple_of(value, Record)


@attrs.frozen(kw_only=True)
class Snapshot:
    """Both systems as observed at ``as_of``: every mailbox's items, events, the directory.

    ``as_of`` is the snapshot's own time; the window (R-WINDOW) is measured from it,
    so nothing ever reads a clock.
    """

    as_of: dt.datetime = attrs.field(converter=c.utc)
    items: tuple[CalendarItem, ...] = attrs.field(default=(), converter=_items)
    events: tuple[SfEvent, ...] = attrs.field(default=(), converter=_events)
    records: tuple[Record, ...] = attrs.field(default=(), converter=_records)
