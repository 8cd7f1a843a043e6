"""``python -m calsync_core``: the ``calsync`` command, where no console script is on PATH."""

from __future__ import annotations

from .cli import main

# Run only as a program: importing this module (a documentation tool walking the
# package, say) must not start the command.
if __name__ == "__main__":
    raise SystemExit(main())
