"""Salesforce → calendar for events no calendar item has brought: R-DOWN-CREATE and
R-PUBLIC-CALENDAR, with the Salesforce-side limits of R-RECURRING-FORMAT and
R-LIMIT-RECURRING.

An event made in Salesforce carries no iCalendar UID. When an internal user
owns it and it falls in the window, a calendar item is created for it in the
owner's mailbox, with the ``Salesforce`` category and the event's id, and the
event is stamped with the new item's UID in the same plan -- so the pair is
linked after one ``apply``, and every later change flows through the two-way
field sync of ``_fields``.

Events of a public calendar named in a route go one way only: to each of the
route's mailboxes, with the route's category; nothing is ever written back.
"""

from __future__ import annotations

from . import _rules as R
from ._domain import LONGEST_OCCURRENCE, downsync_uid
from ._eligibility import in_window
from ._enums import (
    ConflictPolicy,
    DescriptionMode,
    Direction,
    IssueCode,
    RecurrenceFormat,
    Sensitivity,
)
from ._fields import sync_pair
from ._limits import duration_limit
from ._plan import CreateItem, FieldChange, Issue, UpdateEvent, UpdateItem
from ._upsync import ItemRules
from ._values import CalendarItem, PublicCalendarRoute, SfEvent

LIGHTNING_TEXT = (
    "Recurring series created in Salesforce Lightning (Recurrence2) cannot be synchronized "
    "to the calendar; edit the series in the calendar or create it in Salesforce Classic."
)
TOO_LONG_TEXT = (
    "Recurring all-day series, and series whose occurrences last over 24 hours, cannot be "
    "synchronized to the calendar."
)


