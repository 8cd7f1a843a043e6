"""The ladder's last step: an unlinked item, saved or not (R-AUTOSAVE-*, R-LINK, R-OWNER).

The eligibility rules decide (``eligibility.judge``). A saved item becomes an
invitee of its organizer's event (R-WAIT-ORGANIZER), adopts the event that is
already there (R-DEDUP), or creates one -- at most one per (meeting, owner)
per plan -- after the limits Salesforce puts on it (R-LIMIT-*,
R-REQUIRED-FIELDS, R-RECURRING-FORMAT).
"""

from __future__ import annotations

from .. import _rules as R
from .._enums import IssueCode
from .._plan import CreateEvent, FieldChange, UpdateItem
from .._recurrence_values import ClassicRecurrence
from .._timezones import iana_name
from .._values import CalendarItem
from . import attachments
from .builder import PlanBuilder
from .eligibility import Verdict, is_meeting, judge
from .invitees import attendee
from .limits import EventFields, Limit, classic_series, duration_limit, event_fields, required_limit
from .linked import linked
from .linking import Links, links_for
from .meetings import Copy, invitees
from .world import World

# Event fields an item fills in itself, checked against required_fields.
_FILLED = ("subject", "location", "description", "start", "end", "is_all_day", "is_private")


def event_ref(owner_id: str, ical_uid: str) -> str:
    """The ref of the event a plan creates for one (owner, meeting): at most one (R-DEDUP)."""
    return f"new-event:{owner_id}:{ical_uid}"


def save_or_skip(w: World, out: PlanBuilder, c: Copy) -> None:
    item = c.item
    verdict = judge(w, item, c.user)
    if verdict.save and c.meeting.is_attendee_copy(item):
        attendee(w, out, c)
        return
    owner = c.meeting.owner_for(item, c.user)
    found = w.now.events_of(item.ical_uid, owner)
    if verdict.save and found:
        # R-DEDUP: the event is already there (an earlier run, another tool):
        # adopt the oldest instead of creating one more.
        linked(w, out, c, found[0], adopted=True)
    elif verdict.save:
        _save(w, out, c, owner, verdict)
    else:
        _skip(out, item, verdict)


def _skip(out: PlanBuilder, item: CalendarItem, verdict: Verdict) -> None:
    outcome = "skip"
    if verdict.issue is not None:
        out.issue(verdict.rule, verdict.issue, verdict.message, item=item)
        out.status.issue()
        if verdict.issue is IssueCode.UNRESOLVED_PARTICIPANTS:
            outcome = "wait"
    out.note(item, outcome, verdict.rule, verdict.note)


def _save(w: World, out: PlanBuilder, c: Copy, owner: str, verdict: Verdict) -> None:
    item = c.item
    fields = event_fields(item)
    links = links_for(item, w.org, w.now)
    invited = invitees(item, w.org) if c.meeting.host is not None and is_meeting(item) else ()
    limit, classic = _limit(w, item, fields, links, invited)
    if limit is not None:
        out.issue(limit.rule, limit.code, limit.message, item=item)
        out.status.issue(limit.status)
        out.note(item, "skip", limit.rule, f"not saved: {limit.message}")
        return
    key = (item.ical_uid, owner)
    ref = out.creating.get(key)
    if ref is None:
        ref = out.creating[key] = event_ref(owner, item.ical_uid)
        for record in links.new_records:
            out.act(record)
        out.act(
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
                rule=verdict.rule.id,
                # TimeZoneSidKey: the IANA name (R-TIMEZONE let only mappable zones here).
                time_zone=iana_name(item.time_zone) or item.time_zone,
                classic=classic,
            )
        )
        attachments.save(out, attachments.fitting(w, out, item), ref, frozenset())
    _saved(out, item, ref, owner, verdict, fields, links)


def _limit(
    w: World, item: CalendarItem, fields: EventFields, links: Links, invited: tuple[str, ...]
) -> tuple[Limit | None, ClassicRecurrence | None]:
    """The first limit the new event would break, and the series as Classic fields."""
    values = {
        **{name: fields.value(name) for name in _FILLED},
        "who_ids": links.who_ids,
        "what_ids": links.what_ids,
        "invitee_ids": invited,
    }
    limit = duration_limit(item) or required_limit(w.org.settings.required_fields, values)
    if limit is None and item.recurrence is not None:
        classic, limit = classic_series(item)
        return limit, classic
    return limit, None


def _saved(
    out: PlanBuilder,
    item: CalendarItem,
    ref: str,
    owner: str,
    verdict: Verdict,
    fields: EventFields,
    links: Links,
) -> None:
    stamp = FieldChange(field="sf_event_id", old=item.sf_event_id, new=ref)
    out.act(
        UpdateItem(mailbox=item.mailbox, item_id=item.id, rule=verdict.rule.id, changes=(stamp,))
    )
    out.status.saved()
    out.note(item, "save", verdict.rule, f"{verdict.note}; owner {owner}")
    for _, note in fields.cuts:
        out.note(item, "cut", R.FIELD_LIMITS, note)
    for rule, note in links.notes:
        out.note(item, "note", rule, note)
