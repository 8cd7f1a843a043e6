"""The session machine's faults, drawn by Hypothesis, over real HTTP.

A schedule is a few steps between sessions: a user's edit on either side, a
throttling storm, a server error in the middle of a batch, a connection
dropped after its write committed, an edit landing between a session's read
and its write, an expired delta link, a save that fails. Whatever the
schedule, once the faults stop the sync settles within three sessions, and
the server then holds what a correct sync must: one event per meeting, no
stamp on a missing event, the seeded event never deleted, both sides of each
pair agreeing, and every user edit (none lost, none overwritten by an older
value). The one exception is R-CONFLICT's: after a write whose answer was
lost, the next session cannot tell the sync's own change from a user's, so
an edit of the other side made meanwhile is a conflict, which the calendar
wins (``CALENDAR_WINS``); the sides still agree.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from calsync_core.ports import PortError
from calsync_core.testing.fakes import MemoryStateStore
from calsync_core.testing.loopback import Tenant, TickingClock, serve

from .conftest import AS_OF, connect, seed
from .test_sessions import ANA, CY, assert_sound

STEPS = (
    "edit item", "edit event", "throttle", "server error", "drop after commit",
    "edit during write", "expire delta", "save fails",
)  # fmt: skip


@settings(max_examples=8, deadline=None)
@given(st.lists(st.sampled_from(STEPS), min_size=1, max_size=5))
def test_any_fault_schedule_settles_with_no_lost_edit_and_no_duplicate(steps: list[str]) -> None:
    tenant = Tenant(clock=TickingClock())
    org = seed(tenant)
    store = MemoryStateStore()
    subjects = {"item": "Renewal", "event": "Quarterly review"}
    with serve(tenant) as server, connect(server, org) as connector:
        minutes = 0

        def session(progress: object = None) -> None:
            nonlocal minutes
            at = AS_OF + dt.timedelta(minutes=minutes)
            minutes += 5
            saved = store.saved
            try:
                connector.sync(store, org.settings, at, progress=progress)  # type: ignore[arg-type]
            except PortError:  # a read or the save failed: the store keeps what it had
                assert store.saved is saved

        session()
        for n, step in enumerate(steps):
            progress = None
            if step == "edit item":
                subjects["item"] = f"Renewal {n}"
                tenant.edit_item(ANA, org.items["renewal"], subject=subjects["item"])
            elif step == "edit event":
                subjects["event"] = f"Quarterly review {n}"
                tenant.edit_sobject("Event", org.event_id, Subject=subjects["event"])
            elif step == "throttle":
                server.faults.throttle(r"/\$batch$", times=2, retry_after="1")
            elif step == "server error":
                server.faults.server_error("/events/|/sobjects/Event", times=1)
            elif step == "drop after commit":
                server.faults.drop_after_commit(r"/\$batch$|/composite$", method="POST")
            elif step == "edit during write":
                tenant.edit_sobject("Event", org.event_id, Location=f"Room {n}")

                def progress(done: int, total: int, n: int = n) -> None:
                    # Only if the session gets to its writes (a read may fail first).
                    subjects["item"] = f"Renewal {n}"
                    tenant.edit_item(ANA, org.items["renewal"], subject=subjects["item"])

            elif step == "expire delta":
                tenant.expire_delta(CY)
            else:
                store.failing_saves = 1
            session(progress)
        server.faults.clear()
        store.failing_saves = 0
        for _ in range(3):
            at = AS_OF + dt.timedelta(minutes=minutes)
            minutes += 5
            report = connector.sync(store, org.settings, at).report
            if report.ok and not report.plan.actions:
                break
        assert report.plan.actions == ()
        assert_sound(org)
        renewal = next(i for i in tenant.items(ANA) if i.id == org.items["renewal"])
        event = next(e for e in tenant.events() if e.id == renewal.sf_event_id)
        copy = next(i for i in tenant.items(CY) if i.sf_event_id == org.event_id)
        seeded = next(e for e in tenant.events() if e.id == org.event_id)
        assert event.subject == renewal.subject
        assert seeded.subject == copy.subject
        if "drop after commit" not in steps:
            assert renewal.subject == subjects["item"]
            assert copy.subject == subjects["event"]
