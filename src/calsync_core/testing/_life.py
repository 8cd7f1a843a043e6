"""What real Exchange and Salesforce users -- and their servers -- do between two sync runs.

Generated histories used to hold only tidy edits: a rename, a move of an hour,
a whole meeting cancelled. Real calendars do more, and each of these is an
everyday way for a sync to delete, leak or overwrite:

- an organizer reschedules a linked meeting months out, past the window, and
  later back into it; someone does the same to an event in Salesforce;
- an organizer removes an attendee, whose copy Exchange then marks cancelled;
  an external organizer cancels, and every attendee's copy is marked so;
- an organizer cancels one occurrence of a series (an exception item that is
  cancelled, or the master's ``recurrence.cancelled``);
- a user copies a linked item in Outlook -- the copy keeps ``sf_event_id`` --
  or an item carries another user's event id;
- either side turns privacy on or off;
- Salesforce users create events with Who and What, which sync downloads;
- users name a category of their own like a public calendar route's;
- an attendee forwards an invite: a colleague holds a copy the organizer's
  item does not list;
- a mailbox fetch comes back empty.

And a snapshot holds what a faithful connector reads (see ``API.md``): the
window, plus what ``before`` saw inside the window wherever it now is. What
``before`` saw outside the window and that is still outside may be absent:
it is out of view, not deleted.

:func:`live` applies a few of these edits to a :class:`World`; both
:func:`calsync_core.testing.strategies.histories` and the project's own
property tests build on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

import attrs
from hypothesis import event as note_event
from hypothesis import strategies as st

from .. import recurrence as rec
from .._domain import SALESFORCE, organizer_of, overlaps
from .._enums import RecordKind, Response, Sensitivity
from .._timezones import iana_name
from .._values import (
    CalendarItem,
    OrgSettings,
    Record,
    SfEvent,
    Snapshot,
    UserSettings,
)

_PRIVATE = frozenset({Sensitivity.PRIVATE, Sensitivity.CONFIDENTIAL})
#: The opportunity a Salesforce user relates new events to (R-ATTENDEES: a What
#: someone set in Salesforce, never sync's to remove).
OPPORTUNITY = Record(id="006000000000000opp", kind=RecordKind.OPPORTUNITY, name="Renewal")

ItemKey = tuple[str, str]
T = TypeVar("T")


class Draw(Protocol):
    """What the edits draw with: a composite's ``draw`` or ``st.data()``'s ``draw``."""

    def __call__(self, strategy: st.SearchStrategy[T], label: Any = None) -> T: ...


def bump(version: str) -> str:
    """A new change key: every edit on a real server gives one."""
    return version + "'"


@attrs.define
class World:
    """Both systems while users edit them: the ``after`` being built from ``before``."""

    settings: OrgSettings
    before: Snapshot
    as_of: dt.datetime
    items: dict[ItemKey, CalendarItem]
    events: dict[str, SfEvent]
    records: dict[str, Record]
    done: list[str] = attrs.field(factory=list)  # which edits ran, for statistics

    @classmethod
    def start(
        cls,
        settings: OrgSettings,
        before: Snapshot,
        *,
        as_of: dt.datetime,
        items: Iterable[CalendarItem],
        events: Iterable[SfEvent],
        records: Iterable[Record],
    ) -> World:
        return cls(
            settings=settings,
            before=before,
            as_of=as_of,
            items={(i.mailbox, i.id): i for i in items},
            events={e.id: e for e in events},
            records={r.id: r for r in records},
        )

    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]:
        s = self.settings
        return (
            self.as_of - dt.timedelta(days=s.past_days),
            self.as_of + dt.timedelta(days=s.future_days),
        )

    def in_window(self, thing: CalendarItem | SfEvent) -> bool:
        return overlaps(thing, *self.window)

    @property
    def users(self) -> dict[str, UserSettings]:
        return {u.email: u for u in self.settings.users}

    def masters(self) -> dict[str, list[CalendarItem]]:
        """Each meeting's copies (series masters and single items), by UID, in key order."""
        found: dict[str, list[CalendarItem]] = {}
        for key in sorted(self.items):
            item = self.items[key]
            if item.original_start is None:
                found.setdefault(item.ical_uid, []).append(item)
        return found

    def put(self, item: CalendarItem, **changes: object) -> CalendarItem:
        new = attrs.evolve(item, version=bump(item.version), **changes)  # type: ignore[arg-type]
        self.items[(new.mailbox, new.id)] = new
        return new

    def put_event(self, event: SfEvent, **changes: object) -> SfEvent:
        new = attrs.evolve(event, version=bump(event.version), **changes)  # type: ignore[arg-type]
        self.events[new.id] = new
        return new

    def snapshot(self) -> Snapshot:
        return Snapshot(
            as_of=self.as_of,
            items=tuple(self.items[k] for k in sorted(self.items)),
            events=tuple(self.events[k] for k in sorted(self.events)),
            records=tuple(self.records[k] for k in sorted(self.records)),
        )


