"""``Request``: what a connector sends, written by the sans-I/O adapters.

The adapters (``calsync_core.graph``, ``calsync_core.salesforce``) turn a
plan's actions into these; a connector only adds the API root and a token,
and sends them. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs


def _headers(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Request:
    """One HTTP request to send: method, URL relative to the API root, headers, JSON body.

    ``headers`` carries what the request needs to be safe, such as the
    precondition of an update (Graph ``If-Match``, Salesforce
    ``If-Unmodified-Since``); ``body`` is a JSON-ready value, or None.
    """

    method: str
    url: str
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_headers)
    body: Any = None
