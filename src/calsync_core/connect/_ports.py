"""The connector as the session's ports: readers that remember, writers that act or replay.

:func:`~calsync_core.session.run_changes_session` calls the writers one
action at a time, and each call must return (an id) or raise before the next.
To send a plan in batches the connector runs the driver twice over the same
reads (:mod:`calsync_core.connect._sync`): once to learn the plan, with
writers that send nothing, and once more, after the plan went out in waves,
with writers that answer each action with what happened to it. The second
run is then the driver's own bookkeeping -- what failed, what is skipped,
what state and links to save -- over real outcomes.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from .. import (
    Action,
    CalendarItem,
    Changes,
    CreateEvent,
    CreateItem,
    CreateRecord,
    PayloadError,
    Record,
    SfEvent,
)
from ..ports import PermanentError, TransientError
from ._feeds import Feeds
from ._graph import Graph
from ._salesforce import Salesforce
from ._write import Outcome

T = TypeVar("T")


class Reads:
    """MailboxReader, EventReader, Directory and ChangeReader over HTTP, answers remembered.

    The same question asked twice gets the first answer: the replayed run of
    the driver sees exactly what the first one saw, and so plans the same.
    An answer the adapters cannot read is a PermanentError, as a port must
    raise.
    """

    def __init__(self, feeds: Feeds, graph: Graph, sf: Salesforce) -> None:
        self.feeds, self.graph, self.sf = feeds, graph, sf
        self.answers: dict[Hashable, Any] = {}

    def _once(self, key: Hashable, read: Callable[[], T]) -> T:
        if key not in self.answers:
            try:
                self.answers[key] = read()
            except PayloadError as exc:
                raise PermanentError(f"{key[0] if isinstance(key, tuple) else key}: {exc}") from exc
        answer: T = self.answers[key]
        return answer

    def read_changes(
        self,
        links: Mapping[str, str],
        mailboxes: Collection[str],
        owners: Collection[str],
        start: dt.datetime,
        end: dt.datetime,
        as_of: dt.datetime,
    ) -> tuple[Changes, Mapping[str, str]]:
        key = ("changes", tuple(sorted(links.items())), tuple(mailboxes), tuple(owners),
               start, end, as_of)  # fmt: skip
        return self._once(
            key, lambda: self.feeds.read_changes(links, mailboxes, owners, start, end, as_of)
        )

    def read_items(
        self, mailbox: str, start: dt.datetime, end: dt.datetime
    ) -> Sequence[CalendarItem]:
        return self._once(
            ("items", mailbox, start, end),
            lambda: self.graph.round(mailbox, None, start, end).items,
        )

    def read_items_by_id(self, mailbox: str, ids: Collection[str]) -> Sequence[CalendarItem]:
        key = ("items by id", mailbox, tuple(sorted(ids)))
        return self._once(key, lambda: tuple(self.graph.items_by_id(mailbox, ids)))

    def read_events(
        self, owner_ids: Collection[str], start: dt.datetime, end: dt.datetime
    ) -> Sequence[SfEvent]:
        key = ("events", tuple(sorted(owner_ids)), start, end)
        return self._once(key, lambda: tuple(self.sf.events_in_window(owner_ids, start, end)))

    def read_events_by_id(self, ids: Collection[str]) -> Sequence[SfEvent]:
        key = ("events by id", tuple(sorted(ids)))
        return self._once(key, lambda: tuple(self.sf.events_by_id(ids)))

    def resolve(self, addresses: Collection[str]) -> Sequence[Record]:
        key = ("resolve", tuple(sorted(addresses)))
        return self._once(key, lambda: tuple(self.sf.resolve(addresses)))


def _key(action: Action, refs: Mapping[str, str]) -> tuple[str, ...]:
    """What names an action whether its refs were replaced or not."""
    if isinstance(action, CreateEvent | CreateItem | CreateRecord):
        return (type(action).__name__, action.ref)
    target = str(getattr(action, "item_id", None) or getattr(action, "event_id", ""))
    return (type(action).__name__, refs.get(target, target), action.rule)


class Deferred:
    """Writers that send nothing: every action is put off (the planning run)."""

    def _later(self, action: Action) -> Any:
        raise TransientError(f"{type(action).__name__}: not sent in the planning run")

    create_item = update_item = delete_item = set_categories = _later
    create_event = update_event = delete_event = create_record = save_attachment = _later


class Replay:
    """Writers that answer each action with the outcome its wave had (the bookkeeping run)."""

    def __init__(self, actions: Sequence[Action], outcomes: Sequence[Outcome]) -> None:
        self.refs = {
            o.id: a.ref
            for a, o in zip(actions, outcomes, strict=True)
            if o.id is not None and isinstance(a, CreateEvent | CreateItem | CreateRecord)
        }
        self.queue: dict[tuple[str, ...], deque[Outcome]] = {}
        for action, outcome in zip(actions, outcomes, strict=True):
            self.queue.setdefault(_key(action, {}), deque()).append(outcome)

    def _answer(self, action: Action) -> Any:
        waiting = self.queue.get(_key(action, self.refs))
        if not waiting:
            raise TransientError(f"{type(action).__name__}: not in the plan that was sent")
        outcome = waiting.popleft()
        if outcome.error is not None:
            raise outcome.error
        return outcome.id

    create_item = update_item = delete_item = set_categories = _answer
    create_event = update_event = delete_event = create_record = save_attachment = _answer


class Direct:
    """Writers that send each action as it comes, one request each (for ``run_session``)."""

    def __init__(self, execute: Callable[[Sequence[Action]], Sequence[Outcome]]) -> None:
        self.execute = execute

    def _send(self, action: Action) -> Any:
        [outcome] = self.execute([action])
        if outcome.error is not None:
            raise outcome.error
        return outcome.id

    create_item = update_item = delete_item = set_categories = _send
    create_event = update_event = delete_event = create_record = save_attachment = _send
