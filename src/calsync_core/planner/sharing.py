"""R-ATTENDEES with ``smart_auto_sharing``: Who, What and invitees kept up, three-way.

What sync derives from the meeting's participants now is compared with what
it derived from them in ``before`` (with ``before``'s directory): only a
relation that newly follows from them is added, and only one that no longer
does is removed. A relation someone set in Salesforce -- on an event made
there and downsynced, say -- is neither, and stays; on an event made in
Salesforce nothing is removed at all, since sync cannot tell which of its
relations were there before it derived the same ones. Salesforce's limits
hold in the merge (R-LINK): one Lead as the only Who, at most 50 Whos, one
What unless the org allows several. A private pair shares nothing
(R-PRIVATE; the caller does not share it).
"""

from __future__ import annotations

import attrs

from .. import _rules as R
from .._plan import CreateRecord, FieldChange, UpdateEvent
from .._values import CalendarItem, SfEvent
from .builder import PlanBuilder
from .fields import RELATIONS
from .index import Directory, Index
from .linking import MAX_WHOS, is_lead, links_for
from .meetings import Meeting, invitees
from .world import World


@attrs.frozen(kw_only=True)
class Derived:
    """The relations sync derives from one copy's participants."""

    who_ids: tuple[str, ...]
    what_ids: tuple[str, ...]
    invitee_ids: tuple[str, ...]
    records: tuple[CreateRecord, ...]

    def of(self, name: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, name)
        return value


def share(
    w: World,
    out: PlanBuilder,
    item: CalendarItem,
    meeting: Meeting,
    event: SfEvent,
    *,
    chosen: bool,
) -> None:
    """Bring ``event``'s relations to what ``item``'s participants now call for.

    ``chosen``: a link choice set Who and What this run (R-LINK), so only
    invitees are shared.
    """
    now = _derived(w, item, meeting, w.now)
    prior = w.prior_item(item)
    before = (
        None if prior is None or w.prev is None else _derived(w, prior, meeting, w.prev.directory)
    )
    planned = out.planned(event)
    changes = []
    new_records: list[CreateRecord] = []
    for name in ("invitee_ids",) if chosen else RELATIONS:
        current: tuple[str, ...] = getattr(planned, name)
        was = () if before is None else before.of(name)
        wanted = now.of(name)
        # Only on an event sync created were the relations sync's to begin with.
        dropped = set(was) - set(wanted) if event.created_by_sync else set()
        kept = [x for x in current if x not in dropped]
        added = [x for x in wanted if x not in was and x not in kept]
        merged = _merged(w, name, kept, added)
        if tuple(merged) != current:
            changes.append(FieldChange(field=name, old=current, new=tuple(merged)))
            new_records.extend(r for r in now.records if r.ref in merged)
    if changes:
        for record in new_records:
            out.act(record)
        out.act(UpdateEvent(event_id=event.id, changes=tuple(changes), rule=R.ATTENDEES.id))
        names = ", ".join(ch.field for ch in changes)
        out.note(item, "share", R.ATTENDEES, f"participants changed: {names}")


def _derived(
    w: World, item: CalendarItem, meeting: Meeting, directory: Index | Directory
) -> Derived:
    links = links_for(item, w.org, directory)
    return Derived(
        who_ids=links.who_ids,
        what_ids=links.what_ids,
        invitee_ids=_invited(w, item, meeting) if meeting.host is not None else (),
        records=links.new_records,
    )


def _invited(w: World, item: CalendarItem, meeting: Meeting) -> tuple[str, ...]:
    """The users the organizer's copy invites, less those whose own copy is cancelled.

    A cancelled copy is an attendee removed from the meeting (R-CANCEL): that
    rule takes them off the invitees, and sharing must not put them back.
    """
    left = {
        w.org.users[c.mailbox].sf_user_id
        for c in meeting.copies
        if c.is_cancelled and c.original_start is None and c.mailbox in w.org.users
    }
    found = invitees(item, w.org)
    return tuple(i for i in found if i not in left) if left else found


def _merged(w: World, name: str, kept: list[str], added: list[str]) -> list[str]:
    """``kept`` plus ``added``, within Salesforce's limits on relations (R-LINK)."""
    if not added:
        return kept
    if name == "who_ids":
        if any(is_lead(x, w.now) for x in kept):
            return kept  # a Lead is only ever the single Who
        if kept:
            added = [x for x in added if not is_lead(x, w.now)]
        return [*kept, *added][: max(MAX_WHOS, len(kept))]
    if name == "what_ids" and kept and not w.org.settings.multiple_business_records:
        return kept  # one What, and someone chose it
    return [*kept, *added]
