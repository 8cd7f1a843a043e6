"""Recurring series in the three forms the sync meets, and their occurrences.

Owns R-RECURRING-FORMAT (how a series is written for each side) and the parts of
R-TIMEZONE that concern series. Exchange describes a series as a Microsoft Graph
``patternedRecurrence``; Salesforce as either Lightning's RFC 5545 RRULE text
(``Recurrence2PatternText``) or Classic's fields (``RecurrenceType`` ...). RRULE
text is the hub: every converter goes to or from it, and refuses -- with a
:class:`RecurrenceError` naming the problem -- rather than write a series whose
occurrences would differ from the source's. Everything here is pure; parsing is
dateutil's (and checked again here), zones are zoneinfo's, and expansion keeps
dateutil's meaning of every RRULE part but walks only the periods of the span it
is asked about (see :func:`expand`).

What is refused, and why:

* :func:`validate` -- what RFC 5545 forbids: malformed text, unknown parts or
  FREQ, COUNT with UNTIL, INTERVAL or COUNT below 1, an UNTIL of the wrong kind
  for the start (UTC ``Z`` when the start is aware, floating when it is not).
* :func:`rrule_to_graph` -- what no Exchange pattern holds: FREQ finer than
  DAILY, BYHOUR/BYMINUTE/BYSECOND/BYYEARDAY/BYWEEKNO, several months or month
  days (other than the day-29/30/31 encodings), BYSETPOS other than the relative
  encoding, BYDAY ordinals other than 1-4 and -1, a monthly day 29-31 that
  *skips* short months (RFC) where Exchange would fall on their last day.
* :func:`rrule_to_classic` -- all of the above, and what Classic lacks: a series
  without end, a yearly interval, a weekly series on several days with an
  interval (Classic has no week start), a first occurrence in a DST gap.
* :func:`check_lightning` -- Lightning's own limits (see there).
* :func:`rrule_to_lightning` -- those limits, and a day 29 or 30 (or February 29)
  that falls on the last day of shorter months: Lightning has no form for it.

Encodings chosen (the same for Graph and Classic, whose ``DayOfMonth`` is read
with Outlook's meaning -- an assumption, Salesforce does not document it):

* Exchange day 31 is ``BYMONTHDAY=-1``; day 30 ``BYMONTHDAY=28,29,30;BYSETPOS=-1``;
  day 29 ``BYMONTHDAY=28,29;BYSETPOS=-1``; a yearly day too big for its month
  (February 29) ``BYMONTHDAY=-1``. ``28,...,31;BYSETPOS=-1`` is read as day 31.
* An ``endDate`` or ``RecurrenceEndDateOnly`` (a date in the series' zone) is
  ``UNTIL`` at the last second of that local day, in UTC; the way back takes the
  last local date whose occurrence is not after UNTIL.
* Classic has no COUNT: the series is expanded and ``RecurrenceEndDateOnly`` is
  the local date of its last occurrence. Its ``RecurrenceStartDateTime`` is the
  first occurrence.
* Graph's ``range.startDate`` is the first occurrence's date too: Exchange counts
  a monthly or yearly interval from the first occurrence on or after startDate,
  so an RRULE's DTSTART is that occurrence (:func:`graph_first_occurrence`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from .._recurrence_values import ClassicRecurrence, RecurrenceError
from ._classic import from_classic, to_classic
from ._lightning import from_lightning, lightning_problems, to_lightning
from ._pattern import (
    ABSOLUTE_MONTHLY,
    ABSOLUTE_YEARLY,
    RELATIVE_MONTHLY,
    RELATIVE_YEARLY,
    from_graph,
    from_rule,
    graph_start_date,
    to_graph,
    to_rule,
)
from ._rrule import checked, render
from ._walk import expand as _expand
from ._walk import first_occurrence
from ._zones import instant, local, zone_key, zoneinfo

__all__ = [
    "ClassicRecurrence",
    "RecurrenceError",
    "check_lightning",
    "classic_to_rrule",
    "expand",
    "graph_first_occurrence",
    "graph_to_rrule",
    "lightning_to_rrule",
    "rrule_to_classic",
    "rrule_to_graph",
    "rrule_to_lightning",
    "validate",
]

# Documented, pickled and shown in tracebacks as members of this public module.
RecurrenceError.__module__ = __name__
ClassicRecurrence.__module__ = __name__


def validate(rule: str, *, start: dt.datetime) -> str:
    """``rule`` checked against RFC 5545 for a series starting at ``start``, in canonical text.

    Canonical text has no ``RRULE:`` prefix, its parts in one fixed order (FREQ,
    INTERVAL, COUNT, UNTIL, BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY,
    BYHOUR, BYMINUTE, BYSECOND, BYSETPOS, WKST), sorted values, and no
    ``INTERVAL=1`` or ``WKST=MO`` (the defaults).

    >>> from zoneinfo import ZoneInfo
    >>> start = dt.datetime(2024, 1, 1, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    >>> validate("RRULE:byday=FR,MO;interval=1;freq=weekly", start=start)
    'FREQ=WEEKLY;BYDAY=MO,FR'
    >>> validate("FREQ=DAILY;COUNT=3;UNTIL=20240105T000000Z", start=start)
    Traceback (most recent call last):
    ...
    calsync_core.recurrence.RecurrenceError: COUNT and UNTIL given together
    >>> validate("FREQ=DAILY;UNTIL=20240105T000000", start=start)
    Traceback (most recent call last):
    ...
    calsync_core.recurrence.RecurrenceError: UNTIL is floating but the start is \
timezone-aware: UNTIL must be UTC (…Z)
    """
    return render(checked(rule, start))


def graph_to_rrule(recurrence: Mapping[str, Any], *, time_zone: str | None = None) -> str:
    """RRULE text for a Microsoft Graph ``patternedRecurrence`` (``{"pattern", "range"}``).

    Pattern types daily, weekly, absoluteMonthly, relativeMonthly, absoluteYearly
    and relativeYearly; ``daysOfWeek`` may also hold EWS's ``day``, ``weekday``
    and ``weekendDay``. Only the fields a type uses are read, so Graph's filler
    values (``"dayOfMonth": 0`` on a weekly pattern) do no harm. A weekly
    pattern's ``firstDayOfWeek`` (Graph's default: sunday) becomes WKST. An
    ``endDate`` is a date in ``range.recurrenceTimeZone`` -- or, when Graph left
    that out, in ``time_zone`` (the event's zone) -- and becomes UNTIL at the last
    second of that local day. Day 29-31 keep Exchange's meaning (module docstring).
    ``range.startDate`` is not in the text: the rule's DTSTART is the series' first
    occurrence, :func:`graph_first_occurrence`.

    >>> graph_to_rrule({
    ...     "pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31},
    ...     "range": {"type": "endDate", "startDate": "2024-01-31", "endDate": "2024-06-30",
    ...               "recurrenceTimeZone": "W. Europe Standard Time"},
    ... })
    'FREQ=MONTHLY;UNTIL=20240630T215959Z;BYMONTHDAY=-1'
    >>> graph_to_rrule({
    ...     "pattern": {"type": "relativeMonthly", "interval": 2, "daysOfWeek": ["weekday"],
    ...                 "index": "last"},
    ...     "range": {"type": "numbered", "numberOfOccurrences": 10},
    ... })
    'FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1'
    """
    return render(to_rule(from_graph(recurrence, time_zone)))


def rrule_to_graph(rule: str, *, start: dt.datetime, time_zone: str) -> dict[str, Any]:
    """The Graph ``patternedRecurrence`` for ``rule`` from ``start`` in ``time_zone``.

    ``time_zone`` (Windows or IANA id) is the series' zone: it gives the start's
    local date and weekday, and is written as ``range.recurrenceTimeZone``.
    ``range.startDate`` is the date of the rule's first occurrence, not of
    ``start``: Exchange counts a monthly or yearly interval from the first
    occurrence on or after startDate, so a startDate before it could start the
    series a period early (write the event's start there too; Graph wants them to
    agree). ``COUNT`` becomes a numbered range, ``UNTIL`` an endDate, neither
    noEnd. RecurrenceError for what no Exchange pattern holds (module docstring).

    >>> from zoneinfo import ZoneInfo
    >>> start = dt.datetime(2024, 3, 8, 9, tzinfo=ZoneInfo("America/New_York"))
    >>> graph = rrule_to_graph("FREQ=MONTHLY;COUNT=6;BYDAY=-1FR", start=start,
    ...                        time_zone="Eastern Standard Time")
    >>> graph["pattern"]
    {'type': 'relativeMonthly', 'interval': 1, 'daysOfWeek': ['friday'], 'index': 'last'}
    >>> graph["range"]["type"], graph["range"]["startDate"], graph["range"]["numberOfOccurrences"]
    ('numbered', '2024-03-29', 6)
    >>> rrule_to_graph("FREQ=MONTHLY;BYMONTHDAY=31", start=start, time_zone="America/New_York")
    Traceback (most recent call last):
    ...
    calsync_core.recurrence.RecurrenceError: BYMONTHDAY=31 cannot be expressed: Exchange \
takes one day, which falls on the last day of shorter months (write -1 or 28,...,d;BYSETPOS=-1 \
for that)
    """
    zone = zoneinfo(time_zone)
    begin = local(start, zone, "start")
    parsed = checked(rule, begin)
    pattern = from_rule(parsed, begin)
    first = first_occurrence(parsed, begin, zone)
    return to_graph(pattern, first, zone, time_zone)


def graph_first_occurrence(
    recurrence: Mapping[str, Any], *, start: dt.datetime, time_zone: str | None = None
) -> dt.datetime:
    """The first occurrence of a Graph series: the DTSTART for :func:`graph_to_rrule`'s rule.

    ``start`` is the event's start: its wall time in the series' zone
    (``range.recurrenceTimeZone``, else ``time_zone``) is every occurrence's, and
    its date stands in for a missing ``range.startDate``. Exchange applies the
    pattern from startDate and, for a monthly or yearly pattern, counts the interval
    from the first occurrence on or after it (Microsoft Graph, "Schedule repeating
    appointments as recurring events in Outlook": the first Thursday of every other
    month from startDate 2017-08-29 first occurs in September). A daily or weekly
    pattern's first occurrence is RFC 5545's, from the start.

    >>> from zoneinfo import ZoneInfo
    >>> series = {
    ...     "pattern": {"type": "relativeMonthly", "interval": 2, "daysOfWeek": ["thursday"],
    ...                 "index": "first"},
    ...     "range": {"type": "noEnd", "startDate": "2017-08-29"},
    ... }
    >>> start = dt.datetime(2017, 8, 29, 14, tzinfo=ZoneInfo("America/New_York"))
    >>> graph_first_occurrence(series, start=start, time_zone="America/New_York").isoformat()
    '2017-09-07T14:00:00-04:00'
    """
    span = recurrence.get("range")
    zone_id = span.get("recurrenceTimeZone") if isinstance(span, Mapping) else None
    zone_id = zone_id or time_zone
    if not isinstance(zone_id, str):
        raise RecurrenceError(
            "range.recurrenceTimeZone is missing: pass time_zone= with the event's zone"
        )
    zone = zoneinfo(zone_id)
    begin = local(start, zone, "start")
    day = graph_start_date(recurrence) or begin.date()
    begin = dt.datetime.combine(day, begin.time(), tzinfo=zone)
    pattern = from_graph(recurrence, zone_id)
    rule = to_rule(pattern)
    in_month = (ABSOLUTE_MONTHLY, RELATIVE_MONTHLY, ABSOLUTE_YEARLY, RELATIVE_YEARLY)
    if pattern.kind in in_month:
        rule = attrs.evolve(rule, interval=1)  # the first match on or after startDate
    return first_occurrence(rule, begin, zone)


def rrule_to_classic(rule: str, *, start: dt.datetime, time_zone: str) -> ClassicRecurrence:
    """Salesforce Classic recurrence fields for ``rule`` from ``start`` in ``time_zone``.

    ``RecurrenceStartDateTime`` is the first occurrence; a COUNT is expanded to
    the local date of the last occurrence. RecurrenceError for what Classic cannot
    hold (module docstring), the endless series first among them.

    >>> from zoneinfo import ZoneInfo
    >>> start = dt.datetime(2024, 3, 8, 9, tzinfo=ZoneInfo("America/New_York"))
    >>> classic = rrule_to_classic("FREQ=WEEKLY;COUNT=4;BYDAY=TU,TH", start=start,
    ...                            time_zone="America/New_York")
    >>> classic.type, classic.day_of_week_mask, classic.end_date.isoformat()
    ('RecursWeekly', 20, '2024-03-21')
    >>> classic.fields()["RecurrenceStartDateTime"]
    '2024-03-12T13:00:00Z'
    >>> rrule_to_classic("FREQ=DAILY", start=start, time_zone="America/New_York")
    Traceback (most recent call last):
    ...
    calsync_core.recurrence.RecurrenceError: Classic needs an end date (RecurrenceEndDateOnly); \
the rule never ends
    """
    key = zone_key(time_zone)
    zone = zoneinfo(key)
    begin = local(start, zone, "start")
    return to_classic(from_rule(checked(rule, begin), begin), begin, key)


def classic_to_rrule(classic: ClassicRecurrence) -> str:
    """RRULE text for Classic fields; the series starts at ``classic.start``.

    ``RecurrenceEndDateOnly`` becomes UNTIL at the last second of that day in
    ``RecurrenceTimeZoneSidKey``.

    >>> classic = ClassicRecurrence(
    ...     type="RecursMonthlyNth", interval=1, day_of_week_mask=2, instance="Second",
    ...     start=dt.datetime(2024, 1, 8, 14, tzinfo=dt.UTC), end_date=dt.date(2024, 12, 31),
    ...     time_zone="America/New_York")
    >>> classic_to_rrule(classic)
    'FREQ=MONTHLY;UNTIL=20250101T045959Z;BYDAY=2MO'
    """
    return render(to_rule(from_classic(classic)))


def check_lightning(rule: str) -> str:
    """``rule`` unchanged if Salesforce Lightning takes it as ``Recurrence2PatternText``.

    Lightning takes only FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH,
    BYSETPOS and WKST; at most 512 characters; INTERVAL 1-999 daily, 1-99 weekly
    or monthly, 1 yearly; COUNT 1-999; never COUNT with UNTIL; BYMONTHDAY 1-31;
    one BYSETPOS of 1-4 or -1, only with one plain BYDAY weekday in a monthly or
    yearly rule; a numbered BYDAY only as one day numbered 1-4 or -1; no BYDAY
    with FREQ=DAILY (the Event object's ``Recurrence2PatternText``, Salesforce
    Object Reference). RecurrenceError names every limit broken.

    >>> check_lightning("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO")
    'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO'
    >>> check_lightning("FREQ=YEARLY;INTERVAL=2;BYHOUR=9")
    Traceback (most recent call last):
    ...
    calsync_core.recurrence.RecurrenceError: Lightning does not take BYHOUR; Lightning takes \
only INTERVAL=1 with FREQ=YEARLY, not 2
    """
    problems = lightning_problems(rule)
    if problems:
        raise RecurrenceError(*problems)
    return rule


def rrule_to_lightning(rule: str) -> str:
    """Lightning's ``Recurrence2PatternText`` for RRULE text, canonical.

    The hub's "day 31, or the month's last day" (``BYMONTHDAY=-1``, as
    :func:`graph_to_rrule` writes it) becomes ``BYMONTHDAY=31``, which Salesforce
    documents as falling on the last day of shorter months. Exchange's days 29 and
    30 and February 29, which fall on the last day of shorter months too, have no
    Lightning form and are refused, as is anything :func:`check_lightning` refuses.

    >>> rrule_to_lightning("FREQ=MONTHLY;BYMONTHDAY=-1")
    'FREQ=MONTHLY;BYMONTHDAY=31'
    >>> rrule_to_lightning("FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1")
    Traceback (most recent call last):
    ...
    calsync_core.recurrence.RecurrenceError: day 30 of the month, falling on the last day of \
