"""``reconcile``: two snapshots and the settings in, a plan out.

The planner's invariants, which every rule module relies on:

1. It is a function. It reads its three arguments and nothing else -- no
   clock (the window hangs off ``after.as_of``), no randomness, no environment.
2. Each snapshot is indexed once (``index.build``) into a read-only ``World``;
   afterwards every question is a lookup, so the cost grows linearly with the
   number of items.
3. Work is done meeting by meeting (items grouped by iCalendar UID across
   mailboxes), in sorted order of UID, mailbox and item id. Output order
   therefore never depends on input order (P-DETERMINISM).
4. Every item examined gets a decision citing a rule; every problem with an
   item is an issue on that item alone, never an exception (P-ISOLATION).
5. Rules read the ``World`` and write only to the ``PlanBuilder``.
6. A linked pair where neither version moved and nothing else calls for the
   full rules takes the steady state's shortcut (``steady``), which must reach
   exactly the decision the full rules would; ``plan(..., steady=False)`` turns
   it off, and a property test holds both plans byte-identical.

This module runs what concerns the whole run or a whole meeting -- invalid
inputs, R-EMPTY-GUARD's report, R-DEDUP's duplicate events, R-CANCEL of a
meeting, the attendees of an organizer with no copy -- and hands each copy of
a meeting to the per-item ``ladder``, then each event made in Salesforce to
``downsync`` and ``routes``.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .. import _rules as R
from .._enums import IssueCode
from .._plan import Plan
from .._values import CalendarItem, OrgSettings, Snapshot
from . import guard, invitees, ladder, stale
from .builder import PlanBuilder, Scope
from .cancel import cancel_meeting, gone_organizer_items, meeting_cancelled
from .downsync import made_in_salesforce
from .duplicates import duplicate_events
from .index import MAILBOX, Directory, build, build_previous
from .meetings import Meeting, organizer_first, organizer_of_copies
from .org import Org
from .routes import route_event, route_of
from .steady import steady, steady_mailboxes
from .world import Emptied, World, emptied


def reconcile(
    before: Snapshot | None,
    after: Snapshot,
    settings: OrgSettings,
    *,
    check_versions: bool = False,
) -> Plan:
    """Plan one sync: what to create, update and delete on each side, and why.

    ``after`` is both systems as observed now; ``before`` is the state as it stood
    after the previous plan was carried out, or ``None`` on the first run.
    Raises :class:`~calsync_core.SettingsError` for self-contradicting settings;
    never raises for a bad item (that is an issue in the plan).

    ``check_versions=True`` also compares every pair whose ``version`` did not
    move field by field, and reports one that changed all the same as
    ``STALE_VERSION`` (R-STALE-VERSION): for snapshots edited by hand and for
    testing a connector. It costs a comparison of every unchanged pair, and adds
    issues only.
    """
    return plan(before, after, settings, steady=True, check_versions=check_versions)


def plan(
    before: Snapshot | None,
    after: Snapshot,
    settings: OrgSettings,
    *,
    steady: bool,
    check_versions: bool = False,
) -> Plan:
    """``reconcile``, with the steady state's shortcut on or off (tests compare the two)."""
    out = PlanBuilder()
    run(world(before, after, settings, steady=steady), out)
    if check_versions and before is not None:
        stale.report(before, after, out)
    return out.plan()


@attrs.frozen(kw_only=True)
class Given:
    """What a run takes from a kept state instead of working it out from the snapshots.

    A partial run plans some meetings and events from snapshots that hold only
    what those can see; the facts about the whole organisation come from here.
    """

    emptied: Emptied
    directory: Directory  # ``after``'s records
    prior_directory: Directory  # ``before``'s records


def plan_scoped(
    before: Snapshot | None, after: Snapshot, settings: OrgSettings, given: Given | None = None
) -> tuple[Plan, tuple[Scope, ...], frozenset[Scope]]:
    """The plan, the scope each of its issues was found in, and the scopes that acted."""
    out = PlanBuilder()
    run(world(before, after, settings, steady=True, given=given), out)
    scopes, acting = tuple(out.issue_scopes), frozenset(out.acting)
    return out.plan(), scopes, acting


def run(w: World, out: PlanBuilder) -> None:
    """Every part of a run, in the order its output is in."""
    invalid_inputs(w, out)
    out.scope = (2,)
    guard.report(w, out)
    duplicate_events(w, out)
    for uid in sorted(w.now.meetings.keys() | w.gone.keys()):
        out.scope = (4, uid)
        meeting(w, out, uid)
    salesforce_events(w, out)


def world(
    before: Snapshot | None,
    after: Snapshot,
    settings: OrgSettings,
    *,
    steady: bool,
    given: Given | None = None,
) -> World:
    """The read-only world one run plans in."""
    org = Org.build(settings, after.as_of)
    if given is None:
        now = build(after)
        prev = None if before is None else build_previous(before)
        w = World(org=org, now=now, prev=prev, emptied=emptied(prev, now, org))
    else:
        now = build(after, given.directory)
        prev = None if before is None else build_previous(before, given.prior_directory)
        w = World(org=org, now=now, prev=prev, emptied=given.emptied)
    return attrs.evolve(
        w, gone=gone_organizer_items(w), steady_mailboxes=steady_mailboxes(w, enabled=steady)
    )


