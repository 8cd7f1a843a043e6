"""calendarView delta rounds: the first lists the window, each later one what changed.

A round is computed whole when it starts and handed out in pages
(``@odata.nextLink`` with a ``$skiptoken``); its last page carries the
``@odata.deltaLink`` (a ``$deltatoken``) for the next round. A later round
lists the events in the window that changed since the round before started,
or came into it, and an ``@removed`` entry (reason ``deleted``, as Graph
says for a calendarView also when an event only left the range) for each one
that was in the window then and is not now. Tokens are opaque and kept here;
one the server does not hold (expired with :meth:`Deltas.expire`, or never
issued) answers 410 Gone, Graph's signal to start over with a full round.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from typing import Any, Final

import attrs

from ._graph_store import GraphStore, Stored, answer, in_window
from ._wire import WireError

_GONE: Final = (
    "The sync state generation is not found. The delta token is expired and data must "
    "be synchronized again."
)


@attrs.define
class _Round:
    """What a delta link stands for: the window, and the state its round started from."""

    mailbox: str
    start: dt.datetime
    end: dt.datetime
    watermark: int
    members: frozenset[str]


@attrs.define
class _Paging:
    """A round being handed out: its entries, how far, and the link its last page gives."""

    mailbox: str
    entries: list[dict[str, Any]]
    position: int
    delta_token: str


class Deltas:
    """The delta rounds of every mailbox. Guarded by the tenant's lock, as the store."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._rounds: dict[str, _Round] = {}
        self._pages: dict[str, _Paging] = {}
        #: Expired delta tokens and the rounds they stood for: their 410 says where to restart.
        self._expired: dict[str, _Round] = {}
        self._counter = itertools.count(1)

    def _new_token(self, kind: str) -> str:
        raw = f"{kind}.{next(self._counter)}".encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def begin(self, mailbox: str, start: dt.datetime, end: dt.datetime) -> str:
        """A first round over ``[start, end)``; the skip token of its first page."""
        if end <= start:
            raise WireError(400, "ErrorInvalidParameter", "endDateTime must follow startDateTime.")
        self._store.events_of(mailbox)
        before = _Round(mailbox.lower(), start, end, watermark=0, members=frozenset())
        return self._run(before)

    def resume(self, delta_token: str) -> str:
        """The round after the one ``delta_token`` closed; 410 for a token not held."""
        before = self._rounds.get(delta_token)
        if before is None:
            raise WireError(410, "syncStateNotFound", _GONE)
        return self._run(before)

    def window_of(self, delta_token: str) -> tuple[dt.datetime, dt.datetime] | None:
        """The window of an expired delta token (where a new round starts), None if unknown."""
        expired = self._expired.get(delta_token)
        return None if expired is None else (expired.start, expired.end)

    def _run(self, before: _Round) -> str:
        events = self._store.events_of(before.mailbox)
        now = {
            key: stored
            for key, stored in events.items()
            if in_window(stored, before.start, before.end)
        }
        changed = sorted(
            (s for key, s in now.items() if s.seq > before.watermark or key not in before.members),
            key=lambda s: s.seq,
        )
        entries = [_entry(stored) for stored in changed]
        entries += [
            {"@odata.type": "#microsoft.graph.event", "id": key, "@removed": {"reason": "deleted"}}
            for key in sorted(before.members - set(now))
        ]
        after = attrs.evolve(before, watermark=self._store.seq, members=frozenset(now))
        delta_token = self._new_token("delta")
        self._rounds[delta_token] = after
        skip = self._new_token("skip")
        self._pages[skip] = _Paging(before.mailbox, entries, 0, delta_token)
        return skip

    def page(self, skip_token: str, size: int) -> tuple[list[dict[str, Any]], str, bool]:
        """The next ``size`` entries and the token after them; True when it is a delta token."""
        paging = self._pages.pop(skip_token, None)
        if paging is None:
            raise WireError(410, "syncStateNotFound", _GONE)
        end = paging.position + size
        entries = paging.entries[paging.position : end]
        if end >= len(paging.entries):
            return entries, paging.delta_token, True
        paging.position = end
        following = self._new_token("skip")
        self._pages[following] = paging
        return entries, following, False

    def expire(self, mailbox: str) -> int:
        """Forget every delta and skip token of ``mailbox``; how many were forgotten."""
        key = mailbox.lower()
        rounds = [t for t, r in self._rounds.items() if r.mailbox == key]
        pages = [t for t, p in self._pages.items() if p.mailbox == key]
        for token in rounds:
            self._expired[token] = self._rounds.pop(token)
        for token in pages:
            del self._pages[token]
        return len(rounds) + len(pages)


def _entry(stored: Stored) -> dict[str, Any]:
    # Delta takes no $expand: extended properties never come in a page.
    return answer(stored, None)
