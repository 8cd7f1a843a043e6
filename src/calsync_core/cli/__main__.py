"""``python -m calsync_core.cli``: the ``calsync`` command without its console script."""

from __future__ import annotations

from ._command import main

# Run only as a program: importing this module (a documentation tool walking the
# package, say) must not start the command.
if __name__ == "__main__":
    raise SystemExit(main())
