"""Enumerations of the public contract.

Every member's value is its own name, so JSON documents read the same as code.
"""

from __future__ import annotations

import enum


class Response(enum.Enum):
    """A mailbox owner's or attendee's answer to a meeting."""

    ORGANIZER = "ORGANIZER"
    ACCEPTED = "ACCEPTED"
    TENTATIVE = "TENTATIVE"
    DECLINED = "DECLINED"
    NOT_RESPONDED = "NOT_RESPONDED"


class AttendeeRole(enum.Enum):
    """Which list an attendee is in (Graph ``type`` / EWS list)."""

    REQUIRED = "REQUIRED"
    OPTIONAL = "OPTIONAL"
    RESOURCE = "RESOURCE"


class Sensitivity(enum.Enum):
    """Outlook sensitivity; PRIVATE and CONFIDENTIAL count as private (R-PRIVATE)."""

    NORMAL = "NORMAL"
    PERSONAL = "PERSONAL"
    PRIVATE = "PRIVATE"
    CONFIDENTIAL = "CONFIDENTIAL"


class RecordKind(enum.Enum):
    """Kinds of Salesforce records in the directory."""

    CONTACT = "CONTACT"
    LEAD = "LEAD"
    ACCOUNT = "ACCOUNT"
    OPPORTUNITY = "OPPORTUNITY"


class RecurrenceFormat(enum.Enum):
    """Salesforce's two exclusive recurrence schemes (DOMAIN.md)."""

    CLASSIC = "CLASSIC"
    LIGHTNING = "LIGHTNING"


class DescriptionMode(enum.Enum):
    """Safe Description (R-DESCRIPTION)."""

    SAFE = "SAFE"
    STRICT = "STRICT"
    OFF = "OFF"


class Direction(enum.Enum):
    """Which way sync runs (R-DIRECTION)."""

    BOTH = "BOTH"
    TO_SALESFORCE = "TO_SALESFORCE"
    TO_CALENDAR = "TO_CALENDAR"


class ConflictPolicy(enum.Enum):
    """Who wins a field changed on both sides (R-CONFLICT)."""

    CALENDAR_WINS = "CALENDAR_WINS"
    SALESFORCE_WINS = "SALESFORCE_WINS"


class IssueCode(enum.Enum):
    """What went wrong with one item or event; see the rule table for each."""

    ISE_013 = "ISE_013"
    WAITING_FOR_ORGANIZER = "WAITING_FOR_ORGANIZER"
    UNRESOLVED_PARTICIPANTS = "UNRESOLVED_PARTICIPANTS"
    DUPLICATE_EVENT = "DUPLICATE_EVENT"
    UNSYNC_NOT_ALLOWED = "UNSYNC_NOT_ALLOWED"
    GROUP_EVENT_TOO_LONG = "GROUP_EVENT_TOO_LONG"
    ATTACHMENT_TOO_LARGE = "ATTACHMENT_TOO_LARGE"
    ALL_DAY_TOO_LONG = "ALL_DAY_TOO_LONG"
    EVENT_TOO_LONG = "EVENT_TOO_LONG"
    RECURRING_TOO_LONG = "RECURRING_TOO_LONG"
    RECURRING_NOT_ENABLED = "RECURRING_NOT_ENABLED"
    LIGHTNING_SERIES_NOT_DOWNSYNCED = "LIGHTNING_SERIES_NOT_DOWNSYNCED"
    PROBLEMATIC_TIME_ZONE = "PROBLEMATIC_TIME_ZONE"
    REQUIRED_FIELDS_MISSING = "REQUIRED_FIELDS_MISSING"
    INVALID_ITEM = "INVALID_ITEM"
    MAILBOX_EMPTIED = "MAILBOX_EMPTIED"
    #: A series Salesforce Classic cannot hold (no end, a yearly interval ...): R-RECURRING-FORMAT.
    RECURRENCE_NOT_SUPPORTED = "RECURRENCE_NOT_SUPPORTED"
    #: An item stamped with an event that is not its own (an Outlook copy keeps the
    #: stamp; another meeting's or owner's event): R-DEDUP leaves the event alone.
    STAMP_MISMATCH = "STAMP_MISMATCH"
    #: A pair whose ``version`` did not move although its fields did; reported only
    #: when asked for (``reconcile(..., check_versions=True)``): R-STALE-VERSION.
    STALE_VERSION = "STALE_VERSION"
