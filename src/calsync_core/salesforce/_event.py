"""One Event sobject, as a query returns it, read into an :class:`~calsync_core.SfEvent`.

Times: ``StartDateTime`` and ``EndDateTime`` (or ``DurationInMinutes``) of a timed
event. An all-day event starts at midnight UTC of ``ActivityDate`` (Salesforce
keeps the time part of all-day values in UTC) and its end is made *exclusive*,
as a calendar item's is: ``DurationInMinutes`` after the start, else the day
after ``EndDateTime`` (which Salesforce sets to the last day's midnight), else
one day (both null). Series: Classic fields through
:func:`calsync_core.recurrence.classic_to_rrule`; Lightning's
``Recurrence2PatternText`` through :func:`calsync_core.recurrence.lightning_to_rrule`
(checked against Lightning's limits, read with its meaning of day 31) and then
:func:`calsync_core.recurrence.validate` against the start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .. import recurrence as rec
from .._enums import RecurrenceFormat
from .._errors import PayloadError
from .._recurrence_values import ClassicRecurrence, RecurrenceError
from .._timezones import day_start
from .._values import Recurrence, SfEvent
from ._fields import EPOCH, Fields
from ._relations import read_relations
from ._write import is_sf_id

_DAY = dt.timedelta(days=1)
_MAX_INTERVAL = 999


@attrs.frozen
class _Series:
    recurrence: Recurrence | None
    format: RecurrenceFormat
    time_zone: str | None
    original_start: dt.datetime | None


def read_event(
    record: Mapping[str, Any],
    relations: Sequence[Mapping[str, Any]],
    *,
    uid_field: str,
    created_field: str,
) -> SfEvent:
    """The SfEvent ``record`` describes, or PayloadError listing every fault."""
    problems: list[str] = []
    f = Fields(record, "", problems)
    event_id = f.text("Id", required=True) or ""
    if event_id and not is_sf_id(event_id):
        # The id goes into URL paths of later writes: refuse what is not one.
        f.fault("Id", f"{event_id!r} is not a Salesforce id (15 or 18 letters and digits)")
    owner_id = f.text("OwnerId", required=True) or ""
    is_all_day = f.flag("IsAllDayEvent", required=True)
    start, end = _times(f, is_all_day)
    series = _series(f, start)
    related = read_relations(f, relations, event_id, series.original_start is not None)
    uid = f.text(uid_field)
    version = _version(f)
    owner = f.record.get("Owner")
    owner_zone = None if owner is None else Fields(owner, "Owner", problems).text("TimeZoneSidKey")
    values: dict[str, Any] = {
        "subject": f.text("Subject") or "",
        "description": f.text("Description") or "",
        "location": f.text("Location") or "",
        "is_private": f.flag("IsPrivate", required=True),
        "created_by_sync": f.flag(created_field),
    }
    if problems:
        raise PayloadError(problems)
    return SfEvent(
        id=event_id,
        owner_id=owner_id,
        start=start,
        end=end,
        is_all_day=is_all_day,
        who_ids=related.whos,
        what_ids=related.whats,
        invitee_ids=related.invitees,
        ical_uid=uid or None,
        recurrence=series.recurrence,
        recurrence_format=series.format,
        time_zone=series.time_zone or owner_zone or "UTC",
        version=version,
        original_start=series.original_start,
        **values,
    )


def _times(f: Fields, is_all_day: bool) -> tuple[dt.datetime, dt.datetime]:
    if is_all_day:
        return _all_day_times(f)
    given = f.instant("StartDateTime", required=True)
    start = given or EPOCH
    end = f.instant("EndDateTime")
    minutes = f.whole("DurationInMinutes")
    if end is not None:
        if given is not None:
            _agree(f, end, minutes, start)
        return start, end
    if minutes is not None:
        return start, _after(f, start, minutes)
    if "EndDateTime" not in f.record and "DurationInMinutes" not in f.record:
        f.fault("EndDateTime", "missing, and so is DurationInMinutes")
    elif f.record.get("EndDateTime", 0) is None and f.record.get("DurationInMinutes", 0) is None:
        f.fault("EndDateTime", "null, and so is DurationInMinutes")
    return start, start


def _all_day_times(f: Fields) -> tuple[dt.datetime, dt.datetime]:
    # The dates are what counts: held at midnight UTC, as the Graph adapter holds
    # an all-day item's, so a date written one way reads back equal the other way.
    day = f.date("ActivityDate")
    given = f.instant("StartDateTime", required=day is None)
    start = day_start(day if day is not None else (given or EPOCH).date())
    minutes = f.whole("DurationInMinutes")
    last = f.instant("EndDateTime")
    end = None if last is None else _next_day(f, last, "EndDateTime")
    if end is not None:
        if day is not None or given is not None:
            _agree(f, end, minutes, start)
        return start, end
    if minutes is not None:
        return start, _after(f, start, minutes)
    return start, _next_day(f, start, "ActivityDate") or start


def _after(f: Fields, start: dt.datetime, minutes: int) -> dt.datetime:
    """``minutes`` after ``start``; a fault when that is past the year 9999."""
    try:
        return start + dt.timedelta(minutes=minutes)
    except OverflowError:
        f.fault("DurationInMinutes", "that many minutes after the start is past the year 9999")
        return start


def _next_day(f: Fields, last: dt.datetime, name: str) -> dt.datetime | None:
    """The midnight after the day of ``last`` (an all-day end is exclusive)."""
    try:
        return day_start(last.date()) + _DAY
    except OverflowError:
        f.fault(name, "the day after it is past the year 9999")
        return None


def _agree(f: Fields, end: dt.datetime, minutes: int | None, start: dt.datetime) -> None:
    # Salesforce takes both only when they agree; two ends that differ are a bad payload,
    # not one to pick from silently.
    if minutes is not None and _after(f, start, minutes) != end:
        f.fault(
            "DurationInMinutes",
            f"{minutes} minutes after the start is not the end that EndDateTime gives",
        )


def _version(f: Fields) -> str:
    """``SystemModstamp`` (else ``LastModifiedDate``) as Salesforce wrote it, once checked."""
    for name in ("SystemModstamp", "LastModifiedDate"):
        value = f.record.get(name)
        if value is not None:
            return value if f.instant(name) is not None else ""
    return ""


def _series(f: Fields, start: dt.datetime) -> _Series:
    classic = f.flag("IsRecurrence")
    lightning = f.flag("IsRecurrence2")
    if classic and lightning:
        f.fault("IsRecurrence2", "true, and so is IsRecurrence: the two are exclusive")
    if classic:
        return _classic(f)
    if lightning and f.record.get("Recurrence2PatternText") is not None:
        return _lightning(f, start)
    parent = f.text("RecurrenceActivityId")
    if parent and parent != f.record.get("Id"):
        # A Classic occurrence: Salesforce keeps no other start for it than its own.
        return _Series(None, RecurrenceFormat.CLASSIC, None, start)
    lightning_format = RecurrenceFormat.LIGHTNING if lightning else RecurrenceFormat.CLASSIC
    return _Series(None, lightning_format, None, None)


def _classic(f: Fields) -> _Series:
    fields: dict[str, Any] = {
        "type": f.text("RecurrenceType", required=True),
        "interval": f.whole("RecurrenceInterval"),
        "day_of_week_mask": f.whole("RecurrenceDayOfWeekMask"),
        "day_of_month": f.whole("RecurrenceDayOfMonth"),
        "instance": f.text("RecurrenceInstance"),
        "month_of_year": f.text("RecurrenceMonthOfYear"),
        "start": f.instant("RecurrenceStartDateTime", required=True),
        "end_date": f.date("RecurrenceEndDateOnly"),
        "time_zone": f.text("RecurrenceTimeZoneSidKey", required=True),
    }
    if "RecurrenceEndDateOnly" not in f.record:
        f.fault("RecurrenceEndDateOnly", "missing")
    elif f.record["RecurrenceEndDateOnly"] is None:
        f.fault("RecurrenceEndDateOnly", "null")
    interval = fields["interval"]
    if interval is not None and not 1 <= interval <= _MAX_INTERVAL:
        # Salesforce's own limits are far lower; a huge one would only stall expansion.
        f.fault("RecurrenceInterval", f"not between 1 and {_MAX_INTERVAL}")
        fields["interval"] = None
    zone: str | None = fields["time_zone"]
    if any(fields[name] is None for name in ("type", "start", "end_date", "time_zone")):
        return _Series(None, RecurrenceFormat.CLASSIC, zone, None)
    try:
        rule = rec.classic_to_rrule(ClassicRecurrence(**fields))
    except RecurrenceError as error:
        for problem in error.problems:
            f.fault("RecurrenceType", problem)
        return _Series(None, RecurrenceFormat.CLASSIC, zone, None)
    except OverflowError:  # a start in year 1 east of UTC has no local time
        f.fault("RecurrenceStartDateTime", "out of the range of dates in its zone")
        return _Series(None, RecurrenceFormat.CLASSIC, zone, None)
    return _Series(Recurrence(rule=rule), RecurrenceFormat.CLASSIC, zone, None)


def _lightning(f: Fields, start: dt.datetime) -> _Series:
    text = f.text("Recurrence2PatternText", required=True) or ""
    zone = f.text("Recurrence2PatternTimeZone")
    rule = text.removeprefix("RRULE:")
    if not rule:
        return _Series(None, RecurrenceFormat.LIGHTNING, zone, None)
    try:
        # Lightning's meaning, not RFC 5545's: its BYMONTHDAY=31 falls on the last
        # day of shorter months, which the hub writes BYMONTHDAY=-1.
        canonical = rec.validate(rec.lightning_to_rrule(rule), start=start)
    except RecurrenceError as error:
        for problem in error.problems:
            f.fault("Recurrence2PatternText", problem)
        return _Series(None, RecurrenceFormat.LIGHTNING, zone, None)
    return _Series(Recurrence(rule=canonical), RecurrenceFormat.LIGHTNING, zone, None)
