"""The Salesforce side of the tenant: sObject tables, writes as the REST API does them.

Records are kept as the REST API answers them (datetimes as
``2024-03-12T17:00:00.000+0000``, dates as ``2024-03-12``). Each write sets
``LastModifiedDate`` and ``SystemModstamp``; a PATCH with
``If-Unmodified-Since`` is refused (412) when the record changed after that
second. An Event's times are completed as Salesforce completes them: a timed
event's ``DurationInMinutes`` from its two ends (or its end from the
duration), an all-day event's ``StartDateTime`` and ``EndDateTime`` as the
midnights (UTC) of its first and last day. Deleting an event deletes its
``EventRelation`` rows. ``WhoId``/``WhatId`` are not mirrored as relation
rows: ``EventRelation`` holds the rows written to it. A Classic series
(``IsRecurrence``) is kept as the one row written: Salesforce would also
make a row per occurrence, which a windowed query then finds.

Writes can be journalled, so that a composite request with ``allOrNone``
rolls back what it did when one of its sub-requests fails.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Mapping
from typing import Any, Final

from . import _sf_schema as schema
from ._times import Stamps, parse_instant, sf_instant
from ._wire import WireError

_DAY: Final = dt.timedelta(days=1)
_MAX_MINUTES: Final = 14 * 24 * 60
#: (table, id, the record before, or None when there was none)
Undo = tuple[str, str, dict[str, Any] | None]


def bad(code: str, message: str, status: int = 400) -> WireError:
    """A Salesforce error."""
    return WireError(status, code, message)


class SalesforceStore:
    """Every table's records by id. Guarded by the tenant's lock."""

    def __init__(self, stamps: Stamps, uid_field: str, created_field: str) -> None:
        self._stamps = stamps
        self.uid_field = uid_field
        self.created_field = created_field
        self.tables: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in schema.objects()}
        #: Deleted ids with when they were deleted, per table (for ``getDeleted``).
        self.deleted: dict[str, dict[str, str]] = {t: {} for t in schema.objects()}
        self._numbers = dict.fromkeys(schema.objects(), 0)
        self.journal: list[Undo] | None = None
        self.api_user_id = ""

    def fields(self, table: str) -> dict[str, str]:
        """The fields of ``table`` with their types; INVALID_TYPE for an unknown object."""
        if table not in self.tables:
            raise bad("NOT_FOUND", f"The requested resource does not exist: sobject {table}", 404)
        return schema.fields(table, self.uid_field, self.created_field)

    def find(self, table: str, record_id: str) -> dict[str, Any]:
        """The record, or 404 (``ENTITY_IS_DELETED`` for one deleted)."""
        self.fields(table)
        full = self.full_id(record_id)
        found = self.tables[table].get(full)
        if found is not None:
            return found
        if full in self.deleted[table]:
            raise bad("ENTITY_IS_DELETED", "entity is deleted", 404)
        raise bad("NOT_FOUND", "The requested resource does not exist", 404)

    @staticmethod
    def full_id(record_id: str) -> str:
        """The 18-character form of an id (a 15-character one gets its suffix)."""
        if len(record_id) == 15 and record_id.isalnum():
            return record_id + schema.checksum(record_id)
        return record_id

    def _remember(self, table: str, record_id: str) -> None:
        if self.journal is not None:
            before = self.tables[table].get(record_id)
            self.journal.append((table, record_id, None if before is None else dict(before)))

    def rollback(self, undo: list[Undo]) -> None:
        """Put back what the journalled writes changed, last first."""
        for table, record_id, before in reversed(undo):
            if before is None:
                self.tables[table].pop(record_id, None)
                self.deleted[table].pop(record_id, None)
            else:
                self.tables[table][record_id] = before
                self.deleted[table].pop(record_id, None)

    def create(self, table: str, body: Any, *, system: bool = False) -> dict[str, Any]:
        """A new record from a POST body; ``system`` lets a seed set computed fields."""
        values = self._checked(table, body, system=system)
        self._numbers[table] += 1
        record_id = schema.record_id(table, self._numbers[table])
        stamp = sf_instant(self._stamps.next())
        record: dict[str, Any] = dict.fromkeys(self.fields(table))
        record.update(Id=record_id, CreatedDate=stamp, IsDeleted=False)
        for name, kind in self.fields(table).items():
            if kind == schema.FLAG and record[name] is None:
                record[name] = False
        if table == "Event":
            record["OwnerId"] = self.api_user_id or None
        record.update(values)
        self._complete(table, record, values)
        record["LastModifiedDate"] = record["SystemModstamp"] = stamp
        self._remember(table, record_id)
        self.tables[table][record_id] = record
        return record

    def update(
        self, table: str, record_id: str, body: Any, unmodified_since: str | None
    ) -> dict[str, Any]:
        """PATCH a record, on condition of ``If-Unmodified-Since``."""
        record = self.find(table, record_id)
        _check_unmodified(record, unmodified_since)
        values = self._checked(table, body, system=False)
        after = {**record, **values}
        self._complete(table, after, values)
        after["LastModifiedDate"] = after["SystemModstamp"] = sf_instant(self._stamps.next())
        self._remember(table, record["Id"])
        self.tables[table][record["Id"]] = after
        return after

    def delete(self, table: str, record_id: str) -> None:
        """DELETE a record; an event's relation rows go with it."""
        record = self.find(table, record_id)
        stamp = sf_instant(self._stamps.next())
        doomed = [(table, record["Id"])]
        if table == "Event":
            rows = self.tables["EventRelation"].values()
            doomed += [("EventRelation", r["Id"]) for r in rows if r["EventId"] == record["Id"]]
        for name, key in doomed:
            self._remember(name, key)
            del self.tables[name][key]
            self.deleted[name][key] = stamp

    def _checked(self, table: str, body: Any, *, system: bool) -> dict[str, Any]:
        """``body``'s fields, each checked against its type and normalised."""
        if not isinstance(body, Mapping):
            raise bad("JSON_PARSER_ERROR", "The request body must be a JSON object.")
        known = self.fields(table)
        values: dict[str, Any] = {}
        for name, value in body.items():
            kind = known.get(name)
            if name == "attributes":
                continue
            if kind is None:
                raise bad("INVALID_FIELD", f"No such column '{name}' on sobject of type {table}")
            if not system and (name in schema.SYSTEM or name in schema.COMPUTED.get(table, ())):
                raise bad(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {name}. Please check the security "
                    "settings of this field and verify that it is read/write for your profile.",
                )
            values[name] = self._value(name, kind, value)
        return values

    def _value(self, name: str, kind: str, value: Any) -> Any:
        if value is None:
            return None
        if kind == schema.FLAG and isinstance(value, bool):
            return value
        if kind == schema.NUMBER and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == schema.TEXT and isinstance(value, str):
            return value
        if kind == schema.INSTANT and isinstance(value, str):
            moment = parse_instant(value)
            if moment is not None:
                return sf_instant(moment)
        if kind == schema.DAY and isinstance(value, str):
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        if kind == schema.ID and isinstance(value, str):
            return self._reference(name, value)
        raise bad("JSON_PARSER_ERROR", f"Cannot deserialize {value!r} as a {kind} for {name}")

    def _reference(self, name: str, value: str) -> str:
        """An id field's value: an id of a record the org has."""
        full = self.full_id(value)
        table = schema.table_of(full)
        if name == "Id" or (table is not None and full in self.tables[table]):
            return full
        raise bad("INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {name} = {value!r}")

    def _complete(self, table: str, record: dict[str, Any], written: Mapping[str, Any]) -> None:
        if table == "Event":
            _event_times(record, written)
        elif table in ("Contact", "Lead"):
            if not record.get("LastName"):
                raise bad("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]")
            if table == "Lead" and not record.get("Company"):
                raise bad("REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]")
            words = (record.get("FirstName"), record["LastName"])
            record["Name"] = " ".join(w for w in words if w)
        elif table == "EventRelation":
            if not record.get("EventId") or not record.get("RelationId"):
                raise bad("REQUIRED_FIELD_MISSING", "Required fields are missing: [EventId]")
            # A What is anything but a person: Account, Opportunity ... (not 003, 00Q, 005).
            related = schema.table_of(record["RelationId"])
            record["IsWhat"] = related not in ("Contact", "Lead", "User")


