"""A loopback Microsoft Graph and Salesforce REST server, for testing connectors over HTTP.

Stdlib only. :class:`Tenant` holds both services' data in memory;
:func:`serve` answers it on 127.0.0.1 at a port the OS picks, in a
background thread, speaking the documented wire formats the project's
adapters read and write: Graph events, calendarView delta rounds (next and
delta links, ``@removed`` entries, 410 for an expired link), ``$batch``
(at most 20, ``dependsOn``), 412 on a stale ``If-Match``; Salesforce SOQL
queries and ``queryMore`` (a small evaluator of the adapter's query shapes),
sObject rows with ``If-Unmodified-Since``, ``getUpdated``/``getDeleted``,
and ``composite`` (at most 25, ``@{ref.id}``, ``allOrNone``). Wrong or
missing bearer tokens answer 401. :class:`Faults` scripts throttling (429 or
503 with ``Retry-After``, Salesforce's ``REQUEST_LIMIT_EXCEEDED``), server
errors (also inside a batch) and connections dropped after a write
committed.

>>> import datetime as dt, json, urllib.request
>>> from calsync_core.testing.loopback import Tenant, serve
>>> tenant = Tenant()
>>> with serve(tenant) as server:
...     request = urllib.request.Request(
...         f"{server.salesforce_url}/services/data/v61.0/query?q=SELECT+Id,+Name+FROM+User",
...         headers={"Authorization": f"Bearer {server.salesforce_token}"})
...     with urllib.request.urlopen(request) as answer:
...         page = json.load(answer)
>>> page["totalSize"], page["records"][0]["Name"]
(1, 'Integration User')
"""

from __future__ import annotations

from ._faults import Faults, Fired
from ._graph_api import BATCH_LIMIT
from ._populate import Population, populate
from ._server import (
    DEFAULT_GRAPH_TOKEN,
    DEFAULT_SALESFORCE_TOKEN,
    Exchange,
    Loopback,
    RequestLog,
    serve,
)
from ._sf_api import COMPOSITE_LIMIT
from ._tenant import Tenant
from ._times import Clock, TickingClock

__all__ = [
    "BATCH_LIMIT",
    "COMPOSITE_LIMIT",
    "DEFAULT_GRAPH_TOKEN",
    "DEFAULT_SALESFORCE_TOKEN",
    "Clock",
    "Exchange",
    "Faults",
    "Fired",
    "Loopback",
    "Population",
    "RequestLog",
    "Tenant",
    "TickingClock",
    "populate",
    "serve",
]
