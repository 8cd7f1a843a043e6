"""The HTTP server: one ``ThreadingHTTPServer`` on 127.0.0.1 answering both services.

Each request is checked for its bearer token, matched against the fault
script, then answered by the service its path names -- Graph under
``/v1.0``, Salesforce under ``/services/data/`` -- holding the tenant's lock
for the whole request, so a ``$batch`` or composite runs as one step. The
connection is HTTP/1.1 with keep-alive, as a pooled client expects.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

import attrs

from ._faults import Faults
from ._graph_api import GraphApi
from ._sf_api import SalesforceApi
from ._tenant import Tenant
from ._wire import (
    GRAPH_ROOT,
    SALESFORCE_ROOT,
    Call,
    Reply,
    WireError,
    graph_error,
    salesforce_error,
)

DEFAULT_GRAPH_TOKEN: Final = "graph-token"
DEFAULT_SALESFORCE_TOKEN: Final = "salesforce-token"
#: Salesforce's limit on a REST call's URI and headers together: a URI over it
#: answers 414, URI and headers over it 431 (a query's SOQL goes in the URI, so
#: long ``IN`` lists must be cut, or sent inside a composite request).
SALESFORCE_URI_LIMIT: Final = 16_384


@attrs.frozen
class Exchange:
    """One request the server answered (or dropped): what a benchmark counts.

    ``sent`` and ``received`` are the bytes of the request and of the answer
    (request line or status line, headers and body) as the client sees them;
    ``parts`` the sub-requests of a ``$batch`` or composite (0 for a plain one).
    ``status`` is None for a connection dropped without an answer.
    """

    method: str
    path: str
    status: int | None
    sent: int
    received: int
    parts: int


class RequestLog:
    """Every exchange, in the order they finished; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[Exchange] = []

    def add(self, entry: Exchange) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> tuple[Exchange, ...]:
        """The exchanges so far."""
        with self._lock:
            return tuple(self._entries)

    def clear(self) -> None:
        """Forget the exchanges so far (between the phases of a benchmark)."""
        with self._lock:
            self._entries.clear()

    def totals(self) -> dict[str, int]:
        """``requests``, ``subrequests``, ``sent`` and ``received`` bytes, so far."""
        entries = self.entries()
        return {
            "requests": len(entries),
            "subrequests": sum(e.parts for e in entries),
            "sent": sum(e.sent for e in entries),
            "received": sum(e.received for e in entries),
        }