Edit = Callable[[Draw, World], bool]


def _pick(draw: Draw, options: list[T]) -> T | None:
    return draw(st.sampled_from(options)) if options else None


def _shift_to(thing: CalendarItem | SfEvent, start: dt.datetime) -> dict[str, dt.datetime]:
    """Start and end moved together, whole days for an all-day item."""
    delta = start - thing.start
    if thing.is_all_day:
        delta = dt.timedelta(days=round(delta / dt.timedelta(days=1)))
    return {"start": thing.start + delta, "end": thing.end + delta}


def _out_of_window(draw: Draw, w: World) -> dt.datetime:
    _, hi = w.window
    return hi + dt.timedelta(days=draw(st.integers(1, 60)), hours=draw(st.integers(0, 3)))


def _into_window(draw: Draw, w: World) -> dt.datetime:
    base = w.as_of.replace(minute=0, second=0, microsecond=0)
    return base + dt.timedelta(days=draw(st.integers(0, max(0, w.settings.future_days - 2))))


# -- rescheduling past the window and back (R-WINDOW, R-CANCEL, R-DOWN-DELETE) ------------------


def reschedule_item_out(draw: Draw, w: World) -> bool:
    """The organizer moves a linked meeting (every copy) past the window."""
    meetings = w.masters()
    linked = [uid for uid, copies in meetings.items()
              if any(c.sf_event_id for c in copies) and any(map(w.in_window, copies))]  # fmt: skip
    uid = _pick(draw, linked)
    if uid is None:
        return False
    where = _out_of_window(draw, w)
    for copy in meetings[uid]:
        w.put(copy, **_shift_to(copy, where + (copy.start - meetings[uid][0].start)))
    return True


def reschedule_item_back(draw: Draw, w: World) -> bool:
    """The organizer moves a meeting ``before`` saw outside the window back into it."""
    meetings = w.masters()
    outside = [uid for uid, copies in meetings.items() if not any(map(w.in_window, copies))]
    uid = _pick(draw, outside)
    if uid is None:
        return False
    where = _into_window(draw, w)
    for copy in meetings[uid]:
        w.put(copy, **_shift_to(copy, where + (copy.start - meetings[uid][0].start)))
    return True


def reschedule_event_out(draw: Draw, w: World) -> bool:
    """Someone moves a linked event past the window in Salesforce."""
    linked = sorted(e for e, event in w.events.items() if event.ical_uid and w.in_window(event))
    event_id = _pick(draw, linked)
    if event_id is None:
        return False
    event = w.events[event_id]
    w.put_event(event, **_shift_to(event, _out_of_window(draw, w)))
    return True


def reschedule_event_back(draw: Draw, w: World) -> bool:
    """Someone moves an event ``before`` saw outside the window back into it."""
    outside = sorted(e for e, event in w.events.items() if not w.in_window(event))
    event_id = _pick(draw, outside)
    if event_id is None:
        return False
    event = w.events[event_id]
    w.put_event(event, **_shift_to(event, _into_window(draw, w)))
    return True


# -- cancellations that are not the organizer's (R-CANCEL) --------------------------------------


