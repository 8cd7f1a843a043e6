"""Whether an unlinked calendar item is saved to Salesforce, and if not, why.

Owns R-WINDOW, R-AUTOSAVE-MEETING, R-AUTOSAVE-APPOINTMENT, R-UNRESPONDED,
R-PRIVATE, R-INTERNAL, R-BLOCKLIST and R-NOT-LINKED.

Two paths. *Autosave* is settings alone: every rule below may veto it, and a
veto is silent (a decision, no issue) because the user asked for nothing.
A *manual save* (the ``Salesforce`` category or a Save-dialog link choice) is a
request: most vetoes do not apply, and where the request still cannot be met
(ISE-013, unresolved participants) the user is told with an issue.
"""

from __future__ import annotations

import attrs

from .. import _rules as R
from .._domain import SALESFORCE, organizer_of
from .._enums import IssueCode, Response
from .._rules import Rule
from .._values import CalendarItem, UserSettings
from .index import Index
from .org import Org
from .privacy import is_private
from .world import World

_ANSWERED = frozenset({Response.ORGANIZER, Response.ACCEPTED, Response.TENTATIVE})

ISE_013_TEXT = (
    "ISE-013: Meeting for attendees cannot be synchronized until the organizer synchronizes it."
)
RECURRING_TEXT = (
    "Recurring series are saved only when Advanced Calendaring is on in Salesforce "
    "and recurring events are enabled for sync."
)
UNRESOLVED_TEXT = (
    "None of this meeting's external participants has a Salesforce record; "
    "create a Contact or Lead for at least one of them and it will be saved on the next run."
)


@attrs.frozen(kw_only=True)
class Verdict:
    """The outcome for one item: save it or not, the rule why, and an issue if the user must act."""

    save: bool
    rule: Rule
    note: str
    issue: IssueCode | None = None
    message: str = ""


def is_manual(item: CalendarItem) -> bool:
    return SALESFORCE in item.categories or item.link_choice is not None


def participants(item: CalendarItem) -> list[str]:
    """Organizer first, then attendees in their order, each address once."""
    seen = dict.fromkeys([organizer_of(item), *(a.email for a in item.attendees)])
    return list(seen)


def recurring_enabled(org: Org) -> bool:
    """R-RECURRING-ENABLED: both the Salesforce org and the product's switch allow series."""
    return org.settings.advanced_calendaring and org.settings.recurring_events


def is_meeting(item: CalendarItem) -> bool:
    # A meeting has an attendee other than the mailbox owner; an item someone else
    # organized is a meeting copy even when its attendee list came through empty.
    return organizer_of(item) != item.mailbox or any(
        a.email != item.mailbox for a in item.attendees
    )


def linkable(item: CalendarItem, org: Org) -> list[str]:
    """External participants that may be linked: neither internal nor blocklisted."""
    return [p for p in participants(item) if not org.is_internal(p) and not org.is_blocked(p)]


def judge(w: World, item: CalendarItem, user: UserSettings) -> Verdict:
    """Decide whether ``item`` (not linked to any event) is saved now."""
    if is_manual(item):
        return _manual(w, item, user)
    return _autosave(w, item, user)


def _autosave(w: World, item: CalendarItem, user: UserSettings) -> Verdict:
    org, index, s = w.org, w.now, w.org.settings
    if not w.in_window(item):
        return _skip(R.WINDOW, "outside the sync window; autosave ignores it")
    if item.recurrence is not None and not recurring_enabled(org):
        return _skip(R.RECURRING_ENABLED, "recurring series are not enabled for this org")
    if not is_meeting(item):
        if not user.appointment_autosave:
            return _skip(R.AUTOSAVE_APPOINTMENT, "appointment autosave is off for this user")
        if is_private(item) and not s.autosave_private:
            return _skip(R.PRIVATE, "private items are not autosaved")
        return Verdict(save=True, rule=R.AUTOSAVE_APPOINTMENT, note="appointment autosaved")
    if not user.meeting_autosave:
        return _skip(R.AUTOSAVE_MEETING, "meeting autosave is off for this user")
    if not _answered(item) and not s.sync_unresponded_and_declined:
        answer = "declined" if item.response is Response.DECLINED else "not answered"
        return _skip(R.UNRESPONDED, f"the user has {answer} this meeting")
    if is_private(item) and not s.autosave_private:
        return _skip(R.PRIVATE, "private items are not autosaved")
    people = participants(item)
    blocked = [p for p in people if org.is_blocked(p)]
    if blocked:
        return _skip(R.BLOCKLIST, f"blocklisted participant {blocked[0]}")
    if all(org.is_internal(p) for p in people) and not s.autosave_internal:
        return _skip(R.INTERNAL, "internal meeting: every participant is internal")
    if not _resolvable(item, org, index):
        return _skip(R.NOT_LINKED, "no external participant has a Salesforce record")
    return Verdict(save=True, rule=R.AUTOSAVE_MEETING, note="meeting autosaved")


def _manual(w: World, item: CalendarItem, user: UserSettings) -> Verdict:
    org, index = w.org, w.now
    how = "link choice" if item.link_choice is not None else "'Salesforce' category"
    if item.recurrence is not None and not recurring_enabled(org):
        return Verdict(
            save=False,
            rule=R.RECURRING_ENABLED,
            note="manual save of a series while recurring events are not enabled",
            issue=IssueCode.RECURRING_NOT_ENABLED,
            message=RECURRING_TEXT,
        )
    if is_meeting(item):
        if not _answered(item) and not org.settings.sync_unresponded_and_declined:
            return Verdict(
                save=False,
                rule=R.UNRESPONDED,
                note="manual save of an unanswered or declined meeting",
                issue=IssueCode.ISE_013,
                message=ISE_013_TEXT,
            )
        chosen_who = item.link_choice is not None and item.link_choice.who_id is not None
        if not chosen_who and not _resolvable(item, org, index):
            return Verdict(
                save=False,
                rule=R.NOT_LINKED,
                note="waiting for a record of an external participant",
                issue=IssueCode.UNRESOLVED_PARTICIPANTS,
                message=UNRESOLVED_TEXT,
            )
    # Cite the rule autosave would have followed: the one a manual save
    # overrides (R-PRIVATE, R-INTERNAL, R-WINDOW ...), or the one that agrees.
    auto = _autosave(w, item, user)
    if auto.save:
        return Verdict(save=True, rule=auto.rule, note=f"saved by the user ({how})")
    return Verdict(
        save=True, rule=auto.rule, note=f"saved by the user ({how}), overriding: {auto.note}"
    )


def _answered(item: CalendarItem) -> bool:
    # The organizer's own copy counts as answered whatever its response field
    # says: R-AUTOSAVE-MEETING saves meetings the user organizes.
    return item.response in _ANSWERED or organizer_of(item) == item.mailbox


def _resolvable(item: CalendarItem, org: Org, index: Index) -> bool:
    """False only when there are external participants to link and none is resolved.

    A meeting whose only external participants are blocklisted has nobody to link
    and is saved without a Who, like an internal one.
    """
    candidates = linkable(item, org)
    if not candidates:
        return True
    if org.settings.auto_create is not None:
        return True  # R-AUTO-CREATE makes the records this meeting needs
    return any(p in index.people for p in candidates)


def _skip(rule: Rule, note: str) -> Verdict:
    return Verdict(save=False, rule=rule, note=note)