def invalid_inputs(w: World, out: PlanBuilder) -> None:
    for bad in w.now.bad_items:
        item, text = bad.item, "; ".join(bad.problems)
        out.scope = (0, item.mailbox, item.id)
        out.issue(R.ISSUES, IssueCode.INVALID_ITEM, f"Invalid calendar item: {text}.", item=item)
        out.note(item, "skip", R.ISSUES, f"invalid item, nothing planned: {text}")
        if bad.addressable and item.mailbox in w.org.users:
            state = out.begin()
            state.issue()
            out.categories(item, state)
    for event, problems in w.now.bad_events:
        text = "; ".join(problems)
        out.scope = (1, event.id)
        out.issue(
            R.ISSUES,
            IssueCode.INVALID_ITEM,
            f"Invalid Salesforce event: {text}.",
            mailbox=w.mailbox_of(event.owner_id),
            event_id=event.id,
        )
        out.decide(event.id, "skip", R.ISSUES, f"invalid event, nothing planned: {text}")


def meeting(w: World, out: PlanBuilder, uid: str) -> None:
    copies = w.now.meetings.get(uid, ())
    reason = meeting_cancelled(w, uid, copies)
    if reason is not None:
        cancel_meeting(w, out, uid, reason)
    if copies:
        _copies(w, out, uid, copies, reason)
    if out.invitee_changes:
        invitees.flush(w, out)


def _copies(
    w: World, out: PlanBuilder, uid: str, copies: Sequence[CalendarItem], reason: str | None
) -> None:
    organizer = organizer_of_copies(copies)
    host = w.org.users.get(organizer)
    ordered = organizer_first(copies, organizer)
    if reason is None and host is not None and _organizer_has_no_copy(w, uid, ordered, organizer):
        reason = f"its organizer {organizer} has no copy of this meeting"
    found = None  # made for the first copy that takes the full rules
    # Two copies in one mailbox may share one stamp (R-DEDUP decides which holds it).
    shortcut = reason is None and (
        len(copies) == 1 or len(set(map(MAILBOX, copies))) == len(copies)
    )
    for item in ordered:
        if shortcut and steady(w, out, item):
            continue
        if found is None:
            found = Meeting(uid=uid, copies=tuple(ordered), organizer=organizer, host=host)
        ladder.item(w, out, item, found, reason)
        if (
            reason is None
            and host is not None
            and (organizer, item.id) in out.deleting_items
            and route_of(w, item) is None  # a public calendar's copy organizes nothing
        ):
            # The organizer's copy goes with its deleted event (R-DOWN-DELETE's
            # switch): the attendees' copies are left waiting for nothing.
            reason = f"its organizer's copy {item.id} is deleted with its event"


def _organizer_has_no_copy(
    w: World, uid: str, ordered: Sequence[CalendarItem], organizer: str
) -> bool:
    """An internal organizer with neither a copy of their meeting nor its event (R-CANCEL).

    They deleted it (or never saved it): the attendees' copies wait for
    nothing. While the event is there (the organizer's copy only out of view),
    attendees stay its invitees; events are only deleted on the run that sees
    the copy go. So a copy ``before`` lacks was gone on an earlier run only if
    what is left of the organizer's events is what that run could not delete:
    an event sync would delete means no run saw the copy go (it went out of
    view behind the window, and the session let it go). Not while the
    organizer's mailbox or Salesforce side looks fetched empty (R-EMPTY-GUARD:
    their events may well be there), nor while their copy is there but
    unreadable, nor while the meeting is outside the window: there the
    organizer's copy is out of view whether or not it exists (R-WINDOW).
    """
    host = w.org.users[organizer]
    events = w.now.events_of(uid, host.sf_user_id)
    return (
        ordered[0].mailbox != organizer
        and not w.held(host.sf_user_id)
        and (organizer, uid) not in w.now.bad_copies
        and any(w.in_window(copy) for copy in ordered)
        and (
            # gone since an earlier run, whatever events sync could not delete
            (
                w.prev is not None
                and (organizer, uid) not in w.prev.copies
                and not any(guard.may_delete(w, e) for e in events)
            )
            or (not events and w.out_of_view_event(uid, host.sf_user_id) is None)
        )
    )


def salesforce_events(w: World, out: PlanBuilder) -> None:
    """Events no calendar item has brought: made in Salesforce, or a public calendar's.

    Linked events are planned with their items.
    """
    events = w.now.events
    candidates = set(w.now.uidless_events)
    if w.org.routes:
        candidates.update(e.id for e in events.values() if e.owner_id in w.org.routes)
    for event_id in sorted(candidates):
        out.scope = (5, event_id)
        event = events[event_id]
        routes = w.org.routes.get(event.owner_id)
        if routes is not None:
            route_event(w, out, event, routes)
        else:
            made_in_salesforce(w, out, event)
