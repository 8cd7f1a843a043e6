"""One service's HTTP endpoint: its root, its token, throttling and retries, the traffic.

Everything the connector sends goes through :meth:`Endpoint.send`, so the
three things every integrator gets wrong live in one place:

- **Tokens.** The token callable is asked once and the token kept; a 401
  asks it again and sends the request once more (an expired token), and a
  second 401 is a :class:`~calsync_core.ports.PermanentError`.
- **Throttling.** 429 and 503 (and 504) are retried after ``Retry-After``
  when the service says how long, else after an exponential backoff; both
  are capped and jittered (:class:`Backoff`), so a storm of throttled
  workers does not come back in step. After ``attempts`` tries the answer
  is a :class:`~calsync_core.ports.TransientError`: the driver holds the work
  for the next session.
- **Lost answers.** A request that may have changed something (a write) is
  never sent again after its connection broke: the write may have committed,
  and only the next session's read can tell (it adopts what was done). Such
  a break is a TransientError. A read (``safe``) is retried like a throttle.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import httpx

from ..ports import PermanentError, TransientError

#: A callable that returns a bearer token for one service (see the package docs).
TokenSource = Callable[[], str]

_RETRYABLE = frozenset({429, 503, 504})


@attrs.frozen(kw_only=True)
class Backoff:
    """How long to wait before trying a throttled or failed request again.

    The wait is the service's ``Retry-After`` when it gave one, else
    ``base * 2**attempt``; never more than ``cap`` seconds, and jittered
    (between half and all of it, drawn from ``jitter``) so that concurrent
    workers spread out. ``sleep`` and ``jitter`` are injected so tests neither
    sleep nor depend on chance.
    """

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def wait(self, attempt: int, retry_after: float | None) -> None:
        """Sleep before try number ``attempt + 1`` (``attempt`` counts from 0)."""
        delay = self.base * 2**attempt if retry_after is None else retry_after
        delay = min(delay, self.cap)
        self.sleep(delay * (0.5 + 0.5 * self.jitter()))


@attrs.define
class Traffic:
    """What crossed the wire: HTTP round trips, API requests (a batch's each), bytes."""

    round_trips: int = 0
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    retries: int = 0
    _lock: Any = attrs.field(factory=threading.Lock, repr=False, eq=False)

    def count(self, *, requests: int, sent: int, received: int) -> None:
        with self._lock:
            self.round_trips += 1
            self.requests += requests
            self.bytes_sent += sent
            self.bytes_received += received

    def retried(self) -> None:
        with self._lock:
            self.retries += 1

    def totals(self) -> dict[str, int]:
        """The counters as a plain mapping, for reports and benchmarks."""
        return {
            "round_trips": self.round_trips,
            "requests": self.requests,
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
            "retries": self.retries,
        }


@attrs.frozen(kw_only=True)
class Answer:
    """One HTTP answer: status, headers, the decoded JSON body (None when empty)."""

    status: int
    headers: Mapping[str, str]
    body: Any

    def retry_after(self) -> float | None:
        """``Retry-After`` in seconds, when it is a plain number of seconds."""
        value = self.headers.get("retry-after")
        try:
            return None if value is None else max(0.0, float(value))
        except ValueError:
            return None


class Endpoint:
    """A service root (Graph's ``.../v1.0/``, a Salesforce instance) with its token."""

    def __init__(
        self,
        client: httpx.Client,
        root: str,
        token: TokenSource,
        backoff: Backoff,
        traffic: Traffic,
    ) -> None:
        self.client = client
        self.root = root.rstrip("/") + "/"
        self._token_source = token
        self._token: str | None = None
        self._lock = threading.Lock()
        self.backoff = backoff
        self.traffic = traffic

    def url(self, path: str) -> str:
        """``path`` under the root; an absolute URL (a next or delta link) as it is."""
        if path.startswith(("http://", "https://")):
            return path
        return self.root + path.lstrip("/")

    def _bearer(self, renew: bool) -> str:
        with self._lock:
            if self._token is None or renew:
                self._token = self._token_source()
            return self._token

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        safe: bool = False,
        weight: int = 1,
    ) -> Answer:
        """Send one request and return its answer, after retries; raise what cannot be retried.

        Statuses other than 401, 429, 503 and 504 are returned for the caller
        to read (a 404 can be an answer). ``safe`` says the request changes
        nothing, so a broken connection may be retried; ``weight`` is how many
        API requests it carries (a batch's sub-requests), for :class:`Traffic`.
        """
        content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        renewed = False
        attempt = 0
        while True:
            sent = dict(headers or {})
            sent["Authorization"] = f"Bearer {self._bearer(renew=False)}"
            if content is not None:
                sent.setdefault("Content-Type", "application/json")
            try:
                response = self.client.request(
                    method, self.url(path), content=content, headers=sent
                )
            except httpx.TransportError as exc:
                self.traffic.count(requests=weight, sent=len(content or b""), received=0)
                self._broken(exc, method, path, safe=safe, attempt=attempt)
                attempt += 1
                continue
            answer = _answer(response)
            self.traffic.count(
                requests=weight, sent=len(content or b""), received=len(response.content)
            )
            if answer.status == 401 and not renewed:
                self._bearer(renew=True)
                renewed = True
                continue
            if answer.status == 401:
                raise PermanentError(f"{method} {_short(path)}: HTTP 401: the token was refused")
            if answer.status in _RETRYABLE:
                if attempt + 1 >= self.backoff.attempts:
                    raise TransientError(
                        f"{method} {_short(path)}: HTTP {answer.status} after {attempt + 1} tries"
                    )
                self.traffic.retried()
                self.backoff.wait(attempt, answer.retry_after())
                attempt += 1
                continue
            return answer

    def _broken(
        self, exc: httpx.TransportError, method: str, path: str, *, safe: bool, attempt: int
    ) -> None:
        """Wait before sending a read again; a write, or the last try, raises TransientError."""
        if not safe or attempt + 1 >= self.backoff.attempts:
            raise TransientError(
                f"{method} {_short(path)}: the connection failed ({type(exc).__name__}); "
                "the outcome is unknown"
            ) from exc
        self.traffic.retried()
        self.backoff.wait(attempt, None)


def _answer(response: httpx.Response) -> Answer:
    headers = {k.lower(): v for k, v in response.headers.items()}
    body: Any = None
    if response.content:
        try:
            body = response.json()
        except ValueError:
            body = response.text
    return Answer(status=response.status_code, headers=headers, body=body)


def _short(path: str) -> str:
    """A URL without its query, for error messages (queries can be long SOQL)."""
    return path.partition("?")[0]
