"""Hypothesis profiles: ``dev`` (default, quick) and ``ci`` (more examples, no deadline).

Select with HYPOTHESIS_PROFILE=ci; ``.ci/run`` does so when CI=true.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from calsync_core.planner import builder

if TYPE_CHECKING:
    from _pytest.terminal import TerminalReporter

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The plan builder refuses an issue whose code its rule does not list in
# ``Rule.issues``: the whole suite runs with that check on.
builder.STRICT = True

#: Lines the long-running property tests report (session counts, a survey of
#: failures), shown in pytest's terminal summary rather than amid its progress line.
_REPORT = pytest.StashKey[list[str]]()


@pytest.fixture
def report_lines(request: pytest.FixtureRequest) -> list[str]:
    """A list whose lines pytest prints in its terminal summary, under "session counts"."""
    return request.config.stash.setdefault(_REPORT, [])


def pytest_terminal_summary(terminalreporter: TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(_REPORT, [])
    if lines:
        terminalreporter.section("session counts")
        for line in lines:
            terminalreporter.write_line(line)