def remove_attendee(draw: Draw, w: World) -> bool:
    """The organizer removes an internal attendee: their copy is marked cancelled."""
    meetings = w.masters()
    options = [
        (uid, copy.mailbox)
        for uid, copies in meetings.items()
        for copy in copies
        if copy.mailbox != organizer_of(copy) and not copy.is_cancelled
    ]
    choice = _pick(draw, options)
    if choice is None:
        return False
    uid, removed = choice
    for copy in meetings[uid]:
        if copy.mailbox == removed:
            w.put(copy, is_cancelled=True)
        else:
            kept = tuple(a for a in copy.attendees if a.email != removed)
            w.put(copy, attendees=kept)
    return True


def external_organizer_cancels(draw: Draw, w: World) -> bool:
    """An organizer who is not a synced user cancels: every attendee's copy is cancelled."""
    users = w.users
    meetings = w.masters()
    options = [uid for uid, copies in meetings.items()
               if organizer_of(copies[0]) not in users]  # fmt: skip
    uid = _pick(draw, options)
    if uid is None:
        return False
    organizer = organizer_of(meetings[uid][0])
    for copy in meetings[uid]:
        if organizer_of(copy) == organizer:  # Exchange cancels the meeting's copies only
            w.put(copy, is_cancelled=True)
    return True


def cancel_occurrence(draw: Draw, w: World) -> bool:
    """The organizer cancels one occurrence of a series, in every copy.

    Graph leaves a cancelled occurrence out of the instances (the master's
    ``recurrence.cancelled``); EWS may show it as a cancelled exception item.
    """
    meetings = w.masters()
    series = [uid for uid, copies in meetings.items() if copies[0].recurrence is not None]
    uid = _pick(draw, series)
    if uid is None:
        return False
    first = meetings[uid][0]
    assert first.recurrence is not None
    lo, hi = w.window
    try:
        starts = rec.expand(
            first.recurrence.rule,
            start=first.start,
            time_zone=iana_name(first.time_zone) or "UTC",
            after=min(lo, first.start),
            before=max(hi, first.start + dt.timedelta(days=1)),
        )
    except rec.RecurrenceError:
        return False
    if not starts:
        return False
    when = draw(st.sampled_from(starts[:6])).astimezone(dt.UTC)
    as_exception = draw(st.booleans())
    for copy in meetings[uid]:
        assert copy.recurrence is not None
        if as_exception:
            length = copy.end - copy.start
            w.items[(copy.mailbox, f"{copy.id}#{when:%Y%m%dT%H%M}")] = attrs.evolve(
                copy,
                id=f"{copy.id}#{when:%Y%m%dT%H%M}",
                recurrence=None,
                original_start=when,
                start=when,
                end=when + length,
                is_cancelled=True,
                sf_event_id=None,
                version="x1",
            )
        else:
            cancelled = copy.recurrence.cancelled | {when}
            w.put(copy, recurrence=attrs.evolve(copy.recurrence, cancelled=cancelled))
    return True


# -- stamps that are not what sync made (R-DEDUP, R-DOWN-DELETE) --------------------------------


def copy_linked_item(draw: Draw, w: World) -> bool:
    """A user copies a linked item in Outlook: a new id, maybe a new UID, the same stamp."""
    linked = sorted(k for k, i in w.items.items() if i.sf_event_id and i.original_start is None)
    key = _pick(draw, linked)
    if key is None:
        return False
    item = w.items[key]
    uid = draw(st.sampled_from((item.ical_uid, f"{item.ical_uid}-copy")))
    copy = attrs.evolve(item, id=f"{item.id}-copy", ical_uid=uid, version="c1")
    if draw(st.booleans()):
        # "Copy to My Calendar": an appointment of one's own, a new item with a new UID
        # -- never a second organizer of the meeting it was copied from.
        copy = attrs.evolve(copy, ical_uid=f"{item.ical_uid}-copy", organizer=None, attendees=(),
                            response=Response.ORGANIZER)  # fmt: skip
    w.items[(copy.mailbox, copy.id)] = copy
    return True


def foreign_stamp(draw: Draw, w: World) -> bool:
    """An item carries the id of an event another user owns (a copy moved across mailboxes,
    a faulty tool): it must not become that event's item."""
    users = w.users
    options = [
        (key, event_id)
        for key, item in sorted(w.items.items())
        if item.mailbox in users and item.original_start is None
        for event_id, event in sorted(w.events.items())
        if event.owner_id != users[item.mailbox].sf_user_id
    ]
    choice = _pick(draw, options[:40])
    if choice is None:
        return False
    key, event_id = choice
    item = w.items[key]
    w.put(item, sf_event_id=event_id, categories=item.categories | {SALESFORCE})
    return True


