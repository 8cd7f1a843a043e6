"""The reference connector over HTTP against the loopback server: what a session costs.

Run it from the repository root (needs the ``connect`` extra)::

    PYTHONPATH=src python benchmarks/bench_connector.py              # 100 mailboxes, 25,000 items
    PYTHONPATH=src python benchmarks/bench_connector.py 10 2500      # smaller

On a tenant ``populate`` generates, with a SQLite state store in a temporary
directory: the first run (every feed a resync), a steady run after 1% of the
items were edited (subjects, on the Graph side), and the same first run on a
fresh copy of the tenant with batching off. Per run: HTTP round trips, API
requests (a batch's sub-requests each), bytes both ways (as the server
counted them: request and status lines, headers and bodies), wall time, the
actions planned and done, and requests per action. One measurement each;
the server runs in the same process, so wall times include its work.
It prints a Markdown report and writes nothing else. Numbers inform; they
never gate CI.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import calsync_core as cs
from calsync_core.connect import Backoff, Connector
from calsync_core.store import SqliteStateStore
from calsync_core.testing.loopback import Loopback, Tenant, populate, serve

AS_OF = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
WRITES = ("POST", "PATCH", "DELETE")


def tenant(mailboxes: int, items: int) -> tuple[Tenant, cs.OrgSettings]:
    made = Tenant()
    people = populate(made, mailboxes=mailboxes, items=items, seed=1, as_of=AS_OF)
    users = tuple(
        cs.UserSettings(email=box, sf_user_id=user)
        for box, user in zip(people.mailboxes, people.user_ids, strict=True)
    )
    return made, cs.OrgSettings(users=users, company_domains=frozenset({"acme.example"}))


def session(
    server: Loopback, settings: cs.OrgSettings, store: SqliteStateStore, at: dt.datetime,
    *, batching: bool, dry_run: bool = False,
) -> dict[str, Any]:  # fmt: skip
    server.log.clear()
    with Connector(
        graph_url=server.graph_url,
        graph_token=lambda: server.graph_token,
        salesforce_url=server.salesforce_url,
        salesforce_token=lambda: server.salesforce_token,
        batching=batching,
        backoff=Backoff(sleep=lambda _: None),
    ) as connector:
        began = time.perf_counter()
        report = connector.sync(store, settings, at, dry_run=dry_run).report
        wall = time.perf_counter() - began
        traffic = connector.traffic.totals()
    entries = server.log.entries()
    return {
        "wall": wall,
        "round_trips": len(entries),
        "requests": traffic["requests"],
        "sent": sum(e.sent for e in entries),
        "received": sum(e.received for e in entries),
        "planned": len(report.plan.actions),
        "done": len(report.done),
    }


def measured(
    server: Loopback, settings: cs.OrgSettings, store: SqliteStateStore, at: dt.datetime,
    *, batching: bool,
) -> dict[str, Any]:  # fmt: skip
    """A real run, and what its writes cost: the run less a dry run's reads of the same state."""
    reads = session(server, settings, store, at, batching=batching, dry_run=True)
    run = session(server, settings, store, at, batching=batching)
    for key in ("round_trips", "requests", "sent", "received"):
        run[f"write_{key}"] = run[key] - reads[key]
    return run


def edit_share(made: Tenant, share: float) -> int:
    rng = random.Random(2)
    keys = [(box, item.id) for box in made.mailboxes() for item in made.items(box)]
    chosen = rng.sample(keys, round(len(keys) * share))
    for n, (box, item_id) in enumerate(chosen):
        made.edit_item(box, item_id, subject=f"Edited {n}")
    return len(chosen)


def main(mailboxes: int, items: int) -> None:
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        made, settings = tenant(mailboxes, items)
        with serve(made) as server, SqliteStateStore(Path(tmp, "state.sqlite")) as store:
            runs["first run"] = measured(server, settings, store, AS_OF, batching=True)
            settle = AS_OF + dt.timedelta(minutes=5)
            runs["second run (reads its own writes back)"] = measured(
                server, settings, store, settle, batching=True
            )
            edited = edit_share(made, 0.01)
            later = AS_OF + dt.timedelta(minutes=10)
            runs[f"steady run, 1% edited ({edited} items)"] = measured(
                server, settings, store, later, batching=True
            )
        made, settings = tenant(mailboxes, items)
        with serve(made) as server, SqliteStateStore(Path(tmp, "plain.sqlite")) as store:
            runs["first run, unbatched"] = measured(server, settings, store, AS_OF, batching=False)
    print(report(mailboxes, items, runs))


def report(mailboxes: int, items: int, runs: dict[str, dict[str, Any]]) -> str:
    lines = [
        "# The reference connector over HTTP",
        "",
        f"Written by `python benchmarks/bench_connector.py {mailboxes} {items}` on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}: "
        f"{mailboxes} mailboxes, {items:,} items (`populate`, seed 1) on the loopback "
        "server in the same process, concurrency 4, a SQLite state store. One measurement "
        "each; numbers inform, they never gate CI.",
        "",
        "Whole sessions: round trips are HTTP exchanges, API requests count each "
        "sub-request of a `$batch` or `composite`; bytes as the server counted them "
        "(request and status lines, headers, bodies).",
        "",
        "| run | actions | round trips | API requests | KiB sent | KiB received | wall s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in runs.items():
        lines.append(
            f"| {name} | {r['planned']:,} | {r['round_trips']:,} | {r['requests']:,} "
            f"| {r['sent'] / 1024:,.0f} | {r['received'] / 1024:,.0f} | {r['wall']:.1f} |"
        )
    lines += [
        "",
        "The writes alone (the run less a dry run's reads of the same state), per action:",
        "",
        "| run | actions | write round trips | write requests | round trips per action "
        "| requests per action | KiB sent per action |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in runs.items():
        if not r["planned"]:
            continue
        n = r["planned"]
        lines.append(
            f"| {name} | {n:,} | {r['write_round_trips']:,} | {r['write_requests']:,} "
            f"| {r['write_round_trips'] / n:.3f} | {r['write_requests'] / n:.2f} "
            f"| {r['write_sent'] / 1024 / n:.2f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    main(*(arguments or [100, 25_000]))  # type: ignore[arg-type]
