"""The organisation as the planner sees it: who is internal, what is blocked, the window.

Built once per ``reconcile`` from ``OrgSettings`` and the snapshot's ``as_of``,
so every per-item question is a dict or set lookup. Settings that contradict
themselves raise :class:`SettingsError` here, before any planning: unlike a
bad item, a bad configuration concerns every item at once.

R-DIRECTION is decided here, once: each user's direction becomes two facts,
whether their calendar sends up and whether Salesforce sends down, and the
rules ask those rather than comparing directions themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from .._domain import domain, window
from .._enums import DescriptionMode, Direction
from .._values import OrgSettings, PublicCalendarRoute, UserSettings


@attrs.frozen(kw_only=True)
class Org:
    """Settings indexed for constant-time questions."""

    settings: OrgSettings
    users: Mapping[str, UserSettings]  # by mailbox address
    users_by_sf_id: Mapping[str, UserSettings]
    window_start: dt.datetime
    window_end: dt.datetime
    routes: Mapping[str, tuple[PublicCalendarRoute, ...]]  # by public calendar id
    # R-DIRECTION as two facts: the Salesforce ids whose calendar changes go up,
    # and the mailboxes that Salesforce changes come down to.
    sending_up: frozenset[str]
    receiving: frozenset[str]

    @classmethod
    def build(cls, settings: OrgSettings, as_of: dt.datetime) -> Org:
        window_start, window_end = window(settings, as_of)
        direction = {u.sf_user_id: _direction(settings, u) for u in settings.users}
        return cls(
            settings=settings,
            users={u.email: u for u in settings.users},
            users_by_sf_id={u.sf_user_id: u for u in settings.users},
            window_start=window_start,
            window_end=window_end,
            routes=_routes(settings),
            sending_up=frozenset(
                u.sf_user_id
                for u in settings.users
                if direction[u.sf_user_id] is not Direction.TO_CALENDAR
            ),
            receiving=frozenset(
                u.email
                for u in settings.users
                if direction[u.sf_user_id] is not Direction.TO_SALESFORCE
            ),
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
        return _direction(self.settings, user)

    def up(self, user: UserSettings) -> bool:
        """R-DIRECTION: this user's calendar changes go to Salesforce."""
        return user.sf_user_id in self.sending_up

    def down(self, user: UserSettings) -> bool:
        """R-DIRECTION: Salesforce changes come down to this user's calendar."""
        return user.email in self.receiving

    def owner_up(self, owner_id: str) -> bool:
        """R-DIRECTION for an event's owner; an owner who is no user is not held back."""
        return owner_id in self.sending_up or owner_id not in self.users_by_sf_id

    def description_mode(self, user: UserSettings) -> DescriptionMode:
        if user.description_mode is None:
            return self.settings.description_mode
        return user.description_mode


def _direction(settings: OrgSettings, user: UserSettings) -> Direction:
    """The user's own direction, or the organisation's when the user has none."""
    return settings.direction if user.direction is None else user.direction


def _routes(settings: OrgSettings) -> dict[str, tuple[PublicCalendarRoute, ...]]:
    routes: dict[str, list[PublicCalendarRoute]] = {}
    for route in settings.public_calendar_routes:
        routes.setdefault(route.calendar_id, []).append(route)
    return {calendar: tuple(found) for calendar, found in routes.items()}
