"""Teach ``st.from_type`` the value classes, through the ``hypothesis`` entry point.

Hypothesis calls :func:`register` while it is itself being imported -- possibly
because :mod:`calsync_core.testing.strategies` is importing it, and so is only
half loaded. Each registration is therefore a deferred strategy that imports
the strategies on first use, never here, and nothing is drawn during
Hypothesis' initialisation (which it would warn about).
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import strategies as st

from .._enums import DescriptionMode, Direction
from .._values import (
    Attachment,
    Attendee,
    CalendarItem,
    LinkChoice,
    OrgSettings,
    Record,
    Recurrence,
    SfEvent,
    Snapshot,
    UserSettings,
)

_TYPES = (
    CalendarItem,
    SfEvent,
    Record,
    OrgSettings,
    Snapshot,
    Attendee,
    Attachment,
    LinkChoice,
    Recurrence,
    UserSettings,
)


def register() -> None:
    """Register a strategy for each value class; calling it again changes nothing."""
    for cls in _TYPES:
        st.register_type_strategy(cls, _deferred(cls))


def _deferred(cls: type) -> st.SearchStrategy[Any]:
    def build() -> st.SearchStrategy[Any]:
        return _for_types()[cls]

    return st.deferred(build)


@functools.cache
def _for_types() -> dict[type, st.SearchStrategy[object]]:
    """What :func:`register` gives ``st.from_type`` for each value class."""
    # Imported on first use, not at the top: see the module's docstring.
    from . import _pieces, strategies

    users = st.builds(
        UserSettings,
        email=_pieces.addresses(_pieces.DEFAULT_DOMAIN),
        sf_user_id=_pieces.ids("005"),
        meeting_autosave=st.booleans(),
        appointment_autosave=st.booleans(),
        description_mode=st.none() | st.sampled_from(DescriptionMode),
        direction=st.none() | st.sampled_from(Direction),
    )
    return {
        CalendarItem: strategies.calendar_items(),
        SfEvent: strategies.sf_events(),
        Record: strategies.records(),
        OrgSettings: strategies.org_settings(),
        Snapshot: strategies.snapshots(),
        Attendee: _pieces.attendees,
        Attachment: _pieces.attachments,
        LinkChoice: st.builds(
            LinkChoice,
            who_id=st.none() | _pieces.ids("003"),
            what_id=st.none() | _pieces.ids("006"),
        ),
        Recurrence: st.sampled_from(_pieces.RULES).map(lambda rule: Recurrence(rule=rule)),
        UserSettings: users,
    }
