"""calsync_core: decide how calendar items move between mail calendars and Salesforce.

The heart is one pure, deterministic function, :func:`reconcile`, which takes two
snapshots of both systems (as they stood after the last sync, and now) and the
organisation's settings, and returns a :class:`Plan` of actions, issues and
explained decisions. The library performs no I/O: integrators carry the plan out.
"""

from __future__ import annotations

from ._apply import apply
from ._changes import Changes, ItemKey
from ._enums import (
    AttendeeRole,
    ConflictPolicy,
    DescriptionMode,
    Direction,
    IssueCode,
    RecordKind,
    RecurrenceFormat,
    Response,
    Sensitivity,
)
from ._errors import (
    ApplyError,
    CalsyncError,
    DumpError,
    LoadError,
    PayloadError,
    SettingsError,
)
from ._plan import (
    Action,
    CreateEvent,
    CreateItem,
    CreateRecord,
    Decision,
    DeleteEvent,
    DeleteItem,
    FieldChange,
    Issue,
    Plan,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)
from ._request import Request
from ._rules import RULE_TABLE, RULES, Rule
from ._serde import dumps, loads
from ._values import (
    Attachment,
    Attendee,
    CalendarItem,
    LinkChoice,
    OrgSettings,
    PublicCalendarRoute,
    Record,
    Recurrence,
    SfEvent,
    Snapshot,
    UserSettings,
)
from .incremental import SyncState, reconcile_changes
from .planner import reconcile
from .session import Connection, Failure, SessionReport, run_session

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "RULE_TABLE",
    "Action",
    "ApplyError",
    "Attachment",
    "Attendee",
    "AttendeeRole",
    "CalendarItem",
    "CalsyncError",
    "Changes",
    "ConflictPolicy",
    "Connection",
    "CreateEvent",
    "CreateItem",
    "CreateRecord",
    "Decision",
    "DeleteEvent",
    "DeleteItem",
    "DescriptionMode",
    "Direction",
    "DumpError",
    "Failure",
    "FieldChange",
    "Issue",
    "IssueCode",
    "ItemKey",
    "LinkChoice",
    "LoadError",
    "OrgSettings",
    "PayloadError",
    "Plan",
    "PublicCalendarRoute",
    "Record",
    "RecordKind",
    "Recurrence",
    "RecurrenceFormat",
    "Request",
    "Response",
    "Rule",
    "SaveAttachment",
    "Sensitivity",
    "SessionReport",
    "SetCategories",
    "SettingsError",
    "SfEvent",
    "Snapshot",
    "SyncState",
    "UpdateEvent",
    "UpdateItem",
    "UserSettings",
    "__version__",
    "apply",
    "dumps",
    "loads",
    "reconcile",
    "reconcile_changes",
    "run_session",
]
