"""Whole incremental sessions, side by side with the full ones, over the same machine.

The machine of ``test_sessions.py`` -- the same users' edits, real-life
edits, time passing and scripted faults -- drives
:func:`calsync_core.session.run_changes_session` over the fakes' delta feeds
and a state store in memory, and additionally expires delta links (answered
by a resync) and fails saves. After every session it checks all that machine
checks (the safety oracles, refused writes explained, consent, nothing
invented, convergence after fault-free sessions), and besides:

- the incremental plan is the one ``run_session`` would make on the same
  reads: ``reconcile`` of the state loaded and what the session observed;
- a failed read or save leaves the saved state and links as they were;
- after two fault-free sessions the state agrees with the systems: every
  item and event in the window is held as it is, and nothing held in the
  window is missing from the systems (the state converges where a full read
  would).
"""

from __future__ import annotations

import os
import pickle

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

import calsync_core as cs
from calsync_core._domain import overlaps, window
from calsync_core._session_read import scope
from calsync_core.incremental import mailbox_feed, owner_feed
from calsync_core.ports import PortError
from calsync_core.session import ChangesReport, run_changes_session
from calsync_core.testing.fakes import MemoryStateStore

from . import test_sessions as full
from .test_sessions import SEEN, USERS, Sessions, _expect

pytestmark = pytest.mark.property

INCREMENTAL = {"sessions": 0, "resyncs": 0, "held links": 0, "failed saves": 0, "in full": 0}


class ChangeSessions(Sessions):
    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStateStore()

    @rule(feed=st.sampled_from([*USERS, "owners"]))
    def delta_link_expires(self, feed: str) -> None:
        """Graph answers the next read of the feed with 410 Gone: a resync."""
        if feed == "owners":
            for user in self.settings.users:
                self.fake.changes.expire(owner_feed(user.sf_user_id))
            self.fake.changes.expire(owner_feed(full.PUBLIC))
        else:
            self.fake.changes.expire(mailbox_feed(feed))

    @rule()
    def save_fails(self) -> None:
        self.store.failing_saves += 1

    def _session(self) -> ChangesReport | None:  # type: ignore[override]
        fired = len(self.fake.faults.fired)
        saved = self.store.saved
        resyncs = len(self.fake.changes.resyncs)
        try:
            report = run_changes_session(
                self.store, self.fake.changes, self.fake.ports, self.settings, self.now
            )
        except PortError as exc:
            if "save" in str(exc):
                INCREMENTAL["failed saves"] += 1
            else:
                self._read_failed(exc)
            assert self.store.saved is saved, "a failed session saved something"
            self.before = None if saved is None else saved[0].snapshot()
            return None
        SEEN["sessions"] += 1
        INCREMENTAL["sessions"] += 1
        INCREMENTAL["resyncs"] += len(self.fake.changes.resyncs) - resyncs
        INCREMENTAL["held links"] += len(report.held)
        INCREMENTAL["in full"] += any(d.outcome == "full" for d in report.plan.decisions)
        SEEN["failed actions"] += len(report.failed)
        SEEN["events created"] += sum(isinstance(a, cs.CreateEvent) for a in report.done)
        before = cs.Snapshot(as_of=self.now) if saved is None else saved[0].snapshot()
        # What run_session plans on the same reads.
        assert cs.reconcile(before, report.observed, self.settings).actions == report.plan.actions
        self._safe(before, report.observed, report.plan)
        self._failures_explained(report, self.fake.faults.fired[fired:])  # type: ignore[arg-type]
        self._consent(report)  # type: ignore[arg-type]
        self.before = report.next_before
        self.last = report  # type: ignore[assignment]
        return report

    @rule()
    def fault_free_session_then_another(self) -> None:
        self.store.failing_saves = 0
        super().fault_free_session_then_another()
        # Where R-EMPTY-GUARD holds a mailbox back, the state keeps its previous
        # value there on purpose (as run_session's next_before does).
        guarded = self.last is not None and any(
            i.code is cs.IssueCode.MAILBOX_EMPTIED for i in self.last.plan.issues
        )
        if self.store.saved is not None and not self.fake.faults.pending and not guarded:
            self._state_agrees()

    def _state_agrees(self) -> None:
        """The window as the state holds it is the window as the systems hold it."""
        state = self.store.saved
        assert state is not None
        start, end = window(self.settings, state[0].as_of)
        held = state[0].snapshot()
        mailboxes, owners = scope(self.settings)
        items = {(i.mailbox, i.id): i for i in held.items}
        for key, item in self.fake.calendar.items.items():
            if key[0] in mailboxes and overlaps(item, start, end):
                _expect(items.get(key) == item, "state lacks an item in view", key)
        for key, item in items.items():
            if overlaps(item, start, end):
                _expect(key in self.fake.calendar.items, "state holds a deleted item", key)
        events = {e.id: e for e in held.events}
        for event_id, event in self.fake.salesforce.events.items():
            if event.owner_id in owners and overlaps(event, start, end):
                _expect(events.get(event_id) == event, "state lacks an event in view", event_id)
        for event_id, event in events.items():
            if overlaps(event, start, end):
                _expect(event_id in self.fake.salesforce.events, "state holds a deleted event")


_TARGET = int(os.environ.get("CALSYNC_CHANGE_SESSIONS", "300"))
ChangeSessions.TestCase.settings = settings(
    max_examples=_TARGET // 6 + 1,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)


def test_incremental_sessions_with_faults(report_lines: list[str]) -> None:
    for counts in (SEEN, INCREMENTAL):
        for key in counts:
            counts[key] = 0
    full.FOUND.clear()
    full.CAPTURED.clear()
    ChangeSessions.TestCase("runTest").runTest()
    seen = ", ".join(f"{n} {what}" for what, n in INCREMENTAL.items())
    report_lines.append(f"incremental: {seen}")
    for kind, n in sorted(full.FOUND.items(), key=lambda kv: -kv[1]):
        report_lines.append(f"  failed {n:6d}x  {kind}")
    if full.CAPTURE:
        with open(full.CAPTURE, "wb") as out:
            pickle.dump(full.CAPTURED, out)
    assert not full.FOUND, f"{sum(full.FOUND.values())} property failures (see the summary)"
    assert INCREMENTAL["sessions"] >= _TARGET
    assert INCREMENTAL["resyncs"] > 0
