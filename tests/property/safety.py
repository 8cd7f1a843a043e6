"""The safety oracle: what a plan may delete, leak and overwrite, read from RULES.md.

Each check takes one run -- settings, ``before``, ``after`` and the plan -- and
returns what it found wrong, one sentence per violation, so that a failing
property shows every problem of its example at once. The property tests over
generated histories and the stateful session machine share them.

- :func:`event_deletions` (R-CANCEL, R-UNSYNC, R-DEDUP, P-SAFETY): an event is
  deleted only if sync created it and its organizer cancelled it (the
  organizer's own copy is cancelled, or -- for an organizer who is a synced
  user -- is gone although ``before`` saw it inside the new window), a user
  unsynced it, it is a duplicate R-DEDUP
  removes, it is an attendee's own event (R-OWNER (b)) whose copy is
  cancelled, or it is an occurrence that was cancelled.
- :func:`item_deletions` (R-DOWN-DELETE, P-SAFETY): an item is deleted only
  with ``delete_items_deleted_in_salesforce`` on, in a mailbox whose user does
  not sync ``TO_SALESFORCE``, when the user organizes it and its own event
  was deleted (absent, though ``before`` saw it inside the new window).
- :func:`second_copies` (R-DEDUP, R-WINDOW): no item is made for an event in
  a mailbox that holds one for it already, in view or out of view.
- :func:`private_content` (R-PRIVATE, P-SAFETY): no subject, description or
  location of a private item or event goes to the other side or into another
  user's mailbox without a manual save or ``autosave_private``, and a private
  event relates to nobody.
- :func:`guard_holds` (R-EMPTY-GUARD): nothing that follows from an emptied
  mailbox or owner -- on any mailbox -- is deleted or unlinked: every deletion
  and unlinking planned is one the plan would also hold had the emptied sides
  shown what ``before`` held.
- :func:`stale_updates` (P-SAFETY): every ``FieldChange.old`` is what the
  system holds when the action runs, i.e. ``apply`` accepts the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs

import calsync_core as cs
from calsync_core._domain import downsync_uid, organizer_of, overlaps

SALESFORCE = "Salesforce"
UNSYNC = "Salesforce Unsync"
PRIVATE = frozenset({cs.Sensitivity.PRIVATE, cs.Sensitivity.CONFIDENTIAL})
#: Event field → the item attribute holding the same content.
CONTENT = {"subject": "subject", "description": "body", "location": "location"}


@attrs.frozen
class Run:
    """One reconcile call, indexed for the checks."""

    settings: cs.OrgSettings
    before: cs.Snapshot | None
    after: cs.Snapshot
    plan: cs.Plan
    #: What the systems themselves say was deleted, where a test knows it (the session
    #: machine knows what its users and sessions deleted): evidence besides ``before``.
    deleted_items: tuple[cs.CalendarItem, ...] = ()
    deleted_events: frozenset[str] = frozenset()

    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]:
        s, as_of = self.settings, self.after.as_of
        return as_of - dt.timedelta(days=s.past_days), as_of + dt.timedelta(days=s.future_days)

    @property
    def users(self) -> dict[str, cs.UserSettings]:
        return {u.email: u for u in self.settings.users}

    @property
    def owners(self) -> dict[str, cs.UserSettings]:
        return {u.sf_user_id: u for u in self.settings.users}

    def direction(self, user: cs.UserSettings) -> cs.Direction:
        return user.direction or self.settings.direction

    @property
    def items(self) -> dict[tuple[str, str], cs.CalendarItem]:
        return {(i.mailbox, i.id): i for i in self.after.items}

    @property
    def events(self) -> dict[str, cs.SfEvent]:
        return {e.id: e for e in self.after.events}

    @property
    def prior_items(self) -> dict[tuple[str, str], cs.CalendarItem]:
        return {} if self.before is None else {(i.mailbox, i.id): i for i in self.before.items}

    @property
    def prior_events(self) -> dict[str, cs.SfEvent]:
        return {} if self.before is None else {e.id: e for e in self.before.events}

    def seen_in_window(self, thing: cs.CalendarItem | cs.SfEvent | None) -> bool:
        """``before`` saw it where the new window covers: absent now, it is deleted."""
        return thing is not None and overlaps(thing, *self.window)

    def copies(self, uid: str | None) -> list[cs.CalendarItem]:
        """A meeting's copies now (masters and single items, not exceptions)."""
        return [i for i in self.after.items if i.ical_uid == uid and i.original_start is None]

    def organizer(self, uid: str | None) -> str | None:
        for snapshot in (self.after, self.before):
            for item in () if snapshot is None else snapshot.items:
                if item.ical_uid == uid and item.original_start is None:
                    return organizer_of(item)
        return None

    def consented(self, item: cs.CalendarItem) -> bool:
        manual = SALESFORCE in item.categories or item.link_choice is not None
        return manual or self.settings.autosave_private


