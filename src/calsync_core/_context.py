"""The organisation as the planner sees it: who is internal, what is blocked, the window.

Built once per ``reconcile`` from ``OrgSettings`` and the snapshot's ``as_of``,
so every per-item question below is a dict or set lookup. Settings that
contradict themselves raise :class:`SettingsError` here, before any planning:
unlike a bad item, a bad configuration concerns every item at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from ._enums import DescriptionMode, Direction, RecordKind
from ._errors import SettingsError
from ._values import OrgSettings, PublicCalendarRoute, SfEvent, UserSettings

#: Category names the planner owns (R-CATEGORIES); it never touches any other.
SALESFORCE = "Salesforce"
SYNC_ERROR = "Sync Error"
UNSYNC = "Salesforce Unsync"
REQUIRED_STATUS_PREFIX = "Status: Required fields are missing: "

#: The longest window reach either way, in days (``past_days``, ``future_days``).
#: Ten years is far beyond any sync window in use (the vendor's defaults are 14
#: and 60 days) and it bounds the work per run: every series is asked whether it
#: occurs in the window, and that question costs up to one step per day of the
#: window (see :mod:`._recurrence`). Larger values are settings mistakes
#: (days typed as minutes, a "forever" sentinel) and are refused, not clamped.
MAX_WINDOW_DAYS = 3650
#: The earliest and latest instants a datetime holds: a window is cut there.
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def domain(address: str) -> str:
    return address.rpartition("@")[2]


@attrs.frozen(kw_only=True)
class Org:
    """Settings indexed for constant-time questions."""

    settings: OrgSettings
    users: Mapping[str, UserSettings]  # by mailbox address
    users_by_sf_id: Mapping[str, UserSettings]
    window_start: dt.datetime
    window_end: dt.datetime
    routes: Mapping[str, tuple[PublicCalendarRoute, ...]]  # by public calendar id

    @classmethod
    def build(cls, settings: OrgSettings, as_of: dt.datetime) -> Org:
        _check(settings)
        return cls(
            settings=settings,
            users={u.email: u for u in settings.users},
            users_by_sf_id={u.sf_user_id: u for u in settings.users},
            window_start=moved(as_of, -settings.past_days),
            window_end=moved(as_of, settings.future_days),
            routes=_routes(settings),
        )

    def is_internal(self, address: str) -> bool:
        return address in self.users or domain(address) in self.settings.company_domains

    def is_blocked(self, address: str) -> bool:
        # A blocklist entry is a whole address or a domain (R-BLOCKLIST).
        blocklist = self.settings.blocklist
        return address in blocklist or domain(address) in blocklist

    def in_window(self, start: dt.datetime, end: dt.datetime) -> bool:
        return start <= self.window_end and end >= self.window_start

    def direction(self, user: UserSettings) -> Direction:
        return self.settings.direction if user.direction is None else user.direction

    def description_mode(self, user: UserSettings) -> DescriptionMode:
        if user.description_mode is None:
            return self.settings.description_mode
        return user.description_mode


def moved(at: dt.datetime, days: int) -> dt.datetime:
    """``at`` moved by ``days``, stopping at the first or last instant a datetime holds.

    A snapshot taken near year 1 or 9999 still has a window: the part that
    calendars cannot reach anyway is cut off rather than raising OverflowError.
    """
    try:
        return at + dt.timedelta(days=days)
    except OverflowError:
        return EARLIEST if days < 0 else LATEST


def _routes(settings: OrgSettings) -> dict[str, tuple[PublicCalendarRoute, ...]]:
    routes: dict[str, list[PublicCalendarRoute]] = {}
    for route in settings.public_calendar_routes:
        routes.setdefault(route.calendar_id, []).append(route)
    return {calendar: tuple(found) for calendar, found in routes.items()}


_EVENT_FIELDS = frozenset(a.name for a in attrs.fields(SfEvent))


def _check(settings: OrgSettings) -> None:
    problems: list[str] = []
    seen_email: dict[str, int] = {}
    seen_sf: dict[str, int] = {}
    for n, user in enumerate(settings.users):
        where = f"users[{n}]"
        if "@" not in user.email:
            problems.append(f"{where}.email: not an address: {user.email!r}")
        if not user.sf_user_id:
            problems.append(f"{where}.sf_user_id: empty")
        if user.email in seen_email:
            problems.append(f"{where}.email: same as users[{seen_email[user.email]}]")
        if user.sf_user_id in seen_sf:
            problems.append(f"{where}.sf_user_id: same as users[{seen_sf[user.sf_user_id]}]")
        seen_email.setdefault(user.email, n)
        seen_sf.setdefault(user.sf_user_id, n)
    for name in ("past_days", "future_days", "max_attachment_bytes", "empty_guard"):
        if getattr(settings, name) < 0:
            problems.append(f"{name}: must not be negative")
    for name in ("past_days", "future_days"):
        if getattr(settings, name) > MAX_WINDOW_DAYS:
            problems.append(f"{name}: at most {MAX_WINDOW_DAYS} days (ten years)")
    if settings.auto_create not in (None, RecordKind.CONTACT, RecordKind.LEAD):
        problems.append("auto_create: only CONTACT or LEAD records are created (R-AUTO-CREATE)")
    for name in sorted(settings.required_fields - _EVENT_FIELDS):
        problems.append(f"required_fields: {name!r} is not an SfEvent field")
    if problems:
        raise SettingsError(problems)
