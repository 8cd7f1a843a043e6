"""Hypothesis profiles: ``dev`` (default, quick) and ``ci`` (more examples, no deadline).

Select with HYPOTHESIS_PROFILE=ci; ``.ci/run`` does so when CI=true.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from calsync_core.planner import builder

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The plan builder refuses an issue whose code its rule does not list in
# ``Rule.issues``: the whole suite runs with that check on.
builder.STRICT = True
