"""What Salesforce cannot hold, and how an item's fields become an event's.

Owns R-LIMIT-ALLDAY (and EVENT_TOO_LONG), R-GROUP-CALENDAR's duration limit,
R-FIELD-LIMITS and R-REQUIRED-FIELDS. The numbers are Salesforce's own
(DOMAIN.md): text fields have hard lengths, a multiday event may not exceed
14 days, and the vendor saves group-calendar items only up to 24 hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from .. import _rules as R
from .. import recurrence
from .._domain import REQUIRED_STATUS_PREFIX, TEXT_LIMITS, duration_fault
from .._enums import IssueCode
from .._plan import FieldValue
from .._recurrence_values import ClassicRecurrence
from .._rules import Rule
from .._timezones import iana_name
from .._values import CalendarItem, SfEvent
from .privacy import is_private


@attrs.frozen(kw_only=True)
class Limit:
    """An item Salesforce cannot take, as an issue to report."""

    code: IssueCode
    rule: Rule
    message: str
    status: str | None = None  # the status category that goes with it (R-REQUIRED-FIELDS)


@attrs.frozen(kw_only=True)
class EventFields:
    """The event fields a calendar item determines, already cut to Salesforce's lengths."""

    subject: str
    location: str
    description: str
    start: dt.datetime
    end: dt.datetime
    is_all_day: bool
    is_private: bool
    cuts: tuple[tuple[str, str], ...] = ()  # (field, note), one per cut (R-FIELD-LIMITS)

    def value(self, name: str) -> FieldValue:
        value: FieldValue = getattr(self, name)
        return value


def event_fields(item: CalendarItem) -> EventFields:
    """What ``item`` says its event should hold; text over a limit is cut, never refused."""
    cuts = []
    texts = {"subject": item.subject, "location": item.location, "description": item.body}
    for name, text in texts.items():
        limit = TEXT_LIMITS[name]
        if len(text) > limit:
            texts[name] = text[:limit]
            cuts.append((name, f"{name} cut from {len(text)} to {limit} characters"))
    return EventFields(
        start=item.start,
        end=item.end,
        is_all_day=item.is_all_day,
        is_private=is_private(item),
        cuts=tuple(cuts),
        **texts,
    )


def duration_limit(item: CalendarItem | SfEvent) -> Limit | None:
    """The first limit ``item`` breaks -- its time zone (R-TIMEZONE), then its length.

    An event made in Salesforce is held to the same limits before it is copied
    down: an item the next run would have to flag is better never made.
    """
    fault = duration_fault(item)
    if fault is None:
        return None
    if fault == "time_zone":
        return Limit(
            code=IssueCode.PROBLEMATIC_TIME_ZONE,
            rule=R.TIMEZONE,
            message=f"The time zone {item.time_zone!r} has no Salesforce equivalent "
            "(a custom or unknown zone); choose a standard time zone for this item.",
        )
    if fault == "recurring":
        # Salesforce: a Classic series' occurrences last 24 hours or less (DOMAIN.md).
        return Limit(
            code=IssueCode.RECURRING_TOO_LONG,
            rule=R.LIMIT_RECURRING,
            message="Recurring all-day series, and series whose occurrences last over 24 "
            "hours, cannot be saved to Salesforce.",
        )
    if fault == "group":
        return Limit(
            code=IssueCode.GROUP_EVENT_TOO_LONG,
            rule=R.GROUP_CALENDAR,
            message="Group calendar events longer than 24 hours cannot be saved to Salesforce.",
        )
    days = (item.end - item.start) / dt.timedelta(days=1)
    if fault == "all_day":
        return Limit(
            code=IssueCode.ALL_DAY_TOO_LONG,
            rule=R.LIMIT_ALLDAY,
            message=f"All-day event lasts {days:g} days; Salesforce allows at most 14.",
        )
    return Limit(
        code=IssueCode.EVENT_TOO_LONG,
        rule=R.LIMIT_ALLDAY,
        message=f"Event lasts {days:g} days; Salesforce allows at most 14.",
    )


def required_limit(required: frozenset[str], values: Mapping[str, object]) -> Limit | None:
    """R-REQUIRED-FIELDS: the org's required fields this event would leave empty.

    Fields the item does not determine (ids, versions) are filled by Salesforce or
    by sync itself, so only the values passed in can be missing.
    """
    missing = sorted(f for f in required if f in values and values[f] in ("", (), None))
    if not missing:
        return None
    fields = ", ".join(missing)
    return Limit(
        code=IssueCode.REQUIRED_FIELDS_MISSING,
        rule=R.REQUIRED_FIELDS,
        message=f"Required fields are missing: {fields}",
        status=REQUIRED_STATUS_PREFIX + fields,
    )


def classic_series(item: CalendarItem) -> tuple[ClassicRecurrence | None, Limit | None]:
    """R-RECURRING-FORMAT: the item's series as Classic fields, or why Classic cannot hold it."""
    assert item.recurrence is not None
    try:
        return recurrence.rrule_to_classic(
            item.recurrence.rule, start=item.start, time_zone=iana_name(item.time_zone) or "UTC"
        ), None
    except recurrence.RecurrenceError as exc:
        return None, Limit(
            code=IssueCode.RECURRENCE_NOT_SUPPORTED,
            rule=R.RECURRING_FORMAT,
            message=f"Salesforce Classic cannot hold this series: {exc}",
        )
