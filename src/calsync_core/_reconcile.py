"""``reconcile``: two snapshots and the settings in, a plan out.

The planner's invariants, which every rule module relies on:

1. It is a function. It reads its three arguments and nothing else -- no
   clock (the window hangs off ``after.as_of``), no randomness, no environment.
2. Each snapshot is indexed once (``_index.build``); afterwards every question
   is a lookup, so the cost grows linearly with the number of items.
3. Work is done meeting by meeting (items grouped by iCalendar UID across
   mailboxes), in sorted order of UID, mailbox and item id. Output order
   therefore never depends on input order (P-DETERMINISM).
4. Every item examined gets a decision citing a rule; every problem with an
   item is an issue on that item alone, never an exception (P-ISOLATION).
5. A linked item's version is compared before its fields: an unchanged
   change key means nothing to compare. A pair where neither version moved
   and nothing else calls for the full rules takes the steady state's
   shortcut (``PairRules.steady``), which must reach exactly the decision
   the full rules would; ``plan(..., steady=False)`` turns it off, and a
   property test holds both plans byte-identical.

This module owns what concerns a whole meeting or the whole run -- invalid
inputs, R-EMPTY-GUARD, R-DEDUP's duplicates, R-CANCEL -- and hands each copy
of a meeting to the per-item rules in ``_upsync``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from . import _rules as R
from ._categories import CategoryState
from ._context import Org
from ._domain import organizer_of
from ._downsync import DownRules
from ._eligibility import in_window
from ._enums import Direction, IssueCode
from ._guard import emptied
from ._index import MAILBOX, Index, Previous, build, build_previous
from ._meetings import Meeting, organizer_first, organizer_of_copies
from ._plan import DeleteEvent, FieldChange, Issue, Plan, UpdateEvent
from ._upsync import InviteeChange
from ._values import CalendarItem, OrgSettings, SfEvent, Snapshot

EMPTIED_TEXT = (
    "{what} held {count}+ synced items before and shows none now: most likely a failed "
    "fetch. Nothing is deleted or unlinked for it until it shows items again."
)


def reconcile(before: Snapshot | None, after: Snapshot, settings: OrgSettings) -> Plan:
    """Plan one sync: what to create, update and delete on each side, and why.

    ``after`` is both systems as observed now; ``before`` is the state as it stood
    after the previous plan was carried out, or ``None`` on the first run.
    Raises :class:`~calsync_core.SettingsError` for self-contradicting settings;
    never raises for a bad item (that is an issue in the plan).
    """
    return plan(before, after, settings, steady=True)


def plan(before: Snapshot | None, after: Snapshot, settings: OrgSettings, *, steady: bool) -> Plan:
    """``reconcile``, with the steady state's shortcut on or off (tests compare the two)."""
    prev = None if before is None else build_previous(before)
    run = _Run(Org.build(settings, after.as_of), build(after), prev)
    run.steady_setup(enabled=steady)
    run.invalid_inputs()
    run.guard()
    run.duplicates()
    for uid in sorted(run.now.meetings.keys() | run.gone.keys()):
        run.meeting(uid)
    run.salesforce_events()
    return run.plan()