# -- events ---------------------------------------------------------------------------------


def event_deletions(run: Run) -> list[str]:
    events = run.events
    found = []
    for action in run.plan.actions:
        if not isinstance(action, cs.DeleteEvent):
            continue
        event = events.get(action.event_id)
        if event is None:
            found.append(f"DeleteEvent {action.event_id}: no such event in after")
        elif not event.created_by_sync:
            found.append(f"DeleteEvent {event.id} ({action.rule}): sync did not create it")
        elif _why_delete(run, event) is None:
            found.append(
                f"DeleteEvent {event.id} ({action.rule}, uid {event.ical_uid}, owner "
                f"{event.owner_id}): no organizer cancellation, unsync, duplicate or "
                f"cancelled occurrence justifies it"
            )
    return found


def _why_delete(run: Run, event: cs.SfEvent) -> str | None:
    owner = run.owners.get(event.owner_id)
    own_copies = [] if owner is None else [
        i for i in run.after.items if i.mailbox == owner.email and (
            i.sf_event_id == event.id or i.ical_uid == event.ical_uid)
    ]  # fmt: skip
    if any(UNSYNC in i.categories for i in own_copies):
        return "R-UNSYNC"
    twins = [
        e
        for e in run.after.events
        if e.ical_uid == event.ical_uid
        and e.owner_id == event.owner_id
        and e.original_start == event.original_start
    ]
    if event.ical_uid and min(e.id for e in twins) < event.id:
        return "R-DEDUP"
    if event.original_start is not None and _occurrence_cancelled(run, event):
        return "R-CANCEL occurrence"
    # An attendee's (or appointment owner's) own copy, cancelled: its own event goes.
    if any(i.is_cancelled and i.original_start is None for i in own_copies):
        return "R-CANCEL own copy"
    organizer = run.organizer(event.ical_uid)
    mine = [c for c in run.copies(event.ical_uid) if c.mailbox == organizer]
    if any(c.is_cancelled for c in mine):
        return "R-CANCEL by the organizer"  # whoever they are, if their copy is in view
    host = run.users.get(organizer or "")
    if host is None:
        return None  # R-OWNER (b): else only each attendee's own copy cancels its own event
    if not mine:

        def host_copy(i: cs.CalendarItem) -> bool:
            return (
                i.mailbox == host.email
                and i.ical_uid == event.ical_uid
                and i.original_start is None
            )

        if any(run.seen_in_window(i) for i in run.prior_items.values() if host_copy(i)):
            return "R-CANCEL: the organizer's own item was deleted"
        if any(host_copy(i) for i in run.deleted_items):
            return "R-CANCEL: the organizer's own item was deleted (the system says so)"
    return None


def _occurrence_cancelled(run: Run, event: cs.SfEvent) -> bool:
    for item in run.after.items:
        if item.ical_uid != event.ical_uid:
            continue
        if item.original_start == event.original_start and item.is_cancelled:
            return True
        series = item.recurrence
        master = item.original_start is None and series is not None
        if master and series is not None and event.original_start in series.cancelled:
            return True
    return False


