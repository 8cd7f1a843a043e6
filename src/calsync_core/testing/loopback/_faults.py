"""Scripted faults: what the loopback server does wrong, deterministically, and when.

Each fault matches calls by method and a regular expression searched in the
path (a ``$batch`` or composite sub-request is matched by its own path, under
``/v1.0`` or ``/services/data/``), lets ``after`` matching calls through, then
fires on the next ``times`` ones. A throttle, an outage, a request-limit or a
server error answers *instead of* the call: nothing is written. A dropped
connection answers nothing *after* the call was carried out: the write
committed, the client cannot know (only whole requests are dropped, never a
sub-request).
"""

from __future__ import annotations

import re
import threading
from typing import Final

import attrs

from ._wire import Call, WireError

THROTTLE, UNAVAILABLE, REQUEST_LIMIT, SERVER_ERROR, DROP = (
    "throttle",
    "unavailable",
    "request-limit",
    "server-error",
    "drop",
)
_ANSWERS: Final = {
    THROTTLE: (429, "TooManyRequests", "Please retry again later."),
    UNAVAILABLE: (503, "ServiceUnavailable", "The service is temporarily unavailable."),
    REQUEST_LIMIT: (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    SERVER_ERROR: (500, "UNKNOWN_EXCEPTION", "An unexpected error occurred."),
}


@attrs.define
class _Armed:
    kind: str
    method: str | None
    path: re.Pattern[str]
    skip: int
    left: int
    retry_after: str | None


@attrs.frozen
class Fired:
    """A fault that fired: its kind and the call it hit."""

    kind: str
    method: str
    path: str


class Faults:
    """The fault script of one server; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []
        self.fired: list[Fired] = []

    def _add(
        self,
        kind: str,
        path: str,
        method: str | None,
        times: int,
        after: int,
        retry_after: str | None,
    ) -> None:
        if times < 1 or after < 0:
            raise ValueError("times must be at least 1 and after at least 0")
        armed = _Armed(kind, method and method.upper(), re.compile(path), after, times, retry_after)
        with self._lock:
            self._armed.append(armed)

    def throttle(
        self,
        path: str = "",
        *,
        method: str | None = None,
        times: int = 1,
        after: int = 0,
        retry_after: str = "1",
    ) -> None:
        """429 ``TooManyRequests`` with ``Retry-After`` (Graph's throttling)."""
        self._add(THROTTLE, path, method, times, after, retry_after)

    def unavailable(
        self,
        path: str = "",
        *,
        method: str | None = None,
        times: int = 1,
        after: int = 0,
        retry_after: str = "1",
    ) -> None:
        """503 with ``Retry-After``."""
        self._add(UNAVAILABLE, path, method, times, after, retry_after)

    def request_limit(
        self, path: str = "", *, method: str | None = None, times: int = 1, after: int = 0
    ) -> None:
        """403 ``REQUEST_LIMIT_EXCEEDED`` (Salesforce's API limit)."""
        self._add(REQUEST_LIMIT, path, method, times, after, None)

    def server_error(
        self, path: str = "", *, method: str | None = None, times: int = 1, after: int = 0
    ) -> None:
        """500 instead of the call; in a batch, that sub-request's answer."""
        self._add(SERVER_ERROR, path, method, times, after, None)

    def drop_after_commit(
        self, path: str = "", *, method: str | None = None, times: int = 1, after: int = 0
    ) -> None:
        """Carry the request out, then close the connection without an answer."""
        self._add(DROP, path, method, times, after, None)

    @property
    def pending(self) -> int:
        """How many more times the armed faults will fire."""
        with self._lock:
            return sum(a.left for a in self._armed)

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._armed.clear()

    def _take(self, call: Call, kinds: tuple[str, ...]) -> _Armed | None:
        with self._lock:
            for armed in self._armed:
                if armed.kind not in kinds or armed.method not in (None, call.method):
                    continue
                if armed.path.search(call.path) is None:
                    continue
                if armed.skip:
                    armed.skip -= 1
                    continue
                armed.left -= 1
                if not armed.left:
                    self._armed.remove(armed)
                self.fired.append(Fired(armed.kind, call.method, call.path))
                return armed
        return None

    def _refusal(self, call: Call) -> WireError | None:
        """The error to answer instead of ``call``, if a fault fires on it."""
        armed = self._take(call, (THROTTLE, UNAVAILABLE, REQUEST_LIMIT, SERVER_ERROR))
        if armed is None:
            return None
        status, code, message = _ANSWERS[armed.kind]
        headers = {} if armed.retry_after is None else {"Retry-After": armed.retry_after}
        return WireError(status, code, message, headers)

    def _drops(self, call: Call) -> bool:
        """Whether to close the connection after carrying out ``call`` (never a sub-request)."""
        return not call.nested and self._take(call, (DROP,)) is not None
