"""One organisation between two sync runs: the builder behind ``histories``.

``before`` is an organisation of :mod:`._orgs`; ``after`` is what users did
since on both sides. The tidy edits are here -- organizers move, rename or
cancel meetings, attendees save or unsync their copies, Salesforce users edit
events -- and :mod:`._life` adds the untidy ones real calendars see. Each
change gives a new ``version``, as a real server's would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs
from hypothesis import strategies as st

from .._domain import SALESFORCE, UNSYNC
from .._enums import RecordKind
from .._values import CalendarItem, OrgSettings, Record, SfEvent, Snapshot
from . import _life
from . import _pieces as p
from ._arguments import Options
from ._copies import meeting
from ._orgs import Org, organisation
from ._synced import made_in_salesforce
from ._world import bump


@st.composite
def histories(
    draw: st.DrawFn, settings: OrgSettings | None, opts: Options
) -> tuple[OrgSettings, Snapshot, Snapshot]:
    """``(settings, before, after)``: an organisation, then what its users did by the next run."""
    org = organisation(draw, settings, opts)
    return org.settings, org.snapshot, _edited(draw, org, opts)


def _shift(draw: st.DrawFn, item: CalendarItem | SfEvent) -> dt.timedelta:
    """How far an organizer moves ``item``: whole days for an all-day one."""
    if item.is_all_day:
        return dt.timedelta(days=draw(st.sampled_from((1, -1, 7))))
    return dt.timedelta(minutes=30 * draw(st.sampled_from((1, 2, -2, 48))))


def _edited(draw: st.DrawFn, org: Org, opts: Options) -> Snapshot:
    """``org``'s snapshot some hours later, after users on both sides did their work,
    as a faithful connector reads it."""
    before = org.snapshot
    items = _edited_items(draw, before.items)
    arriving = draw(st.integers(0, 2))
    for n in range(org.meetings, org.meetings + arriving):
        items.extend(meeting(draw, n, org.people, before.as_of, opts))
    events = _edited_events(draw, before.events)
    if draw(st.booleans()):
        made, _ = made_in_salesforce(
            draw, "new", org.people, before.as_of, attrs.evolve(opts, linked=False)
        )
        events.append(made)
    records = list(before.records)
    known = {r.email for r in records}
    unknown = [a for a in org.people.externals if a not in known]
    if draw(st.booleans()) and unknown:
        address = draw(st.sampled_from(unknown))
        records.append(Record(id=p.seq_id("003new", 1), kind=RecordKind.CONTACT, email=address))
    later = before.as_of + dt.timedelta(hours=draw(st.integers(0, 36)))
    world = _life.World.start(
        org.settings, before, as_of=later, items=items, events=events, records=records
    )
    # What real users do besides (rescheduling past the window, removing
    # attendees, copying linked items ...), and now and then a failed fetch.
    _life.live(draw, world)
    if draw(st.sampled_from((False,) * 5 + (True,))):
        _life.empty_fetch(draw, world)
    return _life.as_read(draw, world)


def _organizer_deletes(copies: list[CalendarItem], owns: list[str]) -> bool:
    """Whether the organizer of a meeting with attendees deletes their own copy."""
    return any(
        own == "delete" and copy.attendees and (copy.organizer in (None, copy.mailbox))
        for copy, own in zip(copies, owns, strict=True)
    )


def _edited_items(draw: st.DrawFn, before: Iterable[CalendarItem]) -> list[CalendarItem]:
    """Each meeting as its organizer changed it, then each copy as its owner handled it."""
    meetings: dict[str, list[CalendarItem]] = {}
    for item in before:
        meetings.setdefault(item.ical_uid, []).append(item)
    items: list[CalendarItem] = []
    for copies in meetings.values():
        changes = ("none", "none", "none", "move", "rename")
        # Only a meeting is cancelled; an appointment is deleted instead.
        change = draw(st.sampled_from((*changes, "cancel") if copies[0].attendees else changes))
        shift = _shift(draw, copies[0])
        subject, location = draw(p.texts), draw(p.texts)
        owns = [
            draw(st.sampled_from(("none",) * 5 + ("save", "unsync", "blue", "delete")))
            for _ in copies
        ]
        if change != "cancel" and _organizer_deletes(copies, owns):
            # Deleting one's own meeting sends its attendees a cancellation (Outlook's
            # default): their copies come back cancelled, not left as they were.
            change = "cancel"
        for copy, own in zip(copies, owns, strict=True):
            # The organizer's change reaches every copy, each with a new change key.
            version = bump(copy.version)
            if change == "move":
                copy = attrs.evolve(
                    copy, start=copy.start + shift, end=copy.end + shift, version=version
                )
            elif change == "rename":
                copy = attrs.evolve(copy, subject=subject, location=location, version=version)
            elif change == "cancel":
                copy = attrs.evolve(copy, is_cancelled=True, version=version)
            # What each mailbox owner does with their own copy.
            if own == "delete":
                continue
            added = {"save": {SALESFORCE}, "unsync": {UNSYNC}, "blue": {"Blue"}}.get(own)
            if added:
                copy = attrs.evolve(
                    copy, categories=copy.categories | added, version=bump(copy.version)
                )
            items.append(copy)
    return items


def _edited_events(draw: st.DrawFn, before: Iterable[SfEvent]) -> list[SfEvent]:
    """Each event as Salesforce users left it: unchanged, renamed, moved, private or deleted."""
    events: list[SfEvent] = []
    for event in before:
        change = draw(st.sampled_from(("none", "none", "subject", "move", "private", "delete")))
        version = bump(event.version)
        if change == "subject":
            event = attrs.evolve(event, subject=draw(p.sf_texts), version=version)
        elif change == "move":
            shift = _shift(draw, event)
            event = attrs.evolve(
                event, start=event.start + shift, end=event.end + shift, version=version
            )
        elif change == "private":
            # A private event relates to nobody: Salesforce clears Who, What and invitees.
            event = attrs.evolve(
                event, is_private=True, who_ids=(), what_ids=(), invitee_ids=(), version=version
            )
        elif change == "delete":
            continue
        events.append(event)
    return events