def _check_unmodified(record: Mapping[str, Any], header: str | None) -> None:
    if header is None:
        return
    try:
        limit = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        raise bad("INVALID_HEADER_VALUE", f"Invalid If-Unmodified-Since: {header!r}") from None
    modified = parse_instant(record["SystemModstamp"])
    if limit.utcoffset() is None or modified is None:
        raise bad("INVALID_HEADER_VALUE", f"Invalid If-Unmodified-Since: {header!r}")
    if modified > limit:
        raise bad("PRECONDITION_FAILED", "The requested entity has been modified.", 412)


def _instant(record: Mapping[str, Any], name: str) -> dt.datetime | None:
    value = record.get(name)
    return None if value is None else parse_instant(value)


def _event_times(record: dict[str, Any], written: Mapping[str, Any]) -> None:
    """Complete an event's times as Salesforce does, or refuse them.

    Both ``EndDateTime`` and ``DurationInMinutes`` may be written only when
    they agree; either one sets the other. An all-day event with neither
    lasts a day; a timed one needs one of them.
    """
    both = "EndDateTime" in written and "DurationInMinutes" in written
    if record.get("IsAllDayEvent"):
        _all_day_times(record, written, both=both)
        return
    start = _instant(record, "StartDateTime")
    if start is None:
        raise bad("REQUIRED_FIELD_MISSING", "Required fields are missing: [StartDateTime]")
    end = _instant(record, "EndDateTime")
    minutes = record.get("DurationInMinutes")
    if "DurationInMinutes" in written and "EndDateTime" not in written and minutes is not None:
        end = start + dt.timedelta(minutes=minutes)
    elif end is not None:
        found = int((end - start).total_seconds() // 60)
        if both and minutes is not None and minutes != found:
            raise _disagree()
        minutes = found
    if end is None or minutes is None:
        raise bad("REQUIRED_FIELD_MISSING", "Required fields are missing: [EndDateTime]")
    if end < start:
        raise bad("FIELD_INTEGRITY_EXCEPTION", "End Date/Time: must be after Start Date/Time")
    if minutes > _MAX_MINUTES:
        raise bad("FIELD_INTEGRITY_EXCEPTION", "Event duration cannot exceed 14 days")
    record.update(
        StartDateTime=sf_instant(start),
        EndDateTime=sf_instant(end),
        DurationInMinutes=minutes,
        ActivityDate=start.date().isoformat(),
        ActivityDateTime=sf_instant(start),
    )


def _all_day_times(record: dict[str, Any], written: Mapping[str, Any], *, both: bool) -> None:
    """An all-day event: its first day, its days in minutes, its last day's midnight."""
    day_text = record.get("ActivityDate")
    if day_text is None:
        start = _instant(record, "StartDateTime")
        if start is None:
            raise bad("REQUIRED_FIELD_MISSING", "Required fields are missing: [ActivityDate]")
        day_text = start.date().isoformat()
    first = dt.datetime.combine(dt.date.fromisoformat(day_text), dt.time(), tzinfo=dt.UTC)
    minutes = record.get("DurationInMinutes")
    last = _instant(record, "EndDateTime")
    if last is not None and "EndDateTime" in written:
        found = ((last.date() - first.date()).days + 1) * 24 * 60
        if both and minutes is not None and minutes != found:
            raise _disagree()
        minutes = found
    minutes = minutes or 24 * 60
    days = max(1, -(-minutes // (24 * 60)))
    record.update(
        ActivityDate=day_text,
        DurationInMinutes=minutes,
        ActivityDateTime=None,
        StartDateTime=sf_instant(first),
        EndDateTime=sf_instant(first + (days - 1) * _DAY),
    )


def _disagree() -> WireError:
    return bad(
        "FIELD_INTEGRITY_EXCEPTION",
        "EndDateTime and DurationInMinutes must add up to the same amount of time",
    )
