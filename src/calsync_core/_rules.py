"""The rule table: every rule and whole-plan property of RULES.md, as data.

Decisions and issues cite these IDs; ``calsync explain`` and the docs' rule
reference are generated from this table, so the text a user reads and the
code that decides cannot drift apart. Each row is a module-level ``Rule`` named
for its ID (``WINDOW`` is R-WINDOW), and the planner cites the rows themselves:
an ID is written once, here, and a misspelt name is a type error, not a silent
string. ``RULE_TABLE`` is the rows in the order they are written.
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

WINDOW = Rule(
    id="R-WINDOW",
    section=_UP,
    sentence="Autosave considers only items that overlap the window [as_of - past_days, "
    "as_of + future_days]; items outside are skipped without an issue. A manual save "
    "ignores the window. A linked item that leaves the window is no longer updated, "
    "and its event is not deleted: absent from a windowed read is out of view, not gone.",
)

AUTOSAVE_MEETING = Rule(
    id="R-AUTOSAVE-MEETING",
    section=_UP,
    sentence="With the user's meeting_autosave on, meetings the user organizes or has accepted "
    "or tentatively accepted are saved.",
)

AUTOSAVE_APPOINTMENT = Rule(
    id="R-AUTOSAVE-APPOINTMENT",
    section=_UP,
    sentence="With the user's appointment_autosave on, appointments are saved, with no Who and "
    "no What unless a link choice names some.",
)

UNRESPONDED = Rule(
    id="R-UNRESPONDED",
    section=_UP,
    sentence="A meeting the user has not answered or has declined is not autosaved unless "
    "sync_unresponded_and_declined is on; with it off, a manual save gives ISE-013.",
    issues=(C.ISE_013,),
)

PRIVATE = Rule(
    id="R-PRIVATE",
    section=_UP,
    sentence="Private items are never autosaved unless autosave_private is on; a manual save "
    "works. The event is private and has no Who, What or invitees.",
)

INTERNAL = Rule(
    id="R-INTERNAL",
    section=_UP,
    sentence="A meeting whose organizer and attendees are all internal is not autosaved unless "
    "autosave_internal is on; a manual save works.",
)

BLOCKLIST = Rule(
    id="R-BLOCKLIST",
    section=_UP,
    sentence="A meeting with a blocklisted organizer or attendee is not autosaved; a manual save "
    "works. Blocklisted addresses are never linked nor auto-created.",
)

NOT_LINKED = Rule(
    id="R-NOT-LINKED",
    section=_UP,
    sentence="A meeting with external participants, none resolved, is not autosaved; a manual "
    "save gives UNRESOLVED_PARTICIPANTS and is retried every run until a record exists.",
    issues=(C.UNRESOLVED_PARTICIPANTS,),
)

LINK = Rule(
    id="R-LINK",
    section=_UP,
    sentence="Who: records of the resolved external participants, organizer first, a Contact "
    "preferred to a Lead, at most 50, a Lead only alone. What: the link choice's record, "
    "else the primary contact's account (all contacts' accounts with "
    "multiple_business_records). A link choice replaces the computed Who/What, also "
    "one made on an item already saved (its event's Who/What are updated next run).",
)

OWNER = Rule(
    id="R-OWNER",
    section=_UP,
    sentence="An internal organizer owns the one event of a meeting, internal attendees are "
    "invitees; with an external organizer each internal attendee whose item is saved "
    "owns an event; an appointment is owned by its mailbox owner.",
)

WAIT_ORGANIZER = Rule(
    id="R-WAIT-ORGANIZER",
    section=_UP,
    sentence="An attendee of an internally organized meeting waits, with WAITING_FOR_ORGANIZER, "
    "until the organizer's event exists; then the attendee is an invitee.",
    issues=(C.WAITING_FOR_ORGANIZER,),
)

DEDUP = Rule(
    id="R-DEDUP",
    section=_UP,
    sentence="At most one event per (iCalendar UID, owner): an existing one is adopted; of "
    "several, the oldest is kept and the others are DUPLICATE_EVENT. A stamp counts "
    "only when the event carries the item's UID and owner and no other copy holds it; "
    "otherwise STAMP_MISMATCH, and the event is left alone.",
    issues=(C.DUPLICATE_EVENT, C.STAMP_MISMATCH),
)

UPDATE = Rule(
    id="R-UPDATE",
    section=_UP,
    sentence="Once linked, changes of subject, location, start, end, all-day and private flag "
    "propagate to the event.",
)

STALE_VERSION = Rule(
    id="R-STALE-VERSION",
    section=_UP,
    sentence="R-UPDATE trusts version: an item or event whose version equals the previous "
    "run's is unchanged. When asked to check (the calsync command always does), a pair "
    "whose version did not move but whose fields did is STALE_VERSION, naming the fields; "
    "the plan is otherwise the same.",
    issues=(C.STALE_VERSION,),
)

ATTENDEES = Rule(
    id="R-ATTENDEES",
    section=_UP,
    sentence="Who, What and invitees are set once at creation, or recomputed every run with "
    "smart_auto_sharing on, three-way: only relations sync derived from the "
    "participants are added or removed, never one set in Salesforce; never on a "
    "private event (R-PRIVATE).",
)

AUTO_CREATE = Rule(
    id="R-AUTO-CREATE",
    section=_UP,
    sentence="With auto_create set, every external, non-blocklisted, unresolved participant of a "
    "meeting being saved gets a new record first, and the event links to it.",
)

UNSYNC = Rule(
    id="R-UNSYNC",
    section=_UP,
    sentence="The category 'Salesforce Unsync' deletes the item's event if sync created it "
    "(else UNSYNC_NOT_ALLOWED) and removes the 'Salesforce' category; the item is never "
    "saved while it stays. An unstamped item's event is the one R-DEDUP would adopt.",
    issues=(C.UNSYNC_NOT_ALLOWED,),
)

CANCEL = Rule(
    id="R-CANCEL",
    section=_UP,
    sentence="When the organizer cancels a meeting (their own copy cancelled, or deleted while in "
    "the window), every event of it is deleted. An attendee's cancelled copy cancels "
    "only its own event or invitation; a cancelled occurrence only that occurrence; "
    "an attendee removing their copy deletes nothing.",
)

GROUP_CALENDAR = Rule(
    id="R-GROUP-CALENDAR",
    section=_UP,
    sentence="Items in a group calendar are saved like others, but only if they last 24 hours "
    "or less; longer gives GROUP_EVENT_TOO_LONG.",
    issues=(C.GROUP_EVENT_TOO_LONG,),
)

ATTACHMENTS = Rule(
    id="R-ATTACHMENTS",
    section=_UP,
    sentence="With save_attachments on, each attachment of a saved item is saved once with its "
    "event; one over max_attachment_bytes gives ATTACHMENT_TOO_LARGE.",
    issues=(C.ATTACHMENT_TOO_LARGE,),
)

LIMIT_ALLDAY = Rule(
    id="R-LIMIT-ALLDAY",
    section=_LIMITS,
    sentence="An all-day item longer than 14 days gives ALL_DAY_TOO_LONG, any other event longer "
    "than 14 days EVENT_TOO_LONG; neither is saved.",
    issues=(C.ALL_DAY_TOO_LONG, C.EVENT_TOO_LONG),
)

LIMIT_RECURRING = Rule(
    id="R-LIMIT-RECURRING",
    section=_LIMITS,
    sentence="A recurring all-day series, or one whose occurrences last over 24 hours, gives "
    "RECURRING_TOO_LONG and is not saved.",
    issues=(C.RECURRING_TOO_LONG,),
)

RECURRING_ENABLED = Rule(
    id="R-RECURRING-ENABLED",
    section=_LIMITS,
    sentence="A series is saved only with advanced_calendaring and recurring_events both on; "
    "otherwise autosave skips it and a manual save gives RECURRING_NOT_ENABLED.",
    issues=(C.RECURRING_NOT_ENABLED,),
)

RECURRING_FORMAT = Rule(
    id="R-RECURRING-FORMAT",
    section=_LIMITS,
    sentence="A calendar series is written as a Classic recurring event (one Classic cannot "
    "hold gives RECURRENCE_NOT_SUPPORTED); a Lightning series is never downsynced.",
    issues=(C.LIGHTNING_SERIES_NOT_DOWNSYNCED, C.RECURRENCE_NOT_SUPPORTED),
)

TIMEZONE = Rule(
    id="R-TIMEZONE",
    section=_LIMITS,
    sentence="An item whose time zone matches no Salesforce time zone gives "
    "PROBLEMATIC_TIME_ZONE and is not saved.",
    issues=(C.PROBLEMATIC_TIME_ZONE,),
)

FIELD_LIMITS = Rule(
    id="R-FIELD-LIMITS",
    section=_LIMITS,
    sentence="Text longer than Salesforce allows (Subject and Location 255, Description 32,000) "
    "is cut to fit, never rejected.",
)

REQUIRED_FIELDS = Rule(
    id="R-REQUIRED-FIELDS",
    section=_LIMITS,
    sentence="Required fields the item cannot fill give REQUIRED_FIELDS_MISSING and the status "
    "category 'Status: Required fields are missing: <fields>'; not saved.",
    issues=(C.REQUIRED_FIELDS_MISSING,),
)

DOWN_CREATE = Rule(
    id="R-DOWN-CREATE",
    section=_DOWN,
    sentence="An event made in Salesforce, owned by an internal user, inside the window, gets an "
    "item in the owner's mailbox with the 'Salesforce' category.",
)

DOWN_UPDATE = Rule(
    id="R-DOWN-UPDATE",
    section=_DOWN,
    sentence="Changes of a linked event's subject, location, start, end, all-day and private "
    "flag propagate to the item.",
)

DESCRIPTION = Rule(
    id="R-DESCRIPTION",
    section=_DOWN,
    sentence="Safe Description: SAFE copies the description at creation only (and down with a "
    "subject, owner, start or end change), STRICT never after creation, OFF both ways.",
)

DOWN_DELETE = Rule(
    id="R-DOWN-DELETE",
    section=_DOWN,
    sentence="An event deleted in Salesforce does not delete its item: the item loses the "
    "'Salesforce' category and is never autosaved again, unless the delete switch is on. "
    "An event absent but last seen outside the window is out of view, not deleted.",
)

PUBLIC_CALENDAR = Rule(
    id="R-PUBLIC-CALENDAR",
    section=_DOWN,
    sentence="Events of a routed public calendar go one way to the route's mailboxes with the "
    "route's category.",
)

DIRECTION = Rule(
    id="R-DIRECTION",
    section=_DOWN,
    sentence="direction (org, per-user override) BOTH, TO_SALESFORCE or TO_CALENDAR; a one-way "
    "direction plans nothing the other way.",
)

CONFLICT = Rule(
    id="R-CONFLICT",
    section=_DOWN,
    sentence="A field changed on both sides since before is decided by conflict_policy; the "
    "decision records both values.",
)

CATEGORIES = Rule(
    id="R-CATEGORIES",
    section=_STATUS,
    sentence="A saved item carries 'Salesforce'; an item with an issue carries 'Sync Error' (and "
    "a status category), removed when the issue clears; other categories are never "
    "touched.",
)

ISSUES = Rule(
    id="R-ISSUES",
    section=_STATUS,
    sentence="Every issue names the mailbox, the item or event, a code and a sentence; one bad "
    "item never stops the planning of the others.",
    issues=(C.INVALID_ITEM,),
)

EMPTY_GUARD = Rule(
    id="R-EMPTY-GUARD",
    section=_PLAN,
    sentence="A mailbox or owner that held at least empty_guard linked items and now holds none "
    "gets no deletions nor category removals, and MAILBOX_EMPTIED. Only items the new window "
    "covers count: what time left behind is out of view, not a sign of a failed fetch.",
    issues=(C.MAILBOX_EMPTIED,),
)

DETERMINISM = Rule(
    id="P-DETERMINISM",
    section=_PLAN,
    sentence="The same inputs give the same plan, byte for byte, whatever the input order.",
)

IDEMPOTENCE = Rule(
    id="P-IDEMPOTENCE",
    section=_PLAN,
    sentence="Reconciling a snapshot with itself after a converged run plans nothing.",
)

CONVERGENCE = Rule(
    id="P-CONVERGENCE",
    section=_PLAN,
    sentence="Applying a plan and reconciling again plans nothing more, except work that waits "
    "on an outside party.",
)

SAFETY = Rule(
    id="P-SAFETY",
    section=_PLAN,
    sentence="No deletion of events sync did not create, of items without the switch, no private "
    "content without consent, no overwrite of an unseen change.",
)

ISOLATION = Rule(
    id="P-ISOLATION",
    section=_PLAN,
    sentence="An invalid or unsyncable item produces an issue for that item alone.",
)


def _rows() -> tuple[Rule, ...]:
    """The rows above, in the order they are written (RULES.md's order)."""
    rows = tuple(value for value in globals().values() if isinstance(value, Rule))
    for row in rows:
        # The name a rule is cited by is its ID, spelt as a Python name: one spelling.
        assert globals()[row.id[2:].replace("-", "_")] is row, row.id
    return rows


#: Every rule and whole-plan property, in RULES.md's order.
RULE_TABLE: tuple[Rule, ...] = _rows()

#: Rule ID → rule, in table order.
RULES: Mapping[str, Rule] = MappingProxyType({r.id: r for r in RULE_TABLE})


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
