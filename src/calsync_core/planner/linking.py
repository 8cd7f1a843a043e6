"""Who and What an event is related to (R-LINK), and the records made for it (R-AUTO-CREATE).

Salesforce's own limits shape this (DOMAIN.md, Shared Activities): up to 50
contacts **or** one lead as Whos, the first being WhoId; What is one
non-person record, usually the primary contact's account. A private event may
be related to nothing at all (R-PRIVATE), so it gets no Who and no What.
"""

from __future__ import annotations

import attrs

from .. import _rules as R
from .._enums import RecordKind
from .._plan import CreateRecord, FieldChange
from .._rules import Rule
from .._values import CalendarItem, SfEvent
from .eligibility import is_meeting, linkable
from .index import Directory, Index
from .org import Org
from .privacy import NO_RELATIONS, is_private

MAX_WHOS = 50


@attrs.frozen(kw_only=True)
class Links:
    who_ids: tuple[str, ...] = ()
    what_ids: tuple[str, ...] = ()
    new_records: tuple[CreateRecord, ...] = ()
    notes: tuple[tuple[Rule, str], ...] = ()  # (rule, note)


def is_lead(record_id: str, index: Index | Directory) -> bool:
    """Whether a Who is a Lead: by its record, its key prefix, or its auto-create ref."""
    record = index.records.get(record_id)
    if record is not None:
        return record.kind is RecordKind.LEAD
    return record_id.startswith(("00Q", record_ref(RecordKind.LEAD, "")))


def record_ref(kind: RecordKind, email: str) -> str:
    """The ref of the record auto-created for one address: one per address per plan."""
    return f"new-record:{kind.value.lower()}:{email}"


def links_for(item: CalendarItem, org: Org, index: Index | Directory) -> Links:
    """Who/What for the event saved from ``item``; a link choice replaces what is computed."""
    if is_private(item):
        return Links(notes=((R.PRIVATE, NO_RELATIONS),))
    choice = item.link_choice
    whos: list[str] = []
    new_records: list[CreateRecord] = []
    notes: list[tuple[Rule, str]] = []
    if choice is not None and choice.who_id is not None:
        whos = [choice.who_id]
    elif is_meeting(item):
        whos, new_records, notes = _computed_whos(item, org, index)
    if choice is not None and choice.what_id is not None:
        whats = [choice.what_id]
    else:
        whats = _accounts(whos, org, index)
    return Links(
        who_ids=tuple(whos),
        what_ids=tuple(whats),
        new_records=tuple(new_records),
        notes=tuple(notes),
    )


def _computed_whos(
    item: CalendarItem, org: Org, index: Index | Directory
) -> tuple[list[str], list[CreateRecord], list[tuple[Rule, str]]]:
    names = {a.email: a.name for a in item.attendees}
    kind = org.settings.auto_create
    contacts: list[str] = []
    leads: list[str] = []
    new_records: list[CreateRecord] = []
    for address in linkable(item, org):
        record = index.people.get(address)
        if record is not None:
            (contacts if record.kind is RecordKind.CONTACT else leads).append(record.id)
        elif kind is not None:
            create = CreateRecord(
                ref=record_ref(kind, address),
                kind=kind,
                email=address,
                name=names.get(address, ""),
                rule=R.AUTO_CREATE.id,
            )
            new_records.append(create)
            (contacts if kind is RecordKind.CONTACT else leads).append(create.ref)
    notes = []
    if contacts:
        if leads:
            notes.append(
                (R.LINK, f"{len(leads)} lead(s) left out: a lead can only be the single Who")
            )
        if len(contacts) > MAX_WHOS:
            notes.append(
                (R.LINK, f"{len(contacts) - MAX_WHOS} contact(s) over the limit of {MAX_WHOS}")
            )
        return contacts[:MAX_WHOS], new_records, notes
    return leads[:1], new_records, notes


def _accounts(whos: list[str], org: Org, index: Index | Directory) -> list[str]:
    # Without multiple_business_records, What is the *primary* contact's account
    # or nothing -- never the account of a later Who.
    considered = whos if org.settings.multiple_business_records else whos[:1]
    accounts: list[str] = []
    for who in considered:
        record = index.records.get(who)
        if record is None or record.kind is not RecordKind.CONTACT or record.account_id is None:
            continue
        if record.account_id not in accounts:
            accounts.append(record.account_id)
    return accounts


def chosen_links(
    item: CalendarItem, prior: CalendarItem | None, planned: SfEvent, org: Org, index: Index
) -> tuple[FieldChange, ...] | None:
    """R-LINK: a link choice made on an item already saved sets its event's Who/What.

    The Save dialog on an existing event is the user's explicit choice, applied
    whatever ``smart_auto_sharing`` says -- once, when the choice is new. None
    when there is no new choice; otherwise the changes it makes to ``planned``
    (the event as the plan leaves it), possibly none.
    """
    choice = item.link_choice
    if choice is None:
        return None
    if prior is None or prior.link_choice == choice:
        # Without ``before``'s copy nobody can tell a new choice from an old one
        # that Salesforce has since been edited past: leave the event as it is.
        return None
    links = links_for(item, org, index)
    wanted = {
        "who_ids": (choice.who_id,) if choice.who_id is not None else planned.who_ids,
        "what_ids": links.what_ids if choice.who_id or choice.what_id else planned.what_ids,
    }
    return tuple(
        FieldChange(field=name, old=getattr(planned, name), new=value)
        for name, value in wanted.items()
        if getattr(planned, name) != value
    )
