"""What a session reads beyond its windowed reads: which mailboxes and owners, which ids to look up.

A windowed read shows what is in the window now; an item or event that
``before`` saw there and the read no longer shows was deleted or moved, and
only its system can say which. These helpers decide what a session asks the
ports about by id, so that :func:`calsync_core.session.collect` never takes a
move for a deletion. They ask in sorted order, so the same systems give the
same calls, and keep only what was asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._domain import overlaps

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Collection, Iterable

    from ._values import CalendarItem, OrgSettings, SfEvent, Snapshot
    from .ports import EventReader, MailboxReader


def scope(settings: OrgSettings) -> tuple[set[str], set[str]]:
    """The mailboxes and Salesforce owners a session reads."""
    mailboxes = {u.email for u in settings.users}
    owners = {u.sf_user_id for u in settings.users}
    for route in settings.public_calendar_routes:
        mailboxes.update(route.mailboxes)
        owners.add(route.calendar_id)
    return mailboxes, owners


def missing_items(
    reader: MailboxReader,
    before: Snapshot,
    read: Iterable[CalendarItem],
    events: Iterable[SfEvent],
    mailboxes: Collection[str],
    start: dt.datetime,
    end: dt.datetime,
) -> list[CalendarItem]:
    """The items ``before`` saw inside the window, and those stamped with an event the
    windowed read shows, that the windowed reads did not return, as they now are; what
    no longer exists is left out (the reader confirmed it).

    An event moved back into the window (in Salesforce, or by time passing while
    the item was moved behind it) keeps its item: the item still exists at its
    old time, outside the window, and without the lookup the next session would
    know of no item for it and make a second one (R-PUBLIC-CALENDAR,
    R-DOWN-CREATE), where it should update the one there (R-DOWN-UPDATE).
    """
    shown = {(i.mailbox, i.id) for i in read}
    in_view = {e.id for e in events}
    wanted: dict[str, set[str]] = {}
    for item in before.items:
        if (
            item.mailbox in mailboxes
            and (item.mailbox, item.id) not in shown
            and (overlaps(item, start, end) or item.sf_event_id in in_view)
        ):
            wanted.setdefault(item.mailbox, set()).add(item.id)
    found: list[CalendarItem] = []
    for mailbox, ids in sorted(wanted.items()):
        # Only what was asked for, once: a reader's extra answers cannot duplicate an item.
        got = {i.id: i for i in reader.read_items_by_id(mailbox, sorted(ids))
               if i.mailbox == mailbox and i.id in ids}  # fmt: skip
        found.extend(got[i] for i in sorted(got))
    return found


def missing_events(
    reader: EventReader,
    before: Snapshot | None,
    items: Iterable[CalendarItem],
    read: Iterable[SfEvent],
    owners: Collection[str],
    start: dt.datetime,
    end: dt.datetime,
) -> list[SfEvent]:
    """The events ``before`` saw inside the window, and those stamped on the items read,
    that the windowed read did not return, as they now are."""
    shown = {e.id for e in read}
    wanted = {i.sf_event_id for i in items if i.sf_event_id and i.sf_event_id not in shown}
    if before is not None:
        wanted.update(
            e.id
            for e in before.events
            if e.owner_id in owners and e.id not in shown and overlaps(e, start, end)
        )
    if not wanted:
        return []
    got = {e.id: e for e in reader.read_events_by_id(sorted(wanted)) if e.id in wanted}
    return [got[e] for e in sorted(got)]
