"""What a moving window makes enter or leave (R-WINDOW), found through time indexes.

A thing's plain span ``[start, end]`` is in the window while ``start <= window
end`` and ``end >= window start``; as the window moves from ``t0`` to ``t1``,
only a thing starting in the hours the window's end passed, or ending in the
hours its start passed, can change: the hour buckets of ``Tables`` find those.

A series is in the window while any occurrence overlaps it, which can change
between two occurrences with nothing near the span's ends. For each series
the state keeps the instant before which its overlap cannot change (``quiet``):
the next time an occurrence's start meets the window's end, or an occurrence's
end leaves the window's start, at most ``HORIZON`` ahead. A run asks again
only about the series whose instant it has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Final

import attrs
from immutables import Map

from .._domain import moved, overlaps, window
from .._values import CalendarItem, OrgSettings, SfEvent
from ..recurrence._walk import first_between
from ._tables import NO_MAP, Set, Tables, Thing, hour

#: How far ahead a series' next change is looked for; past it, it is asked again.
HORIZON: Final = dt.timedelta(days=7)
_EMPTY: Set = Map()


@attrs.frozen(kw_only=True)
class Quiet:
    """Each series' next possible change of overlap, and the series by that hour."""

    at: Map[Thing, int] = NO_MAP  # thing → hour before which its overlap cannot change
    by_hour: Map[int, Set] = NO_MAP

    def due(self, t0: dt.datetime, t1: dt.datetime) -> Iterator[Thing]:
        """The series whose hour came by ``t1`` (every one not asked since)."""
        for h in hours(self.by_hour, min(self.by_hour, default=hour(t1)), hour(t1)):
            yield from self.by_hour[h]

    def update(self, changes: dict[Thing, int | None]) -> Quiet:
        at, by_hour = self.at.mutate(), self.by_hour.mutate()
        for thing, when in changes.items():
            old = at.get(thing)
            if old is not None:
                rest = by_hour[old].delete(thing)
                if rest:
                    by_hour[old] = rest
                else:
                    del by_hour[old]
                del at[thing]
            if when is not None:
                at[thing] = when
                by_hour[when] = by_hour.get(when, _EMPTY).set(thing, None)
        return Quiet(at=at.finish(), by_hour=by_hour.finish())


def hours(buckets: Map[int, Set], lo: int, hi: int) -> list[int]:
    """The hours from ``lo`` to ``hi`` that have a bucket, in order.

    Stepping hour by hour costs the time the clock jumped (a year: 8,760
    steps); past the number of buckets, the buckets are filtered instead.
    """
    if hi - lo + 1 <= len(buckets):
        return [h for h in range(lo, hi + 1) if h in buckets]
    return sorted(h for h in buckets if lo <= h <= hi)


def thing_of(t: Tables, thing: Thing) -> tuple[CalendarItem | SfEvent, ...]:
    if isinstance(thing, str):
        return t.all_events(thing)
    return t.all_items(thing)


def quiet_hour(thing: CalendarItem | SfEvent, settings: OrgSettings, t: dt.datetime) -> int | None:
    """The hour before which ``thing``'s overlap with the window at ``t`` cannot change.

    None for a thing that is not a series (its plain span is indexed instead).
    """
    series = thing.recurrence
    if series is None:
        return None
    length = thing.end - thing.start
    past, future = dt.timedelta(days=settings.past_days), dt.timedelta(days=settings.future_days)
    try:
        found = [t + HORIZON]
        front_lo = moved(t, settings.future_days)
        back_lo = moved(t, -settings.past_days) - length
        entering = _first(thing, front_lo)
        leaving = _first(thing, back_lo)
        if entering is not None:
            found.append(entering - future)
        if leaving is not None:
            found.append(leaving + length + past)
    except OverflowError:  # at the ends of time: ask again at the next run
        return hour(t)
    return hour(min(found))


def _first(thing: CalendarItem | SfEvent, lo: dt.datetime) -> dt.datetime | None:
    """The first start of a ``thing``'s occurrence in ``[lo, lo + HORIZON]``."""
    assert thing.recurrence is not None
    return first_between(
        thing.recurrence.rule,
        thing.start,
        lo,
        lo + HORIZON,
        time_zone=thing.time_zone,
        cancelled=thing.recurrence.cancelled,
    )


def flips(t: Tables, settings: OrgSettings, t0: dt.datetime, t1: dt.datetime) -> set[Thing]:
    """The things whose plain span enters or leaves the window between ``t0`` and ``t1``."""
    ws0, we0 = window(settings, t0)
    ws1, we1 = window(settings, t1)
    found: set[Thing] = set()
    for buckets, lo, hi in ((t.starts, we0, we1), (t.ends, ws0, ws1)):
        for h in hours(buckets, hour(lo), hour(hi)):
            found.update(buckets[h])
    return {
        thing
        for thing in found
        if any(
            (x.start <= we0 and x.end >= ws0) != (x.start <= we1 and x.end >= ws1)
            for x in thing_of(t, thing)
        )
    }


def series_flips(
    t: Tables, quiet: Quiet, settings: OrgSettings, t0: dt.datetime, t1: dt.datetime
) -> set[Thing]:
    """The series whose overlap with the window differs between ``t0`` and ``t1``."""
    w0, w1 = window(settings, t0), window(settings, t1)
    return {
        thing
        for thing in quiet.due(t0, t1)
        if any(overlaps(x, *w0) != overlaps(x, *w1) for x in thing_of(t, thing))
    }
