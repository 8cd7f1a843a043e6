"""The loopback server's fixtures, from the module integrators import them from."""

from __future__ import annotations

from calsync_core.testing.loopback.pytest_fixtures import loopback, loopback_tenant

__all__ = ["loopback", "loopback_tenant"]
