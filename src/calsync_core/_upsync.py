"""Calendar → Salesforce for one calendar item: save, link, update, unsync, or say why not.

The branches, in the order they are tried for each item of an internal user:
its event is invalid (leave the pair alone) · the organizer cancelled the
meeting (R-CANCEL) · this copy alone is cancelled: a removed attendee, an
external cancellation, one occurrence (R-CANCEL) · its stamp is not its own, or
a twin in the mailbox holds the event (R-DEDUP, STAMP_MISMATCH) · ``Salesforce
Unsync`` (R-UNSYNC) · linked to an event (R-UPDATE, R-ATTENDEES, R-LINK,
R-ATTACHMENTS) · a modified occurrence (R-UPDATE) · its event is absent:
deleted in Salesforce (R-DOWN-DELETE) or only out of view (R-WINDOW) · one-way
to the calendar (R-DIRECTION) · otherwise the eligibility rules decide, and a
saved item adopts an existing event (R-DEDUP), becomes an invitee of its
organizer's event (R-WAIT-ORGANIZER) or creates one.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable

import attrs

from . import _rules as R
from ._categories import CategoryState
from ._context import SALESFORCE, UNSYNC, Org
from ._domain import downsync_uid, organizer_of
from ._eligibility import Verdict, in_window, is_meeting, is_private, judge
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


@attrs.define
class InviteeChange:
    """Users to add to and remove from one event's invitees (R-WAIT-ORGANIZER, R-CANCEL)."""

    add: list[str] = attrs.Factory(list)
    remove: list[str] = attrs.Factory(list)


class _Foreign:
    """The answer of ``_stamp`` for a stamp that is not the item's own (reported)."""


