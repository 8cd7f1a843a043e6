"""One ``calsync sync`` at a time per state file: an exclusive lock on ``STATE.lock``.

Two runs from one state would plan the same creates, and both would send
them: duplicates no later run can tell from the person's own. The lock is an
OS file lock (``flock``, ``msvcrt.locking`` on Windows), so it goes with the
process however it ends -- a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO


class LockError(Exception):
    """The lock file cannot be opened: one line, exit status 2."""


@contextlib.contextmanager
def exclusive(state: Path) -> Iterator[bool]:
    """Hold ``STATE.lock`` for the block; yield False (and hold nothing) if another has it."""
    lock = state.with_name(state.name + ".lock")
    try:
        handle = lock.open("a")
    except OSError as exc:
        raise LockError(f"{lock}: cannot open: {exc.strerror or exc}") from None
    with handle:
        yield _try_lock(handle)


def _try_lock(handle: IO[str]) -> bool:
    """Take an exclusive lock on the open file without waiting; False if it is held."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
