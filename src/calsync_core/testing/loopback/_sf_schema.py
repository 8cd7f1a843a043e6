"""The sObjects the loopback org has, their fields and types, and its record ids.

Only what the project's Salesforce adapter reads and writes, and a few
neighbours; a field outside these is refused (``INVALID_FIELD``), so a query
or write that names a field the org would not have fails loudly here too.
"""

from __future__ import annotations

from typing import Final

#: Field types: how a value is checked when written and compared in a query.
ID, TEXT, FLAG, INSTANT, DAY, NUMBER = "id", "string", "boolean", "datetime", "date", "int"

#: The three-character key prefix of each object's ids.
KEY_PREFIXES: Final = {
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "User": "005",
    "Event": "00U",
    "EventRelation": "0RE",
    "ContentVersion": "068",
}
#: Fields every record has; set by the server, never written.
SYSTEM: Final = {
    "Id": ID,
    "CreatedDate": INSTANT,
    "LastModifiedDate": INSTANT,
    "SystemModstamp": INSTANT,
    "IsDeleted": FLAG,
}
_EVENT: Final = {
    "OwnerId": ID,
    "Subject": TEXT,
    "Description": TEXT,
    "Location": TEXT,
    "StartDateTime": INSTANT,
    "EndDateTime": INSTANT,
    "DurationInMinutes": NUMBER,
    "ActivityDate": DAY,
    "ActivityDateTime": INSTANT,
    "IsAllDayEvent": FLAG,
    "IsPrivate": FLAG,
    "ShowAs": TEXT,
    "WhoId": ID,
    "WhatId": ID,
    "IsRecurrence": FLAG,
    "RecurrenceActivityId": ID,
    "RecurrenceType": TEXT,
    "RecurrenceInterval": NUMBER,
    "RecurrenceDayOfWeekMask": NUMBER,
    "RecurrenceDayOfMonth": NUMBER,
    "RecurrenceInstance": TEXT,
    "RecurrenceMonthOfYear": TEXT,
    "RecurrenceStartDateTime": INSTANT,
    "RecurrenceEndDateOnly": DAY,
    "RecurrenceTimeZoneSidKey": TEXT,
    "IsRecurrence2": FLAG,
    "Recurrence2PatternText": TEXT,
    "Recurrence2PatternTimeZone": TEXT,
}
_OBJECTS: Final = {
    "Event": _EVENT,
    "EventRelation": {
        "EventId": ID,
        "RelationId": ID,
        "IsInvitee": FLAG,
        "IsParent": FLAG,
        "IsWhat": FLAG,
        "Status": TEXT,
        "Response": TEXT,
        "RespondedDate": INSTANT,
    },
    "User": {
        "Name": TEXT,
        "Username": TEXT,
        "Email": TEXT,
        "TimeZoneSidKey": TEXT,
        "IsActive": FLAG,
    },
    "Contact": {
        "FirstName": TEXT,
        "LastName": TEXT,
        "Name": TEXT,
        "Email": TEXT,
        "AccountId": ID,
    },
    "Lead": {
        "FirstName": TEXT,
        "LastName": TEXT,
        "Name": TEXT,
        "Email": TEXT,
        "Company": TEXT,
        "IsConverted": FLAG,
    },
    "Account": {"Name": TEXT},
    "ContentVersion": {
        "Title": TEXT,
        "PathOnClient": TEXT,
        "VersionData": TEXT,
        "FirstPublishLocationId": ID,
    },
}
#: Fields the server computes, which a write may not set.
COMPUTED: Final = {
    "Contact": frozenset({"Name"}),
    "Lead": frozenset({"Name"}),
    "Event": frozenset({"ActivityDateTime"}),
    "EventRelation": frozenset({"IsWhat"}),
}
#: Relationship names a query may follow (``Owner.TimeZoneSidKey``): field and object.
RELATIONSHIPS: Final = {
    ("Event", "Owner"): ("OwnerId", "User"),
    ("Contact", "Account"): ("AccountId", "Account"),
    ("EventRelation", "Event"): ("EventId", "Event"),
}
_CHECKSUM: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_DIGITS: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fields(table: str, uid_field: str, created_field: str) -> dict[str, str]:
    """Every field of ``table`` with its type, system fields first."""
    found = {**SYSTEM, **_OBJECTS[table]}
    if table == "Event":
        found[uid_field] = TEXT
        found[created_field] = FLAG
    return found


def objects() -> tuple[str, ...]:
    """The object names the org has."""
    return tuple(sorted(_OBJECTS))


def record_id(table: str, number: int) -> str:
    """The 18-character id of the ``number``-th record of ``table``.

    Key prefix, a fixed instance part, the number in base 62, and the
    case-safe suffix Salesforce computes: for each five characters, the
    letter of the bit mask of which are upper case.
    """
    digits = ""
    while number or not digits:
        number, rest = divmod(number, 62)
        digits = _DIGITS[rest] + digits
    short = KEY_PREFIXES[table] + "5g" + digits.rjust(10, "0")
    return short + checksum(short)


def checksum(short: str) -> str:
    """The three characters that make a 15-character id an 18-character one."""
    suffix = ""
    for n in range(3):
        chunk = short[n * 5 : n * 5 + 5]
        mask = sum(1 << bit for bit, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += _CHECKSUM[mask]
    return suffix


def table_of(record: str) -> str | None:
    """The object a record id belongs to, by its key prefix."""
    for table, prefix in KEY_PREFIXES.items():
        if record.startswith(prefix):
            return table
    return None
