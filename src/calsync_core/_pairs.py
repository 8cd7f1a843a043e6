"""A linked pair, once linked: its fields both ways, its participants, its attachments.

Owns the per-pair work of R-UPDATE, R-DOWN-UPDATE, R-DESCRIPTION and R-CONFLICT
(through ``_fields``), R-ATTENDEES with smart sharing (three-way), a link choice
made on a saved item (R-LINK), R-ATTACHMENTS, and the cancelled occurrences of a
linked series (R-CANCEL). R-PRIVATE wins over sharing and choices on either
side. ``_upsync`` decides *whether* an item is linked; this module decides what
a linked pair needs.
"""

from __future__ import annotations

from typing import Any

from . import _rules as R
from ._categories import CategoryState
from ._context import REQUIRED_STATUS_PREFIX, SALESFORCE, SYNC_ERROR, UNSYNC, Org
from ._eligibility import in_window
from ._enums import IssueCode
from ._fields import RELATIONS, sync_pair
from ._guard import Emptied
from ._index import Directory, Index, Previous
from ._limits import duration_limit
from ._linking import MAX_WHOS, is_lead, links_for
from ._meetings import Meeting, invitees
from ._output import Output
from ._plan import (
    CreateRecord,
    DeleteEvent,
    FieldChange,
    SaveAttachment,
    UpdateEvent,
    UpdateItem,
    planned_decision,
)
from ._values import Attachment, CalendarItem, SfEvent, UserSettings

_SALESFORCE_ONLY = frozenset({SALESFORCE})


def _linked_categories(categories: frozenset[str]) -> bool:
    """The categories of a linked item with no issue: ``Salesforce`` and the user's own."""
    if SALESFORCE not in categories:
        return False
    return len(categories) == 1 or not any(
        name in (UNSYNC, SYNC_ERROR) or name.startswith(REQUIRED_STATUS_PREFIX)
        for name in categories
    )


def in_sync(event_id: str) -> str:
    return f"linked to event {event_id}; in sync"


