"""Kept state and incremental runs: plan at the cost of what changed.

:class:`~calsync_core.SyncState` keeps a ``before`` indexed between runs;
:func:`~calsync_core.reconcile_changes` plans from it and a :class:`~calsync_core.Changes`,
and plans exactly the actions :func:`~calsync_core.reconcile` would (the
Equivalence in API.md); :meth:`~calsync_core.SyncState.advance` moves the state on. A session driver
(:func:`~calsync_core.session.run_changes_session`) loads and saves the state
through a :class:`StateStore` and reads changes through a :class:`ChangeReader`.
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
