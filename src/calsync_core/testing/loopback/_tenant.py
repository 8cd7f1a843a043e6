"""The tenant: both services' data in memory, seeded and read back as the project's values.

Seeding goes through the project's own writers (``graph.request_for``,
``salesforce.request_for``) and reading back through its readers
(``graph.item_from_graph``, ``salesforce.event_from_sobject``), so what a
test puts in and checks is what a connector would see and write.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Final

from ... import graph, salesforce
from ..._enums import RecordKind, Response
from ..._plan import CreateEvent, CreateItem, CreateRecord
from ..._values import CalendarItem, Record, SfEvent
from ._graph_delta import Deltas
from ._graph_store import GraphStore, answer
from ._sf_store import SalesforceStore
from ._times import Clock, Stamps, graph_instant, system_clock

_ANSWERS: Final = {
    Response.ORGANIZER: "organizer",
    Response.ACCEPTED: "accepted",
    Response.TENTATIVE: "tentativelyAccepted",
    Response.DECLINED: "declined",
    Response.NOT_RESPONDED: "notResponded",
}
_STAMP_EXPAND: Final = (
    f"singleValueExtendedProperties($filter=id eq '{graph.SF_EVENT_ID_PROPERTY}')"
)
_SEED: Final = "seed"


class Tenant:
    """A Microsoft 365 tenant's mailboxes and a Salesforce org, in memory, thread-safe.

    ``clock`` stamps every write (default: the machine's clock; see
    :class:`TickingClock`). ``uid_field`` and ``created_field`` are the API
    names of the two custom Event fields, as in the connector's settings.
    Every method takes the tenant's one lock, ``lock`` (re-entrant: hold it
    to read several things at one moment); so does the server for each
    request, so a test sees whole requests only.
    """

    def __init__(
        self,
        *,
        clock: Clock = system_clock,
        uid_field: str = salesforce.ICAL_UID_FIELD,
        created_field: str = salesforce.CREATED_BY_SYNC_FIELD,
    ) -> None:
        self.lock = threading.RLock()
        stamps = Stamps(clock)
        self.graph = GraphStore(stamps)
        self.deltas = Deltas(self.graph)
        self.salesforce = SalesforceStore(stamps, uid_field, created_field)
        #: The user the API calls run as: the default owner of a created Event.
        self.api_user_id = self.add_user("integration@loopback.example", "Integration User")
        self.salesforce.api_user_id = self.api_user_id

    # -- Graph -------------------------------------------------------------

    def add_mailbox(self, address: str, name: str = "") -> str:
        """Add a mailbox; its key (the address lower-cased)."""
        with self.lock:
            return self.graph.add_mailbox(address, name)

    def mailboxes(self) -> tuple[str, ...]:
        """Every mailbox, sorted."""
        with self.lock:
            return tuple(sorted(self.graph.mailboxes))

    def add_item(self, item: CalendarItem) -> str:
        """Put ``item`` into its mailbox (added when missing); the id the server gave it.

        The item's own ``id`` and ``version`` are not kept: the server assigns
        them. ``ical_uid`` is kept when given; organizer, attendees, the
        owner's answer, ``is_cancelled`` and ``original_start`` (an exception
        of a series) are kept as Graph would show them.
        """
        action = CreateItem(
            ref=_SEED,
            mailbox=item.mailbox,
            ical_uid=item.ical_uid,
            start=item.start,
            end=item.end,
            subject=item.subject,
            body=item.body,
            location=item.location,
            is_all_day=item.is_all_day,
            sensitivity=item.sensitivity,
            categories=item.categories,
            sf_event_id=item.sf_event_id,
            rule=_SEED,
            recurrence=item.recurrence,
            time_zone=item.time_zone,
        )
        body = dict(graph.request_for(action).body)
        with self.lock:
            owner = self.graph.add_mailbox(item.mailbox)
            stored = self.graph.create(owner, body, defaults=_copy_fields(item, owner))
            return str(stored.data["id"])

    def items(self, mailbox: str) -> tuple[CalendarItem, ...]:
        """The mailbox's items as the Graph adapter reads them (stamp included), by start and id."""
        with self.lock:
            events = list(self.graph.events_of(mailbox).values())
            payloads = [answer(stored, _STAMP_EXPAND) for stored in events]
        read = (graph.item_from_graph(p, mailbox=mailbox) for p in payloads)
        return tuple(sorted(read, key=lambda i: (i.start, i.id)))

    def item_json(self, mailbox: str, item_id: str) -> dict[str, Any]:
        """One event's JSON as a GET with the stamp expanded answers it."""
        with self.lock:
            return answer(self.graph.find(mailbox, item_id), _STAMP_EXPAND)

    def edit_item(self, mailbox: str, item_id: str, **properties: Any) -> str:
        """A user's edit: set Graph ``event`` properties (``subject="..."``); the new change key."""
        with self.lock:
            stored = self.graph.patch(mailbox, item_id, properties, None)
            return str(stored.data["changeKey"])

    def delete_item(self, mailbox: str, item_id: str) -> None:
        """A user deletes an item."""
        with self.lock:
            self.graph.delete(mailbox, item_id, None)

    def expire_delta(self, mailbox: str) -> int:
        """Expire every delta and skip link of ``mailbox`` (its next use answers 410)."""
        with self.lock:
            return self.deltas.expire(mailbox)

    # -- Salesforce --------------------------------------------------------

    def add_user(self, email: str, name: str = "", *, time_zone: str = "UTC") -> str:
        """A Salesforce User; its id."""
        body = {
            "Email": email,
            "Username": email,
            "Name": name or email,
            "TimeZoneSidKey": time_zone,
            "IsActive": True,
        }
        with self.lock:
            return str(self.salesforce.create("User", body, system=True)["Id"])

    def add_account(self, name: str) -> str:
        """An Account (a What); its id."""
        with self.lock:
            return str(self.salesforce.create("Account", {"Name": name})["Id"])

    def add_record(self, record: Record) -> str:
        """A Contact or Lead like ``record`` (its ``account_id`` must exist); its id."""
        if record.email is None:
            raise ValueError("a seeded record needs an email: records are found by address")
        action = CreateRecord(
            ref=_SEED, kind=record.kind, email=record.email, name=record.name, rule=_SEED
        )
        request = salesforce.request_for(action)
        body = dict(request.body)
        if record.kind is RecordKind.CONTACT and record.account_id is not None:
            body["AccountId"] = record.account_id
        with self.lock:
            return str(self.salesforce.create(request.url.split("/")[1], body)["Id"])

    def add_event(self, event: SfEvent) -> str:
        """An Event like ``event`` with its relation rows; its id.

        Its owner, Whos and Whats must exist. ``created_by_sync`` and
        ``ical_uid`` are kept as given. A series needs Classic fields, which
        an :class:`~calsync_core.SfEvent` does not carry: seed one with
        :meth:`add_sobject` instead.
        """
        if event.recurrence is not None:
            raise ValueError("add_event seeds single events; write a series with add_sobject")
        action = CreateEvent(
            ref=_SEED,
            owner_id=event.owner_id,
            ical_uid=event.ical_uid or "",
            start=event.start,
            end=event.end,
            subject=event.subject,
            description=event.description,
            location=event.location,
            is_all_day=event.is_all_day,
            is_private=event.is_private,
            who_ids=event.who_ids,
            what_ids=event.what_ids,
            invitee_ids=event.invitee_ids,
            recurrence=None,
            source_item_id=_SEED,
            rule=_SEED,
            time_zone=event.time_zone,
        )
        store = self.salesforce
        body = dict(
            salesforce.request_for(
                action, uid_field=store.uid_field, created_field=store.created_field
            ).body
        )
        body[store.created_field] = event.created_by_sync
        body[store.uid_field] = event.ical_uid
        with self.lock:
            event_id = str(store.create("Event", body)["Id"])
            for row in salesforce.relation_requests(action, event_id):
                store.create("EventRelation", row.body)
            return event_id

    def add_sobject(self, table: str, **fields: Any) -> str:
        """Any record, fields as the REST API writes them; its id."""
        with self.lock:
            return str(self.salesforce.create(table, fields)["Id"])

    def sobject(self, table: str, record_id: str) -> dict[str, Any]:
        """One record's fields, as stored."""
        with self.lock:
            return dict(self.salesforce.find(table, record_id))

    def sobjects(self, table: str) -> tuple[dict[str, Any], ...]:
        """Every record of ``table``, by id."""
        with self.lock:
            rows = self.salesforce.tables[table]
            return tuple(dict(rows[key]) for key in sorted(rows))

    def edit_sobject(self, table: str, record_id: str, **fields: Any) -> str:
        """A user's edit of a record; its new ``SystemModstamp``."""
        with self.lock:
            return str(self.salesforce.update(table, record_id, fields, None)["SystemModstamp"])

    def delete_sobject(self, table: str, record_id: str) -> None:
        """A user deletes a record (an event's relation rows go with it)."""
        with self.lock:
            self.salesforce.delete(table, record_id)

    def events(self) -> tuple[SfEvent, ...]:
        """Every Event as the Salesforce adapter reads it, with its relation rows, by id."""
        with self.lock:
            store = self.salesforce
            users = store.tables["User"]
            rows: dict[str, list[dict[str, Any]]] = {}
            for row in store.tables["EventRelation"].values():
                rows.setdefault(row["EventId"], []).append(
                    {"attributes": {"type": "EventRelation"}, **row}
                )
            records = [
                (
                    {
                        **record,
                        "Owner": {
                            "TimeZoneSidKey": users.get(record["OwnerId"] or "", {}).get(
                                "TimeZoneSidKey"
                            )
                        },
                    },
                    sorted(rows.get(key, ()), key=lambda r: r["Id"]),
                )
                for key, record in sorted(store.tables["Event"].items())
            ]
        return tuple(
            salesforce.event_from_sobject(
                record,
                relations=related,
                uid_field=store.uid_field,
                created_field=store.created_field,
            )
            for record, related in records
        )

    def records(self) -> tuple[Record, ...]:
        """Every Contact and Lead as the adapter reads it, by id."""
        with self.lock:
            found = [
                {"attributes": {"type": table}, **row}
                for table in ("Contact", "Lead")
                for row in self.salesforce.tables[table].values()
            ]
        return tuple(sorted((salesforce.record_from_sobject(r) for r in found), key=lambda r: r.id))


def _copy_fields(item: CalendarItem, owner: str) -> Mapping[str, Any]:
    """What Graph shows of a meeting beyond what a POST writes: who organizes, who comes."""
    fields: dict[str, Any] = {
        "isCancelled": item.is_cancelled,
        "responseStatus": {"response": _ANSWERS[item.response], "time": "0001-01-01T00:00:00Z"},
        "attendees": [
            {
                "type": a.role.value.lower(),
                "status": {"response": _ANSWERS[a.response], "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": a.name, "address": a.email},
            }
            for a in item.attendees
        ],
    }
    if item.ical_uid:
        fields["iCalUId"] = fields["uid"] = item.ical_uid
    if item.organizer is not None and item.organizer != owner:
        fields["organizer"] = {"emailAddress": {"name": "", "address": item.organizer}}
        fields["isOrganizer"] = False
    if item.original_start is not None:
        fields["type"] = "exception"
        fields["originalStart"] = graph_instant(item.original_start)
    return fields