# -- items ----------------------------------------------------------------------------------


def item_deletions(run: Run) -> list[str]:
    items, events, prior_events = run.items, run.events, run.prior_events
    users = run.users
    found = []
    for action in run.plan.actions:
        if not isinstance(action, cs.DeleteItem):
            continue
        item = items.get((action.mailbox, action.item_id))
        user = users.get(action.mailbox)
        what = f"DeleteItem {action.mailbox}/{action.item_id} ({action.rule})"
        if item is None or user is None:
            found.append(f"{what}: no such item of a synced user in after")
            continue
        if not run.settings.delete_items_deleted_in_salesforce:
            found.append(f"{what}: delete_items_deleted_in_salesforce is off")
        if run.direction(user) is cs.Direction.TO_SALESFORCE:
            found.append(f"{what}: the user syncs TO_SALESFORCE")
        if organizer_of(item) != item.mailbox:
            found.append(f"{what}: the user does not organize it ({organizer_of(item)} does)")
        stamp = item.sf_event_id
        prior = prior_events.get(stamp or "")
        confirmed = run.seen_in_window(prior) or stamp in run.deleted_events
        if stamp is None or stamp in events or not confirmed:
            found.append(
                f"{what}: its event {stamp} was not deleted (still there, or last seen "
                "outside the window: out of view)"
            )
        elif prior is not None and not _owners_item(run, item, prior):
            found.append(f"{what}: not its event's owner's item (event owner {prior.owner_id})")
        elif prior is None and item.ical_uid != f"sf-{stamp}@calsync":  # downsync_uid
            # Known deleted, but ``before`` never held it: only an item sync made for
            # it (R-DOWN-CREATE, R-PUBLIC-CALENDAR) is surely its owner's.
            found.append(f"{what}: cannot tell it is its event's owner's item")
    return found


def _owners_item(run: Run, item: cs.CalendarItem, event: cs.SfEvent) -> bool:
    user = run.users[item.mailbox]
    if event.owner_id == user.sf_user_id:
        return True
    # A route's copy: sync created it for that public calendar event (R-PUBLIC-CALENDAR).
    routed = any(
        r.calendar_id == event.owner_id and item.mailbox in r.mailboxes
        for r in run.settings.public_calendar_routes
    )
    return routed and item.ical_uid == downsync_uid(event)


def second_copies(run: Run) -> list[str]:
    """R-DEDUP, R-WINDOW: no item is made for an event in a mailbox that already holds
    one for it -- in view, or out of view (``before`` saw it outside the new window)."""
    held: dict[tuple[str, str], str] = {}
    for item in run.after.items:
        if item.sf_event_id:
            held.setdefault((item.mailbox, item.sf_event_id), f"item {item.id}")
    shown = set(run.items)
    for key, item in run.prior_items.items():
        if item.sf_event_id and key not in shown and not run.seen_in_window(item):
            held.setdefault((item.mailbox, item.sf_event_id), f"item {item.id}, out of view")
    return [
        f"CreateItem in {a.mailbox} for event {a.sf_event_id} ({a.rule}): the mailbox "
        f"holds {held[(a.mailbox, a.sf_event_id)]}"
        for a in run.plan.actions
        if isinstance(a, cs.CreateItem)
        and a.sf_event_id is not None
        and (a.mailbox, a.sf_event_id) in held
    ]


# -- privacy --------------------------------------------------------------------------------


