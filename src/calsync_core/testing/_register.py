"""Teach ``st.from_type`` the value classes, through the ``hypothesis`` entry point.

Hypothesis calls :func:`register` while it is itself being imported -- possibly
because :mod:`calsync_core.testing.strategies` is importing it, and so is only
half loaded. Each registration is therefore a deferred strategy that imports
the strategies on first use, never here, and nothing is drawn during
Hypothesis' initialisation (which it would warn about).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

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
        from . import strategies

        return strategies._for_types()[cls]

    return st.deferred(build)
