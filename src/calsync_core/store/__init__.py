"""Where a kept state lives between sessions: a state store in a SQLite file.

This package does I/O, so it lies outside the pure planner: nothing in
``planner`` or ``incremental`` imports it. A session driver loads the state
from a store, plans with ``reconcile_changes``, carries the
plan out, advances the state and saves it back with each mailbox's delta link.
"""

from __future__ import annotations

from .._errors import StoreError
from ._sqlite import SqliteStateStore

__all__ = ["SqliteStateStore", "StoreError"]
