"""The rule table: every rule and whole-plan property of RULES.md, as data.

Decisions and issues cite these IDs; ``calsync explain`` and the docs' rule
reference are generated from this table, so the text a user reads and the
code that decides cannot drift apart. The constants below are what planner
code cites -- a misspelt rule is then an import error, not a silent string.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ._enums import IssueCode as C


@attrs.frozen(kw_only=True)
class Rule:
    """One row of the rule table."""

    id: str
    section: str
    sentence: str
    issues: tuple[C, ...] = ()


_UP = "Upsync: calendar → Salesforce"
_LIMITS = "Limits: what cannot be synced"
_DOWN = "Downsync: Salesforce → calendar"
_STATUS = "Status shown on calendar items"
_PLAN = "Whole-plan properties"

RULE_TABLE: tuple[Rule, ...] = (
    Rule(
        id="R-WINDOW",
        section=_UP,
        sentence=(
            "Autosave considers only items that overlap the window [as_of - past_days, "
            "as_of + future_days]; items outside are skipped without an issue. A manual save "
            "ignores the window. A linked item that leaves the window is no longer updated, "
            "and its event is not deleted: absent from a windowed read is out of view, not gone."
        ),
    ),
    Rule(
        id="R-AUTOSAVE-MEETING",
        section=_UP,
        sentence=(
            "With the user's meeting_autosave on, meetings the user organizes or has accepted "
            "or tentatively accepted are saved."
        ),
    ),
    Rule(
        id="R-AUTOSAVE-APPOINTMENT",
        section=_UP,
        sentence=(
            "With the user's appointment_autosave on, appointments are saved, with no Who and "
            "no What unless a link choice names some."
        ),
    ),
    Rule(
        id="R-UNRESPONDED",
        section=_UP,
        issues=(C.ISE_013,),
        sentence=(
            "A meeting the user has not answered or has declined is not autosaved unless "
            "sync_unresponded_and_declined is on; with it off, a manual save gives ISE-013."
        ),
    ),
    Rule(
        id="R-PRIVATE",
        section=_UP,
        sentence=(
            "Private items are never autosaved unless autosave_private is on; a manual save "
            "works. The event is private and has no Who, What or invitees."
        ),
    ),
    Rule(
        id="R-INTERNAL",
        section=_UP,
        sentence=(
            "A meeting whose organizer and attendees are all internal is not autosaved unless "
            "autosave_internal is on; a manual save works."
        ),
    ),
    Rule(
        id="R-BLOCKLIST",
        section=_UP,
        sentence=(
            "A meeting with a blocklisted organizer or attendee is not autosaved; a manual save "
            "works. Blocklisted addresses are never linked nor auto-created."
        ),
    ),
    Rule(
        id="R-NOT-LINKED",
        section=_UP,
        issues=(C.UNRESOLVED_PARTICIPANTS,),
        sentence=(
            "A meeting with external participants, none resolved, is not autosaved; a manual "
            "save gives UNRESOLVED_PARTICIPANTS and is retried every run until a record exists."
        ),
    ),
    Rule(
        id="R-LINK",
        section=_UP,
        sentence=(
            "Who: records of the resolved external participants, organizer first, a Contact "
            "preferred to a Lead, at most 50, a Lead only alone. What: the link choice's record, "
            "else the primary contact's account (all contacts' accounts with "
            "multiple_business_records). A link choice replaces the computed Who/What, also "
            "one made on an item already saved (its event's Who/What are updated next run)."
        ),
    ),
    Rule(
        id="R-OWNER",
        section=_UP,
        sentence=(
            "An internal organizer owns the one event of a meeting, internal attendees are "
            "invitees; with an external organizer each internal attendee whose item is saved "
            "owns an event; an appointment is owned by its mailbox owner."
        ),
    ),
    Rule(
        id="R-WAIT-ORGANIZER",
        section=_UP,
        issues=(C.WAITING_FOR_ORGANIZER,),
        sentence=(
            "An attendee of an internally organized meeting waits, with WAITING_FOR_ORGANIZER, "
            "until the organizer's event exists; then the attendee is an invitee."
        ),
    ),
    Rule(
        id="R-DEDUP",
        section=_UP,
        issues=(C.DUPLICATE_EVENT, C.STAMP_MISMATCH),
        sentence=(
            "At most one event per (iCalendar UID, owner): an existing one is adopted; of "
            "several, the oldest is kept and the others are DUPLICATE_EVENT. A stamp counts "
            "only when the event carries the item's UID and owner and no other copy holds it; "
            "otherwise STAMP_MISMATCH, and the event is left alone."
        ),
    ),
    Rule(
        id="R-UPDATE",
        section=_UP,
        sentence=(
            "Once linked, changes of subject, location, start, end, all-day and private flag "
            "propagate to the event."
        ),
    ),
    Rule(
        id="R-ATTENDEES",
        section=_UP,
        sentence=(
            "Who, What and invitees are set once at creation, or recomputed every run with "
            "smart_auto_sharing on, three-way: only relations sync derived from the "
            "participants are added or removed, never one set in Salesforce; never on a "
            "private event (R-PRIVATE)."
        ),
    ),
    Rule(
        id="R-AUTO-CREATE",
        section=_UP,
        sentence=(
            "With auto_create set, every external, non-blocklisted, unresolved participant of a "
            "meeting being saved gets a new record first, and the event links to it."
        ),
    ),
    Rule(
        id="R-UNSYNC",
        section=_UP,
        issues=(C.UNSYNC_NOT_ALLOWED,),
        sentence=(
            "The category 'Salesforce Unsync' deletes the item's event if sync created it "
            "(else UNSYNC_NOT_ALLOWED) and removes the 'Salesforce' category; the item is never "
            "saved while it stays. An unstamped item's event is the one R-DEDUP would adopt."
        ),
    ),
    Rule(
        id="R-CANCEL",
        section=_UP,
        sentence=(
            "When the organizer cancels a meeting (their own copy cancelled, or deleted while in "
            "the window), every event of it is deleted. An attendee's cancelled copy cancels "
            "only its own event or invitation; a cancelled occurrence only that occurrence; "
            "an attendee removing their copy deletes nothing."
        ),
    ),
    Rule(
        id="R-GROUP-CALENDAR",
        section=_UP,
        issues=(C.GROUP_EVENT_TOO_LONG,),
        sentence=(
            "Items in a group calendar are saved like others, but only if they last 24 hours "
            "or less; longer gives GROUP_EVENT_TOO_LONG."
        ),
    ),
    Rule(
        id="R-ATTACHMENTS",
        section=_UP,
        issues=(C.ATTACHMENT_TOO_LARGE,),
        sentence=(
            "With save_attachments on, each attachment of a saved item is saved once with its "
            "event; one over max_attachment_bytes gives ATTACHMENT_TOO_LARGE."
        ),
    ),
    Rule(
        id="R-LIMIT-ALLDAY",
        section=_LIMITS,
        issues=(C.ALL_DAY_TOO_LONG, C.EVENT_TOO_LONG),
        sentence=(
            "An all-day item longer than 14 days gives ALL_DAY_TOO_LONG, any other event longer "
            "than 14 days EVENT_TOO_LONG; neither is saved."
        ),
    ),
    Rule(
        id="R-LIMIT-RECURRING",
        section=_LIMITS,
        issues=(C.RECURRING_TOO_LONG,),
        sentence=(
            "A recurring all-day series, or one whose occurrences last over 24 hours, gives "
            "RECURRING_TOO_LONG and is not saved."
        ),
    ),
    Rule(
        id="R-RECURRING-ENABLED",
        section=_LIMITS,
        issues=(C.RECURRING_NOT_ENABLED,),
        sentence=(
            "A series is saved only with advanced_calendaring and recurring_events both on; "
            "otherwise autosave skips it and a manual save gives RECURRING_NOT_ENABLED."
        ),
    ),
    Rule(
        id="R-RECURRING-FORMAT",
        section=_LIMITS,
        issues=(C.LIGHTNING_SERIES_NOT_DOWNSYNCED, C.RECURRENCE_NOT_SUPPORTED),
        sentence=(
            "A calendar series is written as a Classic recurring event (one Classic cannot "
            "hold gives RECURRENCE_NOT_SUPPORTED); a Lightning series is never downsynced."
        ),
    ),
    Rule(
        id="R-TIMEZONE",
        section=_LIMITS,
        issues=(C.PROBLEMATIC_TIME_ZONE,),
        sentence=(
            "An item whose time zone matches no Salesforce time zone gives "
            "PROBLEMATIC_TIME_ZONE and is not saved."
        ),
    ),
    Rule(
        id="R-FIELD-LIMITS",
        section=_LIMITS,
        sentence=(
            "Text longer than Salesforce allows (Subject and Location 255, Description 32,000) "
            "is cut to fit, never rejected."
        ),
    ),
    Rule(
        id="R-REQUIRED-FIELDS",
        section=_LIMITS,
        issues=(C.REQUIRED_FIELDS_MISSING,),
        sentence=(
            "Required fields the item cannot fill give REQUIRED_FIELDS_MISSING and the status "
            "category 'Status: Required fields are missing: <fields>'; not saved."
        ),
    ),
    Rule(
        id="R-DOWN-CREATE",
        section=_DOWN,
        sentence=(
            "An event made in Salesforce, owned by an internal user, inside the window, gets an "
            "item in the owner's mailbox with the 'Salesforce' category."
        ),
    ),
    Rule(
        id="R-DOWN-UPDATE",
        section=_DOWN,
        sentence=(
            "Changes of a linked event's subject, location, start, end, all-day and private "
            "flag propagate to the item."
        ),
    ),
    Rule(
        id="R-DESCRIPTION",
        section=_DOWN,
        sentence=(
            "Safe Description: SAFE copies the description at creation only (and down with a "
            "subject, owner, start or end change), STRICT never after creation, OFF both ways."
        ),
    ),
    Rule(
        id="R-DOWN-DELETE",
        section=_DOWN,
        sentence=(
            "An event deleted in Salesforce does not delete its item: the item loses the "
            "'Salesforce' category and is never autosaved again, unless the delete switch is on. "
            "An event absent but last seen outside the window is out of view, not deleted."
        ),
    ),
    Rule(
        id="R-PUBLIC-CALENDAR",
        section=_DOWN,
        sentence=(
            "Events of a routed public calendar go one way to the route's mailboxes with the "
            "route's category."
        ),
    ),
    Rule(
        id="R-DIRECTION",
        section=_DOWN,
        sentence=(
            "direction (org, per-user override) BOTH, TO_SALESFORCE or TO_CALENDAR; a one-way "
            "direction plans nothing the other way."
        ),
    ),
    Rule(
        id="R-CONFLICT",
        section=_DOWN,
        sentence=(
            "A field changed on both sides since before is decided by conflict_policy; the "
            "decision records both values."
        ),
    ),
    Rule(
        id="R-CATEGORIES",
        section=_STATUS,
        sentence=(
            "A saved item carries 'Salesforce'; an item with an issue carries 'Sync Error' (and "
            "a status category), removed when the issue clears; other categories are never "
            "touched."
        ),
    ),
    Rule(
        id="R-ISSUES",
        section=_STATUS,
        issues=(C.INVALID_ITEM,),
        sentence=(
            "Every issue names the mailbox, the item or event, a code and a sentence; one bad "
            "item never stops the planning of the others."
        ),
    ),
    Rule(
        id="R-EMPTY-GUARD",
        section=_PLAN,
        issues=(C.MAILBOX_EMPTIED,),
        sentence=(
            "A mailbox or owner that held at least empty_guard linked items and now holds none "
            "gets no deletions nor category removals, and MAILBOX_EMPTIED."
        ),
    ),
    Rule(
        id="P-DETERMINISM",
        section=_PLAN,
        sentence=("The same inputs give the same plan, byte for byte, whatever the input order."),
    ),
    Rule(
        id="P-IDEMPOTENCE",
        section=_PLAN,
        sentence=("Reconciling a snapshot with itself after a converged run plans nothing."),
    ),
    Rule(
        id="P-CONVERGENCE",
        section=_PLAN,
        sentence=(
            "Applying a plan and reconciling again plans nothing more, except work that waits "
            "on an outside party."
        ),
    ),
    Rule(
        id="P-SAFETY",
        section=_PLAN,
        sentence=(
            "No deletion of events sync did not create, of items without the switch, no private "
            "content without consent, no overwrite of an unseen change."
        ),
    ),
    Rule(
        id="P-ISOLATION",
        section=_PLAN,
        sentence=("An invalid or unsyncable item produces an issue for that item alone."),
    ),
)

#: Rule ID → rule, in table order.
RULES: Mapping[str, Rule] = MappingProxyType({r.id: r for r in RULE_TABLE})

# Constants the planner cites.
WINDOW = "R-WINDOW"
AUTOSAVE_MEETING = "R-AUTOSAVE-MEETING"
AUTOSAVE_APPOINTMENT = "R-AUTOSAVE-APPOINTMENT"
UNRESPONDED = "R-UNRESPONDED"
PRIVATE = "R-PRIVATE"
INTERNAL = "R-INTERNAL"
BLOCKLIST = "R-BLOCKLIST"
NOT_LINKED = "R-NOT-LINKED"
LINK = "R-LINK"
OWNER = "R-OWNER"
WAIT_ORGANIZER = "R-WAIT-ORGANIZER"
DEDUP = "R-DEDUP"
UPDATE = "R-UPDATE"
ATTENDEES = "R-ATTENDEES"
AUTO_CREATE = "R-AUTO-CREATE"
UNSYNC = "R-UNSYNC"
CANCEL = "R-CANCEL"
GROUP_CALENDAR = "R-GROUP-CALENDAR"
ATTACHMENTS = "R-ATTACHMENTS"
LIMIT_ALLDAY = "R-LIMIT-ALLDAY"
LIMIT_RECURRING = "R-LIMIT-RECURRING"
RECURRING_ENABLED = "R-RECURRING-ENABLED"
RECURRING_FORMAT = "R-RECURRING-FORMAT"
TIMEZONE = "R-TIMEZONE"
FIELD_LIMITS = "R-FIELD-LIMITS"
REQUIRED_FIELDS = "R-REQUIRED-FIELDS"
DOWN_CREATE = "R-DOWN-CREATE"
DOWN_UPDATE = "R-DOWN-UPDATE"
DESCRIPTION = "R-DESCRIPTION"
DOWN_DELETE = "R-DOWN-DELETE"
PUBLIC_CALENDAR = "R-PUBLIC-CALENDAR"
DIRECTION = "R-DIRECTION"
CONFLICT = "R-CONFLICT"
CATEGORIES = "R-CATEGORIES"
ISSUES = "R-ISSUES"
EMPTY_GUARD = "R-EMPTY-GUARD"


def rules_markdown() -> str:
    """The rule reference, rendered from the table (``docs/rules.md`` is this text)."""
    lines = [
        "# Rule reference",
        "",
        "Generated from `calsync_core.RULE_TABLE`; every decision and issue cites one of",
        "these IDs. Do not edit by hand: a test compares this page with the table.",
    ]
    section = None
    for rule in RULE_TABLE:
        if rule.section != section:
            section = rule.section
            lines += ["", f"## {section}", "", "| ID | Rule | Issues |", "|---|---|---|"]
        issues = ", ".join(f"`{code.value}`" for code in rule.issues)
        lines.append(f"| {rule.id} | {rule.sentence} | {issues} |")
    return "\n".join(lines) + "\n"
