"""The interfaces an integrator implements against the real systems.

calsync_core performs no I/O. A connector supplies it through these small
protocols -- one to read each system, one to resolve addresses, one to write
each system -- and :func:`calsync_core.session.run_session` drives one sync over
them. Each protocol is a handful of methods; implement them with whatever client
you use (Microsoft Graph, EWS, the Salesforce REST API ...).

Writers receive actions whose ``ref`` placeholders have already been replaced
by the real ids of what the same session created, so they can pass every id
straight to the API. Each ``old`` value of a :class:`~calsync_core.FieldChange`
is the value the planner saw: send it as a precondition (an ETag / change key,
or a compare before write) and raise :class:`ConflictError` when the live value
differs, so an edit made in between is never overwritten.

Errors say whether retrying may help. The driver never retries within a
session; it reports the failure and leaves the state so that the next session
plans the same work again (see :mod:`calsync_core.session`).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Protocol

from ._errors import CalsyncError
from ._plan import (
    CreateEvent,
    CreateItem,
    CreateRecord,
    DeleteEvent,
    DeleteItem,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
)
from ._values import CalendarItem, Record, SfEvent


class PortError(CalsyncError):
    """A read or write against a real system failed.

    ``retryable`` says whether trying again later may succeed (a timeout, a
    throttled request, a lost connection) or not (a permission, a validation
    rule). Raise one of the subclasses.
    """

    retryable: bool = False


class TransientError(PortError):
    """Retrying later may help: timeouts, throttling (HTTP 429/503), lost connections.

    Raise it also when the outcome is unknown -- a write that timed out may
    have happened. The planner recognises work that did happen on the next
    read (an event carrying the item's UID is adopted, never created twice).
    """

    retryable = True


class ConflictError(TransientError):
    """A precondition failed: the live value is not the ``old`` value the plan expected.

    Someone edited the item or event between the read and the write. The next
    session reads the new value and plans again from it.
    """


class PermanentError(PortError):
    """Retrying will not help (permissions, validation rules, a deleted target)."""


class MailboxReader(Protocol):
    """Reads calendar items from the mail server: a window, and single items by id."""

    def read_items(
        self, mailbox: str, start: dt.datetime, end: dt.datetime
    ) -> Sequence[CalendarItem]:
        """Every item of ``mailbox`` (its own and its group calendars) overlapping the span.

        Series are returned as their series master (with ``recurrence``) when any
        occurrence overlaps the span, plus their modified occurrences
        (``original_start`` set). Raise :class:`PortError` if the read fails --
        never return a partial list as if it were complete.
        """
        ...

    def read_items_by_id(self, mailbox: str, ids: Collection[str]) -> Sequence[CalendarItem]:
        """The items of ``mailbox`` with these ids that still exist, wherever they now are.

        The session asks for the items the previous session saw inside the
        current window and the windowed read no longer shows: an organizer
        moved one 90 days out, or into another of the mailbox's calendars. Return
        each one that exists, as it is now -- at any time, in any of the
        mailbox's calendars, cancelled or not.

        **Omitting an id confirms that the item was deleted.** The planner then
        treats it as gone: an organizer's deleted item cancels its meeting
        (R-CANCEL). So omit an id only when the server said so (Graph answers
        404 ``ErrorItemNotFound``); if a lookup failed, timed out or was
        throttled, raise :class:`PortError` -- never drop an id you could not
        read. Ids not asked for are ignored. The order does not matter.

        .. versionadded:: 0.2.0
        """
        ...


class EventReader(Protocol):
    """Reads events from Salesforce: a window, and single events by id."""

    def read_events(
        self, owner_ids: Collection[str], start: dt.datetime, end: dt.datetime
    ) -> Sequence[SfEvent]:
        """Every event owned by one of ``owner_ids`` (users or public calendars) in the span."""
        ...

    def read_events_by_id(self, ids: Collection[str]) -> Sequence[SfEvent]:
        """The events with these ids that still exist, wherever and whoever's they now are.

        The session asks for the events the previous session saw inside the
        current window that the windowed read no longer shows (someone moved
        one past the window), and for the events stamped on the items it read.
        Return each one that exists, as it is now, whatever its dates or owner.

        **Omitting an id confirms that the event was deleted** (an event in the
        Recycle Bin counts as deleted: query without ``ALL ROWS``). The planner
        then treats it as gone (R-DOWN-DELETE: the item loses its link, or with
        ``delete_items_deleted_in_salesforce`` is deleted). So omit an id only
        when Salesforce said it does not exist; if a query failed, raise
        :class:`PortError` -- never drop an id you could not read. Ids not
        asked for are ignored. The order does not matter.

        .. versionadded:: 0.2.0
        """
        ...


class Directory(Protocol):
    """Resolves addresses to Salesforce records (the vendor's "Initial Search")."""

    def resolve(self, addresses: Collection[str]) -> Sequence[Record]:
        """Contacts and Leads whose email is one of ``addresses``, and their accounts."""
        ...


class CalendarWriter(Protocol):
    """Carries out calendar-side actions."""

    def create_item(self, action: CreateItem) -> str:
        """Create the item and return its id. Create it with ``action.ical_uid``."""
        ...

    def update_item(self, action: UpdateItem) -> None:
        """Apply ``action.changes``; raise :class:`ConflictError` if an ``old`` differs."""
        ...

    def delete_item(self, action: DeleteItem) -> None: ...

    def set_categories(self, action: SetCategories) -> None:
        """Add ``action.add`` and remove ``action.remove``, keeping every other category."""
        ...


class SalesforceWriter(Protocol):
    """Carries out Salesforce-side actions."""

    def create_event(self, action: CreateEvent) -> str:
        """Create the event (stamping ``ical_uid`` and the owner) and return its id."""
        ...

    def update_event(self, action: UpdateEvent) -> None:
        """Apply ``action.changes``; raise :class:`ConflictError` if an ``old`` differs."""
        ...

    def delete_event(self, action: DeleteEvent) -> None: ...

    def create_record(self, action: CreateRecord) -> str:
        """Create the Contact or Lead and return its id."""
        ...

    def save_attachment(self, action: SaveAttachment) -> None:
        """Save the attachment with the event (the calendar's content is the connector's)."""
        ...


class Ports(Protocol):
    """Everything a session needs, in one object: readers, the directory, writers."""

    @property
    def mailboxes(self) -> MailboxReader: ...

    @property
    def events(self) -> EventReader: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def calendar(self) -> CalendarWriter: ...

    @property
    def salesforce(self) -> SalesforceWriter: ...
