"""pytest fixtures for a loopback server; import them into a ``conftest.py``.

>>> # conftest.py
>>> from calsync_core.testing.loopback.pytest_fixtures import loopback, loopback_tenant

``loopback_tenant`` is an empty :class:`~calsync_core.testing.loopback.Tenant`
on a :class:`~calsync_core.testing.loopback.TickingClock` (every write a second
apart, from 2025-03-03 09:00 UTC); ``loopback`` serves it for the test and
stops the server after. Needs pytest, which the package does not depend on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import Loopback, serve
from ._tenant import Tenant
from ._times import TickingClock

__all__ = ["loopback", "loopback_tenant"]


@pytest.fixture
def loopback_tenant() -> Tenant:
    """An empty tenant whose clock ticks a second at each write."""
    return Tenant(clock=TickingClock())


@pytest.fixture
def loopback(loopback_tenant: Tenant) -> Iterator[Loopback]:
    """The tenant served on 127.0.0.1 for one test."""
    with serve(loopback_tenant) as server:
        yield server