class PairRules(Output):
    """The per-pair half of the calendar-side rules (``ItemRules`` builds on it)."""

    org: Org
    now: Index
    prev: Previous | None
    emptied: Emptied
    # Mailboxes whose linked pairs may take the steady path (see ``steady``).
    steady_mailboxes: frozenset[str]
    # ``before``'s directory, indexed on first use (three-way sharing needs it).
    prior_directory: Directory | None = None

    def steady_setup(self, *, enabled: bool) -> None:
        """Which mailboxes' pairs nothing but their own two versions can change.

        Not one that is routed to a public calendar, not one held back by
        R-EMPTY-GUARD, and none at all when smart sharing recomputes every
        pair's participants from the records each run (R-ATTENDEES).
        """
        settings = self.org.settings
        if not enabled or settings.smart_auto_sharing:
            self.steady_mailboxes = frozenset()
            return
        routed = {m for routes in self.org.routes.values() for r in routes for m in r.mailboxes}
        self.steady_mailboxes = frozenset(
            email
            for email, user in self.org.users.items()
            if email not in routed and not self.held(user.sf_user_id)
        )

    def steady(self, item: CalendarItem) -> bool:
        """The steady state's shortcut: a linked pair neither side has changed.

        When neither change key moved since the last run (R-UPDATE compares
        versions before fields) and nothing about the pair calls for more --
        it is in the window, within the limits, carries ``Salesforce`` and no
        category of sync's besides, has no series, no attachment to save and no
        duplicate event -- every rule would conclude "in sync, nothing to do".
        This reaches that one decision with a handful of lookups; anything else
        returns False and the full rules run. A property test holds the plans
        made with and without this shortcut byte-identical.
        """
        # Cheapest and most decisive tests first: this runs once per item.
        event_id = item.sf_event_id
        prev = self.prev
        if item.mailbox not in self.steady_mailboxes or not event_id or prev is None:
            return False
        event = self.now.events.get(event_id)
        if event is None or not event.version or not item.version:
            return False
        owner = self.org.users[item.mailbox].sf_user_id
        if event.ical_uid != item.ical_uid or event.owner_id != owner:
            return False  # a stamp that is not plainly its own: R-DEDUP looks at it
        prior_item = prev.items.get((item.mailbox, item.id))
        prior_event = prev.events.get(event_id)
        if (
            prior_item is None
            or prior_item.version != item.version
            or prior_event is None
            or prior_event.version != event.version
            or item.recurrence is not None
            # R-WINDOW, as Org.in_window (inlined: this is the hottest line of a run)
            or not (self.org.window_start <= item.end and item.start <= self.org.window_end)
            or (item.attachments and self.org.settings.save_attachments)
            or (item.categories != _SALESFORCE_ONLY and not _linked_categories(item.categories))
            or (self.now.duplicate_events and self.kept(event) is not event)
            or duration_limit(item) is not None
            or duration_limit(event) is not None
        ):
            return False
        self.decisions.append(
            planned_decision(item.id, "keep", R.UPDATE, in_sync(event_id), item.mailbox)
        )
        return True

    def kept(self, event: SfEvent) -> SfEvent:
        """The event of ``event``'s (UID, owner) that R-DEDUP keeps: the oldest."""
        if not event.ical_uid or event.original_start is not None:
            return event  # made in Salesforce, or one occurrence: not grouped by UID
        return self.now.kept_events[(event.ical_uid, event.owner_id)]

    def out_of_view_event(self, uid: str, owner: str) -> SfEvent | None:
        """The event of (UID, owner) that ``before`` last saw outside the new window.

        It is out of view, not gone (R-WINDOW): a meeting moved months out keeps
        its attendees invited, and its absence from ``after`` deletes nothing.
        """
        if self.prev is None:
            return None
        for event in self.prev.events_by_pair.get((uid, owner), ()):
            if event.id not in self.now.events and not in_window(event, self.org):
                return event
        return None

    def held(self, owner_id: str) -> bool:
        """R-EMPTY-GUARD: this owner's mailbox or Salesforce side came back empty."""
        if owner_id in self.emptied.owners:
            return True
        user = self.org.users_by_sf_id.get(owner_id)
        return user is not None and user.email in self.emptied.mailboxes

    def _cancel_occurrences(self, item: CalendarItem, event: SfEvent) -> None:
        """Occurrences the organizer cancelled in a linked series go in Salesforce too."""
        if item.recurrence is None or self.held(event.owner_id):
            return
        for start in sorted(item.recurrence.cancelled):
            occurrence = self.now.occurrences.get((item.ical_uid, event.owner_id, start))
            if occurrence is not None and occurrence.created_by_sync:
                self.act(DeleteEvent(event_id=occurrence.id, rule=R.CANCEL))
                note = f"occurrence of {start:%Y-%m-%d %H:%M} cancelled in the calendar"
                self.decide(occurrence.id, "delete", R.CANCEL, note)

    def _sync_fields(
        self, item: CalendarItem, user: UserSettings, event: SfEvent, *, adopted: bool
    ) -> bool:
        """R-UPDATE, R-DOWN-UPDATE, R-DESCRIPTION and R-CONFLICT for one linked pair.

        Returns whether the pair is private once the plan is carried out.
        """
        prev = self.prev
        sync = sync_pair(
            item,
            None if prev is None else prev.items.get((item.mailbox, item.id)),
            event,
            None if prev is None else prev.events.get(event.id),
            mode=self.org.description_mode(user),
            policy=self.org.settings.conflict_policy,
            direction=self.org.direction(user),
        )
        if sync.up:
            self.act(UpdateEvent(event_id=event.id, changes=sync.up, rule=R.UPDATE))
            names = ", ".join(ch.field for ch in sync.up)
            self.note(item, "update", R.UPDATE, f"changed in the calendar: {names}")
            self.decide(event.id, "update", R.UPDATE, f"updated from item {item.id}: {names}")
        if sync.down:
            self.act(
                UpdateItem(
                    mailbox=item.mailbox, item_id=item.id, changes=sync.down, rule=R.DOWN_UPDATE
                )
            )
            names = ", ".join(ch.field for ch in sync.down)
            self.note(item, "update", R.DOWN_UPDATE, f"changed in Salesforce: {names}")
            self.decide(event.id, "keep", R.DOWN_UPDATE, f"sent to item {item.id}: {names}")
        if sync.description_down:
            note = (
                "the Salesforce description went down with a subject, owner or time change "
                "(SAFE mode; invitees will see it)"
            )
            self.note(item, "description", R.DESCRIPTION, note)
        for c in sync.conflicts:
            note = (
                f"{c.field} changed on both sides: calendar {c.calendar!r}, Salesforce "
                f"{c.salesforce!r}; the {c.winner} value stands"
            )
            self.note(item, "conflict", R.CONFLICT, note)
        if sync.held:
            note = f"not sent, one-way sync: {', '.join(sync.held)}"
            self.note(item, "keep", R.DIRECTION, note)
        elif not (sync.up or sync.down or adopted):
            self.note(item, "keep", R.UPDATE, in_sync(event.id))
        for note in sync.cuts:
            self.note(item, "cut", R.FIELD_LIMITS, note)
        return sync.private(item)

    def _share(self, item: CalendarItem, meeting: Meeting, event: SfEvent, *, chosen: bool) -> None:
        """R-ATTENDEES with smart_auto_sharing: Who, What and invitees kept up, three-way.

        What sync derives from the meeting's participants now is compared with what
        it derived from them in ``before`` (with ``before``'s directory): only a
        relation that newly follows from them is added, and only one that no longer
        does is removed. A relation someone set in Salesforce -- on an event made
        there and downsynced, say -- is neither, and stays; on an event made in
        Salesforce nothing is removed at all, since sync cannot tell which of its
        relations were there before it derived the same ones. ``chosen``: a link
        choice set Who and What this run (R-LINK), so only invitees are shared.
        """
        now = self._derived(item, meeting, self.now)
        prior = None if self.prev is None else self.prev.items.get((item.mailbox, item.id))
        before = None if prior is None else self._derived(prior, meeting, self._prior_directory())
        planned = self.planned(event)
        changes = []
        new_records: list[CreateRecord] = []
        for name in ("invitee_ids",) if chosen else RELATIONS:
            current: tuple[str, ...] = getattr(planned, name)
            was = () if before is None else before[name]
            wanted = now[name]
            # Only on an event sync created were the relations sync's to begin with;
            # on one made in Salesforce any of them may be someone's, so sharing
            # only adds there.
            dropped = set(was) - set(wanted) if event.created_by_sync else set()
            kept = [x for x in current if x not in dropped]
            added = [x for x in wanted if x not in was and x not in kept]
            merged = self._merged(name, kept, added)
            if tuple(merged) != current:
                changes.append(FieldChange(field=name, old=current, new=tuple(merged)))
                new_records.extend(r for r in now["records"] if r.ref in merged)
        if changes:
            for record in new_records:
                self.act(record)
            self.act(UpdateEvent(event_id=event.id, changes=tuple(changes), rule=R.ATTENDEES))
            names = ", ".join(ch.field for ch in changes)
            self.note(item, "share", R.ATTENDEES, f"participants changed: {names}")

    def _derived(
        self, item: CalendarItem, meeting: Meeting, directory: Index | Directory
    ) -> dict[str, Any]:
        links = links_for(item, self.org, directory)
        return {
            "who_ids": links.who_ids,
            "what_ids": links.what_ids,
            "invitee_ids": invitees(item, self.org) if meeting.host is not None else (),
            "records": links.new_records,
        }

    def _merged(self, name: str, kept: list[str], added: list[str]) -> list[str]:
        """``kept`` plus ``added``, within Salesforce's limits on relations (R-LINK)."""
        if not added:
            return kept
        if name == "who_ids":
            if any(is_lead(x, self.now) for x in kept):
                return kept  # a Lead is only ever the single Who
            if kept:
                added = [x for x in added if not is_lead(x, self.now)]
            return [*kept, *added][: max(MAX_WHOS, len(kept))]
        if name == "what_ids" and kept and not self.org.settings.multiple_business_records:
            return kept  # one What, and someone chose it
        return [*kept, *added]

    def _prior_directory(self) -> Directory:
        if self.prior_directory is None:
            records = () if self.prev is None else self.prev.records
            self.prior_directory = Directory(records)
        return self.prior_directory

    def _choose(self, item: CalendarItem, event: SfEvent) -> bool:
        """R-LINK: a link choice made on an item already saved sets its event's Who/What.

        The Save dialog on an existing event is the user's explicit choice, applied
        whatever ``smart_auto_sharing`` says -- once, when the choice is new.
        """
        choice = item.link_choice
        if choice is None:
            return False
        prior = None if self.prev is None else self.prev.items.get((item.mailbox, item.id))
        if prior is None or prior.link_choice == choice:
            # Without ``before``'s copy nobody can tell a new choice from an old one
            # that Salesforce has since been edited past: leave the event as it is.
            return False
        planned = self.planned(event)
        links = links_for(item, self.org, self.now)
        wanted = {
            "who_ids": (choice.who_id,) if choice.who_id is not None else planned.who_ids,
            "what_ids": links.what_ids if choice.who_id or choice.what_id else planned.what_ids,
        }
        changes = tuple(
            FieldChange(field=name, old=getattr(planned, name), new=value)
            for name, value in wanted.items()
            if getattr(planned, name) != value
        )
        if changes:
            self.act(UpdateEvent(event_id=event.id, changes=changes, rule=R.LINK))
            names = ", ".join(ch.field for ch in changes)
            self.note(item, "link", R.LINK, f"link choice applied to event {event.id}: {names}")
        return True

    def _too_large(self, item: CalendarItem, state: CategoryState) -> list[Attachment]:
        """R-ATTACHMENTS: report attachments over the limit; return the ones to save.

        Reported whenever the item is saved, in or out of the window, so the issue
        (and its Sync Error) stays put while the attachment does.
        """
        settings = self.org.settings
        if not settings.save_attachments:
            return []
        fitting = []
        for attachment in item.attachments:
            if attachment.size > settings.max_attachment_bytes:
                message = (
                    f"Attachment {attachment.name!r} ({attachment.size:,} bytes) is larger than "
                    f"{settings.max_attachment_bytes:,} bytes and is not saved."
                )
                self.issue(item, IssueCode.ATTACHMENT_TOO_LARGE, R.ATTACHMENTS, message)
                state.issue()
            else:
                fitting.append(attachment)
        return fitting

    def _save(self, attachments: list[Attachment], event_id: str, saved: frozenset[str]) -> None:
        for attachment in attachments:
            if attachment.id not in saved:
                self.act(
                    SaveAttachment(event_id=event_id, attachment=attachment, rule=R.ATTACHMENTS)
                )