def private_content(run: Run) -> list[str]:
    items, events = run.items, run.events
    users = run.users
    by_id: dict[str, list[cs.CalendarItem]] = {}
    for one in run.after.items:
        by_id.setdefault(one.id, []).append(one)
    found = []
    for action in run.plan.actions:
        match action:
            case cs.CreateEvent():
                for source in by_id.get(action.source_item_id or "", []):
                    if source.sensitivity not in PRIVATE:
                        continue
                    if not run.consented(source):
                        found.append(
                            f"CreateEvent from private item {source.id}: autosaved "
                            "without a manual save or autosave_private"
                        )
                    if not action.is_private or action.who_ids or action.what_ids \
                            or action.invitee_ids:  # fmt: skip
                        found.append(
                            f"CreateEvent from private item {source.id}: not private or "
                            "related to someone"
                        )
            case cs.CreateItem() if action.sf_event_id in events:
                made = events[action.sf_event_id]
                user = users.get(action.mailbox)
                if made.is_private and (user is None or user.sf_user_id != made.owner_id):
                    found.append(
                        f"CreateItem in {action.mailbox}: private event {made.id} of "
                        f"{made.owner_id} copied into another mailbox"
                    )
            case cs.UpdateItem():
                item = items.get((action.mailbox, action.item_id))
                event = None if item is None else events.get(item.sf_event_id or "")
                user = users.get(action.mailbox)
                content = [c.field for c in action.changes if c.field in CONTENT.values()]
                if (
                    event is not None
                    and event.is_private
                    and content
                    and (user is None or user.sf_user_id != event.owner_id)
                ):
                    found.append(
                        f"UpdateItem {action.mailbox}/{action.item_id}: {', '.join(content)} "
                        f"of private event {event.id} owned by {event.owner_id}"
                    )
            case cs.UpdateEvent() if action.event_id in events:
                found.extend(_foreign_private_up(run, action, events[action.event_id]))
            case _:
                pass
    found.extend(_private_relations(run))
    return found


def _foreign_private_up(run: Run, action: cs.UpdateEvent, event: cs.SfEvent) -> list[str]:
    """Content of another user's private, unconsented item written on this event, or this
    event made public when its owner's own item is not."""
    owner = run.owners.get(event.owner_id)
    own = [
        i
        for i in run.after.items
        if owner is not None
        and i.mailbox == owner.email
        and (i.ical_uid == event.ical_uid or i.sf_event_id == event.id)
    ]
    foreign = [
        i
        for i in run.after.items
        if (i.sf_event_id == event.id or i.ical_uid == event.ical_uid)
        and (owner is None or i.mailbox != owner.email)
        and i.sensitivity in PRIVATE
        and not run.consented(i)
    ]
    found = []
    for change in action.changes:
        if change.field in CONTENT:
            attr = CONTENT[change.field]
            mine = {_cut(getattr(i, attr)) for i in own}
            for item in foreign:
                if change.new == _cut(getattr(item, attr)) and change.new not in mine:
                    found.append(
                        f"UpdateEvent {event.id}: {change.field} of {item.mailbox}'s private "
                        f"item {item.id} written on {event.owner_id}'s event"
                    )
        made_public = change.field == "is_private" and change.old is True and not change.new
        if made_public and not any(i.sensitivity not in PRIVATE for i in own):
            found.append(
                f"UpdateEvent {event.id}: made public, though its owner's own item is "
                "private or absent"
            )
    return found


def _cut(text: str) -> str:
    return text[:255]


def _private_relations(run: Run) -> list[str]:
    """R-PRIVATE over R-ATTENDEES: every event the plan writes that ends private relates
    to nobody (Salesforce refuses it, and invitees would see a private event)."""
    result = _fold(run.after.events, run.plan.actions)
    found = []
    for event_id, event in sorted(result.items()):
        if event.is_private and (event.who_ids or event.what_ids or event.invitee_ids):
            found.append(
                f"event {event_id} ends private with who={event.who_ids} "
                f"what={event.what_ids} invitees={event.invitee_ids}"
            )
    return found