shorter months, has no Lightning form: Lightning's BYMONTHDAY=31 alone falls on a shorter \
month's last day
    """
    return to_lightning(rule)


def lightning_to_rrule(text: str) -> str:
    """Canonical RRULE text for Lightning's ``Recurrence2PatternText``.

    Lightning's ``BYMONTHDAY=31`` falls on the last day of shorter months, so it
    reads as ``BYMONTHDAY=-1``. RecurrenceError if Lightning would not take ``text``.

    >>> lightning_to_rrule("RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31")
    'FREQ=MONTHLY;BYMONTHDAY=-1'
    """
    return from_lightning(text)


def expand(
    rule: str,
    *,
    start: dt.datetime,
    time_zone: str | dt.tzinfo,
    after: dt.datetime,
    before: dt.datetime,
) -> list[dt.datetime]:
    """Occurrence starts of ``rule`` from ``start`` within ``[after, before]``.

    Occurrences are aware, in the series' zone ``time_zone`` (a Windows or IANA
    id, or a pytz, zoneinfo or dateutil zone: all give the same result) and keep
    ``start``'s wall-clock time there across DST changes. A wall time that does
    not exist is kept as is; an ambiguous one gets ``fold=0``. ``UNTIL`` is an
    instant. ``start``, ``after`` and ``before`` must be aware (any library).

    The work is bounded by the span asked about, not by the series' age: the walk
    starts at the span, in step with the series' INTERVAL. Only COUNT needs the
    occurrences before it, and a COUNT whose occurrences take more than 50,000
    steps to find is a RecurrenceError. So are what no calendar holds and no walk
    here takes: FREQ finer than DAILY, several times a day (BYHOUR, BYMINUTE,
    BYSECOND lists), COUNT over 999 (Salesforce's ceiling).

    >>> from zoneinfo import ZoneInfo
    >>> start = dt.datetime(2024, 3, 8, 9, tzinfo=ZoneInfo("America/New_York"))
    >>> days = expand("FREQ=DAILY;COUNT=3", start=start, time_zone="Eastern Standard Time",
    ...               after=start, before=start + dt.timedelta(days=7))
    >>> [day.isoformat() for day in days]
    ['2024-03-08T09:00:00-05:00', '2024-03-09T09:00:00-05:00', '2024-03-10T09:00:00-04:00']
    >>> expand("FREQ=HOURLY", start=start, time_zone="America/New_York", after=start,
    ...        before=start)
    Traceback (most recent call last):
    ...
    calsync_core.recurrence.RecurrenceError: FREQ=HOURLY: Exchange and Salesforce repeat a \
calendar item at most daily
    """
    zone = zoneinfo(time_zone)
    begin = local(start, zone, "start")
    parsed = checked(rule, begin)
    return _expand(parsed, begin, zone, instant(after, "after"), instant(before, "before"))
