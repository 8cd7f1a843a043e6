"""The ``calsync`` command line: the library's only I/O, kept at the edge of the package.

Private modules, each deciding one thing:

- ``_command``: which command runs, what it reads, and how a fault is reported
  (one line on stderr, exit status 2 for bad input, 70 for a bug, 130 for Ctrl-C,
  143 for SIGTERM);
- ``_files``: reading a document from a path or standard input, writing the
  example's and the output, each fault of a file one line;
- ``_render``: how the pieces of a plan read as text for a person, and
  ``calsync explain``'s page;
- ``_plan_text``: ``calsync plan``'s page: the summary, the filters, the grouping;
- ``_progress``: the phase line a person at a terminal sees during a long run;
- ``_example``: the bundled example organisation of ``calsync plan --example``.

Nothing else in calsync_core imports this package: the planner never sees a
path, a terminal or an argument list. ``main`` is the console script's entry
point (``[project.scripts]`` in pyproject.toml); ``python -m calsync_core`` and
``python -m calsync_core.cli`` run it too.
"""

from __future__ import annotations

from ._command import EXIT_SOFTWARE, EXIT_USAGE, main

__all__ = ["EXIT_SOFTWARE", "EXIT_USAGE", "main"]
