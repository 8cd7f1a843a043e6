"""A phase line on stderr while the command works, for a person at a terminal.

Reading and planning a large organisation takes seconds, and a terminal that
shows nothing for that long looks hung. So while a phase ("reading
after.json", "planning", "writing") has run longer than ``DELAY``, one line on
stderr says which, with a spinner and the seconds spent, rewritten in place
and erased when the work is done. Only a terminal gets it: a pipe, a file or a
test reads stderr for errors, and an error must stay one line. A quick run
shows nothing at all.

A daemon thread draws the line, so the work itself is not slowed by checks of
the clock; the planner is pure Python and gives the thread its turn.
"""

from __future__ import annotations

import shutil
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType
    from typing import TextIO

#: A phase shorter than this shows nothing.
DELAY = 0.5
#: How often the line is redrawn.
TICK = 0.1
_SPINNER = "|/-\\"
#: Back to the line's start, and erase it.
_ERASE = "\r\x1b[K"


class Progress:
    """Shows the current phase on ``stream`` once it has run ``DELAY`` seconds.

    Use as a context manager and call :meth:`phase` as the work moves on; leaving
    the context (normally, by an error or by Ctrl-C) erases the line.
    """

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self._lock = threading.Lock()
        self._label: str | None = None
        self._started = 0.0
        self._shown = False
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._draw, name="calsync-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._shown:
                self._write(_ERASE)

    def phase(self, label: str) -> None:
        """The work now under way, named for a person ("reading after.json")."""
        with self._lock:
            self._label = label
            self._started = time.monotonic()

    def _draw(self) -> None:
        frame = 0
        while not self._done.wait(TICK):
            with self._lock:
                spent = time.monotonic() - self._started
                if self._label is None or spent < DELAY:
                    continue
                frame += 1
                line = f"calsync: {self._label} {_SPINNER[frame % len(_SPINNER)]} {spent:.0f}s"
                # One row: a line wider than the terminal would wrap and never be erased.
                width = shutil.get_terminal_size().columns - 1
                self._write(_ERASE + line[: max(width, 1)])
                self._shown = True

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal: the work goes on without the line
            self.enabled = False
