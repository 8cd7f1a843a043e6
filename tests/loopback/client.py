"""A tiny stdlib HTTP client for the loopback tests: urllib, JSON in and out."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

import attrs

from calsync_core import Request
from calsync_core.salesforce import rest_root
from calsync_core.testing.loopback import Loopback


@attrs.frozen
class Answer:
    """A response: status, headers (lower-cased names) and decoded JSON body."""

    status: int
    headers: Mapping[str, str]
    body: Any


def send(
    url: str,
    method: str = "GET",
    *,
    token: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """Send one request; HTTP errors are answers too."""
    data = None if body is None else json.dumps(body).encode()
    sent = {"Authorization": f"Bearer {token}", **(headers or {})}
    if data is not None:
        sent.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            status, got = response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, got = error.read(), error.code, error.headers
    decoded = json.loads(raw) if raw else None
    return Answer(status, {k.lower(): v for k, v in got.items()}, decoded)


def graph(server: Loopback, request: Request) -> Answer:
    """Send a request the Graph adapter wrote (URL relative to the v1.0 root)."""
    return send(
        f"{server.graph_url}/{request.url}",
        request.method,
        token=server.graph_token,
        body=request.body,
        headers=request.headers,
    )


def salesforce(server: Loopback, request: Request) -> Answer:
    """Send a request the Salesforce adapter wrote (URL relative to the REST root)."""
    url = f"{server.salesforce_url}/{rest_root()}{request.url}"
    return send(
        url,
        request.method,
        token=server.salesforce_token,
        body=request.body,
        headers=request.headers,
    )


def query(server: Loopback, soql: str) -> Answer:
    """Run a SOQL query (first page)."""
    from urllib.parse import quote

    url = f"{server.salesforce_url}/{rest_root()}query?q={quote(soql)}"
    return send(url, token=server.salesforce_token)


def composite(server: Loopback, body: Any) -> Answer:
    """POST a composite request's body."""
    url = f"{server.salesforce_url}/{rest_root()}composite"
    return send(url, "POST", token=server.salesforce_token, body=body)
