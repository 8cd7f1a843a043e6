"""Where a kept state lives between sessions: the state store port.

The planner never touches a store; a session driver loads the state, plans
with :func:`reconcile_changes`, carries the plan out, advances the state and
saves it. A store keeps the state and each feed's delta link (a Graph
mailbox's ``@odata.deltaLink``, a Salesforce owner's replay position): what to
read changes from next time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from ._state import SyncState


class StateStore(Protocol):
    """Keeps one organisation's state and delta links between sessions."""

    def load(self) -> tuple[SyncState, Mapping[str, str]] | None:
        """The state and delta links last saved, or None if nothing was ever saved."""
        ...

    def save(self, state: SyncState, links: Mapping[str, str]) -> None:
        """Keep ``state`` and ``links`` instead of what was saved: all of it, or none.

        A failure at any point leaves the previously saved state loadable.
        """
        ...
