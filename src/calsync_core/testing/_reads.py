"""What a connector reads besides users' edits: series children, failed fetches, partial reads.

None of these is a user's edit, yet each is in what ``after`` holds: Salesforce
stores a Classic series sync saved as one event per occurrence besides the
series, a failed fetch shows a mailbox empty (R-EMPTY-GUARD), and a faithful
connector need not read what lies outside the window (see ``API.md``).
"""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import event as note_event
from hypothesis import strategies as st

from .. import recurrence as rec
from .._domain import organizer_of
from .._timezones import iana_name
from .._values import CalendarItem, SfEvent, Snapshot
from ._world import Draw, World, pick


def with_occurrences(snapshot: Snapshot, *, most: int = 2) -> Snapshot:
    """The snapshot with the occurrences Salesforce makes of each Classic series sync saved.

    Salesforce stores a Classic series as the series event and one child event
    per occurrence (``original_start``); a cancelled occurrence in the calendar
    deletes that child only (R-CANCEL). The first ``most`` occurrences here.
    """
    extra: list[SfEvent] = []
    for event in snapshot.events:
        series = event.recurrence
        if series is None or not event.created_by_sync or event.is_all_day:
            continue
        try:
            starts = rec.expand(
                series.rule, start=event.start, time_zone=iana_name(event.time_zone) or "UTC",
                after=event.start, before=event.start + dt.timedelta(days=60),
            )  # fmt: skip
        except rec.RecurrenceError:
            continue
        length = event.end - event.start
        extra.extend(
            attrs.evolve(
                event,
                id=f"{event.id}-o{k}",
                start=start.astimezone(dt.UTC),
                end=start.astimezone(dt.UTC) + length,
                recurrence=None,
                original_start=start.astimezone(dt.UTC),
            )
            for k, start in enumerate(starts[:most])
        )
    return attrs.evolve(snapshot, events=(*snapshot.events, *extra)) if extra else snapshot


def empty_fetch(draw: Draw, w: World) -> bool:
    """An organizer's mailbox comes back empty, as a failed fetch would (R-EMPTY-GUARD)."""
    organizers = sorted({i.mailbox for i in w.before.items if organizer_of(i) == i.mailbox})
    mailbox = pick(draw, organizers)
    if mailbox is None:
        return False
    for key in [k for k in w.items if k[0] == mailbox]:
        del w.items[key]
    w.done.append("empty fetch of an organizer's mailbox")
    return True


def as_read(draw: Draw, w: World) -> Snapshot:
    """What a faithful connector reads: maybe only the window and what ``before`` saw in it.

    A full read is a valid snapshot too (it holds more than it must), so half
    the time nothing is left out.
    """
    if draw(st.booleans()):
        before_items = {(i.mailbox, i.id): i for i in w.before.items}
        before_events = {e.id: e for e in w.before.events}

        def seen(thing: CalendarItem | SfEvent | None) -> bool:
            return thing is not None and w.in_window(thing)

        dropped = [
            k for k, i in w.items.items() if not w.in_window(i) and not seen(before_items.get(k))
        ]
        for key in dropped:
            del w.items[key]
        gone = [e for e, ev in w.events.items() if not w.in_window(ev)
                and not seen(before_events.get(e))]  # fmt: skip
        for event_id in gone:
            del w.events[event_id]
        if dropped or gone:
            w.done.append("out of view left out")
    for name in w.done:
        note_event(f"life: {name}")
    return w.snapshot()
