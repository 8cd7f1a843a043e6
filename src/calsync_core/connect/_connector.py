"""The connector: both services' endpoints, one HTTP client, one thread pool, one session.

Concurrency is a thread pool, not ``asyncio``: the ports and the session
driver are synchronous (a port call returns or raises before the next one),
an ``httpx.Client`` may be shared by threads, and a bounded pool is the
bound on requests in flight that throttling asks for -- without making every
caller of the connector async.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

import attrs
import httpx

from .. import OrgSettings, salesforce
from ..incremental import ChangeReader, StateStore, SyncState
from ..session import ChangesReport, Connection, run_changes_session
from ._feeds import Feeds
from ._graph import Graph
from ._http import Backoff, Endpoint, TokenSource, Traffic
from ._ports import Deferred, Direct, Reads, Replay
from ._salesforce import Salesforce
from ._write import Writer

#: Microsoft Graph's v1.0 root (national clouds have their own).
GRAPH_ROOT = "https://graph.microsoft.com/v1.0/"


class _Unsaved:
    """A store that loads as the real one and keeps nothing: the planning run saves nothing."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def load(self) -> tuple[SyncState, dict[str, str]] | None:
        loaded = self.store.load()
        return None if loaded is None else (loaded[0], dict(loaded[1]))

    def save(self, state: SyncState, links: object) -> None:
        """Nothing is kept: the bookkeeping run saves, or a dry run leaves the store as it was."""


@attrs.frozen(kw_only=True)
class SyncResult:
    """One session's report, and whether it wrote: a dry run plans and sends no write."""

    report: ChangesReport
    dry_run: bool


class Connector:
    """Microsoft Graph and Salesforce over HTTP, as ports and as a whole incremental session.

    ``graph_token`` and ``salesforce_token`` are callables returning a bearer
    token (see :mod:`calsync_core.connect`); they are asked once, and again
    after a 401. ``salesforce_url`` is the org's instance URL. ``concurrency``
    bounds the requests in flight; ``batching`` off sends every write on its
    own (to measure what batching saves). ``transport`` replaces httpx's (tests).
    """

    def __init__(
        self,
        *,
        graph_token: TokenSource,
        salesforce_url: str,
        salesforce_token: TokenSource,
        graph_url: str = GRAPH_ROOT,
        api_version: str = salesforce.API_VERSION,
        uid_field: str = salesforce.ICAL_UID_FIELD,
        created_field: str = salesforce.CREATED_BY_SYNC_FIELD,
        concurrency: int = 4,
        batching: bool = True,
        backoff: Backoff | None = None,
        page_size: int = 100,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.traffic = Traffic()
        self.client = httpx.Client(timeout=timeout, transport=transport)
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="calsync")
        backoff = backoff or Backoff()
        self.graph = Graph(
            Endpoint(self.client, graph_url, graph_token, backoff, self.traffic),
            self.pool,
            page_size=page_size,
        )
        self.salesforce = Salesforce(
            Endpoint(self.client, salesforce_url, salesforce_token, backoff, self.traffic),
            api_version=api_version,
            uid_field=uid_field,
            created_field=created_field,
        )
        self.feeds = Feeds(self.graph, self.salesforce, self.pool)
        self.writer = Writer(self.graph, self.salesforce, self.pool, batching=batching)

    def __enter__(self) -> Connector:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the pool and close the HTTP client's connections."""
        self.pool.shutdown(wait=True)
        self.client.close()

    def ports(self) -> Connection:
        """The five ports, each write sent on its own as the driver asks (for ``run_session``).

        Reads are remembered for the life of the returned value: make one per session.
        """
        reads = self._session()
        one_by_one = Writer(self.graph, self.salesforce, self.pool, batching=False)
        return _connection(reads, Direct(one_by_one.execute))

    def reader(self) -> ChangeReader:
        """A :class:`~calsync_core.incremental.ChangeReader` over both services, for one session."""
        return self._session()

    def _session(self) -> Reads:
        # A write's precondition is the value read in its own session, never an older one.
        self.graph.forget_all()
        self.salesforce.forget_all()
        return Reads(self.feeds, self.graph, self.salesforce)

    def sync(
        self,
        store: StateStore,
        settings: OrgSettings,
        as_of: dt.datetime,
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> SyncResult:
        """One incremental session: read the changes, plan, send the plan in waves, save.

        The driver runs over the same reads twice (see ``_ports``): first to
        plan, with writers that send nothing and a store that keeps nothing;
        then, once the plan went out in batches, to do its bookkeeping over
        the real outcomes and save the state. With ``dry_run`` only the first
        run happens: the systems and the store are left as they were.
        ``progress(done, total)`` is told how many actions are settled.
        A read that fails raises its PortError and nothing is saved.
        """
        reads = self._session()
        deferred = Deferred()
        planning = run_changes_session(
            _Unsaved(store), reads, _connection(reads, deferred), settings, as_of
        )
        if dry_run:
            return SyncResult(report=planning, dry_run=True)
        actions = planning.plan.actions
        settled = 0

        def advanced(count: int) -> None:
            nonlocal settled
            settled += count
            if progress is not None:
                progress(settled, len(actions))

        outcomes = self.writer.execute(actions, advanced)
        replay = Replay(actions, outcomes)
        report = run_changes_session(store, reads, _connection(reads, replay), settings, as_of)
        if report.plan.actions != actions:
            raise RuntimeError("the bookkeeping run planned differently from the planning run")
        return SyncResult(report=report, dry_run=False)


def _connection(reads: Reads, writer: Deferred | Replay | Direct) -> Connection:
    return Connection(
        mailboxes=reads, events=reads, directory=reads, calendar=writer, salesforce=writer
    )
