"""Calendar → Salesforce for one calendar item: save, link, update, unsync, or say why not.

The branches, in the order they are tried for each item of an internal user:
its event is invalid (leave the pair alone) · the meeting is cancelled
(R-CANCEL) · ``Salesforce Unsync`` (R-UNSYNC) · linked to an event (R-UPDATE,
R-ATTENDEES, R-ATTACHMENTS) · its event was deleted in Salesforce
(R-DOWN-DELETE) · one-way to the calendar (R-DIRECTION) · otherwise the
eligibility rules decide, and a saved item adopts an existing event (R-DEDUP),
becomes an invitee of its organizer's event (R-WAIT-ORGANIZER) or creates one.
"""

from __future__ import annotations

from collections import defaultdict

import attrs

from . import _rules as R
from ._categories import CategoryState
from ._context import SALESFORCE, UNSYNC, Org
from ._eligibility import Verdict, in_window, is_meeting, is_private, judge, organizer_of
from ._enums import Direction, IssueCode, Sensitivity
from ._guard import Emptied
from ._index import Index, Previous
from ._limits import classic_series, duration_limit, event_fields, required_limit
from ._linking import links_for
from ._meetings import Meeting, invitees
from ._pairs import PairRules
from ._plan import (
    CreateEvent,
    DeleteEvent,
    DeleteItem,
    FieldChange,
    UpdateItem,
)
from ._timezones import iana_name
from ._values import CalendarItem, PublicCalendarRoute, SfEvent, UserSettings

# Event fields an item fills in itself, checked against required_fields.
_FILLED = ("subject", "location", "description", "start", "end", "is_all_day", "is_private")
WAITING_TEXT = "Waiting for the organizer to synchronize the event."


def event_ref(owner_id: str, ical_uid: str) -> str:
    """The ref of the event a plan creates for one (owner, meeting): at most one (R-DEDUP)."""
    return f"new-event:{owner_id}:{ical_uid}"