# -- privacy (R-PRIVATE) --------------------------------------------------------------------------


def toggle_item_privacy(draw: Draw, w: World) -> bool:
    """The organizer (every copy) or one attendee (their copy) turns privacy on or off."""
    meetings = w.masters()
    uid = _pick(draw, sorted(meetings))
    if uid is None:
        return False
    copies = meetings[uid]
    chosen = copies if draw(st.booleans()) else [draw(st.sampled_from(copies))]
    private = copies[0].sensitivity not in _PRIVATE
    for copy in chosen:
        w.put(copy, sensitivity=Sensitivity.PRIVATE if private else Sensitivity.NORMAL)
    return True


def toggle_event_privacy(draw: Draw, w: World) -> bool:
    """A Salesforce user turns an event private (Salesforce drops its relations) or public."""
    event_id = _pick(draw, sorted(w.events))
    if event_id is None:
        return False
    event = w.events[event_id]
    if event.is_private:
        w.put_event(event, is_private=False)
    else:
        w.put_event(event, is_private=True, who_ids=(), what_ids=(), invitee_ids=())
    return True


# -- Salesforce users' own work (R-DOWN-CREATE, R-ATTENDEES) --------------------------------------


def event_with_relations(draw: Draw, w: World) -> bool:
    """A Salesforce user creates an event with Contacts as Who and an Opportunity as What."""
    users = list(w.settings.users)
    user = _pick(draw, users)
    if user is None:
        return False
    contacts = sorted(r for r, rec_ in w.records.items() if rec_.kind is RecordKind.CONTACT)
    whos = tuple(draw(st.lists(st.sampled_from(contacts), max_size=2, unique=True))) \
        if contacts else ()  # fmt: skip
    w.records.setdefault(OPPORTUNITY.id, OPPORTUNITY)
    start = _into_window(draw, w) + dt.timedelta(hours=draw(st.integers(8, 17)))
    n = sum(1 for e in w.events if e.startswith("00Urel"))
    event_id = f"00Urel{n:012d}"
    w.events[event_id] = SfEvent(
        id=event_id,
        owner_id=user.sf_user_id,
        start=start,
        end=start + dt.timedelta(hours=1),
        subject="Pipeline review",
        description="notes for the account team",
        who_ids=whos,
        what_ids=(OPPORTUNITY.id,),
        version="r1",
    )
    return True


def route_category_on_own_item(draw: Draw, w: World) -> bool:
    """A user files an item of their own under a category named like a route's."""
    routes = w.settings.public_calendar_routes
    if not routes:
        return False
    route = draw(st.sampled_from(routes))
    own = sorted(k for k, i in w.items.items()
                 if i.mailbox in route.mailboxes and not i.ical_uid.startswith("sf-"))  # fmt: skip
    key = _pick(draw, own)
    if key is None:
        return False
    item = w.items[key]
    w.put(item, categories=item.categories | {route.category})
    return True


# -- meetings that reach people another way --------------------------------------------------------


def forward_invite(draw: Draw, w: World) -> bool:
    """An attendee forwards the invite: a user gets a copy the organizer's item does not list."""
    users = w.users
    meetings = w.masters()
    options = [
        (uid, mailbox)
        for uid, copies in meetings.items()
        if copies[0].attendees and not copies[0].is_cancelled
        for mailbox in sorted(users)
        if mailbox not in {c.mailbox for c in copies} and mailbox != organizer_of(copies[0])
    ]
    choice = _pick(draw, options[:40])
    if choice is None:
        return False
    uid, mailbox = choice
    source = meetings[uid][0]
    forwarded = attrs.evolve(
        source,
        id=f"{source.id}-fwd-{mailbox}",
        mailbox=mailbox,
        organizer=organizer_of(source),
        response=draw(st.sampled_from((Response.ACCEPTED, Response.NOT_RESPONDED))),
        categories=frozenset(),
        sf_event_id=None,
        link_choice=None,
        version="f1",
    )
    w.items[(mailbox, forwarded.id)] = forwarded
    return True


