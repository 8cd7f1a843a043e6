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
   change key means nothing to compare.
"""

from __future__ import annotations

from . import _rules as R
from ._categories import CategoryState, category_action
from ._context import SALESFORCE, UNSYNC, Org
from ._eligibility import Verdict, in_window, judge
from ._enums import ConflictPolicy, Direction, IssueCode
from ._index import Index, build
from ._limits import duration_limit, event_fields, required_limit
from ._linking import links_for
from ._plan import (
    Action,
    CreateEvent,
    CreateRecord,
    Decision,
    DeleteEvent,
    FieldChange,
    Issue,
    Plan,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)
from ._updates import upsync_changes
from ._values import CalendarItem, OrgSettings, SfEvent, Snapshot, UserSettings

# Actions run in phases so that everything an action refers to exists first:
# records before the events that link them, events before the items stamped
# with their ids. Within a phase the planner's own (sorted) order is kept.
_PHASE: dict[type, int] = {
    CreateRecord: 0,
    CreateEvent: 1,
    UpdateEvent: 2,
    DeleteEvent: 3,
    UpdateItem: 5,
    SetCategories: 6,
}
# Event fields an item fills in itself, checked against required_fields.
_FILLED = ("subject", "location", "description", "start", "end", "is_all_day", "is_private")


def event_ref(owner_id: str, ical_uid: str) -> str:
    """The ref of the event a plan creates for one (owner, meeting): at most one (R-DEDUP)."""
    return f"new-event:{owner_id}:{ical_uid}"


def reconcile(before: Snapshot | None, after: Snapshot, settings: OrgSettings) -> Plan:
    """Plan one sync: what to create, update and delete on each side, and why.

    ``after`` is both systems as observed now; ``before`` is the state as it stood
    after the previous plan was carried out, or ``None`` on the first run.
    Raises :class:`~calsync_core.SettingsError` for self-contradicting settings;
    never raises for a bad item (that is an issue in the plan).
    """
    prev = None if before is None else build(before)
    run = _Run(Org.build(settings, after.as_of), build(after), prev)
    run.invalid_inputs()
    for uid in sorted(run.now.meetings):
        for item in run.now.meetings[uid]:
            run.item(item)
    return run.plan()


class _Run:
    """The mutable working state of one ``reconcile`` call (never escapes it)."""

    def __init__(self, org: Org, now: Index, prev: Index | None) -> None:
        self.org = org
        self.now = now
        self.prev = prev
        self.actions: list[Action] = []
        self.action_keys: set[str] = set()
        self.issues: list[Issue] = []
        self.decisions: list[Decision] = []
        # (ical_uid, owner) → ref of the event this plan creates, so two copies
        # that map to one owner share one event instead of making two.
        self.creating: dict[tuple[str, str], str] = {}

    # -- output -----------------------------------------------------------------

    def act(self, action: Action) -> None:
        if action.key not in self.action_keys:
            self.action_keys.add(action.key)
            self.actions.append(action)

    def decide(self, ref: str, outcome: str, rule: str, note: str) -> None:
        self.decisions.append(Decision(ref=ref, outcome=outcome, rule=rule, note=note))

    def note(self, item: CalendarItem, outcome: str, rule: str, note: str) -> None:
        self.decisions.append(
            Decision(ref=item.id, outcome=outcome, rule=rule, note=note, mailbox=item.mailbox)
        )

    def plan(self) -> Plan:
        ordered = sorted(enumerate(self.actions), key=lambda p: (_PHASE[type(p[1])], p[0]))
        return Plan(
            actions=tuple(a for _, a in ordered),
            issues=tuple(self.issues),
            decisions=tuple(self.decisions),
        )

    # -- inputs that cannot be planned -------------------------------------------

    def invalid_inputs(self) -> None:
        for bad in self.now.bad_items:
            item, text = bad.item, "; ".join(bad.problems)
            self._issue(item, IssueCode.INVALID_ITEM, R.ISSUES, f"Invalid calendar item: {text}.")
            self.note(item, "skip", R.ISSUES, f"invalid item, nothing planned: {text}")
            if bad.addressable and item.mailbox in self.org.users:
                state = CategoryState()
                state.issue()
                self._categories(item, state)
        for event, problems in self.now.bad_events:
            text = "; ".join(problems)
            owner = self.org.users_by_sf_id.get(event.owner_id)
            self.issues.append(
                Issue(
                    code=IssueCode.INVALID_ITEM,
                    message=f"Invalid Salesforce event: {text}.",
                    rule=R.ISSUES,
                    mailbox=None if owner is None else owner.email,
                    event_id=event.id,
                )
            )
            self.decide(event.id, "skip", R.ISSUES, f"invalid event, nothing planned: {text}")

    # -- one calendar item ----------------------------------------------------------

    def item(self, item: CalendarItem) -> None:
        user = self.org.users.get(item.mailbox)
        if user is None:
            self.note(
                item,
                "skip",
                R.OWNER,
                f"{item.mailbox} is not an internal user; only their calendars sync",
            )
            return
        state = CategoryState()
        self._item(item, user, state)
        self._categories(item, state)

    def _categories(self, item: CalendarItem, state: CategoryState) -> None:
        action = category_action(item, state)
        if action is not None:
            self.act(action)

    def _item(self, item: CalendarItem, user: UserSettings, state: CategoryState) -> None:
        event = self.now.events.get(item.sf_event_id) if item.sf_event_id else None
        upward = self.org.direction(user) is not Direction.TO_CALENDAR
        if item.sf_event_id in self.now.bad_event_ids:
            # The event exists but cannot be read: it is not gone (R-DOWN-DELETE),
            # and its own INVALID_ITEM says why. Leave the pair as it is.
            state.saved()
            self.note(item, "keep", R.ISSUES, f"its event {item.sf_event_id} is invalid")
        elif UNSYNC in item.categories and not upward:
            self.note(item, "keep", R.DIRECTION, "this user syncs to the calendar only")
        elif UNSYNC in item.categories:
            self._unsync(item, event, state)
        elif event is not None:
            self._linked(item, user, event, state, adopted=False)
        elif item.is_cancelled:
            self.note(item, "skip", R.CANCEL, "cancelled; a cancelled meeting is not saved")
        elif item.sf_event_id and not self._saved_again(item):
            self._event_gone(item, state)
        elif not upward:
            self.note(item, "skip", R.DIRECTION, "this user syncs to the calendar only")
        else:
            verdict = judge(item, user, self.org, self.now)
            found = self.now.events_by_uid_owner.get((item.ical_uid, user.sf_user_id), ())
            if verdict.save and found:
                # R-DEDUP: the event is already there (an earlier run, another tool):
                # adopt the oldest instead of creating one more.
                self._linked(item, user, found[0], state, adopted=True)
            else:
                self._unlinked(item, user, verdict, state)

    def _saved_again(self, item: CalendarItem) -> bool:
        """True when the user asked again to save an item whose event was deleted."""
        prior = None if self.prev is None else self.prev.items.get((item.mailbox, item.id))
        if prior is None:
            return False
        recategorised = SALESFORCE in item.categories and SALESFORCE not in prior.categories
        rechosen = item.link_choice is not None and item.link_choice != prior.link_choice
        return recategorised or rechosen

    # -- the branches ---------------------------------------------------------------

    def _unsync(self, item: CalendarItem, event: SfEvent | None, state: CategoryState) -> None:
        if event is None:
            self.note(item, "skip", R.UNSYNC, "'Salesforce Unsync' category: never saved")
            return
        if not event.created_by_sync:
            self._issue(
                item,
                IssueCode.UNSYNC_NOT_ALLOWED,
                R.UNSYNC,
                "This event was not created by sync, so sync will not delete it.",
                event_id=event.id,
            )
            self.note(item, "keep", R.UNSYNC, f"event {event.id} was not created by sync")
            state.issue()
            return
        self.act(DeleteEvent(event_id=event.id, rule=R.UNSYNC))
        state.unlink(R.UNSYNC)
        self.note(item, "delete", R.UNSYNC, f"unsynced: event {event.id} deleted")
        self.decide(event.id, "delete", R.UNSYNC, f"its item {item.id} was unsynced")

    def _linked(
        self,
        item: CalendarItem,
        user: UserSettings,
        event: SfEvent,
        state: CategoryState,
        *,
        adopted: bool,
    ) -> None:
        state.saved()
        if adopted:
            self.act(
                UpdateItem(
                    mailbox=item.mailbox,
                    item_id=item.id,
                    rule=R.DEDUP,
                    changes=(FieldChange(field="sf_event_id", old=item.sf_event_id, new=event.id),),
                )
            )
            self.note(
                item,
                "link",
                R.DEDUP,
                f"adopted event {event.id}, which already carries this UID and owner",
            )
        if self.org.direction(user) is Direction.TO_CALENDAR:
            self.note(item, "keep", R.DIRECTION, "this user syncs to the calendar only")
            return
        if not in_window(item, self.org):
            self.note(
                item,
                "keep",
                R.WINDOW,
                "outside the window: no longer updated, its event is kept",
            )
            return
        limit = duration_limit(item)
        if limit is not None:
            self._issue(item, limit.code, limit.rule, limit.message, event_id=event.id)
            self.note(item, "skip", limit.rule, f"not updated: {limit.message}")
            state.issue()
            return
        prior = None if self.prev is None else self.prev.items.get((item.mailbox, item.id))
        cal_wins = self.org.settings.conflict_policy is ConflictPolicy.CALENDAR_WINS
        changes, notes = upsync_changes(
            item, prior, event, self.org.description_mode(user), first_run_wins=cal_wins
        )
        if changes:
            self.act(UpdateEvent(event_id=event.id, changes=changes, rule=R.UPDATE))
            names = ", ".join(ch.field for ch in changes)
            self.note(item, "update", R.UPDATE, f"changed in the calendar: {names}")
            self.decide(event.id, "update", R.UPDATE, f"updated from item {item.id}: {names}")
        elif not adopted:
            self.note(item, "keep", R.UPDATE, f"linked to event {event.id}; in sync")
        for note in notes:
            self.note(item, "cut", R.FIELD_LIMITS, note)

    def _event_gone(self, item: CalendarItem, state: CategoryState) -> None:
        if SALESFORCE in item.categories:
            state.unlink(R.DOWN_DELETE)
            self.note(
                item,
                "unlink",
                R.DOWN_DELETE,
                f"event {item.sf_event_id} was deleted in Salesforce; the item is kept",
            )
        else:
            self.note(
                item,
                "skip",
                R.DOWN_DELETE,
                f"its event {item.sf_event_id} was deleted in Salesforce; "
                "only a manual save saves it again",
            )

    def _unlinked(
        self, item: CalendarItem, user: UserSettings, verdict: Verdict, state: CategoryState
    ) -> None:
        if not verdict.save:
            if verdict.issue is not None:
                self._issue(item, verdict.issue, verdict.rule, verdict.message)
                state.issue()
                outcome = "wait" if verdict.issue is IssueCode.UNRESOLVED_PARTICIPANTS else "skip"
            else:
                outcome = "skip"
            self.note(item, outcome, verdict.rule, verdict.note)
            return
        limit = duration_limit(item)
        fields = event_fields(item)
        links = links_for(item, self.org, self.now)
        if limit is None:
            limit = required_limit(
                self.org.settings.required_fields,
                {
                    **{name: fields.value(name) for name in _FILLED},
                    "who_ids": links.who_ids,
                    "what_ids": links.what_ids,
                    "invitee_ids": (),
                },
            )
        if limit is not None:
            self._issue(item, limit.code, limit.rule, limit.message)
            state.issue(limit.status)
            self.note(item, "skip", limit.rule, f"not saved: {limit.message}")
            return
        owner = user.sf_user_id  # R-OWNER (b) and (c): the mailbox owner
        key = (item.ical_uid, owner)
        ref = self.creating.get(key)
        if ref is None:
            ref = event_ref(owner, item.ical_uid)
            self.creating[key] = ref
            for record in links.new_records:
                self.act(record)
            self.act(
                CreateEvent(
                    ref=ref,
                    owner_id=owner,
                    ical_uid=item.ical_uid,
                    start=item.start,
                    end=item.end,
                    subject=fields.subject,
                    description=fields.description,
                    location=fields.location,
                    is_all_day=item.is_all_day,
                    is_private=fields.is_private,
                    who_ids=links.who_ids,
                    what_ids=links.what_ids,
                    invitee_ids=(),
                    recurrence=item.recurrence,
                    source_item_id=item.id,
                    rule=verdict.rule,
                    time_zone=item.time_zone,
                )
            )
        self.act(
            UpdateItem(
                mailbox=item.mailbox,
                item_id=item.id,
                rule=verdict.rule,
                changes=(FieldChange(field="sf_event_id", old=item.sf_event_id, new=ref),),
            )
        )
        state.saved()
        self.note(item, "save", verdict.rule, f"{verdict.note}; owner {owner}")
        for _, note in fields.cuts:
            self.note(item, "cut", R.FIELD_LIMITS, note)
        for rule, note in links.notes:
            self.note(item, "note", rule, note)

    def _issue(
        self,
        item: CalendarItem,
        code: IssueCode,
        rule: str,
        message: str,
        event_id: str | None = None,
    ) -> None:
        self.issues.append(
            Issue(
                code=code,
                message=message,
                rule=rule,
                mailbox=item.mailbox,
                item_id=item.id,
                event_id=event_id,
            )
        )