class ItemRules(PairRules):
    """The per-item half of a reconcile run (the meeting-level half is ``_reconcile``)."""

    org: Org
    now: Index
    prev: Previous | None
    emptied: Emptied
    # (ical_uid, owner) → ref of an event this plan creates: one per pair.
    creating: dict[tuple[str, str], str]
    # event id → invitees to add once the meeting's copies are all seen.
    new_invitees: defaultdict[str, list[str]]

    def item(self, item: CalendarItem, meeting: Meeting, cancelled: str | None) -> None:
        route = self._route_of(item)
        if route is not None:
            self._route_copy(item, route)
            return
        user = self.org.users.get(item.mailbox)
        if user is None:
            note = f"{item.mailbox} is not an internal user; only their calendars sync"
            self.note(item, "skip", R.OWNER, note)
            return
        state = CategoryState()
        if self.held(user.sf_user_id):
            state.hold()
        self._item(item, user, meeting, cancelled, state)
        self.categories(item, state)

    def _route_of(self, item: CalendarItem) -> PublicCalendarRoute | None:
        """The public-calendar route ``item`` is a copy of (R-PUBLIC-CALENDAR), if any."""
        if not item.sf_event_id:
            return None
        event = self.now.events.get(item.sf_event_id)
        for routes in self.org.routes.values():
            for route in routes:
                if item.mailbox not in route.mailboxes:
                    continue
                if event is not None and event.owner_id == route.calendar_id:
                    return route
                if event is None and route.category in item.categories:
                    return route  # its event is gone: still a copy, to unmark or delete
        return None

    def _route_copy(self, item: CalendarItem, route: PublicCalendarRoute) -> None:
        """A copy of a public-calendar event: updated from Salesforce only, never read back."""
        if item.sf_event_id in self.now.events:
            note = f"copy of public calendar {route.calendar_id}'s event; nothing goes back"
            self.note(item, "mirror", R.PUBLIC_CALENDAR, note)
            return
        state = CategoryState()
        self._event_gone(item, None, state, categories=frozenset({route.category, SALESFORCE}))
        self.categories(item, state)

    def _item(
        self,
        item: CalendarItem,
        user: UserSettings,
        meeting: Meeting,
        cancelled: str | None,
        state: CategoryState,
    ) -> None:
        stamped = self.now.events.get(item.sf_event_id) if item.sf_event_id else None
        event = None if stamped is None else self.kept(stamped)
        upward = self.org.direction(user) is not Direction.TO_CALENDAR
        if item.sf_event_id in self.now.bad_event_ids:
            # The event exists but cannot be read: it is not gone (R-DOWN-DELETE),
            # and its own INVALID_ITEM says why. Leave the pair as it is.
            state.saved()
            self.note(item, "keep", R.ISSUES, f"its event {item.sf_event_id} is invalid")
        elif cancelled is not None:
            if SALESFORCE in item.categories:
                state.unlink(R.CANCEL)
            self.note(item, "cancel", R.CANCEL, cancelled)
        elif UNSYNC in item.categories and not upward:
            self.note(item, "keep", R.DIRECTION, "this user syncs to the calendar only")
        elif UNSYNC in item.categories:
            self._unsync(item, event, state)
        elif event is not None:
            self._linked(item, user, meeting, event, state, adopted=event is not stamped)
        elif item.original_start is not None:
            self._exception(item, user, meeting, state)
        elif item.sf_event_id and not self._saved_again(item):
            self._event_gone(item, user, state)
        elif not upward:
            self.note(item, "skip", R.DIRECTION, "this user syncs to the calendar only")
        else:
            verdict = judge(item, user, self.org, self.now)
            if verdict.save and meeting.is_attendee_copy(item):
                self._attendee(item, user, meeting, state)
                return
            owner = meeting.owner_for(item, user)
            found = self.now.events_of(item.ical_uid, owner)
            if verdict.save and found:
                # R-DEDUP: the event is already there (an earlier run, another tool):
                # adopt the oldest instead of creating one more.
                self._linked(item, user, meeting, found[0], state, adopted=True)
            else:
                self._unlinked(item, meeting, owner, verdict, state)

    def _exception(
        self, item: CalendarItem, user: UserSettings, meeting: Meeting, state: CategoryState
    ) -> None:
        """A modified occurrence: it updates its own occurrence of the series, never more.

        Salesforce creates a Classic series' occurrences itself when the series is
        saved; the exception is linked to the one with its original start.
        """
        if meeting.is_attendee_copy(item):
            note = "an occurrence of the organizer's series: the organizer's copy decides"
            self.note(item, "skip", R.OWNER, note)
            return
        owner = meeting.owner_for(item, user)
        assert item.original_start is not None
        occurrence = self.now.occurrences.get((item.ical_uid, owner, item.original_start))
        if occurrence is None or occurrence.id in self.deleting:
            note = "a modified occurrence: waits for its occurrence of the series in Salesforce"
            self.note(item, "wait", R.UPDATE, note)
            return
        self._linked(item, user, meeting, occurrence, state, adopted=True)

    def _saved_again(self, item: CalendarItem) -> bool:
        """True when the user asked again to save an item whose event was deleted."""
        prior = None if self.prev is None else self.prev.items.get((item.mailbox, item.id))
        if prior is None:
            return False
        recategorised = SALESFORCE in item.categories and SALESFORCE not in prior.categories
        rechosen = item.link_choice is not None and item.link_choice != prior.link_choice
        return recategorised or rechosen

    # -- the branches -------------------------------------------------------------------

    def _unsync(self, item: CalendarItem, event: SfEvent | None, state: CategoryState) -> None:
        if event is None:
            self.note(item, "skip", R.UNSYNC, "'Salesforce Unsync' category: never saved")
            return
        if self.held(event.owner_id):
            self.note(item, "keep", R.EMPTY_GUARD, "its owner's side came back empty")
            return
        if not event.created_by_sync:
            message = "This event was not created by sync, so sync will not delete it."
            self.issue(item, IssueCode.UNSYNC_NOT_ALLOWED, R.UNSYNC, message, event_id=event.id)
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
        meeting: Meeting,
        event: SfEvent,
        state: CategoryState,
        *,
        adopted: bool,
    ) -> None:
        state.saved()
        attachments = self._too_large(item, state)
        if adopted:
            stamp = FieldChange(field="sf_event_id", old=item.sf_event_id, new=event.id)
            self.act(
                UpdateItem(mailbox=item.mailbox, item_id=item.id, rule=R.DEDUP, changes=(stamp,))
            )
            note = f"linked to event {event.id}, the one event of this UID and owner"
            self.note(item, "link", R.DEDUP, note)
        if not in_window(item, self.org) and not self.org.in_window(event.start, event.end):
            note = "outside the window: no longer updated, its event is kept"
            self.note(item, "keep", R.WINDOW, note)
            return
        limit = duration_limit(item)
        if limit is not None:
            self.issue(item, limit.code, limit.rule, limit.message, event_id=event.id)
            self.note(item, "skip", limit.rule, f"not updated: {limit.message}")
            state.issue()
            return
        private = self._sync_fields(item, user, event, adopted=adopted)
        if self.org.direction(user) is not Direction.TO_CALENDAR:
            self._cancel_occurrences(item, event)
        if self.org.direction(user) is Direction.TO_CALENDAR:
            return  # Who/What and attachments only ever go up (R-DIRECTION)
        if self.org.settings.smart_auto_sharing and not private:
            # Share as the pair will be: an item Salesforce just made public counts as public.
            shared = (
                item if not is_private(item) else attrs.evolve(item, sensitivity=Sensitivity.NORMAL)
            )
            self._share(shared, meeting, event)
        self._save(attachments, event.id, event.attachment_ids)

    def _event_gone(
        self,
        item: CalendarItem,
        user: UserSettings | None,
        state: CategoryState,
        *,
        categories: frozenset[str] = frozenset({SALESFORCE}),
    ) -> None:
        """R-DOWN-DELETE: the item's event was deleted in Salesforce."""
        gone = f"event {item.sf_event_id} was deleted in Salesforce"
        settings = self.org.settings
        downward = user is None or self.org.direction(user) is not Direction.TO_SALESFORCE
        if not categories & item.categories:
            self.note(item, "skip", R.DOWN_DELETE, f"{gone}; only a manual save saves it again")
        elif user is not None and self.held(user.sf_user_id):
            state.saved()  # keep the category: the owner's events look fetched empty
            self.note(item, "keep", R.EMPTY_GUARD, f"{gone}? the owner shows no events at all")
        elif (
            settings.delete_items_deleted_in_salesforce
            and downward
            and organizer_of(item) == item.mailbox  # never a meeting someone else organizes
        ):
            self.act(DeleteItem(mailbox=item.mailbox, item_id=item.id, rule=R.DOWN_DELETE))
            state.delete()
            self.note(item, "delete", R.DOWN_DELETE, f"{gone}; the item is deleted too")
        else:
            state.unlink(R.DOWN_DELETE, categories)
            self.note(item, "unlink", R.DOWN_DELETE, f"{gone}; the item is kept")

    def _attendee(
        self, item: CalendarItem, user: UserSettings, meeting: Meeting, state: CategoryState
    ) -> None:
        """R-WAIT-ORGANIZER: an attendee's copy of a meeting an internal user organizes."""
        assert meeting.host is not None
        host = meeting.host.sf_user_id
        found = [
            e
            for e in self.now.events_of(item.ical_uid, host)
            if e.id not in self.deleting  # the organizer unsynced or cancelled it just now
        ]
        target = found[0].id if found else self.creating.get((item.ical_uid, host))
        if target is None:
            self.issue(item, IssueCode.WAITING_FOR_ORGANIZER, R.WAIT_ORGANIZER, WAITING_TEXT)
            state.issue()
            note = f"waiting for the organizer {meeting.organizer} to synchronize the event"
            self.note(item, "wait", R.WAIT_ORGANIZER, note)
            return
        state.saved()
        note = f"invitee of the organizer's event {target}; no event of its own"
        self.note(item, "invitee", R.WAIT_ORGANIZER, note)
        # With smart_auto_sharing the organizer's copy keeps invitees right (R-ATTENDEES).
        if (
            found
            and not self.org.settings.smart_auto_sharing
            and not found[0].is_private
            and user.sf_user_id not in found[0].invitee_ids
        ):
            self.new_invitees[found[0].id].append(user.sf_user_id)

    def _unlinked(
        self,
        item: CalendarItem,
        meeting: Meeting,
        owner: str,
        verdict: Verdict,
        state: CategoryState,
    ) -> None:
        if not verdict.save:
            outcome = "skip"
            if verdict.issue is not None:
                self.issue(item, verdict.issue, verdict.rule, verdict.message)
                state.issue()
                if verdict.issue is IssueCode.UNRESOLVED_PARTICIPANTS:
                    outcome = "wait"
            self.note(item, outcome, verdict.rule, verdict.note)
            return
        fields = event_fields(item)
        links = links_for(item, self.org, self.now)
        invited = invitees(item, self.org) if meeting.host is not None and is_meeting(item) else ()
        limit = duration_limit(item) or required_limit(
            self.org.settings.required_fields,
            {
                **{name: fields.value(name) for name in _FILLED},
                "who_ids": links.who_ids,
                "what_ids": links.what_ids,
                "invitee_ids": invited,
            },
        )
        classic = None
        if limit is None and item.recurrence is not None:
            classic, limit = classic_series(item)
        if limit is not None:
            self.issue(item, limit.code, limit.rule, limit.message)
            state.issue(limit.status)
            self.note(item, "skip", limit.rule, f"not saved: {limit.message}")
            return
        key = (item.ical_uid, owner)
        ref = self.creating.get(key)
        if ref is None:
            ref = self.creating[key] = event_ref(owner, item.ical_uid)
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
                    invitee_ids=invited,
                    recurrence=item.recurrence,
                    source_item_id=item.id,
                    rule=verdict.rule,
                    # TimeZoneSidKey: the IANA name (R-TIMEZONE let only mappable zones here).
                    time_zone=iana_name(item.time_zone) or item.time_zone,
                    classic=classic,
                )
            )
            self._save(self._too_large(item, state), ref, frozenset())
        stamp = FieldChange(field="sf_event_id", old=item.sf_event_id, new=ref)
        self.act(
            UpdateItem(mailbox=item.mailbox, item_id=item.id, rule=verdict.rule, changes=(stamp,))
        )
        state.saved()
        self.note(item, "save", verdict.rule, f"{verdict.note}; owner {owner}")
        for _, note in fields.cuts:
            self.note(item, "cut", R.FIELD_LIMITS, note)
        for rule, note in links.notes:
            self.note(item, "note", rule, note)
