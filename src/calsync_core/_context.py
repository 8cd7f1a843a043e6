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

from ._domain import (
    REQUIRED_STATUS_PREFIX,
    SALESFORCE,
    SYNC_ERROR,
    UNSYNC,
    domain,
    moved,
    window,
)
from ._enums import DescriptionMode, Direction
from ._values import OrgSettings, PublicCalendarRoute, UserSettings


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
        window_start, window_end = window(settings, as_of)
        return cls(
            settings=settings,
            users={u.email: u for u in settings.users},
            users_by_sf_id={u.sf_user_id: u for u in settings.users},
            window_start=window_start,
            window_end=window_end,
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


def _routes(settings: OrgSettings) -> dict[str, tuple[PublicCalendarRoute, ...]]:
    routes: dict[str, list[PublicCalendarRoute]] = {}
    for route in settings.public_calendar_routes:
        routes.setdefault(route.calendar_id, []).append(route)
    return {calendar: tuple(found) for calendar, found in routes.items()}


__all__ = ["REQUIRED_STATUS_PREFIX", "SALESFORCE", "SYNC_ERROR", "UNSYNC", "Org", "moved"]
