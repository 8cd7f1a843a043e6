"""A linked pair: its fields both ways, its participants, its attachments.

The ladder's steps for an item linked to an event (its own, or the one R-DEDUP
adopts for it) and for a modified occurrence of a linked series. Outside the
window a pair is no longer updated (R-WINDOW); either side over Salesforce's
limits stops it (R-LIMIT-*); otherwise its fields sync both ways
(``fields``), a new link choice sets Who and What (R-LINK), smart sharing
keeps the relations up (``sharing``), cancelled occurrences go (R-CANCEL) and
attachments are saved (R-ATTACHMENTS). R-PRIVATE wins over sharing and
choices, whichever side is private once the plan is carried out. Who/What and
attachments only ever go up (R-DIRECTION).
"""

from __future__ import annotations

from .. import _rules as R
from .._plan import FieldChange, UpdateEvent, UpdateItem
from .._values import SfEvent
from . import attachments
from .builder import PlanBuilder
from .cancel import cancel_occurrences
from .fields import sync_linked
from .limits import duration_limit
from .linking import chosen_links
from .meetings import Copy
from .privacy import as_public
from .sharing import share
from .world import World


def linked_copy(w: World, out: PlanBuilder, c: Copy) -> None:
    """The ladder's step for an item whose stamp holds."""
    assert c.event is not None
    linked(w, out, c, c.event, adopted=c.adopted)


def linked(w: World, out: PlanBuilder, c: Copy, event: SfEvent, *, adopted: bool) -> None:
    item = c.item
    out.status.saved()
    fit = attachments.fitting(w, out, item)
    if adopted:
        stamp = FieldChange(field="sf_event_id", old=item.sf_event_id, new=event.id)
        out.act(
            UpdateItem(mailbox=item.mailbox, item_id=item.id, rule=R.DEDUP.id, changes=(stamp,))
        )
        note = f"linked to event {event.id}, the one event of this UID and owner"
        out.note(item, "link", R.DEDUP, note)
    if not w.in_window(item) and not w.org.in_window(event.start, event.end):
        out.note(item, "keep", R.WINDOW, "outside the window: no longer updated, its event is kept")
        return
    # Either side over Salesforce's limits stops the pair: a Salesforce event
    # stretched past 14 days is not copied down to be refused next run.
    limit = duration_limit(item) or duration_limit(event)
    if limit is not None:
        out.issue(limit.rule, limit.code, limit.message, item=item, event_id=event.id)
        out.note(item, "skip", limit.rule, f"not updated: {limit.message}")
        out.status.issue()
        return
    private = sync_linked(w, out, c, event, adopted=adopted)
    if not c.up:
        return  # Who/What and attachments only ever go up (R-DIRECTION)
    cancel_occurrences(w, out, item, event)
    # R-PRIVATE wins over R-LINK and R-ATTENDEES, whichever side is private
    # once this plan is carried out: Salesforce refuses relations on it.
    private = private or out.planned_value(event, "is_private") is True
    chosen = not private and _choose(w, out, c, event)
    if w.org.settings.smart_auto_sharing and not private:
        # Share as the pair will be: an item Salesforce just made public counts as public.
        share(w, out, as_public(item), c.meeting, event, chosen=chosen)
    attachments.save(out, fit, event.id, event.attachment_ids)


def _choose(w: World, out: PlanBuilder, c: Copy, event: SfEvent) -> bool:
    changes = chosen_links(c.item, c.prior, out.planned(event), w.org, w.now)
    if changes is None:
        return False
    if changes:
        out.act(UpdateEvent(event_id=event.id, changes=changes, rule=R.LINK.id))
        names = ", ".join(ch.field for ch in changes)
        note = f"link choice applied to event {event.id}: {names}"
        out.note(c.item, "link", R.LINK, note)
    return True


def exception(w: World, out: PlanBuilder, c: Copy) -> None:
    """A modified occurrence: it updates its own occurrence of the series, never more.

    Salesforce creates a Classic series' occurrences itself when the series is
    saved; the exception is linked to the one with its original start.
    """
    item = c.item
    if c.meeting.is_attendee_copy(item):
        note = "an occurrence of the organizer's series: the organizer's copy decides"
        out.note(item, "skip", R.OWNER, note)
        return
    owner = c.meeting.owner_for(item, c.user)
    assert item.original_start is not None
    occurrence = w.now.occurrences.get((item.ical_uid, owner, item.original_start))
    if occurrence is None or occurrence.id in out.deleting:
        note = "a modified occurrence: waits for its occurrence of the series in Salesforce"
        out.note(item, "wait", R.UPDATE, note)
        return
    linked(w, out, c, occurrence, adopted=True)
