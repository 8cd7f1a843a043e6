"""The world users edit between two sync runs, and the helpers every edit uses.

The edits of :mod:`._life` (rescheduling, cancelling, copying, stamping ...)
each change a :class:`World`: both systems as ``after`` is being built from
``before``. It lives apart from the edits so that the edits, the organisation
builders and the project's own property tests can share one notion of what
is in the window and how a server records a change (a new ``version``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

import attrs
from hypothesis import strategies as st

from .._domain import overlaps
from .._enums import RecordKind
from .._values import CalendarItem, OrgSettings, Record, SfEvent, Snapshot, UserSettings

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


def pick(draw: Draw, options: list[T]) -> T | None:
    """One of ``options``, or None when there is nothing to act on."""
    return draw(st.sampled_from(options)) if options else None


def shift_to(thing: CalendarItem | SfEvent, start: dt.datetime) -> dict[str, dt.datetime]:
    """Start and end moved together, whole days for an all-day item."""
    delta = start - thing.start
    if thing.is_all_day:
        delta = dt.timedelta(days=round(delta / dt.timedelta(days=1)))
    return {"start": thing.start + delta, "end": thing.end + delta}


def out_of_window(draw: Draw, w: World) -> dt.datetime:
    """An instant up to 60 days past the window's end."""
    _, hi = w.window
    return hi + dt.timedelta(days=draw(st.integers(1, 60)), hours=draw(st.integers(0, 3)))


def into_window(draw: Draw, w: World) -> dt.datetime:
    """A whole hour inside the window, from ``as_of`` on."""
    base = w.as_of.replace(minute=0, second=0, microsecond=0)
    return base + dt.timedelta(days=draw(st.integers(0, max(0, w.settings.future_days - 2))))
