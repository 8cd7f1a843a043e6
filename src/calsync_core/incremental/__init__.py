"""Kept state and incremental runs: plan at the cost of what changed.

:class:`SyncState` keeps a ``before`` indexed between runs;
:func:`reconcile_changes` plans from it and a :class:`~calsync_core.Changes`,
and plans exactly the actions :func:`~calsync_core.reconcile` would (the
Equivalence in API.md); :meth:`SyncState.advance` moves the state on.
"""

from __future__ import annotations

from ._ports import ChangeReader, StateStore, mailbox_feed, owner_feed
from ._run import reconcile_changes
from ._state import STEPS, SyncState, Touched

__all__ = [
    "STEPS",
    "ChangeReader",
    "StateStore",
    "SyncState",
    "Touched",
    "mailbox_feed",
    "owner_feed",
    "reconcile_changes",
]