_FOREIGN = _Foreign()
_ITEM_ID: Callable[[CalendarItem], str] = operator.attrgetter("id")


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
    # event id → invitees to add or remove once the meeting's copies are all seen.
    invitee_changes: defaultdict[str, InviteeChange]

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
        """The public-calendar route ``item`` is a copy of (R-PUBLIC-CALENDAR), if any.

        A copy is recognised by what sync made: it is stamped with an event of the
        routed calendar -- as Salesforce shows it now or, once deleted, as ``before``
        last saw it --, carries the UID sync gave it, and that event carries no UID
        (nothing is ever written back to a public calendar). A category name proves
        nothing: a user may name their own category like a route's; and a user's
        own item whose event was moved to a public calendar is still the user's.
        """
        if not item.sf_event_id or not self.org.routes:
            return None
        event = self.now.events.get(item.sf_event_id) or self._prior_event(item.sf_event_id)
        if event is None or event.ical_uid is not None or item.ical_uid != downsync_uid(event):
            return None
        for route in self.org.routes.get(event.owner_id, ()):
            if item.mailbox in route.mailboxes:
                return route
        return None

    def _prior_event(self, event_id: str) -> SfEvent | None:
        return None if self.prev is None else self.prev.events.get(event_id)

    def _route_copy(self, item: CalendarItem, route: PublicCalendarRoute) -> None:
        """A copy of a public-calendar event: updated from Salesforce only, never read back."""
        if item.sf_event_id in self.now.events:
            note = f"copy of public calendar {route.calendar_id}'s event; nothing goes back"
            self.note(item, "mirror", R.PUBLIC_CALENDAR, note)
            return
        state = CategoryState()
        prior = self._prior_event(item.sf_event_id or "")
        if prior is not None and not in_window(prior, self.org):
            # Moved out of the window, not deleted (R-WINDOW): nothing to do.
            self.note(item, "keep", R.WINDOW, f"its event {item.sf_event_id} is out of view")
            return
        user = self.org.users.get(item.mailbox)
        self._event_gone(
            item,
            user,
            state,
            owner=route.calendar_id,
            categories=frozenset({route.category, SALESFORCE}),
        )
        self.categories(item, state)

    def _item(
        self,
        item: CalendarItem,
        user: UserSettings,
        meeting: Meeting,
        cancelled: str | None,
        state: CategoryState,
    ) -> None:
        # The branches in the spec's order: the first that applies decides.
        upward = self.org.direction(user) is not Direction.TO_CALENDAR
        if item.sf_event_id in self.now.bad_event_ids:
            # The event exists but cannot be read: it is not gone (R-DOWN-DELETE),
            # and its own INVALID_ITEM says why. Leave the pair as it is.
            state.saved()
            self.note(item, "keep", R.ISSUES, f"its event {item.sf_event_id} is invalid")
            return
        if cancelled is not None:
            if SALESFORCE in item.categories:
                state.unlink(R.CANCEL)
            self.note(item, "cancel", R.CANCEL, cancelled)
            return
        if item.is_cancelled:
            self._cancelled_copy(item, user, meeting, state)
            return
        unsync = UNSYNC in item.categories
        stamp = self._stamp(item, user, meeting, state, report=not unsync)
        if stamp is None and not item.sf_event_id:
            twin = self._twin(item, user, meeting)
            if twin is not None:
                # A copy of a linked item that lost (or never had) the stamp: the
                # meeting's event is its twin's, whatever this copy asks for.
                why = f"item {twin.id} in this mailbox is already linked to it"
                if not unsync:
                    self._not_its_own(item, state, why, twin.sf_event_id or "")
                stamp = _FOREIGN
        if isinstance(stamp, _Foreign):
            if unsync:
                note = "'Salesforce Unsync' category: its stamp is not its own, nothing to delete"
                self.note(item, "skip", R.UNSYNC, note)
            return
        event = None if stamp is None else self.kept(stamp)
        if unsync and not upward:
            self.note(item, "keep", R.DIRECTION, "this user syncs to the calendar only")
        elif unsync:
            self._unsync(item, user, meeting, event, state)
        elif event is not None:
            self._linked(item, user, meeting, event, state, adopted=event is not stamp)
        elif item.original_start is not None:
            self._exception(item, user, meeting, state)
        elif item.sf_event_id and not self._saved_again(item):
            self._absent_event(item, user, state)
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

    def _stamp(
        self,
        item: CalendarItem,
        user: UserSettings,
        meeting: Meeting,
        state: CategoryState,
        *,
        report: bool = True,
    ) -> SfEvent | _Foreign | None:
        """The event ``item`` is stamped with if the stamp holds, ``_FOREIGN`` if it does not.

        A stamp counts only when the event carries the item's UID and is owned by
        the item's mailbox owner, and no other copy in the mailbox holds it
        (R-DEDUP). Anything else -- an Outlook copy of a linked item keeps the
        stamp, an item stamped with another user's event -- is reported on the
        item, and the event is left alone: trusting it would move, overwrite or
        leak someone else's event.
        """
        event_id = item.sf_event_id
        if not event_id:
            return None
        event = self.now.events.get(event_id)
        seen = event if event is not None else self._prior_event(event_id)
        if seen is None:
            return None  # never seen: nothing to check it against (out of view)
        if item.original_start is not None and seen.original_start is None:
            # Exchange gives a modified occurrence the series' properties, the
            # series' stamp among them: it is linked to its own occurrence instead.
            return None
        why = None
        # An event made in Salesforce whose UID stamp has not landed yet counts as
        # carrying the UID sync gave its item: that stamp is planned with the event.
        made_for_it = event is not None and item.ical_uid == downsync_uid(event)
        if seen.owner_id != user.sf_user_id:
            # Also an event given to a colleague in Salesforce: it is theirs now, and
            # only a stamp that is plainly its own links an item (stable, run after run).
            why = f"event {event_id} belongs to another owner ({seen.owner_id})"
        elif seen.ical_uid is None and not made_for_it:
            why = f"event {event_id} carries no meeting UID"
        elif seen.ical_uid is not None and seen.ical_uid != item.ical_uid:
            why = f"event {event_id} belongs to another meeting ({seen.ical_uid})"
        elif event is not None:
            # Twins matter only while the event is there: once it is gone, each
            # copy keeps the deleted event's id as R-DOWN-DELETE's mark.
            holder = self._holder(item, meeting, event_id)
            if holder is not item:
                why = f"item {holder.id} in this mailbox is already linked to event {event_id}"
                # Clear the copy's stamp: from the next run on, which copy holds
                # the event is no longer a question (R-DEDUP).
                clear = FieldChange(field="sf_event_id", old=event_id, new=None)
                self.act(
                    UpdateItem(
                        mailbox=item.mailbox, item_id=item.id, changes=(clear,), rule=R.DEDUP
                    )
                )
        if why is None:
            return event
        if report:  # an item the user is unsyncing asks for nothing to be linked
            self._not_its_own(item, state, why, event_id)
        return _FOREIGN

    def _not_its_own(
        self, item: CalendarItem, state: CategoryState, why: str, event_id: str
    ) -> None:
        message = (
            f"This item is not linked to Salesforce event {event_id} ({why}); it is probably "
            "a copy of a synced item. Sync leaves that event alone."
        )
        self.issue(item, IssueCode.STAMP_MISMATCH, R.DEDUP, message, event_id=event_id)
        state.issue()
        self.note(item, "skip", R.DEDUP, f"not linked: {why}")

    def _twin(
        self, item: CalendarItem, user: UserSettings, meeting: Meeting
    ) -> CalendarItem | None:
        """Another copy in ``item``'s mailbox that holds this meeting's event, if any."""
        for copy in meeting.copies:
            if (
                copy is not item
                and copy.sf_event_id
                and copy.mailbox == item.mailbox
                and copy.original_start == item.original_start
            ):
                event = self.now.events.get(copy.sf_event_id)
                if (
                    event is not None
                    and event.ical_uid == item.ical_uid
                    and event.owner_id == user.sf_user_id
                    and self._holder(copy, meeting, event.id) is copy
                ):
                    return copy
        return None

    def _holder(self, item: CalendarItem, meeting: Meeting, event_id: str) -> CalendarItem:
        """The copy in ``item``'s mailbox that holds ``event_id``: ``item`` unless a twin does.

        Twins are copies of one meeting (one occurrence of it) in one mailbox
        that carry the same stamp. The one ``before`` saw stamped holds it;
        failing that (or if several were), the smallest id.
        """
        rivals = [
            c
            for c in meeting.copies
            if c.mailbox == item.mailbox
            and c.original_start == item.original_start
            and (c.sf_event_id == event_id or c is item)
        ]
        if len(rivals) < 2:
            return rivals[0] if rivals and rivals[0].sf_event_id == event_id else item
        prev = self.prev

        def held_before(copy: CalendarItem) -> bool:
            prior = None if prev is None else prev.items.get((copy.mailbox, copy.id))
            return prior is not None and prior.sf_event_id == event_id

        stamped = [c for c in rivals if c.sf_event_id == event_id]
        holders = [c for c in stamped if held_before(c)]
        return min(holders if len(holders) == 1 else stamped, key=_ITEM_ID)

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

    def _unsync(
        self,
        item: CalendarItem,
        user: UserSettings,
        meeting: Meeting,
        event: SfEvent | None,
        state: CategoryState,
    ) -> None:
        if event is None and not item.sf_event_id and not meeting.is_attendee_copy(item):
            # Never stamped, but the event R-DEDUP would adopt exists: that is the
            # item's event, and the user asked to take it out of Salesforce.
            found = self.now.events_of(item.ical_uid, meeting.owner_for(item, user))
            event = found[0] if found else None
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

    def _cancelled_copy(
        self, item: CalendarItem, user: UserSettings, meeting: Meeting, state: CategoryState
    ) -> None:
        """R-CANCEL for one cancelled copy that does not cancel the whole meeting.

        Exchange sends a cancellation to an attendee removed from a meeting, and to
        every attendee when an external organizer cancels; a series' cancelled
        occurrence is a cancelled exception. Each cancels only what belongs to that
        copy: the attendee's own event (R-OWNER (b)), the attendee's place among the
        organizer's invitees (R-OWNER (a)), or that one occurrence.
        """
        if SALESFORCE in item.categories:
            state.unlink(R.CANCEL)
        upward = self.org.direction(user) is not Direction.TO_CALENDAR
        if item.original_start is not None:
            owner = meeting.owner_for(item, user)
            place = (item.ical_uid, owner, item.original_start)
            occurrence = self.now.occurrences.get(place)
            if meeting.is_attendee_copy(item) or occurrence is None or not upward:
                self.note(item, "cancel", R.CANCEL, "a cancelled occurrence: nothing to delete")
            else:
                self._delete_cancelled(occurrence, f"occurrence cancelled by {item.mailbox}")
                self.note(item, "cancel", R.CANCEL, f"cancelled occurrence {occurrence.id}")
            return
        if meeting.is_attendee_copy(item):
            assert meeting.host is not None
            kept = [
                e
                for e in self.now.events_of(item.ical_uid, meeting.host.sf_user_id)
                if e.id not in self.deleting  # the organizer unsynced or cancelled it just now
            ]
            for event in kept[:1]:
                if upward and not self.held(event.owner_id):
                    self.invitee_changes[event.id].remove.append(user.sf_user_id)
            ref = None if kept else self.creating.get((item.ical_uid, meeting.host.sf_user_id))
            if ref is not None and upward:
                # The organizer's event is made in this very plan: made without them.
                invited = self.created(ref).invitee_ids
                if user.sf_user_id in invited:
                    left = tuple(i for i in invited if i != user.sf_user_id)
                    self.invite_to_created(ref, left)
            note = "cancelled in this mailbox (the attendee was removed): no longer invited"
            self.note(item, "cancel", R.CANCEL, note)
            return
        own = self.now.events_of(item.ical_uid, user.sf_user_id)
        for event in own:
            if upward:
                self._delete_cancelled(event, f"cancelled in {item.mailbox}")
        note = "cancelled in this mailbox: its own event goes" if own else "cancelled"
        self.note(item, "cancel", R.CANCEL, note)

    def _delete_cancelled(self, event: SfEvent, reason: str) -> None:
        if not event.created_by_sync:
            self.decide(event.id, "keep", R.CANCEL, f"{reason}; sync did not create it")
        elif self.held(event.owner_id):
            self.decide(event.id, "keep", R.EMPTY_GUARD, f"{reason}; its owner came back empty")
        else:
            self.act(DeleteEvent(event_id=event.id, rule=R.CANCEL))
            self.decide(event.id, "delete", R.CANCEL, reason)

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
        # Either side over Salesforce's limits stops the pair: a Salesforce event
        # stretched past 14 days is not copied down to be refused next run.
        limit = duration_limit(item) or duration_limit(event)
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
        # R-PRIVATE wins over R-LINK and R-ATTENDEES, whichever side is private
        # once this plan is carried out: Salesforce refuses relations on it.
        private = private or self.planned_value(event, "is_private") is True
        chosen = not private and self._choose(item, event)
        if self.org.settings.smart_auto_sharing and not private:
            # Share as the pair will be: an item Salesforce just made public counts as public.
            shared = (
                item if not is_private(item) else attrs.evolve(item, sensitivity=Sensitivity.NORMAL)
            )
            self._share(shared, meeting, event, chosen=chosen)
        self._save(attachments, event.id, event.attachment_ids)

    def _absent_event(self, item: CalendarItem, user: UserSettings, state: CategoryState) -> None:
        """The item's event is not in ``after``: deleted, or only out of view.

        ``after`` holds every event ``before`` saw inside the new window that still
        exists (a connector looks those up by id), so an event absent although
        ``before`` last saw it inside the window was deleted (R-DOWN-DELETE). One
        last seen outside it has only left the view, and one ``before`` never held
        cannot be told apart: the pair is left as it is (R-WINDOW).
        """
        prior = self._prior_event(item.sf_event_id or "")
        if prior is None and SALESFORCE not in item.categories:
            # Unlinked on an earlier run: the kept id marks it (R-DOWN-DELETE).
            note = f"its event {item.sf_event_id} is gone; only a manual save saves it again"
            self.note(item, "skip", R.DOWN_DELETE, note)
            return
        if prior is None or not in_window(prior, self.org):
            where = "never seen" if prior is None else "last seen outside the window"
            note = f"its event {item.sf_event_id} is out of view ({where}): left as it is"
            self.note(item, "keep", R.WINDOW, note)
            state.hold()  # its categories too: nothing is known that would change them
            return
        self._event_gone(item, user, state, owner=prior.owner_id)

    def _event_gone(
        self,
        item: CalendarItem,
        user: UserSettings | None,
        state: CategoryState,
        *,
        owner: str | None = None,
        categories: frozenset[str] = frozenset({SALESFORCE}),
    ) -> None:
        """R-DOWN-DELETE: the item's event was deleted in Salesforce."""
        gone = f"event {item.sf_event_id} was deleted in Salesforce"
        settings = self.org.settings
        downward = user is None or self.org.direction(user) is not Direction.TO_SALESFORCE
        if not categories & item.categories:
            self.note(item, "skip", R.DOWN_DELETE, f"{gone}; only a manual save saves it again")
        elif (user is not None and self.held(user.sf_user_id)) or (
            owner is not None and self.held(owner)
        ):
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
        far = None if target is not None else self.out_of_view_event(item.ical_uid, host)
        if far is not None:
            # The organizer's event moved out of the window: still invited to it.
            state.saved()
            note = f"invitee of the organizer's event {far.id}, out of view"
            self.note(item, "keep", R.WINDOW, note)
            return
        if target is None and self.held(host):
            # R-EMPTY-GUARD: the organizer's side came back empty; it did not unsave.
            state.hold()
            self.note(item, "keep", R.EMPTY_GUARD, "its organizer's side came back empty")
            return
        if target is None:
            self.issue(item, IssueCode.WAITING_FOR_ORGANIZER, R.WAIT_ORGANIZER, WAITING_TEXT)
            state.issue()
            note = f"waiting for the organizer {meeting.organizer} to synchronize the event"
            self.note(item, "wait", R.WAIT_ORGANIZER, note)
            return
        state.saved()
        note = f"invitee of the organizer's event {target}; no event of its own"
        self.note(item, "invitee", R.WAIT_ORGANIZER, note)
        # Invited by a forwarded invite, the attendee may be missing from the
        # organizer's own list: join whatever the organizer's copy computed.
        if found:
            self.invitee_changes[target].add.append(user.sf_user_id)
        else:
            created = self.created(target)
            if not created.is_private and user.sf_user_id not in created.invitee_ids:
                self.invite_to_created(target, (*created.invitee_ids, user.sf_user_id))

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
