"""What one call to the loopback server is and answers, and each service's error bodies.

A call reaches the services as a :class:`Call`: from the socket, or unpacked
from a ``$batch`` or ``composite`` request. Both services answer with a
:class:`Reply`, or raise :class:`WireError`, which the service turns into its
own documented error body: Graph's ``{"error": {"code", "message"}}`` object,
Salesforce's list of ``{"message", "errorCode"}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

import attrs

#: Where each service is mounted on the server.
GRAPH_ROOT: Final = "/v1.0"
SALESFORCE_ROOT: Final = "/services/data/"


def _frozen(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Call:
    """One request: ``path`` without the query, ``query`` decoded, ``headers`` as sent."""

    method: str
    path: str
    query: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen)
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen)
    body: Any = None
    #: Whether the call came inside a ``$batch`` or ``composite`` request.
    nested: bool = False

    @classmethod
    def parse(
        cls, method: str, target: str, headers: Mapping[str, str], body: Any, *, nested: bool
    ) -> Call:
        """A call from a request target (``/path?query``), headers compared case-insensitively."""
        path, _, query = target.partition("?")
        return cls(
            method=method.upper(),
            path=path,
            query=dict(parse_qsl(query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
            nested=nested,
        )

    def header(self, name: str) -> str | None:
        """The header ``name`` (any case), or None."""
        return self.headers.get(name.lower())

    def segments(self, root: str) -> list[str]:
        """The path after ``root``, split at ``/`` and each segment percent-decoded.

        Decoded after the split, so an id holding ``%2F`` stays one segment.
        """
        rest = self.path[len(root) :].strip("/")
        return [unquote(part) for part in rest.split("/")] if rest else []


@attrs.frozen(kw_only=True)
class Reply:
    """One answer: status, headers, and a JSON body (None for none)."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen)


class WireError(Exception):
    """A failed call: the status, the service's error code, and its message."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def graph_error(error: WireError) -> Reply:
    """Graph's error body: ``{"error": {"code", "message", "innerError"}}``."""
    body = {
        "error": {
            "code": error.code,
            "message": error.message,
            "innerError": {"date": _now_text(), "request-id": "loopback"},
        }
    }
    return Reply(status=error.status, body=body, headers=error.headers)


def salesforce_error(error: WireError) -> Reply:
    """Salesforce's error body: a list of ``{"message", "errorCode"}``."""
    body = [{"message": error.message, "errorCode": error.code}]
    return Reply(status=error.status, body=body, headers=error.headers)


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
