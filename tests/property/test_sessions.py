"""Whole sessions, driven by a Hypothesis state machine over the in-memory fakes.

Users edit both sides, sessions run through :func:`calsync_core.session.run_session`,
and writes fail in every way the fakes can script: a write that fails, one that
succeeds but reports a timeout, an edit between the session's read and its
write, a read that comes back empty, a lookup by id that fails. Besides the
tidy edits, users do what real Exchange and Salesforce users do
(:mod:`calsync_core.testing._life`): reschedule past the window and back on
either side, remove attendees, cancel for an external organizer, cancel one
occurrence, copy linked items, stamp items with others' events, toggle
privacy, relate events to Contacts and Opportunities, name categories like a
route's, forward invites; and time passes. After every session the machine
checks:

- the safety oracle of ``safety.py`` over what the session read and planned:
  no event deleted but by its organizer's cancellation, an unsync, a sync-made
  duplicate or a cancelled occurrence (R-CANCEL); no item deleted but its
  organizer's own with the switch on (R-DOWN-DELETE); no private content
  crossing without consent (R-PRIVATE); the guard holding every consequence of
  an emptied mailbox (R-EMPTY-GUARD); every ``old`` current when its action
  runs (P-SAFETY);
- every write the fakes refused was refused because of a scripted fault (an
  unscripted conflict is a stale ``old``; a missing target, a plan that did
  not fit the systems);
- no event sync did not create was ever deleted (P-SAFETY);
- no private item's content reached Salesforce without consent (R-PRIVATE);
- nothing invented: every subject on either side is one a user wrote (cut to
  Salesforce's 255 characters at most);
- the plan was deterministic (reconciling the same inputs again gives it);
- no session raised, but for a scripted read failure;
and after every fault-free session, a second one plans nothing (P-CONVERGENCE,
P-IDEMPOTENCE) and every linked pair agrees on its synced fields (no lost update).

The number of sessions run is printed; ``CALSYNC_SESSIONS`` raises it (the nox
session ``stateful`` runs 50,000).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import re

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import calsync_core as cs
from calsync_core._domain import overlaps
from calsync_core.ports import PortError
from calsync_core.session import SessionReport, run_session
from calsync_core.testing import _life as life
from calsync_core.testing.fakes import FakeSystems

from . import safety

pytestmark = pytest.mark.property

AS_OF = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
USERS = ("u0@acme.example", "u1@acme.example", "u2@acme.example")
CONTACT = cs.Record(id="003x0", kind=cs.RecordKind.CONTACT, email="x0@cust.example",
                    account_id="001x")  # fmt: skip
LATER = cs.Record(id="003x1", kind=cs.RecordKind.CONTACT, email="x1@cust.example")
OPERATIONS = (
    "create_event", "update_event", "delete_event", "create_item", "update_item",
    "set_categories", "create_record",
)  # fmt: skip
READS = ("read_items", "read_items_by_id", "read_events", "read_events_by_id")
PUBLIC = "023public"  # a Salesforce public calendar routed to two users
SERIES = st.sampled_from([None, None, None, "FREQ=WEEKLY;COUNT=4", "FREQ=DAILY;COUNT=5"])
SUBJECTS = st.sampled_from(["Review", "Pricing", "Kick-off", "Ops sync", "x" * 300])
# What all machines did, for the closing print and to prove the run exercised something.
SEEN = {
    "sessions": 0, "faults": 0, "failed actions": 0, "failed reads": 0, "events created": 0,
    "conflicts": 0, "looked up": 0, "life edits": 0,
}  # fmt: skip
#: How often each real-life edit ran, for the closing print.
EDITS: dict[str, int] = {}
#: ``CALSYNC_SURVEY=1`` counts what fails instead of stopping at it, so that one long
#: run (``nox -s stateful``) tells how often each property fails, not just that one does.
SURVEY = os.environ.get("CALSYNC_SURVEY", "") not in ("", "0")
#: ``CALSYNC_ONLY=<regex>`` holds only the properties whose failure text matches, so that
#: Hypothesis shrinks a failure of that kind rather than whichever it met first.
ONLY = re.compile(os.environ.get("CALSYNC_ONLY", ""))
FOUND: dict[str, int] = {}
#: ``CALSYNC_CAPTURE=<file>`` pickles, for each kind of failure a survey counts, the first
#: run that showed it (settings, ``before``, what the session read, the plan): a
#: counterexample for the planner alone, to cut down by hand.
CAPTURE = os.environ.get("CALSYNC_CAPTURE", "")
CAPTURED: dict[str, safety.Run] = {}


def _expect(holds: bool, kind: str, detail: object = "", run: safety.Run | None = None) -> None:
    """Assert a property; in a survey, count its failure by kind and carry on."""
    if not ONLY.search(kind):
        return
    if SURVEY:
        if not holds:
            kind = re.sub(r"[0-9a-f]{8,}|\b[0-9A-Za-z]*[0-9]{5,}\w*|\S+@\S+", "#", kind)
            FOUND[kind[:140]] = FOUND.get(kind[:140], 0) + 1
            if run is not None:
                CAPTURED.setdefault(kind[:140], run)
        return
    assert holds, f"{kind}\n{detail}" if detail else kind


def _sf(address: str) -> str:
    return "005" + address.split("@")[0]


class Sessions(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeSystems()
        self.before: cs.Snapshot | None = None
        self.settings = cs.OrgSettings()
        self.written: set[str] = {""}  # every subject a user wrote
        self.meetings = 0
        self.last: SessionReport | None = None
        self.now = AS_OF  # time passes between sessions
        # What users deleted, which the safety oracle may take as evidence besides ``before``.
        self.removed_items: list[cs.CalendarItem] = []
        self.removed_events: set[str] = set()

    @initialize(
        autosave_private=st.booleans(),
        policy=st.sampled_from(cs.ConflictPolicy),
        mode=st.sampled_from(cs.DescriptionMode),
        smart=st.booleans(),
        series=st.booleans(),
        delete_switch=st.booleans(),
        one_way=st.sampled_from([None, None, None, *cs.Direction]),
        route=st.booleans(),
    )
    def setup(
        self,
        autosave_private: bool,
        policy: cs.ConflictPolicy,
        mode: cs.DescriptionMode,
        smart: bool,
        series: bool,
        delete_switch: bool,
        one_way: cs.Direction | None,
        route: bool,
    ) -> None:
        # The last user may sync one way only; the others both ways.
        users = tuple(
            cs.UserSettings(
                email=u, sf_user_id=_sf(u), direction=one_way if u == USERS[-1] else None
            )
            for u in USERS
        )
        routes = (cs.PublicCalendarRoute(calendar_id=PUBLIC, mailboxes=USERS[:2],
                                         category="Company"),) if route else ()  # fmt: skip
        self.settings = cs.OrgSettings(
            users=users,
            company_domains=frozenset({"acme.example"}),
            autosave_private=autosave_private,
            conflict_policy=policy,
            description_mode=mode,
            smart_auto_sharing=smart,
            advanced_calendaring=series,
            recurring_events=series,
            delete_items_deleted_in_salesforce=delete_switch,
            public_calendar_routes=routes,
            empty_guard=2,
        )
        self.fake.salesforce.put_record(CONTACT)
        self.fake.salesforce.put_record(life.OPPORTUNITY)
        self.written.update({"Pipeline review", "Company update"})

    # -- what users do -----------------------------------------------------------------------

    @rule(
        organizer=st.sampled_from([*USERS, "x0@cust.example", "x1@cust.example"]),
        copies=st.lists(st.sampled_from(USERS), min_size=1, max_size=3, unique=True),
        subject=SUBJECTS,
        private=st.booleans(),
        hours=st.integers(-48, 24 * 30),
        series=SERIES,
    )
    def add_meeting(
        self,
        organizer: str,
        copies: list[str],
        subject: str,
        private: bool,
        hours: int,
        series: str | None,
    ) -> None:
        self.meetings += 1
        uid = f"uid-{self.meetings}"
        start = self.now.replace(minute=0) + dt.timedelta(hours=hours)
        mailboxes = [organizer] + [c for c in copies if c != organizer] if organizer in USERS \
            else copies  # fmt: skip
        people = tuple(cs.Attendee(email=p) for p in dict.fromkeys([*copies, "x0@cust.example"]))
        self.written.add(subject)
        for mailbox in mailboxes:
            self.fake.calendar.put(cs.CalendarItem(
                id=f"{uid}@{mailbox}", ical_uid=uid, mailbox=mailbox, start=start,
                end=start + dt.timedelta(hours=1), subject=subject, organizer=organizer,
                attendees=tuple(a for a in people if a.email != organizer),
                response=cs.Response.ORGANIZER if mailbox == organizer else cs.Response.ACCEPTED,
                sensitivity=cs.Sensitivity.PRIVATE if private else cs.Sensitivity.NORMAL,
                recurrence=None if series is None else cs.Recurrence(rule=series),
            ))  # fmt: skip

    def _items(self) -> list[cs.CalendarItem]:
        return [i for _, i in sorted(self.fake.calendar.items.items())]

    def _events(self) -> list[cs.SfEvent]:
        return [e for _, e in sorted(self.fake.salesforce.events.items())]

    @precondition(lambda self: bool(self.fake.calendar.items))
    @rule(data=st.data(), subject=SUBJECTS)
    def edit_item(self, data: st.DataObject, subject: str) -> None:
        item = data.draw(st.sampled_from(self._items()))
        self.written.add(subject)
        self.fake.calendar.edit(item.mailbox, item.id, subject=subject, location="Room 2")

    @precondition(lambda self: bool(self.fake.calendar.items))
    @rule(data=st.data(), what=st.sampled_from(["save", "unsync", "private", "move", "delete"]))
    def act_on_item(self, data: st.DataObject, what: str) -> None:
        item = data.draw(st.sampled_from(self._items()))
        calendar = self.fake.calendar
        if what == "save":
            calendar.edit(item.mailbox, item.id, categories=item.categories | {"Salesforce"})
        elif what == "unsync":
            calendar.edit(item.mailbox, item.id,
                          categories=item.categories | {"Salesforce Unsync"})  # fmt: skip
        elif what == "private":
            calendar.edit(item.mailbox, item.id, sensitivity=cs.Sensitivity.PRIVATE)
        elif what == "move":
            calendar.edit(item.mailbox, item.id, start=item.start + dt.timedelta(hours=2),
                          end=item.end + dt.timedelta(hours=2))  # fmt: skip
        else:
            calendar.remove(item.mailbox, item.id)
            self.removed_items.append(item)

    @precondition(lambda self: bool(self.fake.salesforce.events))
    @rule(data=st.data(), subject=SUBJECTS.filter(lambda s: len(s) <= 255),
          what=st.sampled_from(["subject", "move", "delete"]))  # fmt: skip
    def edit_event(self, data: st.DataObject, subject: str, what: str) -> None:
        event = data.draw(st.sampled_from(self._events()))
        salesforce = self.fake.salesforce
        if what == "subject":
            self.written.add(subject)
            salesforce.edit_event(event.id, subject=subject)
        elif what == "move":
            salesforce.edit_event(event.id, start=event.start + dt.timedelta(hours=3),
                                  end=event.end + dt.timedelta(hours=3))  # fmt: skip
        else:
            salesforce.remove_event(event.id)
            self.removed_events.add(event.id)

    @rule(
        owner=st.sampled_from([*USERS, PUBLIC]),
        subject=SUBJECTS.filter(lambda s: len(s) <= 255),
        related=st.booleans(),
        private=st.booleans(),
        days=st.sampled_from([2, 2, 5, 90]),
    )
    def event_made_in_salesforce(
        self, owner: str, subject: str, related: bool, private: bool, days: int
    ) -> None:
        """A Salesforce user's own event, maybe related to a Contact and an Opportunity
        (R-ATTENDEES: sync never removes those), maybe private (then related to nobody)."""
        self.meetings += 1
        self.written.add(subject)
        related = related and not private
        start = self.now.replace(minute=0) + dt.timedelta(days=days)
        self.fake.salesforce.put_event(cs.SfEvent(
            id=f"00Umade{self.meetings:09d}", owner_id=owner if owner == PUBLIC else _sf(owner),
            subject=subject, start=start, end=start + dt.timedelta(hours=1), is_private=private,
            who_ids=(CONTACT.id,) if related else (),
            what_ids=(life.OPPORTUNITY.id,) if related else (),
        ))  # fmt: skip

    @rule(data=st.data(), name=st.sampled_from([name for name, _ in life.EDITS]))
    def real_life(self, data: st.DataObject, name: str) -> None:
        """One of the everyday edits that made sync delete, leak or overwrite."""
        world = life.World.start(
            self.settings, self.before or cs.Snapshot(as_of=self.now), as_of=self.now,
            items=self._items(), events=self._events(),
            records=self.fake.salesforce.records.values(),
        )  # fmt: skip
        if not dict(life.EDITS)[name](data.draw, world):
            return
        EDITS[name] = EDITS.get(name, 0) + 1
        SEEN["life edits"] += 1
        calendar, salesforce = self.fake.calendar, self.fake.salesforce
        for key, item in world.items.items():
            if calendar.items.get(key) != item:
                calendar.put(item)
        for event_id, event in world.events.items():
            if salesforce.events.get(event_id) != event:
                salesforce.put_event(event)
        for record in world.records.values():
            salesforce.put_record(record)

    @rule(days=st.sampled_from([1, 7, 30]))
    def time_passes(self, days: int) -> None:
        """The window moves: what was ahead of it comes into view (R-WINDOW)."""
        self.now += dt.timedelta(days=days)

    @rule()
    def register_a_contact(self) -> None:
        self.fake.salesforce.put_record(LATER)

    # -- what goes wrong --------------------------------------------------------------------

    @rule(operation=st.sampled_from(OPERATIONS), kind=st.sampled_from(["fail", "timeout"]))
    def fault(self, operation: str, kind: str) -> None:
        getattr(self.fake.faults, kind)(operation)
        SEEN["faults"] += 1

    @rule()
    def outage_during_a_session(self) -> None:
        """Both services refuse writes for a while: the next of every kind fails."""
        for operation in OPERATIONS:
            self.fake.faults.fail(operation)
        SEEN["faults"] += len(OPERATIONS)
        self._session()

    @rule(operation=st.sampled_from(READS))
    def read_fault(self, operation: str) -> None:
        """A read or a lookup by id fails: the session ends before planning anything."""
        self.fake.faults.fail(operation)
        SEEN["faults"] += 1

    @precondition(lambda self: bool(self.fake.calendar.items))
    @rule(data=st.data())
    def edit_during_the_session(self, data: st.DataObject) -> None:
        item = data.draw(st.sampled_from(self._items()))
        calendar = self.fake.calendar

        def edit() -> None:
            if (item.mailbox, item.id) in calendar.items:
                calendar.edit(item.mailbox, item.id, location="Moved meanwhile")

        self.fake.faults.concurrent_edit("update_item", edit)

    @rule(source=st.sampled_from([*USERS, "events"]))
    def empty_fetch(self, source: str) -> None:
        self.fake.faults.empty_read(source)
        SEEN["faults"] += 1

    # -- sessions -------------------------------------------------------------------------------

    @rule()
    def session(self) -> None:
        self._session()

    @rule()
    def fault_free_session_then_another(self) -> None:
        self.fake.faults.clear()
        prior = self.before
        first = self._session()
        assert first is not None  # no read can fail without a fault
        # What R-EMPTY-GUARD held back goes ahead once the side shows events again,
        # which the first session may have caused: allow one more session for it.
        held = any(i.code is cs.IssueCode.MAILBOX_EMPTIED for i in first.plan.issues)
        second = self._session()
        assert second is not None
        if held:
            prior = first.next_before
            first, second = second, self._session()
            assert second is not None
        # The first session's own run: P-CONVERGENCE for the planner alone is about it.
        converging = safety.Run(settings=self.settings, before=prior, after=first.observed,
                                plan=first.plan)  # fmt: skip
        for action in second.plan.actions:
            what = f"P-CONVERGENCE: {type(action).__name__} {action.rule}"
            _expect(False, what, action, converging)
        if first.ok:
            self._pairs_agree()

    def _session(self) -> SessionReport | None:
        fired = len(self.fake.faults.fired)
        try:
            report = run_session(self.before, self.fake.ports, self.settings, self.now)
        except PortError as exc:
            self._read_failed(exc)
            return None
        SEEN["sessions"] += 1
        SEEN["failed actions"] += len(report.failed)
        SEEN["events created"] += sum(isinstance(a, cs.CreateEvent) for a in report.done)
        SEEN["conflicts"] += sum(d.rule == "R-CONFLICT" for d in report.plan.decisions)
        if self.before is not None:
            shown = len(report.observed.items) + len(report.observed.events)
            SEEN["looked up"] += max(0, shown - self._windowed(report.observed))
        assert cs.reconcile(self.before, report.observed, self.settings) == report.plan
        self._safe(self.before, report.observed, report.plan)
        self._failures_explained(report, self.fake.faults.fired[fired:])
        self._consent(report)
        self.before = report.next_before
        self.last = report
        return report

    def _safe(self, before: cs.Snapshot | None, observed: cs.Snapshot, plan: cs.Plan) -> None:
        """The safety oracle over one session's reads and plan."""
        run = safety.Run(
            settings=self.settings,
            before=before,
            after=observed,
            plan=plan,
            deleted_items=(*self.removed_items, *self.fake.calendar.deleted),
            deleted_events=frozenset(
                {*self.removed_events, *(e.id for e in self.fake.salesforce.deleted)}
            ),
        )
        for check in safety.CHECKS:
            for found in check(run):
                _expect(False, f"{check.__name__}: {found}", run=run)

    @staticmethod
    def _read_failed(exc: PortError) -> None:
        # Only a scripted read failure may end a session; then nothing was written.
        assert "injected" in str(exc), exc
        SEEN["failed reads"] += 1

    def _windowed(self, snapshot: cs.Snapshot) -> int:
        lo = snapshot.as_of - dt.timedelta(days=self.settings.past_days)
        hi = snapshot.as_of + dt.timedelta(days=self.settings.future_days)
        things: list[cs.CalendarItem | cs.SfEvent] = [*snapshot.items, *snapshot.events]
        return sum(overlaps(t, lo, hi) for t in things)

    def _failures_explained(self, report: SessionReport, fired: list[str]) -> None:
        """A write fails only because a fault was scripted for it (P-SAFETY): an unscripted
        conflict is an ``old`` the system no longer held, a missing target a plan that did
        not fit the systems it was made for."""
        conflicts = any(f.startswith("conflict:") for f in fired)
        for failure in report.failed:
            scripted = "injected" in failure.error or (conflicts and "expected" in failure.error)
            what = f"unscripted failure: {type(failure.action).__name__} {failure.action.rule}"
            _expect(scripted, what, failure.error)

    def _consent(self, report: SessionReport) -> None:
        items = {i.id: i for i in report.observed.items}
        for action in report.done:
            if isinstance(action, cs.CreateEvent) and action.source_item_id in items:
                source = items[action.source_item_id]
                if source.sensitivity in (cs.Sensitivity.PRIVATE, cs.Sensitivity.CONFIDENTIAL):
                    manual = "Salesforce" in source.categories or source.link_choice is not None
                    assert manual or self.settings.autosave_private
                    assert action.is_private
                    assert (action.who_ids, action.what_ids, action.invitee_ids) == ((), (), ())

    def _pairs_agree(self) -> None:
        events = self.fake.salesforce.events
        users = {u.email: u for u in self.settings.users}
        items = self._items()
        per_meeting: dict[tuple[str, str], int] = {}
        for item in items:
            per_meeting[(item.mailbox, item.ical_uid)] = (
                per_meeting.get((item.mailbox, item.ical_uid), 0) + 1
            )
        lo = self.now - dt.timedelta(days=14)
        hi = self.now + dt.timedelta(days=60)
        for item in items:
            event = events.get(item.sf_event_id or "")
            user = users.get(item.mailbox)
            if event is None or user is None or item.end - item.start > dt.timedelta(days=14):
                continue
            if "Salesforce Unsync" in item.categories or item.is_cancelled:
                continue  # the user asked sync to leave this pair alone (R-UNSYNC)
            if (user.direction or self.settings.direction) is not cs.Direction.BOTH:
                continue  # one way: the other side's edits stay where they are (R-DIRECTION)
            genuine = event.ical_uid == item.ical_uid and event.owner_id == user.sf_user_id
            if not genuine or per_meeting[(item.mailbox, item.ical_uid)] > 1:
                continue  # a copy or a stray stamp: not this event's item
            if item.recurrence is not None or item.original_start is not None:
                continue
            if not (lo <= item.start <= hi and lo <= event.start <= hi):
                continue
            agree = (item.subject[:255], item.start, item.end) == (
                event.subject,
                event.start,
                event.end,
            )
            _expect(agree, "no lost update: a pair disagrees after a clean session", item.id)

    # -- always ------------------------------------------------------------------------------

    @invariant()
    def sync_deletes_only_events_it_created(self) -> None:
        for event in self.fake.salesforce.deleted:
            _expect(event.created_by_sync, "P-SAFETY: deleted an event sync did not create")

    @invariant()
    def nothing_invented(self) -> None:
        allowed = self.written | {s[:255] for s in self.written}
        for item in self.fake.calendar.items.values():
            assert item.subject in allowed
        for event in self.fake.salesforce.events.values():
            assert event.subject in allowed


_TARGET = int(os.environ.get("CALSYNC_SESSIONS", "2000"))
Sessions.TestCase.settings = settings(
    max_examples=_TARGET // 6 + 1,  # a run of 30 steps holds about ten sessions
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)


def test_sessions_with_faults(report_lines: list[str]) -> None:
    for key in SEEN:
        SEEN[key] = 0
    EDITS.clear()
    FOUND.clear()
    CAPTURED.clear()
    Sessions.TestCase("runTest").runTest()
    report_lines.append("stateful: " + ", ".join(f"{n} {what}" for what, n in SEEN.items()))
    edits = ", ".join(f"{n} {what}" for what, n in sorted(EDITS.items()))
    report_lines.append(f"real-life edits: {edits}")
    for kind, n in sorted(FOUND.items(), key=lambda kv: -kv[1]):
        report_lines.append(f"  failed {n:6d}x  {kind}")
    if CAPTURE:
        with open(CAPTURE, "wb") as out:
            pickle.dump(CAPTURED, out)
    assert not FOUND, f"{sum(FOUND.values())} property failures (see the summary)"
    assert SEEN["sessions"] >= _TARGET
    assert SEEN["failed actions"] > 0
    assert SEEN["events created"] > 0
