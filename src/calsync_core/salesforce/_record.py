"""A Contact or Lead sobject read into a directory :class:`~calsync_core.Record`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._enums import RecordKind
from .._errors import PayloadError
from .._values import Record
from ._fields import MISSING, Fields

_KINDS = {"Contact": RecordKind.CONTACT, "Lead": RecordKind.LEAD}


def read_record(record: Mapping[str, Any]) -> Record:
    """The Record ``record`` describes, or PayloadError listing every fault."""
    problems: list[str] = []
    f = Fields(record, "", problems)
    raw = f.raw("attributes", required=True)
    attributes = Fields({} if raw is MISSING else raw, "attributes", problems)
    type_name = attributes.text("type", required=raw is not MISSING)
    kind = _KINDS.get(type_name or "")
    if type_name and kind is None:
        attributes.fault("type", f"{type_name!r} is not Contact or Lead")
    record_id = f.text("Id", required=True)
    email = f.text("Email")
    name = f.text("Name")
    account_id = f.text("AccountId") if kind is RecordKind.CONTACT else None
    if problems or kind is None or record_id is None:
        raise PayloadError(problems)
    return Record(
        id=record_id, kind=kind, email=email or None, account_id=account_id, name=name or ""
    )