class _App:
    """Routing, tokens and faults, for the handler threads."""

    def __init__(
        self,
        tenant: Tenant,
        faults: Faults,
        log: RequestLog,
        tokens: tuple[str, str],
        graph_page_size: int,
        salesforce_page_size: int,
    ) -> None:
        self.tenant = tenant
        self.faults = faults
        self.log = log
        self.tokens = tokens
        self.graph = GraphApi(tenant.graph, tenant.deltas, "", page_size=graph_page_size)
        self.salesforce = SalesforceApi(tenant.salesforce, page_size=salesforce_page_size)

    def authorised(self, call: Call) -> WireError | None:
        """None when the call carries its service's bearer token, else the 401 to answer."""
        graph = _is_graph(call.path)
        wanted = self.tokens[0] if graph else self.tokens[1]
        if call.header("Authorization") == f"Bearer {wanted}":
            return None
        if graph:
            return WireError(401, "InvalidAuthenticationToken", "Access token validation failure.")
        return WireError(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def dispatch(self, call: Call) -> Reply:
        """The answer to one call or sub-call: a fault's, or the service's."""
        graph = _is_graph(call.path)
        error = self.faults._refusal(call)
        try:
            if error is not None:
                raise error
            if graph:
                return self.graph.handle(call, self.dispatch)
            if call.path.startswith(SALESFORCE_ROOT):
                return self.salesforce.handle(call, self.dispatch)
            raise WireError(404, "NOT_FOUND", f"No service at {call.path}")
        except WireError as failure:
            if graph and failure.code == "UNKNOWN_EXCEPTION":
                failure.code = "generalException"
            return graph_error(failure) if graph else salesforce_error(failure)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log keeps what a test needs."""

    def _serve(self) -> None:
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        # "Name: value\r\n" each, and the blank line: as they came over the wire.
        header_bytes = sum(len(k) + len(v) + 4 for k, v in self.headers.items()) + 2
        sent = len(self.requestline) + 2 + header_bytes + len(raw)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        call = Call.parse(self.command, self.path, dict(self.headers), body, nested=False)
        refused = app.authorised(call)
        if call.path.startswith(SALESFORCE_ROOT):
            uri = len(self.path.encode())
            if uri > SALESFORCE_URI_LIMIT or uri + header_bytes > SALESFORCE_URI_LIMIT:
                status = 414 if uri > SALESFORCE_URI_LIMIT else 431
                reply = Reply(status=status)
                self._reply(reply, Exchange(call.method, call.path, status, sent, 0, 0))
                return
        with app.tenant.lock:
            if refused is not None:
                reply = graph_error(refused) if _is_graph(call.path) else salesforce_error(refused)
            else:
                reply = app.dispatch(call)
            dropped = refused is None and app.faults._drops(call)
        parts = _parts(call)
        if dropped:
            app.log.add(Exchange(call.method, call.path, None, sent, 0, parts))
            self.close_connection = True
            return
        self._reply(reply, Exchange(call.method, call.path, reply.status, sent, 0, parts))

    def _reply(self, reply: Reply, entry: Exchange) -> None:
        """Answer; logged before it is sent, so a client that got it finds it in the log."""
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        headers = dict(reply.headers)
        if payload:
            headers.setdefault("Content-Type", "application/json;charset=UTF-8")
        headers["Content-Length"] = str(len(payload))
        for name, value in headers.items():
            self.send_header(name, value)
        # Counted before end_headers() sends the buffer and empties it.
        buffered: list[bytes] = getattr(self, "_headers_buffer", [])
        size = sum(len(line) for line in buffered) + 2 + len(payload)
        self.server.app.log.add(attrs.evolve(entry, received=size))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve


def _is_graph(path: str) -> bool:
    return path == GRAPH_ROOT or path.startswith(GRAPH_ROOT + "/")


def _parts(call: Call) -> int:
    body = call.body
    if not isinstance(body, dict):
        return 0
    for key in ("requests", "compositeRequest"):
        if isinstance(body.get(key), list):
            return len(body[key])
    return 0


class _Server(ThreadingHTTPServer):
    """Keeps its open connections, so that stopping closes them too.

    A pooled client keeps its connections open between requests, each held by
    a handler thread waiting for the next one: closed at exit, those threads
    end instead of outliving the server.
    """

    daemon_threads = True
    app: _App

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut every open connection; each handler thread then ends."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


@attrs.frozen
class Loopback:
    """A running loopback server: where each service is, and what it saw.

    ``graph_url`` is the Graph v1.0 root (``http://127.0.0.1:PORT/v1.0``);
    ``salesforce_url`` the org's instance URL (REST under
    ``/services/data/vXX.X/``). ``log`` has every exchange, ``faults`` the
    fault script, ``tenant`` the data.
    """

    tenant: Tenant
    graph_url: str
    salesforce_url: str
    graph_token: str
    salesforce_token: str
    log: RequestLog
    faults: Faults

    def expire_delta(self, mailbox: str) -> int:
        """Expire ``mailbox``'s delta links: the next use of one answers 410 Gone.

        The same as ``tenant.expire_delta``; how many links were expired.
        """
        return self.tenant.expire_delta(mailbox)


@contextmanager
def serve(
    tenant: Tenant,
    *,
    graph_token: str = DEFAULT_GRAPH_TOKEN,
    salesforce_token: str = DEFAULT_SALESFORCE_TOKEN,
    graph_page_size: int = 100,
    salesforce_page_size: int = 2000,
) -> Iterator[Loopback]:
    """Serve ``tenant`` on 127.0.0.1 (a port the OS picks) until the block ends.

    ``graph_page_size`` is a delta or list page's size when no ``Prefer:
    odata.maxpagesize`` asks for one; ``salesforce_page_size`` a query page's.
    The server runs in a daemon thread and is shut down and closed on exit.
    """
    if graph_page_size < 1 or salesforce_page_size < 1:
        raise ValueError("page sizes must be at least 1")
    faults, log = Faults(), RequestLog()
    server = _Server(("127.0.0.1", 0))
    root = f"http://127.0.0.1:{server.server_address[1]}"
    server.app = _App(
        tenant, faults, log, (graph_token, salesforce_token), graph_page_size, salesforce_page_size
    )
    server.app.graph.base_url = root
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="loopback", daemon=True
    )
    thread.start()
    try:
        yield Loopback(
            tenant=tenant,
            graph_url=root + GRAPH_ROOT,
            salesforce_url=root,
            graph_token=graph_token,
            salesforce_token=salesforce_token,
            log=log,
            faults=faults,
        )
    finally:
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join(timeout=5)
