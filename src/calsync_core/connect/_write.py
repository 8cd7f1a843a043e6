"""Carrying a plan out over HTTP: waves of batched requests, each outcome a port's answer.

Each wave's Graph actions go twenty to a ``$batch`` and its Salesforce
actions twenty-five to a ``composite`` (or one request each, unbatched, to
measure what batching saves), the batches sent concurrently on the
connector's thread pool. Every outcome is what the port method would have
returned or raised: the created id, or a :class:`~calsync_core.ports.PortError`
classified by the adapters (412 a ConflictError, 429/503 a TransientError
once the retries are spent, a broken connection a TransientError since the
write may have happened). A write the adapter refuses to write (the plan
expected another value than the one last read) is a ConflictError: the next
session reads the new value and plans again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Executor
from typing import Any

import attrs

from .. import (
    Action,
    CalendarItem,
    CreateEvent,
    CreateItem,
    CreateRecord,
    DeleteEvent,
    DeleteItem,
    FieldChange,
    PayloadError,
    Request,
    SaveAttachment,
    SetCategories,
    UpdateEvent,
    UpdateItem,
    graph,
    salesforce,
)
from ..ports import ConflictError, PermanentError, PortError, TransientError
from ..session import predecessors, waves, with_ids
from ._graph import Graph
from ._relations import row_updates
from ._salesforce import Salesforce

GRAPH_ACTIONS = (CreateItem, UpdateItem, DeleteItem, SetCategories)


@attrs.frozen(kw_only=True)
class Outcome:
    """What became of one action: the id it created, or the error a port raises for it."""

    id: str | None = None
    error: PortError | None = None


def _refused(action: Action, exc: ValueError) -> PortError:
    """An adapter's refusal to write: a stale plan is a conflict, anything else permanent."""
    if isinstance(action, UpdateItem | UpdateEvent | SetCategories):
        return ConflictError(f"{type(action).__name__}: {exc}")
    return PermanentError(f"{type(action).__name__}: {exc}")


def _after(current: CalendarItem, action: Action, body: Any) -> CalendarItem:
    """The item as a successful write left it: the new change key, the values written."""
    key = body.get("changeKey") if isinstance(body, dict) else None
    version = key if isinstance(key, str) else current.version
    if isinstance(action, SetCategories):
        categories = (current.categories - action.remove) | action.add
        return attrs.evolve(current, categories=categories, version=version)
    if isinstance(action, UpdateItem):
        changed: dict[str, Any] = {c.field: c.new for c in action.changes if _writable(current, c)}
        return attrs.evolve(current, **changed, version=version)
    return current


def _writable(current: CalendarItem, change: FieldChange) -> bool:
    return change.field in attrs.fields_dict(type(current))


def _written(
    actions: dict[int, Action], write: Callable[[Action], Request]
) -> tuple[dict[int, Outcome], list[tuple[int, Request]]]:
    """Each action's request, in order; an action that cannot be written fails here."""
    out: dict[int, Outcome] = {}
    sent: list[tuple[int, Request]] = []
    for n, action in sorted(actions.items()):
        try:
            sent.append((n, write(action)))
        except ValueError as exc:
            out[n] = Outcome(error=_refused(action, exc))
        except PortError as exc:
            out[n] = Outcome(error=exc)
    return out, sent


def _port_error(exc: PortError | PayloadError) -> PortError:
    """A read's failure as a port raises it: an unreadable answer is permanent."""
    return exc if isinstance(exc, PortError) else PermanentError(f"read before writing: {exc}")


def _item(action: Action) -> Hashable:
    """The item whose change key a Graph action's request needs, if any."""
    if isinstance(action, UpdateItem | SetCategories | DeleteItem):
        return (action.mailbox, action.item_id)
    return None


def _event(action: Action) -> Hashable:
    """The event whose stamp a Salesforce action's request needs, if any."""
    return action.event_id if isinstance(action, UpdateEvent | DeleteEvent) else None


def _unblocked(
    actions: dict[int, Action],
    unread: dict[Hashable, PortError],
    target: Callable[[Action], Hashable],
) -> dict[int, Action]:
    """The actions whose precondition could be read (their ``target`` read without error)."""
    return {n: a for n, a in actions.items() if target(a) not in unread}


