"""Scenario builders for the rule tests: short names for the values a test needs.

Everything goes through the public API (``import calsync_core as cs``). The
defaults describe the commonest case so that a test only states what matters
to its rule:

- the organisation is ``acme.example`` with one internal user, alice
  (``alice@acme.example``, Salesforce user ``005alice``);
- a ``meeting`` is organized by an external person (``pat@partner.example``)
  and the mailbox owner has accepted it; it starts a day after ``AS_OF``;
- an ``appointment`` has no attendees;
- ``linked(item)`` turns an item into one already saved: it carries the
  ``Salesforce`` category and the id of an event built from its own fields.

Names given without ``@`` are users of ``acme.example`` (``"bob"`` is
``bob@acme.example``); an owner given without the ``005`` prefix gets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import attrs

import calsync_core as cs

AS_OF = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
DOMAIN = "acme.example"
PAT = "pat@partner.example"  # the default external organizer
PAT_ACCOUNT = "001partner"
SALESFORCE = "Salesforce"
SYNC_ERROR = "Sync Error"
UNSYNC = "Salesforce Unsync"
ISE_013_TEXT = (
    "ISE-013: Meeting for attendees cannot be synchronized until the organizer synchronizes it."
)

T = TypeVar("T")
Editable = TypeVar("Editable", cs.CalendarItem, cs.SfEvent)
Thing = cs.CalendarItem | cs.SfEvent | cs.Record


# -- time --------------------------------------------------------------------------


def at(days: float = 0, hours: float = 0) -> dt.datetime:
    """A time relative to ``AS_OF`` (the snapshots' own "now")."""
    return AS_OF + dt.timedelta(days=days, hours=hours)


# -- people and settings -------------------------------------------------------------


def address(name: str) -> str:
    """``"bob"`` → ``bob@acme.example``; a full address is kept as it is."""
    return name if "@" in name else f"{name}@{DOMAIN}"


def sf_user(name: str) -> str:
    """The Salesforce user id of an internal user: ``"alice"`` → ``005alice``."""
    if name.startswith("005"):
        return name
    return "005" + address(name).split("@")[0]


def user(name: str, **kw: Any) -> cs.UserSettings:
    """An internal user ``name@acme.example`` with Salesforce id ``005name``."""
    return cs.UserSettings(email=address(name), sf_user_id=sf_user(name), **kw)


def org(*users: cs.UserSettings, **settings: Any) -> cs.OrgSettings:
    """Settings for ``acme.example``; with no users given, alice is the one user."""
    settings.setdefault("company_domains", frozenset({DOMAIN}))
    return cs.OrgSettings(users=users or (user("alice"),), **settings)


# -- calendar items ------------------------------------------------------------------


def _attendees(people: Iterable[str | cs.Attendee]) -> list[cs.Attendee]:
    return [p if isinstance(p, cs.Attendee) else cs.Attendee(email=address(p)) for p in people]


def item(
    id: str = "item-1",
    *,
    mailbox: str = "alice",
    uid: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    hours: float = 1,
    subject: str = "Quarterly review",
    version: str = "v1",
    **kw: Any,
) -> cs.CalendarItem:
    """A calendar item; ``uid`` defaults to ``uid-<id>``, the time to a day from now."""
    begin = at(days=1) if start is None else start
    return cs.CalendarItem(
        id=id,
        ical_uid=f"uid-{id}" if uid is None else uid,
        mailbox=address(mailbox),
        start=begin,
        end=begin + dt.timedelta(hours=hours) if end is None else end,
        subject=subject,
        version=version,
        **kw,
    )


def meeting(
    id: str = "meeting-1",
    *,
    mailbox: str = "alice",
    organizer: str | None = PAT,
    attendees: Sequence[str | cs.Attendee] = (),
    response: cs.Response | None = None,
    **kw: Any,
) -> cs.CalendarItem:
    """A meeting copy in ``mailbox``: organized by pat (external), accepted by the owner.

    ``organizer=None`` makes the mailbox owner the organizer (response
    ORGANIZER). ``attendees`` are the others, in order; the mailbox owner is
    listed after them, as mail servers list every attendee on each copy.
    """
    owner = address(mailbox)
    organizes = organizer is None or address(organizer) == owner
    answer = response
    if answer is None:
        answer = cs.Response.ORGANIZER if organizes else cs.Response.ACCEPTED
    people = _attendees(attendees)
    if not organizes and all(a.email != owner for a in people):
        people.append(cs.Attendee(email=owner, response=answer))
    return item(
        id,
        mailbox=mailbox,
        organizer=None if organizer is None else address(organizer),
        attendees=tuple(people),
        response=answer,
        **kw,
    )


def appointment(id: str = "appointment-1", *, mailbox: str = "alice", **kw: Any) -> cs.CalendarItem:
    """An item with no attendees, organized by the mailbox owner."""
    return item(id, mailbox=mailbox, **kw)


# -- Salesforce --------------------------------------------------------------------------


def event(
    id: str = "00Uevent1",
    *,
    owner: str = "alice",
    uid: str | None = "uid-meeting-1",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    hours: float = 1,
    created_by_sync: bool = True,
    version: str = "e1",
    **kw: Any,
) -> cs.SfEvent:
    """A Salesforce event owned by ``owner`` (a user name or a ``005`` id)."""
    begin = at(days=1) if start is None else start
    return cs.SfEvent(
        id=id,
        owner_id=sf_user(owner),
        start=begin,
        end=begin + dt.timedelta(hours=hours) if end is None else end,
        ical_uid=uid,
        created_by_sync=created_by_sync,
        version=version,
        **kw,
    )


def linked(
    it: cs.CalendarItem, event_id: str = "00Uevent1", **event_kw: Any
) -> tuple[cs.CalendarItem, cs.SfEvent]:
    """``it`` as already saved: stamped with ``event_id`` and the ``Salesforce`` category,
    and the event sync made from it (its fields; ``event_kw`` overrides them)."""
    fields: dict[str, Any] = {
        "owner": it.mailbox.split("@")[0],
        "uid": it.ical_uid,
        "start": it.start,
        "end": it.end,
        "subject": it.subject,
        "location": it.location,
        "description": it.body,
        "is_all_day": it.is_all_day,
        "is_private": it.sensitivity in (cs.Sensitivity.PRIVATE, cs.Sensitivity.CONFIDENTIAL),
    }
    fields.update(event_kw)
    saved = attrs.evolve(it, sf_event_id=event_id, categories=it.categories | {SALESFORCE})
    return saved, event(event_id, **fields)


def contact(email: str, *, account: str | None = None, id: str | None = None) -> cs.Record:
    """A Contact for ``email`` (id ``003:<email>`` unless given), optionally in an account."""
    return cs.Record(
        id=f"003:{email}" if id is None else id,
        kind=cs.RecordKind.CONTACT,
        email=email,
        account_id=account,
    )


def lead(email: str, *, id: str | None = None) -> cs.Record:
    """A Lead for ``email`` (id ``00Q:<email>`` unless given)."""
    return cs.Record(id=f"00Q:{email}" if id is None else id, kind=cs.RecordKind.LEAD, email=email)


#: pat's Contact, in the account ``PAT_ACCOUNT``: what makes a default meeting resolvable.
PAT_CONTACT = cs.Record(
    id=f"003:{PAT}", kind=cs.RecordKind.CONTACT, email=PAT, account_id=PAT_ACCOUNT
)


# -- snapshots ---------------------------------------------------------------------------


def snap(*things: Thing, as_of: dt.datetime = AS_OF) -> cs.Snapshot:
    """A snapshot holding ``things``, sorted into items, events and records."""
    return cs.Snapshot(
        as_of=as_of,
        items=tuple(t for t in things if isinstance(t, cs.CalendarItem)),
        events=tuple(t for t in things if isinstance(t, cs.SfEvent)),
        records=tuple(t for t in things if isinstance(t, cs.Record)),
    )


def put(snapshot: cs.Snapshot, *things: Thing) -> cs.Snapshot:
    """``snapshot`` with ``things`` added, replacing whatever had the same id."""
    new_items = {(t.mailbox, t.id) for t in things if isinstance(t, cs.CalendarItem)}
    new_events = {t.id for t in things if isinstance(t, cs.SfEvent)}
    new_records = {t.id for t in things if isinstance(t, cs.Record)}
    kept: list[Thing] = [
        *(i for i in snapshot.items if (i.mailbox, i.id) not in new_items),
        *(e for e in snapshot.events if e.id not in new_events),
        *(r for r in snapshot.records if r.id not in new_records),
    ]
    return snap(*kept, *things, as_of=snapshot.as_of)


def drop(snapshot: cs.Snapshot, *ids: str) -> cs.Snapshot:
    """``snapshot`` without the items, events and records whose id is in ``ids``."""
    return attrs.evolve(
        snapshot,
        items=tuple(i for i in snapshot.items if i.id not in ids),
        events=tuple(e for e in snapshot.events if e.id not in ids),
        records=tuple(r for r in snapshot.records if r.id not in ids),
    )


def edit(thing: Editable, **changes: Any) -> Editable:
    """``thing`` with ``changes``, and a new ``version`` (change key) unless one is given."""
    changes.setdefault("version", f"{thing.version}+")
    return attrs.evolve(thing, **changes)


def item_in(snapshot: cs.Snapshot, item_id: str) -> cs.CalendarItem:
    """The one item with ``item_id`` in ``snapshot``."""
    return only(i for i in snapshot.items if i.id == item_id)


def event_in(snapshot: cs.Snapshot, event_id: str) -> cs.SfEvent:
    """The one event with ``event_id`` in ``snapshot``."""
    return only(e for e in snapshot.events if e.id == event_id)


# -- running the planner -------------------------------------------------------------------


def run(before: cs.Snapshot | None, after: cs.Snapshot, settings: cs.OrgSettings) -> cs.Plan:
    """One reconcile."""
    return cs.reconcile(before, after, settings)


def converge(
    snapshot: cs.Snapshot, settings: cs.OrgSettings, before: cs.Snapshot | None = None
) -> cs.Snapshot:
    """Reconcile ``snapshot`` (against ``before``) and return it with the plan applied."""
    return cs.apply(snapshot, cs.reconcile(before, snapshot, settings))


def settled(snapshot: cs.Snapshot, settings: cs.OrgSettings) -> cs.Plan:
    """The plan for a snapshot reconciled against itself: empty once converged."""
    return cs.reconcile(snapshot, snapshot, settings)


# -- questions about a plan ----------------------------------------------------------------


def actions_of(plan: cs.Plan, cls: type[T]) -> tuple[T, ...]:
    """The plan's actions of one kind, in plan order."""
    return tuple(a for a in plan.actions if isinstance(a, cls))


def issue_codes(plan: cs.Plan) -> list[cs.IssueCode]:
    """The codes of the plan's issues, in plan order."""
    return [i.code for i in plan.issues]


def decision_for(plan: cs.Plan, ref: str) -> cs.Decision:
    """The main decision about ``ref``: the first one (notes about cuts and links follow)."""
    found = plan.explain(ref)
    assert found, f"no decision about {ref!r} in {plan.decisions}"
    return found[0]


def only(things: Iterable[T]) -> T:
    """The single element of ``things``; fails the test if there are none or several."""
    found = list(things)
    assert len(found) == 1, f"expected exactly one, got {found}"
    return found[0]


def created_event(plan: cs.Plan) -> cs.CreateEvent:
    """The single CreateEvent of ``plan``."""
    return only(actions_of(plan, cs.CreateEvent))


def categories_set(plan: cs.Plan, item_id: str) -> cs.SetCategories:
    """The single SetCategories the plan makes on ``item_id``."""
    return only(a for a in actions_of(plan, cs.SetCategories) if a.item_id == item_id)


def upward(plan: cs.Plan) -> list[cs.Action]:
    """Actions that write to Salesforce."""
    kinds = (cs.CreateEvent, cs.UpdateEvent, cs.DeleteEvent, cs.CreateRecord, cs.SaveAttachment)
    return [a for a in plan.actions if isinstance(a, kinds)]
