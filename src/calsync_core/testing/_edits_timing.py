"""Edits to when and whether meetings happen: rescheduling, and cancellations.

Each is an everyday way for a sync to delete or resurrect: a linked meeting
rescheduled past the window must not look deleted (R-WINDOW), one moved back
must not be made twice, and a copy Exchange marks cancelled because its owner
was removed is not the organizer cancelling (R-CANCEL). See :mod:`._life`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
from hypothesis import strategies as st

from .. import recurrence as rec
from .._domain import organizer_of
from .._timezones import iana_name
from .._values import CalendarItem
from ._world import Draw, World, into_window, out_of_window, pick, shift_to

# -- rescheduling past the window and back (R-WINDOW, R-CANCEL, R-DOWN-DELETE) ------------------


def reschedule_item_out(draw: Draw, w: World) -> bool:
    """The organizer moves a linked meeting (every copy) past the window."""
    meetings = w.masters()
    linked = [uid for uid, copies in meetings.items()
              if any(c.sf_event_id for c in copies) and any(map(w.in_window, copies))]  # fmt: skip
    return _move_meeting(draw, w, meetings, linked, out_of_window)


def reschedule_item_back(draw: Draw, w: World) -> bool:
    """The organizer moves a meeting ``before`` saw outside the window back into it."""
    meetings = w.masters()
    outside = [uid for uid, copies in meetings.items() if not any(map(w.in_window, copies))]
    return _move_meeting(draw, w, meetings, outside, into_window)


def reschedule_event_out(draw: Draw, w: World) -> bool:
    """Someone moves a linked event past the window in Salesforce."""
    linked = sorted(e for e, event in w.events.items() if event.ical_uid and w.in_window(event))
    return _move_event(draw, w, linked, out_of_window)


def reschedule_event_back(draw: Draw, w: World) -> bool:
    """Someone moves an event ``before`` saw outside the window back into it."""
    outside = sorted(e for e, event in w.events.items() if not w.in_window(event))
    return _move_event(draw, w, outside, into_window)


def _move_meeting(
    draw: Draw,
    w: World,
    meetings: dict[str, list[CalendarItem]],
    uids: list[str],
    where: Callable[[Draw, World], dt.datetime],
) -> bool:
    """One of the meetings ``uids`` moved to start at ``where``, every copy alike."""
    uid = pick(draw, uids)
    if uid is None:
        return False
    copies = meetings[uid]
    start = where(draw, w)
    # Each copy keeps its offset from the first: the organizer moves one meeting.
    for copy in copies:
        w.put(copy, **shift_to(copy, start + (copy.start - copies[0].start)))
    return True


def _move_event(
    draw: Draw, w: World, event_ids: list[str], where: Callable[[Draw, World], dt.datetime]
) -> bool:
    """One of the events ``event_ids`` moved to start at ``where``."""
    event_id = pick(draw, event_ids)
    if event_id is None:
        return False
    event = w.events[event_id]
    w.put_event(event, **shift_to(event, where(draw, w)))
    return True


# -- cancellations that are not the organizer's (R-CANCEL) --------------------------------------


def remove_attendee(draw: Draw, w: World) -> bool:
    """The organizer removes an internal attendee: their copy is marked cancelled."""
    meetings = w.masters()
    options = [
        (uid, copy.mailbox)
        for uid, copies in meetings.items()
        for copy in copies
        if copy.mailbox != organizer_of(copy) and not copy.is_cancelled
    ]
    choice = pick(draw, options)
    if choice is None:
        return False
    uid, removed = choice
    for copy in meetings[uid]:
        if copy.mailbox == removed:
            w.put(copy, is_cancelled=True)
        else:
            kept = tuple(a for a in copy.attendees if a.email != removed)
            w.put(copy, attendees=kept)
    return True


def external_organizer_cancels(draw: Draw, w: World) -> bool:
    """An organizer who is not a synced user cancels: every attendee's copy is cancelled."""
    users = w.users
    meetings = w.masters()
    options = [uid for uid, copies in meetings.items()
               if organizer_of(copies[0]) not in users]  # fmt: skip
    uid = pick(draw, options)
    if uid is None:
        return False
    organizer = organizer_of(meetings[uid][0])
    for copy in meetings[uid]:
        if organizer_of(copy) == organizer:  # Exchange cancels the meeting's copies only
            w.put(copy, is_cancelled=True)
    return True


def cancel_occurrence(draw: Draw, w: World) -> bool:
    """The organizer cancels one occurrence of a series, in every copy.

    Graph leaves a cancelled occurrence out of the instances (the master's
    ``recurrence.cancelled``); EWS may show it as a cancelled exception item.
    """
    meetings = w.masters()
    # Every copy a series: a copy that is no series (one edited on its own) has no
    # occurrence to cancel.
    series = [
        uid for uid, copies in meetings.items() if all(c.recurrence is not None for c in copies)
    ]
    uid = pick(draw, series)
    if uid is None:
        return False
    first = meetings[uid][0]
    assert first.recurrence is not None
    lo, hi = w.window
    try:
        starts = rec.expand(
            first.recurrence.rule,
            start=first.start,
            time_zone=iana_name(first.time_zone) or "UTC",
            after=min(lo, first.start),
            before=max(hi, first.start + dt.timedelta(days=1)),
        )
    except rec.RecurrenceError:
        return False
    if not starts:
        return False
    when = draw(st.sampled_from(starts[:6])).astimezone(dt.UTC)
    as_exception = draw(st.booleans())
    for copy in meetings[uid]:
        assert copy.recurrence is not None
        if as_exception:
            length = copy.end - copy.start
            w.items[(copy.mailbox, f"{copy.id}#{when:%Y%m%dT%H%M}")] = attrs.evolve(
                copy,
                id=f"{copy.id}#{when:%Y%m%dT%H%M}",
                recurrence=None,
                original_start=when,
                start=when,
                end=when + length,
                is_cancelled=True,
                sf_event_id=None,
                version="x1",
            )
        else:
            cancelled = copy.recurrence.cancelled | {when}
            w.put(copy, recurrence=attrs.evolve(copy.recurrence, cancelled=cancelled))
    return True
