"""Time ``reconcile`` on synthetic organisations: a first run and a steady-state run.

Run: ``python benchmarks/bench_reconcile.py [SIZES...]`` (default 1000 10000 100000).
Prints one row per size: items, first-run and steady-state seconds (best of
three), microseconds per item, and the ratio to a floor loop that only
indexes both snapshots and compares versions -- the least any version-based
planner must do. Numbers inform; they never gate CI.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable

import attrs

import calsync_core as cs

AS_OF = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)


def organisation(size: int) -> tuple[cs.OrgSettings, cs.Snapshot]:
    """``size`` items: meetings shared by 1-3 of 200 users, external organizers with records."""
    users = tuple(
        cs.UserSettings(email=f"u{n}@acme.example", sf_user_id=f"005{n:012d}") for n in range(200)
    )
    settings = cs.OrgSettings(users=users, company_domains=frozenset({"acme.example"}))
    items: list[cs.CalendarItem] = []
    records: list[cs.Record] = []
    meeting = 0
    while len(items) < size:
        customer = f"c{meeting % 5000}@cust{meeting % 97}.example"
        if meeting < 5000:
            records.append(
                cs.Record(
                    id=f"003{meeting:015d}",
                    kind=cs.RecordKind.CONTACT,
                    email=customer,
                    account_id=f"001{meeting % 97:015d}",
                )
            )
        start = AS_OF + dt.timedelta(hours=meeting % (24 * 70) - 24 * 10)
        for copy in range(1 + meeting % 3):
            owner = users[(meeting + copy * 7) % len(users)].email
            items.append(
                cs.CalendarItem(
                    id=f"AAMk{meeting}-{copy}",
                    ical_uid=f"uid-{meeting}",
                    mailbox=owner,
                    start=start,
                    end=start + dt.timedelta(hours=1),
                    subject=f"Meeting {meeting}",
                    organizer=customer,
                    response=cs.Response.ACCEPTED,
                    attendees=(cs.Attendee(email=owner, response=cs.Response.ACCEPTED),),
                    version="1",
                )
            )
        meeting += 1
    return settings, cs.Snapshot(as_of=AS_OF, items=tuple(items[:size]), records=tuple(records))


def changed(snapshot: cs.Snapshot, every: int = 100) -> cs.Snapshot:
    """1% of the items edited since ``before``."""
    items = list(snapshot.items)
    for n in range(0, len(items), every):
        items[n] = attrs.evolve(items[n], subject=items[n].subject + " (moved)", version="2")
    return attrs.evolve(snapshot, items=tuple(items))


def floor(before: cs.Snapshot, after: cs.Snapshot) -> int:
    """Index both snapshots and compare versions: nothing a planner could skip."""
    old = {(i.mailbox, i.id): i.version for i in before.items}
    events = {e.id: e.version for e in after.events}
    changes = 0
    for item in after.items:
        if old.get((item.mailbox, item.id)) != item.version:
            changes += 1
        if item.sf_event_id is not None and item.sf_event_id not in events:
            changes += 1
    return changes


def best(fn: Callable[..., object], *args: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - started)
    return min(times)


def main(sizes: list[int]) -> None:
    print(f"Python {sys.version.split()[0]} on {sys.platform}")
    print(
        f"{'items':>8} {'first s':>9} {'steady s':>9} {'µs/item':>8} {'floor s':>9} {'×floor':>7}"
    )
    for size in sizes:
        settings, first = organisation(size)
        synced = cs.apply(first, cs.reconcile(None, first, settings))
        after = changed(synced)
        t_first = best(cs.reconcile, None, first, settings)
        t_steady = best(cs.reconcile, synced, after, settings)
        t_floor = best(floor, synced, after)
        print(
            f"{size:>8} {t_first:>9.3f} {t_steady:>9.3f} {t_steady / size * 1e6:>8.1f} "
            f"{t_floor:>9.4f} {t_steady / t_floor:>7.1f}"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
