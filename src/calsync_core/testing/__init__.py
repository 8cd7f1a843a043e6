"""Test support for code built on calsync_core; install the ``testing`` extra to use it.

Three modules, each imported on its own:

* :mod:`calsync_core.testing.strategies` -- Hypothesis strategies that generate
  valid items, events, settings and whole coherent organisations (needs
  Hypothesis).
* :mod:`calsync_core.testing.fakes` -- in-memory fakes of the ports, for an
  integrator's own tests.
* :mod:`calsync_core.testing.loopback` -- a Microsoft Graph and Salesforce
  REST server on 127.0.0.1, for testing a connector over real HTTP.

Nothing is imported here, so that using ``fakes`` never requires Hypothesis.
"""
