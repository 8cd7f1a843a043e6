"""R-DOWN-CREATE: an event made in Salesforce gets a calendar item in its owner's mailbox.

An event made in Salesforce carries no iCalendar UID. When an internal user
owns it and it falls in the window, a calendar item is created for it in the
owner's mailbox, with the ``Salesforce`` category and the event's id, and the
event is stamped with the new item's UID in the same plan -- so the pair is
linked after one ``apply``, and every later change flows through the two-way
field sync of ``fields``. Salesforce-side limits come first: a Lightning
series cannot be read (R-RECURRING-FORMAT), a long series or event cannot be
held (R-LIMIT-*), and neither is copied down to be refused next run.
"""

from __future__ import annotations

from .. import _rules as R
from .._domain import LONGEST_OCCURRENCE, SALESFORCE, downsync_uid
from .._enums import IssueCode, RecurrenceFormat, Sensitivity
from .._plan import CreateItem, FieldChange, UpdateEvent
from .._rules import Rule
from .._values import CalendarItem, SfEvent
from . import guard
from .builder import PlanBuilder
from .limits import duration_limit
from .world import World

LIGHTNING_TEXT = (
    "Recurring series created in Salesforce Lightning (Recurrence2) cannot be synchronized "
    "to the calendar; edit the series in the calendar or create it in Salesforce Classic."
)
TOO_LONG_TEXT = (
    "Recurring all-day series, and series whose occurrences last over 24 hours, cannot be "
    "synchronized to the calendar."
)


def _event_issue(
    w: World, out: PlanBuilder, event: SfEvent, code: IssueCode, rule: Rule, message: str
) -> None:
    out.issue(rule, code, message, mailbox=w.mailbox_of(event.owner_id), event_id=event.id)
    out.decide(event.id, "skip", rule, message)


def refused(w: World, out: PlanBuilder, event: SfEvent, *, new: bool) -> bool:
    """Report why Salesforce's ``event`` cannot come down, if it cannot; True then.

    A series is checked every run (R-RECURRING-FORMAT, R-LIMIT-RECURRING); the
    duration and time zone (R-LIMIT-ALLDAY, R-TIMEZONE) only before an item is
    made for it (``new``).
    """
    if event.recurrence is not None:
        if event.recurrence_format is RecurrenceFormat.LIGHTNING:
            code = IssueCode.LIGHTNING_SERIES_NOT_DOWNSYNCED
            _event_issue(w, out, event, code, R.RECURRING_FORMAT, LIGHTNING_TEXT)
            return True
        if event.is_all_day or event.end - event.start > LONGEST_OCCURRENCE:
            code = IssueCode.RECURRING_TOO_LONG
            _event_issue(w, out, event, code, R.LIMIT_RECURRING, TOO_LONG_TEXT)
            return True
    limit = duration_limit(event) if new else None
    if limit is not None:
        _event_issue(w, out, event, limit.code, limit.rule, limit.message)
        return True
    return False


def new_item(event: SfEvent, mailbox: str, category: str, rule: Rule) -> CreateItem:
    """The calendar item made for ``event`` in ``mailbox``, with the UID sync gives it."""
    return CreateItem(
        ref=f"new-item:{mailbox}:{event.id}",
        mailbox=mailbox,
        ical_uid=downsync_uid(event),
        start=event.start,
        end=event.end,
        subject=event.subject,
        body=event.description,
        location=event.location,
        is_all_day=event.is_all_day,
        sensitivity=Sensitivity.PRIVATE if event.is_private else Sensitivity.NORMAL,
        categories=frozenset({category}),
        sf_event_id=event.id,
        rule=rule.id,
        recurrence=event.recurrence,
        time_zone=event.time_zone,
    )


def made_for(w: World, mailbox: str, event: SfEvent) -> CalendarItem | None:
    """The item sync made in ``mailbox`` for ``event``, if one exists.

    Several items may carry the event's id (an Outlook copy keeps it): the one
    with the UID sync gave is the one made for it; failing that, the smallest id.
    One that ``before`` last saw outside the window still exists, out of view
    (R-WINDOW): no second item is made beside it.
    """
    stamped = w.now.items_by_event.get((mailbox, event.id), ())
    if not stamped and w.prev is not None:
        stamped = tuple(
            item
            for item in w.prev.items_by_event.get((mailbox, event.id), ())
            if (item.mailbox, item.id) not in w.now.items and not w.in_window(item)
        )
    uid = event.ical_uid or downsync_uid(event)
    for item in stamped:
        if item.ical_uid == uid:
            return item
    return stamped[0] if stamped else None


def made_in_salesforce(w: World, out: PlanBuilder, event: SfEvent) -> None:
    user = w.org.users_by_sf_id.get(event.owner_id)
    if user is None:
        note = f"made in Salesforce; its owner {event.owner_id} is not an internal user"
        out.decide(event.id, "skip", R.DOWN_CREATE, note)
        return
    if not w.org.down(user):
        out.decide(event.id, "skip", R.DIRECTION, "its owner syncs to Salesforce only")
        return
    existing = made_for(w, user.email, event)
    if existing is None and not w.in_window(event):
        out.decide(event.id, "skip", R.WINDOW, "made in Salesforce, outside the window")
        return
    if refused(w, out, event, new=existing is None):
        return
    if w.held(event.owner_id):
        note = "the owner's mailbox came back empty: nothing created in it"
        guard.held_event(out, event.id, note)
        return
    if existing is None:
        create = new_item(event, user.email, SALESFORCE, R.DOWN_CREATE)
        out.act(create)
        uid = create.ical_uid
        note = f"made in Salesforce: a calendar item is created in {user.email}"
    else:
        # An earlier plan created the item but the stamp did not land: stamp now.
        uid = existing.ical_uid
        note = f"linked to item {existing.id}, created for it earlier"
    stamp = FieldChange(field="ical_uid", old=event.ical_uid, new=uid)
    out.act(UpdateEvent(event_id=event.id, changes=(stamp,), rule=R.DOWN_CREATE.id))
    out.decide(event.id, "create" if existing is None else "link", R.DOWN_CREATE, note)