def _fold(events: Iterable[cs.SfEvent], actions: Iterable[cs.Action]) -> dict[str, cs.SfEvent]:
    """The events the plan creates or updates, as they end (old values not checked)."""
    now = {e.id: e for e in events}
    touched: dict[str, cs.SfEvent] = {}
    for action in actions:
        if isinstance(action, cs.CreateEvent):
            touched[action.ref] = cs.SfEvent(
                id=action.ref, owner_id=action.owner_id, start=action.start, end=action.end,
                is_private=action.is_private, who_ids=action.who_ids, what_ids=action.what_ids,
                invitee_ids=action.invitee_ids,
            )  # fmt: skip
        elif isinstance(action, cs.UpdateEvent):
            base = touched.get(action.event_id) or now.get(action.event_id)
            if base is None:
                continue
            values: dict[str, Any] = {c.field: c.new for c in action.changes}
            touched[action.event_id] = attrs.evolve(base, **values)
        elif isinstance(action, cs.DeleteEvent):
            touched.pop(action.event_id, None)
    return touched


# -- R-EMPTY-GUARD ------------------------------------------------------------------------------


def guard_holds(run: Run) -> list[str]:
    """Every deletion or unlinking the plan holds must also be planned had the emptied
    mailboxes and owners shown what ``before`` held: else it follows from the emptiness."""
    mailboxes, owners = _emptied_sides(run)
    if not mailboxes and not owners:
        return []
    assert run.before is not None
    restored = attrs.evolve(
        run.after,
        items=(*run.after.items, *(i for i in run.before.items if i.mailbox in mailboxes)),
        events=(*run.after.events, *(e for e in run.before.events if e.owner_id in owners)),
    )
    counterfactual = {
        _destroys(a) for a in cs.reconcile(run.before, restored, run.settings).actions
    }
    return [
        f"{type(action).__name__} {_destroys(action)} ({action.rule}): follows from "
        f"{sorted(mailboxes | owners)} coming back empty"
        for action in run.plan.actions
        if _destroys(action) is not None and _destroys(action) not in counterfactual
    ]


def _emptied_sides(run: Run) -> tuple[set[str], set[str]]:
    """R-EMPTY-GUARD's definition: at least ``empty_guard`` linked items (events) before
    where the new window covers them, none at all now."""
    threshold = run.settings.empty_guard
    if run.before is None or threshold == 0:
        return set(), set()
    before_events = run.prior_events
    shown_boxes = {i.mailbox for i in run.after.items}
    shown_owners = {e.owner_id for e in run.after.events}
    linked: dict[str, int] = {}
    for item in run.before.items:
        if (
            item.sf_event_id in before_events
            and item.mailbox not in shown_boxes
            and run.seen_in_window(item)
        ):
            linked[item.mailbox] = linked.get(item.mailbox, 0) + 1
    owned: dict[str, int] = {}
    for event in run.before.events:
        if event.ical_uid and event.owner_id not in shown_owners and run.seen_in_window(event):
            owned[event.owner_id] = owned.get(event.owner_id, 0) + 1
    return (
        {m for m, n in linked.items() if n >= threshold},
        {o for o, n in owned.items() if n >= threshold},
    )


def _destroys(action: cs.Action) -> tuple[str, ...] | None:
    """What a deletion or unlinking destroys, or None for any other action."""
    if isinstance(action, cs.DeleteEvent):
        return ("event", action.event_id)
    if isinstance(action, cs.DeleteItem):
        return ("item", action.mailbox, action.item_id)
    if isinstance(action, cs.SetCategories) and SALESFORCE in action.remove:
        return ("unlink", action.mailbox, action.item_id)
    return None


# -- stale preconditions and crashes -----------------------------------------------------------


def stale_updates(run: Run) -> list[str]:
    try:
        cs.apply(run.after, run.plan)
    except cs.ApplyError as exc:
        return [f"apply refuses the plan: {exc}"]
    return []


CHECKS = (
    event_deletions,
    item_deletions,
    second_copies,
    private_content,
    guard_holds,
    stale_updates,
)


def violations(run: Run) -> list[str]:
    return [v for check in CHECKS for v in check(run)]
