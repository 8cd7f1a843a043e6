"""R-ISSUES and R-WINDOW for any rule: asking where a series occurs never raises, and
the bounded walk finds exactly what dateutil finds.

Rules are drawn with extreme values on purpose (COUNT up to 999,999,999, UNTIL in
year 1 or 9999, INTERVAL up to 999,999,999, BYxxx lists that never or rarely
match), from starts anywhere a datetime reaches. Where :func:`problem` accepts the
rule, the occurrences over a small span are compared with dateutil's, expanded
from the series' start the slow way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as du
from hypothesis import assume, example, given
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core.recurrence import RecurrenceError, expand
from calsync_core.recurrence import _walk as _recurrence
from calsync_core.recurrence._rrule import checked, render

pytestmark = pytest.mark.property

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata",
         "Pacific/Kiritimati", "Pacific/Pago_Pago"]  # fmt: skip
CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: 400 Gregorian years: weekdays, leap years and month lengths all repeat.
CYCLE = 400


def _numbers(values: st.SearchStrategy[int], most: int = 3) -> st.SearchStrategy[str]:
    return st.lists(values, min_size=1, max_size=most, unique=True).map(
        lambda xs: ",".join(map(str, xs))
    )


@st.composite
def rules(draw: st.DrawFn, *, wild: bool = True) -> str:
    """RRULE text with extreme values in every part.

    ``wild``: any combination of parts, RFC-valid or not, FREQ=HOURLY and COUNT over
    999 included. Otherwise only what RFC 5545 allows together and the planner takes.
    """
    freqs = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"] + (["HOURLY"] if wild else [])
    freq = draw(st.sampled_from(freqs))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        interval = st.integers(1, 13) | st.sampled_from([100, 400, 999, 999_999_999])
        parts.append(f"INTERVAL={draw(interval)}")
    end = draw(st.sampled_from(["none", "count", "until"]))
    if end == "count":
        extreme = [999, 1000, 999_999_999] if wild else [999]
        parts.append(f"COUNT={draw(st.integers(1, 60) | st.sampled_from(extreme))}")
    if end == "until":
        until = st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2100, 12, 31)) | st.sampled_from(
            [dt.datetime(9999, 12, 31), dt.datetime(9999, 12, 31, 23, 59, 59), dt.datetime(1, 1, 1)]
        )
        parts.append(f"UNTIL={draw(until).strftime('%Y%m%dT%H%M%S').zfill(15)}Z")
    by_any = False
    if draw(st.integers(0, 3)) == 0:
        parts.append(f"BYMONTH={draw(_numbers(st.integers(1, 12)))}")
        by_any = True
    if (wild or freq != "WEEKLY") and draw(st.integers(0, 3)) == 0:
        monthday = st.integers(1, 31) | st.integers(-31, -1)
        parts.append(f"BYMONTHDAY={draw(_numbers(monthday))}")
        by_any = True
    weekno = freq == "YEARLY" and draw(st.integers(0, 4)) == 0
    if draw(st.integers(0, 2)) == 0:
        numbered = wild or (freq in ("MONTHLY", "YEARLY") and not weekno)
        ordinals = st.integers(1, 5) | st.integers(-5, -1) | st.sampled_from([53, -53])
        ordinal = st.none() | ordinals if numbered else st.none()
        days = draw(st.lists(st.tuples(ordinal, st.sampled_from(CODES)), min_size=1, max_size=3))
        parts.append("BYDAY=" + ",".join(f"{'' if n is None else n}{code}" for n, code in days))
        by_any = True
    if freq == "YEARLY" and draw(st.integers(0, 4)) == 0:
        parts.append(f"BYYEARDAY={draw(_numbers(st.integers(1, 366) | st.integers(-366, -1)))}")
        by_any = True
    if weekno:
        parts.append(f"BYWEEKNO={draw(_numbers(st.integers(1, 53) | st.integers(-53, -1)))}")
        by_any = True
    if (wild or by_any) and draw(st.integers(0, 4)) == 0:
        parts.append(f"BYSETPOS={draw(_numbers(st.integers(1, 5) | st.integers(-5, -1), 2))}")
    if draw(st.integers(0, 4)) == 0:
        parts.append(f"WKST={draw(st.sampled_from(CODES))}")
    if draw(st.integers(0, 6)) == 0:
        parts.append(f"BYHOUR={draw(_numbers(st.integers(0, 23), 2 if wild else 1))}")
    return ";".join(parts)


def _start(year_from: int, year_to: int) -> st.SearchStrategy[dt.datetime]:
    return st.datetimes(dt.datetime(year_from, 1, 1), dt.datetime(year_to, 12, 31, 23, 59)).map(
        lambda d: d.replace(second=0, microsecond=0, tzinfo=dt.UTC)
    )


anywhere = st.datetimes(dt.datetime.min, dt.datetime.max).map(lambda d: d.replace(tzinfo=dt.UTC))


@given(
    rules(),
    anywhere | _start(1970, 2100),
    st.timedeltas(dt.timedelta(0), dt.timedelta(days=3_000_000)),
    anywhere,
    anywhere,
    st.sampled_from(ZONES),
)
@example("FREQ=DAILY;UNTIL=99991231T000000Z", dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
         dt.timedelta(hours=1), dt.datetime(9999, 12, 1, tzinfo=dt.UTC),
         dt.datetime.max.replace(tzinfo=dt.UTC), "Pacific/Kiritimati")  # fmt: skip
@example("FREQ=MONTHLY;BYDAY=10MO", dt.datetime(2024, 11, 1, tzinfo=dt.UTC),
         dt.timedelta(hours=1), dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
         dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "UTC")  # fmt: skip
def test_p_isolation_asking_where_a_series_occurs_never_raises(
    rule: str,
    start: dt.datetime,
    length: dt.timedelta,
    lo: dt.datetime,
    hi: dt.datetime,
    zone: str,
) -> None:
    problem = _recurrence.problem(rule, start, time_zone=zone)
    assert problem is None or problem.startswith(("invalid recurrence rule", "recurrence rule"))
    steps = _recurrence.Steps()
    found = _recurrence.occurs_between(rule, start, length, lo, hi, time_zone=zone, steps=steps)
    assert isinstance(found, bool)
    # The period that breaks the budget ends the walk: a year of candidate days at most.
    assert steps.used <= _recurrence.MAX_STEPS + 1 + 366


def reference(
    rule: str, start: dt.datetime, zone: ZoneInfo, after: dt.datetime, before: dt.datetime
) -> list[dt.datetime]:
    """dateutil's occurrences within [after, before], walked from the series' start.

    Everything is moved forward by whole 400-year cycles first, until the span's end
    lies in the last cycle before year 10000: dateutil then runs out of years soon
    after the span even for a rule that yields nothing more (it would otherwise
    walk to year 9999), and nothing else changes.
    """
    parsed = checked(rule, start)
    local = start.astimezone(zone).replace(tzinfo=None)
    high = before.astimezone(zone).replace(tzinfo=None) + dt.timedelta(days=1)
    low = after.astimezone(zone).replace(tzinfo=None) - dt.timedelta(days=1)
    years = (dt.MAXYEAR - 1 - high.year) // CYCLE * CYCLE

    def later(moment: dt.datetime) -> dt.datetime:
        return moment.replace(year=moment.year + years)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        series = du.rrulestr(render(parsed, with_until=False, with_wkst=True), dtstart=later(local))
    until = parsed.until if isinstance(parsed.until, dt.datetime) else None
    found = []
    for moved in series.between(later(low), later(high), inc=True):
        wall = moved.replace(year=moved.year - years)
        occurrence = wall.replace(tzinfo=zone)
        moment = occurrence.astimezone(dt.UTC)
        if after <= moment <= before and (until is None or moment <= until):
            found.append(occurrence)
    return found


@given(
    rules(wild=False),
    _start(1970, 2100),
    st.integers(-40, 3000),
    st.integers(0, 45),
    st.sampled_from(ZONES),
    st.timedeltas(dt.timedelta(0), dt.timedelta(days=3)),
)
def test_p_window_bounded_walk_agrees_with_dateutil(
    rule: str, start: dt.datetime, offset: int, days: int, zone: str, length: dt.timedelta
) -> None:
    assume(_recurrence.problem(rule, start, time_zone=zone) is None)
    series_zone = ZoneInfo(zone)
    lo = start + dt.timedelta(days=offset, hours=offset % 24)
    hi = lo + dt.timedelta(days=days)
    try:
        expected = reference(rule, start, series_zone, lo, hi)
    except IndexError:  # dateutil fails on ordinals a month cannot hold (BYDAY=10MO)
        assume(False)
    local_start = start.astimezone(series_zone)
    assert expand(rule, start=local_start, time_zone=zone, after=lo, before=hi) == expected

    try:
        overlapping = reference(rule, start, series_zone, lo - length, hi)
    except IndexError:
        assume(False)
    found = _recurrence.occurs_between(rule, start, length, lo, hi, time_zone=zone)
    assert found == bool(overlapping)
    if overlapping:  # and a cancelled occurrence is no occurrence
        cancelled = frozenset(overlapping[:1])
        again = _recurrence.occurs_between(
            rule, start, length, lo, hi, time_zone=zone, cancelled=cancelled
        )
        assert again == (len(overlapping) > 1)


@given(rules(), _start(1970, 2100), st.sampled_from(ZONES))
def test_p_window_refusals_are_for_rules_no_calendar_holds(
    rule: str, start: dt.datetime, zone: str
) -> None:
    problem = _recurrence.problem(rule, start, time_zone=zone)
    try:
        parsed = checked(rule, start)
    except RecurrenceError:
        assert problem is not None
        assert problem.startswith("invalid recurrence rule")
        return
    daily_or_coarser = parsed.freq in _recurrence.CALENDAR_FREQS
    once_a_day = len(parsed.byhour) <= 1
    if not daily_or_coarser or not once_a_day or (parsed.count or 0) > 999:
        assert problem is not None
        assert "not expanded" in problem
    elif problem is not None:
        # Anything else refused is a rule whose first occurrence, or COUNT-th, lies
        # beyond the budget -- which covers more than a year of any rule's periods.
        assert "steps" in problem or "no occurrence" in problem
        if parsed.count is None:
            year = start + dt.timedelta(days=366)
            # (dateutil fails on ordinals a month cannot hold, BYDAY=10MO: nothing to compare)
            with contextlib.suppress(IndexError):
                assert reference(rule, start, ZoneInfo(zone), start, year) == []


@given(
    rules(),
    anywhere,
    st.timedeltas(dt.timedelta(0), dt.timedelta(days=3_000_000)),
    anywhere,
    st.sampled_from(ZONES),
    st.booleans(),
)
@example("FREQ=DAILY;UNTIL=99991231T000000Z", dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
         dt.timedelta(hours=1), dt.datetime(9999, 12, 30, tzinfo=dt.UTC), "Pacific/Kiritimati",
         True)  # fmt: skip
@example("FREQ=WEEKLY", dt.datetime.min.replace(tzinfo=dt.UTC), dt.timedelta(hours=1),
         dt.datetime(1, 1, 2, tzinfo=dt.UTC), "America/New_York", False)  # fmt: skip
def test_p_isolation_reconcile_plans_any_series_anywhere_in_time(
    rule: str,
    start: dt.datetime,
    length: dt.timedelta,
    as_of: dt.datetime,
    zone: str,
    by_hand: bool,
) -> None:
    latest = dt.datetime.max.replace(tzinfo=dt.UTC)
    end = start + length if length <= latest - start else latest
    mailbox = "alice@acme.example"
    settings = cs.OrgSettings(
        users=(cs.UserSettings(email=mailbox, sf_user_id="005alice", appointment_autosave=True),),
        advanced_calendaring=True, recurring_events=True,
    )  # fmt: skip
    item = cs.CalendarItem(
        id="item", ical_uid="uid", mailbox=mailbox, start=start, end=end, time_zone=zone,
        recurrence=cs.Recurrence(rule=rule),
        categories=frozenset({"Salesforce"}) if by_hand else frozenset(),
    )  # fmt: skip
    made_there = cs.SfEvent(
        id="00Uevent", owner_id="005alice", start=start, end=end, time_zone=zone,
        recurrence=cs.Recurrence(rule=rule),
        recurrence_format=cs.RecurrenceFormat.LIGHTNING if by_hand else cs.RecurrenceFormat.CLASSIC,
    )  # fmt: skip
    snapshot = cs.Snapshot(as_of=as_of, items=(item,), events=(made_there,))
    plan = cs.reconcile(snapshot, snapshot, settings)
    assert isinstance(plan, cs.Plan)
    first = cs.reconcile(None, snapshot, settings)
    assert {decision.ref for decision in first.decisions} >= {"item", "00Uevent"}