class DownRules(ItemRules):
    """The event-side half of a reconcile run."""

    def salesforce_events(self) -> None:
        # Only events made in Salesforce, and those of public calendars, are
        # this half's to plan: linked events are planned with their items.
        events = self.now.events
        candidates = set(self.now.uidless_events)
        if self.org.routes:
            candidates.update(e.id for e in events.values() if e.owner_id in self.org.routes)
        for event_id in sorted(candidates):
            event = events[event_id]
            routes = self.org.routes.get(event.owner_id)
            if routes is not None:
                self._route_event(event, routes)
            else:
                self._made_in_salesforce(event)

    def _event_issue(self, event: SfEvent, code: IssueCode, rule: str, message: str) -> None:
        user = self.org.users_by_sf_id.get(event.owner_id)
        self.issues.append(
            Issue(
                code=code,
                message=message,
                rule=rule,
                mailbox=None if user is None else user.email,
                event_id=event.id,
            )
        )
        self.decide(event.id, "skip", rule, message)

    def _series_fault(self, event: SfEvent) -> bool:
        """R-RECURRING-FORMAT and R-LIMIT-RECURRING for a series made in Salesforce."""
        if event.recurrence is None:
            return False
        if event.recurrence_format is RecurrenceFormat.LIGHTNING:
            code, rule, text = (
                IssueCode.LIGHTNING_SERIES_NOT_DOWNSYNCED,
                R.RECURRING_FORMAT,
                (LIGHTNING_TEXT),
            )
        elif event.is_all_day or event.end - event.start > LONGEST_OCCURRENCE:
            code, rule, text = IssueCode.RECURRING_TOO_LONG, R.LIMIT_RECURRING, TOO_LONG_TEXT
        else:
            return False
        self._event_issue(event, code, rule, text)
        return True

    def _limit_fault(self, event: SfEvent) -> bool:
        """R-LIMIT-ALLDAY and R-TIMEZONE, before an item is made for ``event``."""
        limit = duration_limit(event)
        if limit is None:
            return False
        self._event_issue(event, limit.code, limit.rule, limit.message)
        return True

    def _new_item(
        self, event: SfEvent, mailbox: str, category: str, uid: str, rule: str
    ) -> CreateItem:
        return CreateItem(
            ref=f"new-item:{mailbox}:{event.id}",
            mailbox=mailbox,
            ical_uid=uid,
            start=event.start,
            end=event.end,
            subject=event.subject,
            body=event.description,
            location=event.location,
            is_all_day=event.is_all_day,
            sensitivity=Sensitivity.PRIVATE if event.is_private else Sensitivity.NORMAL,
            categories=frozenset({category}),
            sf_event_id=event.id,
            rule=rule,
            recurrence=event.recurrence,
            time_zone=event.time_zone,
        )

    def _made_for(self, mailbox: str, event: SfEvent) -> CalendarItem | None:
        """The item sync made in ``mailbox`` for ``event``, if one exists.

        Several items may carry the event's id (an Outlook copy keeps it): the one
        with the UID sync gave is the one made for it; failing that, the smallest id.
        One that ``before`` last saw outside the window still exists, out of view
        (R-WINDOW): no second item is made beside it.
        """
        stamped = self.now.items_by_event.get((mailbox, event.id), ())
        if not stamped and self.prev is not None:
            stamped = tuple(
                item
                for item in self.prev.items_by_event.get((mailbox, event.id), ())
                if (item.mailbox, item.id) not in self.now.items and not in_window(item, self.org)
            )
        uid = event.ical_uid or downsync_uid(event)
        for item in stamped:
            if item.ical_uid == uid:
                return item
        return stamped[0] if stamped else None

    # -- R-DOWN-CREATE -----------------------------------------------------------------------

    def _made_in_salesforce(self, event: SfEvent) -> None:
        user = self.org.users_by_sf_id.get(event.owner_id)
        if user is None:
            note = f"made in Salesforce; its owner {event.owner_id} is not an internal user"
            self.decide(event.id, "skip", R.DOWN_CREATE, note)
            return
        if self.org.direction(user) is Direction.TO_SALESFORCE:
            self.decide(event.id, "skip", R.DIRECTION, "its owner syncs to Salesforce only")
            return
        existing = self._made_for(user.email, event)
        if existing is None and not in_window(event, self.org):
            self.decide(event.id, "skip", R.WINDOW, "made in Salesforce, outside the window")
            return
        if self._series_fault(event) or (existing is None and self._limit_fault(event)):
            return
        if self.held(event.owner_id):
            note = "the owner's mailbox came back empty: nothing created in it"
            self.decide(event.id, "keep", R.EMPTY_GUARD, note)
            return
        if existing is None:
            uid = downsync_uid(event)
            self.act(self._new_item(event, user.email, "Salesforce", uid, R.DOWN_CREATE))
            note = f"made in Salesforce: a calendar item is created in {user.email}"
        else:
            # An earlier plan created the item but the stamp did not land: stamp now.
            uid = existing.ical_uid
            note = f"linked to item {existing.id}, created for it earlier"
        stamp = FieldChange(field="ical_uid", old=event.ical_uid, new=uid)
        self.act(UpdateEvent(event_id=event.id, changes=(stamp,), rule=R.DOWN_CREATE))
        self.decide(event.id, "create" if existing is None else "link", R.DOWN_CREATE, note)

    # -- R-PUBLIC-CALENDAR -------------------------------------------------------------------

    def _route_event(self, event: SfEvent, routes: tuple[PublicCalendarRoute, ...]) -> None:
        if self._series_fault(event) or self._limit_fault(event):
            return
        for route in routes:
            for mailbox in route.mailboxes:
                self._mirror(event, route, mailbox)

    def _mirror(self, event: SfEvent, route: PublicCalendarRoute, mailbox: str) -> None:
        user = self.org.users.get(mailbox)
        if user is not None and self.org.direction(user) is Direction.TO_SALESFORCE:
            self.decide(event.id, "skip", R.DIRECTION, f"{mailbox} syncs to Salesforce only")
            return
        if event.is_private:
            # A public calendar's private event stays in Salesforce: copying it into
            # every routed mailbox would show its content to all of them (R-PRIVATE).
            note = f"private: not copied to {mailbox}"
            self.decide(event.id, "skip", R.PRIVATE, note)
            return
        existing = self._made_for(mailbox, event)
        if existing is None:
            if not in_window(event, self.org):
                self.decide(event.id, "skip", R.WINDOW, "public calendar event outside the window")
                return
            uid = downsync_uid(event)
            self.act(self._new_item(event, mailbox, route.category, uid, R.PUBLIC_CALENDAR))
            note = f"public calendar {route.calendar_id}: copied to {mailbox}"
            self.decide(event.id, "create", R.PUBLIC_CALENDAR, note)
            return
        if (existing.mailbox, existing.id) not in self.now.items:
            note = f"copy in {mailbox} is out of view: left as it is"
            self.decide(event.id, "keep", R.WINDOW, note)
            return
        prev = self.prev
        # One way: Salesforce's value stands, the description included, nothing goes up.
        sync = sync_pair(
            existing,
            None if prev is None else prev.items.get((existing.mailbox, existing.id)),
            event,
            None if prev is None else prev.events.get(event.id),
            mode=DescriptionMode.OFF,
            policy=ConflictPolicy.SALESFORCE_WINS,
            direction=Direction.TO_CALENDAR,
        )
        if sync.down:
            self.act(
                UpdateItem(
                    mailbox=mailbox, item_id=existing.id, changes=sync.down, rule=R.PUBLIC_CALENDAR
                )
            )
            names = ", ".join(ch.field for ch in sync.down)
            self.decide(event.id, "update", R.PUBLIC_CALENDAR, f"copy in {mailbox}: {names}")
