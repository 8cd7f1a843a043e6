"""The same organisation and the same 1% change rate, synchronised by vdirsyncer 0.21.

vdirsyncer pairs two collections of iCalendar items by UID, which is why each
mailbox copy gets its own UID here (``mailbox/item id``; the copies of one
meeting share an iCalendar UID in calsync, and vdirsyncer would refuse two
items with one UID in one collection). Side A holds the calendar items as
iCalendar text, side B what they became in Salesforce. Both are
``MemoryStorage``; the status is ``SqliteStatus(":memory:")``, as in
vdirsyncer's own tests, so no file or network I/O is timed.

The initial sync copies all of A to an empty B -- the counterpart of a first
run that creates every event. Each steady-state round then edits the same
meetings ``_synthetic.changed`` does (0.8% on A, 0.2% on B), through the
storages' own ``update`` and outside the timing, and times one ``sync``.
Unlike ``reconcile``, vdirsyncer's sync also carries its actions out (on the
memory storages) and rewrites its status table; at a 1% change rate its
actions are a small share of its time (see RESULTS.md).
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import _synthetic as syn

import calsync_core as cs


def ical(uid: str, item: cs.CalendarItem, **override: Any) -> str:
    """One VEVENT for ``item``, in UTC (no VTIMEZONE to strip), fields overridable."""
    fields: dict[str, Any] = {
        "subject": item.subject,
        "location": item.location,
        "body": item.body,
        "start": item.start,
        "end": item.end,
        **override,
    }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//calsync benchmarks//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261124T090000Z",
        f"DTSTART:{fields['start']:%Y%m%dT%H%M%SZ}",
        f"DTEND:{fields['end']:%Y%m%dT%H%M%SZ}",
        f"SUMMARY:{fields['subject']}",
        f"LOCATION:{fields['location']}",
        f"DESCRIPTION:{fields['body']}",
        f"ORGANIZER:mailto:{item.organizer}",
        *(f"ATTENDEE;PARTSTAT={a.response.value}:mailto:{a.email}" for a in item.attendees),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines)


def _calendar_text(uid: str, item: cs.CalendarItem, round_: int) -> str:
    edited = syn.calendar_edit(item, syn.meeting_number(item.ical_uid), round_)
    return ical(uid, edited)


def _salesforce_text(uid: str, item: cs.CalendarItem, round_: int) -> str:
    # The same choice as salesforce_edit, keyed on the meeting (B has no event ids).
    if syn.meeting_number(item.ical_uid) % 2 == 0:
        return ical(uid, item, subject=f"{item.subject} [SF {round_}]")
    return ical(uid, item, location=f"Customer site {round_}")


def measure(size: int, rounds: int) -> dict[str, Any]:
    """Seconds for vdirsyncer's initial sync and the best of ``rounds`` steady-state syncs."""
    return asyncio.run(_measure(size, rounds))


async def _measure(size: int, rounds: int) -> dict[str, Any]:
    from vdirsyncer.storage.memory import MemoryStorage
    from vdirsyncer.sync import sync
    from vdirsyncer.sync.status import SqliteStatus
    from vdirsyncer.vobject import Item

    org = syn.organisation(size)
    a, b = MemoryStorage(fileext=".ics"), MemoryStorage(fileext=".ics")
    on_a: list[tuple[str, cs.CalendarItem]] = []  # edited in the calendar
    on_b: list[tuple[str, cs.CalendarItem]] = []  # edited in Salesforce
    for item in org.first.items:
        uid = f"{item.mailbox}/{item.id}"
        await a.upload(Item(ical(uid, item)))
        m = syn.meeting_number(item.ical_uid)
        if m % syn.CALENDAR_EVERY == syn.CALENDAR_AT:
            on_a.append((uid, item))
        elif m % syn.SALESFORCE_EVERY == syn.SALESFORCE_AT:
            on_b.append((uid, item))
    del org, item
    status = SqliteStatus(":memory:")

    gc.collect()
    started, started_cpu = time.perf_counter(), time.process_time()
    await sync(a, b, status, conflict_resolution="a wins")
    initial, initial_wall = time.process_time() - started_cpu, time.perf_counter() - started
    assert len(b.items) == size, "the initial sync must copy every item"

    steady, steady_wall = [], []
    for round_ in range(rounds):
        for storage, edits, text in ((a, on_a, _calendar_text), (b, on_b, _salesforce_text)):
            for uid, item in edits:
                href = uid + ".ics"
                etag = storage.items[href][0]
                await storage.update(href, Item(text(uid, item, round_)), etag)
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        await sync(a, b, status, conflict_resolution="a wins")
        steady.append(time.process_time() - started_cpu)
        steady_wall.append(time.perf_counter() - started)
        # Every edit must have crossed over, or the round measured too little.
        for uid, _ in (*on_a, *on_b):
            href = uid + ".ics"
            assert a.items[href][1].raw == b.items[href][1].raw, f"{uid} did not sync"
    return {
        "size": size,
        "initial": initial,  # CPU seconds, as for reconcile
        "initial_wall": initial_wall,
        "steady": min(steady),
        "steady_all": {"cpu": steady, "wall": steady_wall},
        "edited_a": len(on_a),
        "edited_b": len(on_b),
    }


def profile(size: int) -> dict[str, float]:
    """Where one steady-state vdirsyncer sync spends its time: seconds per phase."""
    import cProfile
    import pstats

    import vdirsyncer.sync as vsync

    result: dict[str, float] = {}
    profiler = cProfile.Profile()
    original = vsync.sync
    calls = 0

    async def profiled(*args: Any, **kwargs: Any) -> None:
        # Profile only the last (steady-state) sync of a two-round measurement.
        nonlocal calls
        calls += 1
        if calls < 3:
            await original(*args, **kwargs)
            return
        profiler.enable()
        try:
            await original(*args, **kwargs)
        finally:
            profiler.disable()

    vsync.sync = profiled
    try:
        measure(size, rounds=2)
    finally:
        vsync.sync = original
    summary: Any = pstats.Stats(profiler)
    stats: Any = summary.stats
    result["total"] = summary.total_tt
    wanted = {
        "sync": "sync",
        "prepare_new_status": "look",
        "_get_actions": "decide",
        "run": "act",
    }
    for (filename, _line, name), row in stats.items():
        if "vdirsyncer/sync/__init__.py" in filename and name in wanted:
            result[wanted[name]] = result.get(wanted[name], 0.0) + row[3]
    return result