def _blocked(
    actions: dict[int, Action],
    unread: dict[Hashable, PortError],
    target: Callable[[Action], Hashable],
) -> dict[int, Outcome]:
    """The read's error for each action whose precondition could not be read: not sent.

    Earlier waves may have written already; the session goes on, so that what
    they did is saved, and these actions are planned again next run.
    """
    return {n: Outcome(error=unread[target(a)]) for n, a in actions.items() if target(a) in unread}


class Writer:
    """Carries out a plan's actions in waves; see the module docstring."""

    def __init__(
        self, graph_side: Graph, sf: Salesforce, pool: Executor, *, batching: bool
    ) -> None:
        self.graph = graph_side
        self.sf = sf
        self.pool = pool
        self.batching = batching
        # Graph assigns a created event's iCalUId itself (it cannot be written): the UID
        # a plan gave a CreateItem -> the one the item really has, for the event's stamp.
        self.uids: dict[str, str] = {}

    def execute(
        self, actions: Sequence[Action], progress: Callable[[int], None] | None = None
    ) -> list[Outcome]:
        """The outcome of each action, in order; held-back actions get a TransientError."""
        outcomes: list[Outcome] = [Outcome() for _ in actions]
        ids: dict[str, str] = {}
        waits = predecessors(actions)
        for wave in waves(actions):
            ready: list[int] = []
            for n in wave:
                failed = sorted(m for m in waits[n] if outcomes[m].error is not None)
                if failed:
                    first = type(actions[failed[0]]).__name__
                    outcomes[n] = Outcome(
                        error=TransientError(f"not sent: it waits on a {first} that failed")
                    )
                else:
                    ready.append(n)
            real = {n: self._real_uid(with_ids(actions[n], ids)) for n in ready}
            results = self._graph_wave(
                {n: a for n, a in real.items() if isinstance(a, GRAPH_ACTIONS)}
            )
            results.update(
                self._sf_wave({n: a for n, a in real.items() if not isinstance(a, GRAPH_ACTIONS)})
            )
            for n, outcome in results.items():
                outcomes[n] = outcome
                action = actions[n]
                if outcome.id is not None and isinstance(
                    action, CreateItem | CreateEvent | CreateRecord
                ):
                    ids[action.ref] = outcome.id
            if progress is not None:
                progress(len(wave))
        return outcomes

    def _real_uid(self, action: Action) -> Action:
        """An UpdateEvent stamping the UID of an item this run created: the item's real UID."""
        if not isinstance(action, UpdateEvent):
            return action
        changes = tuple(
            attrs.evolve(c, new=self.uids[c.new])
            if c.field == "ical_uid" and isinstance(c.new, str) and c.new in self.uids
            else c
            for c in action.changes
        )
        return attrs.evolve(action, changes=changes)

    # -- Graph ------------------------------------------------------------------------

    def _graph_wave(self, actions: dict[int, Action]) -> dict[int, Outcome]:
        missing: dict[str, set[str]] = {}
        for action in actions.values():
            if (
                isinstance(action, UpdateItem | SetCategories | DeleteItem)
                and self.graph.current(action.mailbox, action.item_id) is None
            ):
                missing.setdefault(action.mailbox, set()).add(action.item_id)
        unread: dict[Hashable, PortError] = {}
        for mailbox, item_ids in sorted(missing.items()):
            # Planned on the kept state, not read this session: read now, for the precondition.
            try:
                self.graph.items_by_id(mailbox, item_ids)
            except (PortError, PayloadError) as exc:
                unread.update(((mailbox, i), _port_error(exc)) for i in item_ids)
        out, sent = _written(_unblocked(actions, unread, _item), self._graph_request)
        out.update(_blocked(actions, unread, _item))
        requests = [r for _, r in sent]
        if self.batching:
            results = self.graph.batch(requests, safe=False)
        else:
            results = list(self.pool.map(lambda r: self.graph.single(r, safe=False), requests))
        for (n, _), result in zip(sent, results, strict=True):
            out[n] = self._graph_outcome(actions[n], result)
        return out

    def _graph_request(self, action: Action) -> Request:
        if isinstance(action, CreateItem):
            return graph.request_for(action)
        assert isinstance(action, UpdateItem | SetCategories | DeleteItem)
        current = self.graph.current(action.mailbox, action.item_id)
        if current is None and not isinstance(action, DeleteItem):
            raise PermanentError(f"item {action.item_id} of {action.mailbox} no longer exists")
        return graph.request_for(action, current=current)

    def _graph_outcome(self, action: Action, result: graph.BatchResult) -> Outcome:
        if result.error is not None:
            return Outcome(error=result.error)
        body = result.body if isinstance(result.body, dict) else {}
        if isinstance(action, CreateItem):
            new_id = body.get("id")
            if not isinstance(new_id, str):
                return Outcome(error=TransientError("CreateItem: the answer carries no id"))
            uid = body.get("uid") or body.get("iCalUId")
            if isinstance(uid, str) and uid:
                self.uids[action.ical_uid] = uid
            return Outcome(id=new_id)
        assert isinstance(action, UpdateItem | SetCategories | DeleteItem)
        current = self.graph.current(action.mailbox, action.item_id)
        if current is not None and not isinstance(action, DeleteItem):
            self.graph.remember([_after(current, action, body)])
        return Outcome()

    # -- Salesforce ---------------------------------------------------------------------

    def _sf_wave(self, actions: dict[int, Action]) -> dict[int, Outcome]:
        unread = {
            a.event_id
            for a in actions.values()
            if isinstance(a, UpdateEvent | DeleteEvent) and self.sf.current(a.event_id) is None
        }
        failed: dict[Hashable, PortError] = {}
        if unread:
            try:
                self.sf.events_by_id(unread)  # the precondition, and P-SAFETY's check on a delete
            except (PortError, PayloadError) as exc:
                failed = dict.fromkeys(unread, _port_error(exc))
        out, sent = _written(_unblocked(actions, failed, _event), self._sf_request)
        out.update(_blocked(actions, failed, _event))
        answers = self._sf_send([r for _, r in sent])
        follow: list[tuple[int, Request]] = []
        for (n, _), (new_id, error) in zip(sent, answers, strict=True):
            action = actions[n]
            out[n] = Outcome(id=new_id, error=error)
            if error is None:
                follow.extend((n, r) for r in self._follow_ups(action, new_id))
        # Relation rows go once their event exists: a row of an event that failed is never sent.
        for (n, _), (_, error) in zip(follow, self._sf_send([r for _, r in follow]), strict=True):
            if error is not None and out[n].error is None:
                out[n] = Outcome(error=TransientError(f"relation row: {error}"))
        return out

    def _sf_request(self, action: Action) -> Request:
        uid, created = self.sf.uid_field, self.sf.created_field
        match action:
            case UpdateEvent() | DeleteEvent():
                current = self.sf.current(action.event_id)
                if current is None and isinstance(action, UpdateEvent):
                    raise PermanentError(f"event {action.event_id} no longer exists")
                return salesforce.request_for(
                    action, current=current, uid_field=uid, created_field=created
                )
            case CreateEvent() | CreateRecord():
                return salesforce.request_for(action, uid_field=uid, created_field=created)
            case SaveAttachment():
                raise PermanentError(
                    "SaveAttachment: the Graph reader reads no attachments to copy"
                )
        raise TypeError(f"not a Salesforce action: {type(action).__name__}")

    def _follow_ups(self, action: Action, new_id: str | None) -> tuple[Request, ...]:
        if isinstance(action, CreateEvent) and new_id is not None:
            return salesforce.relation_requests(action, new_id)
        if isinstance(action, UpdateEvent):
            current = self.sf.current(action.event_id)
            rows = self.sf.relation_rows(action.event_id)
            self.sf.forget(action.event_id)  # its SystemModstamp moved on: read it again
            private = any(c.field == "is_private" and c.new is True for c in action.changes)
            if private:
                return salesforce.private_relation_deletes(rows)
            if current is not None:
                return row_updates(action, current, rows)
        return ()

    def _sf_send(self, requests: Sequence[Request]) -> list[tuple[str | None, PortError | None]]:
        if not requests:
            return []
        if not self.batching:
            return list(self.pool.map(self.sf.single, requests))
        named = [(f"r{n}", r) for n, r in enumerate(requests)]
        packs = salesforce.composites(named, api_version=self.sf.api_version)
        out: list[tuple[str | None, PortError | None]] = []
        for answers in self.pool.map(self.sf.composite, packs):
            out.extend(answers)
        return out