class _Run(DownRules):
    """The mutable working state of one ``reconcile`` call (never escapes it)."""

    def __init__(self, org: Org, now: Index, prev: Previous | None) -> None:
        super().__init__()
        self.org = org
        self.now = now
        self.prev = prev
        self.emptied = emptied(prev, now, org)
        self.creating = {}
        self.invitee_changes = defaultdict(InviteeChange)
        self.gone = self._gone_organizer_items()

    # -- inputs that cannot be planned ---------------------------------------------------

    def invalid_inputs(self) -> None:
        for bad in self.now.bad_items:
            item, text = bad.item, "; ".join(bad.problems)
            self.issue(item, IssueCode.INVALID_ITEM, R.ISSUES, f"Invalid calendar item: {text}.")
            self.note(item, "skip", R.ISSUES, f"invalid item, nothing planned: {text}")
            if bad.addressable and item.mailbox in self.org.users:
                state = CategoryState()
                state.issue()
                self.categories(item, state)
        for event, problems in self.now.bad_events:
            text = "; ".join(problems)
            self.issues.append(
                Issue(
                    code=IssueCode.INVALID_ITEM,
                    message=f"Invalid Salesforce event: {text}.",
                    rule=R.ISSUES,
                    mailbox=self._mailbox_of(event.owner_id),
                    event_id=event.id,
                )
            )
            self.decide(event.id, "skip", R.ISSUES, f"invalid event, nothing planned: {text}")

    def _mailbox_of(self, sf_user_id: str) -> str | None:
        user = self.org.users_by_sf_id.get(sf_user_id)
        return None if user is None else user.email

    # -- R-EMPTY-GUARD -----------------------------------------------------------------------

    def guard(self) -> None:
        threshold = self.org.settings.empty_guard
        for mailbox in sorted(self.emptied.mailboxes):
            text = EMPTIED_TEXT.format(what=f"Mailbox {mailbox}", count=threshold)
            self._emptied(mailbox, mailbox, text)
        for owner in sorted(self.emptied.owners):
            text = EMPTIED_TEXT.format(what=f"Salesforce user {owner}", count=threshold)
            self._emptied(owner, self._mailbox_of(owner), text)

    def _emptied(self, ref: str, mailbox: str | None, text: str) -> None:
        self.issues.append(
            Issue(code=IssueCode.MAILBOX_EMPTIED, message=text, rule=R.EMPTY_GUARD, mailbox=mailbox)
        )
        self.decide(ref, "keep", R.EMPTY_GUARD, "shows nothing: no deletion, no unlinking")

    # -- R-DEDUP ------------------------------------------------------------------------------

    def duplicates(self) -> None:
        """Of several events with one (UID, owner), keep the oldest; report and clear the rest."""
        for (uid, owner), events in sorted(self.now.duplicate_events.items()):
            for extra in events[1:]:
                kept = events[0].id
                self.issues.append(
                    Issue(
                        code=IssueCode.DUPLICATE_EVENT,
                        message=f"Duplicate of event {kept} (same meeting {uid}, same owner).",
                        rule=R.DEDUP,
                        mailbox=self._mailbox_of(owner),
                        event_id=extra.id,
                    )
                )
                if self.held(owner):
                    self.decide(extra.id, "keep", R.EMPTY_GUARD, f"duplicate of {kept}; held")
                elif extra.created_by_sync and self._upward(owner):
                    self.act(DeleteEvent(event_id=extra.id, rule=R.DEDUP))
                    self.decide(extra.id, "delete", R.DEDUP, f"duplicate of {kept}, made by sync")
                else:
                    why = (
                        "sync did not create it"
                        if not extra.created_by_sync
                        else ("its owner syncs to the calendar only")
                    )
                    self.decide(
                        extra.id, "keep", R.DEDUP, f"duplicate of {kept}; not deleted: {why}"
                    )

    def _upward(self, owner: str) -> bool:
        user = self.org.users_by_sf_id.get(owner)
        return user is None or self.org.direction(user) is not Direction.TO_CALENDAR

    # -- one meeting ---------------------------------------------------------------------------

    def meeting(self, uid: str) -> None:
        copies = self.now.meetings.get(uid, ())
        reason = self._cancelled(uid, copies)
        if reason is not None:
            self._cancel(uid, reason)
        if copies:
            self._copies(uid, copies, reason)
        if self.invitee_changes:
            self._flush_invitees()

    def _copies(self, uid: str, copies: Sequence[CalendarItem], reason: str | None) -> None:
        organizer = organizer_of_copies(copies)
        host = self.org.users.get(organizer)
        ordered = organizer_first(copies, organizer)
        if (
            reason is None
            and host is not None
            and ordered[0].mailbox != organizer
            and organizer not in self.emptied.mailboxes  # R-EMPTY-GUARD: a failed fetch
            and (organizer, uid) not in self.now.bad_copies  # there, though unreadable
            and (
                # gone since an earlier run, whatever events sync could not delete
                (self.prev is not None and (organizer, uid) not in self.prev.copies)
                or (
                    not self.now.events_of(uid, host.sf_user_id)
                    and self.out_of_view_event(uid, host.sf_user_id) is None
                )
            )
        ):
            # An internal organizer with neither a copy of their own meeting nor its
            # event deleted it (or never saved it): the attendees' copies wait for
            # nothing. While the event is there (the organizer's copy only out of
            # view), attendees stay its invitees. Events are only deleted on the
            # run that sees the copy go (above).
            reason = f"its organizer {organizer} has no copy of this meeting"
        meeting = None  # made for the first copy that takes the full rules
        # Two copies in one mailbox may share one stamp (R-DEDUP decides which holds it).
        shortcut = reason is None and (
            len(copies) == 1 or len(set(map(MAILBOX, copies))) == len(copies)
        )
        for item in ordered:
            if shortcut and self.steady(item):
                continue
            if meeting is None:
                meeting = Meeting(uid=uid, copies=tuple(ordered), organizer=organizer, host=host)
            self.item(item, meeting, reason)
            if reason is None and host is not None and (organizer, item.id) in self.deleting_items:
                # The organizer's copy goes with its deleted event (R-DOWN-DELETE's
                # switch): the attendees' copies are left waiting for nothing.
                reason = f"its organizer's copy {item.id} is deleted with its event"

    def _gone_organizer_items(self) -> dict[str, CalendarItem]:
        """R-CANCEL: organizers' own items that vanished from a window that covers them.

        Only an organizer's (or an appointment owner's) copy counts: an attendee
        removing their copy deletes nothing. A mailbox that emptied wholesale is a
        failed fetch (R-EMPTY-GUARD), not a string of cancellations.
        """
        if self.prev is None:
            return {}
        gone: dict[str, CalendarItem] = {}
        prev_items = self.prev.items
        # An item still there but invalid now is not gone: only absence counts.
        invalid = {(b.item.mailbox, b.item.id) for b in self.now.bad_items}
        for key in sorted(prev_items.keys() - self.now.items.keys() - invalid):
            item = prev_items[key]
            if item.mailbox in self.emptied.mailboxes:
                continue
            if item.mailbox not in self.org.users or organizer_of(item) != item.mailbox:
                continue
            if item.original_start is not None:
                # One modified occurrence gone is not the meeting gone: a cancelled
                # occurrence shows in its series' ``cancelled`` (R-CANCEL).
                continue
            if any(
                copy.mailbox == item.mailbox and copy.original_start is None
                for copy in self.now.meetings.get(item.ical_uid, ())
            ):
                continue  # the organizer still has a copy of it (one made with Outlook's Copy)
            if in_window(item, self.org):
                gone.setdefault(item.ical_uid, item)
        return gone

    def _cancelled(self, uid: str, copies: Sequence[CalendarItem]) -> str | None:
        """Why the whole meeting is cancelled, or None.

        Only the organizer cancels a meeting: their own copy cancelled, or gone.
        A cancelled copy elsewhere -- an attendee removed from the meeting, an
        external organizer's cancellation, one cancelled occurrence -- cancels only
        what belongs to that copy (``ItemRules._cancelled_copy``).
        """
        if copies:
            organizer = organizer_of_copies(copies)
            for copy in copies:
                if copy.is_cancelled and copy.mailbox == organizer and copy.original_start is None:
                    return "the organizer cancelled this meeting"
        gone = self.gone.get(uid)
        if gone is not None:
            return f"the organizer's own item {gone.id} was deleted from {gone.mailbox}"
        return None

    def _cancel(self, uid: str, reason: str) -> None:
        for event in self.now.events_by_uid.get(uid, ()):
            if not event.created_by_sync:
                self.decide(event.id, "keep", R.CANCEL, f"{reason}; sync did not create it")
            elif self.held(event.owner_id):
                self.decide(event.id, "keep", R.EMPTY_GUARD, f"{reason}; its owner came back empty")
            elif not self._upward(event.owner_id):
                self.decide(event.id, "keep", R.DIRECTION, "its owner syncs to the calendar only")
            else:
                self.act(DeleteEvent(event_id=event.id, rule=R.CANCEL))
                self.decide(event.id, "delete", R.CANCEL, reason)

    def _flush_invitees(self) -> None:
        """One update per event for the attendees who joined or left it this run.

        Joining: R-WAIT-ORGANIZER (a forwarded invite included); leaving: an
        attendee's cancelled copy (R-CANCEL). Computed from the invitees as this
        plan leaves them, and never on an event the plan makes private (R-PRIVATE).
        """
        for event_id, change in sorted(self.invitee_changes.items()):
            event: SfEvent = self.now.events[event_id]
            if event_id in self.deleting:
                continue
            planned = self.planned(event)
            current = planned.invitee_ids
            gone = set(change.remove)
            kept = [i for i in current if i not in gone]
            joining = [] if planned.is_private else [i for i in change.add if i not in kept]
            new = (*kept, *dict.fromkeys(joining))
            if new == current:
                continue
            rule = R.WAIT_ORGANIZER if joining else R.CANCEL
            self.act(
                UpdateEvent(
                    event_id=event_id,
                    changes=(FieldChange(field="invitee_ids", old=current, new=new),),
                    rule=rule,
                )
            )
            if joining:
                note = f"invitees added: {', '.join(dict.fromkeys(joining))}"
                self.decide(event_id, "update", R.WAIT_ORGANIZER, note)
            left = [i for i in current if i in gone]
            if left:
                self.decide(event_id, "update", R.CANCEL, f"invitees removed: {', '.join(left)}")
        self.invitee_changes.clear()