EDITS: tuple[tuple[str, Edit], ...] = (
    ("reschedule item out of the window", reschedule_item_out),
    ("reschedule item back into the window", reschedule_item_back),
    ("reschedule event out of the window", reschedule_event_out),
    ("reschedule event back into the window", reschedule_event_back),
    ("remove an attendee", remove_attendee),
    ("external organizer cancels", external_organizer_cancels),
    ("cancel one occurrence", cancel_occurrence),
    ("copy a linked item", copy_linked_item),
    ("stamp with another user's event", foreign_stamp),
    ("toggle item privacy", toggle_item_privacy),
    ("toggle event privacy", toggle_event_privacy),
    ("event with Who and What", event_with_relations),
    ("route category on an own item", route_category_on_own_item),
    ("forward an invite", forward_invite),
)
_EDIT_NAMES = tuple(name for name, _ in EDITS)
_BY_NAME = dict(EDITS)


def with_occurrences(snapshot: Snapshot, *, most: int = 2) -> Snapshot:
    """The snapshot with the occurrences Salesforce makes of each Classic series sync saved.

    Salesforce stores a Classic series as the series event and one child event
    per occurrence (``original_start``); a cancelled occurrence in the calendar
    deletes that child only (R-CANCEL). The first ``most`` occurrences here.
    """
    extra: list[SfEvent] = []
    for event in snapshot.events:
        series = event.recurrence
        if series is None or not event.created_by_sync or event.is_all_day:
            continue
        try:
            starts = rec.expand(
                series.rule, start=event.start, time_zone=iana_name(event.time_zone) or "UTC",
                after=event.start, before=event.start + dt.timedelta(days=60),
            )  # fmt: skip
        except rec.RecurrenceError:
            continue
        length = event.end - event.start
        extra.extend(
            attrs.evolve(
                event,
                id=f"{event.id}-o{k}",
                start=start.astimezone(dt.UTC),
                end=start.astimezone(dt.UTC) + length,
                recurrence=None,
                original_start=start.astimezone(dt.UTC),
            )
            for k, start in enumerate(starts[:most])
        )
    return attrs.evolve(snapshot, events=(*snapshot.events, *extra)) if extra else snapshot


def live(draw: Draw, w: World, *, most: int = 4) -> None:
    """One to ``most`` of the edits above, each where it finds something to act on."""
    for name in draw(st.lists(st.sampled_from(_EDIT_NAMES), min_size=1, max_size=most)):
        if _BY_NAME[name](draw, w):
            w.done.append(name)


def empty_fetch(draw: Draw, w: World) -> bool:
    """An organizer's mailbox comes back empty, as a failed fetch would (R-EMPTY-GUARD)."""
    organizers = sorted({i.mailbox for i in w.before.items if organizer_of(i) == i.mailbox})
    mailbox = _pick(draw, organizers)
    if mailbox is None:
        return False
    for key in [k for k in w.items if k[0] == mailbox]:
        del w.items[key]
    w.done.append("empty fetch of an organizer's mailbox")
    return True


def as_read(draw: Draw, w: World) -> Snapshot:
    """What a faithful connector reads: maybe only the window and what ``before`` saw in it.

    A full read is a valid snapshot too (it holds more than it must), so half
    the time nothing is left out.
    """
    if draw(st.booleans()):
        before_items = {(i.mailbox, i.id): i for i in w.before.items}
        before_events = {e.id: e for e in w.before.events}

        def seen(thing: CalendarItem | SfEvent | None) -> bool:
            return thing is not None and w.in_window(thing)

        dropped = [
            k for k, i in w.items.items() if not w.in_window(i) and not seen(before_items.get(k))
        ]
        for key in dropped:
            del w.items[key]
        gone = [e for e, ev in w.events.items() if not w.in_window(ev)
                and not seen(before_events.get(e))]  # fmt: skip
        for event_id in gone:
            del w.events[event_id]
        if dropped or gone:
            w.done.append("out of view left out")
    for name in w.done:
        note_event(f"life: {name}")
    return w.snapshot()
