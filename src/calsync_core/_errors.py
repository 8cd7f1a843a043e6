"""The library's exceptions.

One root, :class:`CalsyncError`; each precise error also inherits the built-in
a caller would naturally catch (``ValueError``). Planning never raises for a
bad item -- that is an :class:`~calsync_core.Issue` -- so these are for bad
*input documents*, bad settings and plans applied to the wrong snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable


class CalsyncError(Exception):
    """Root of every exception raised by calsync_core."""


class _ProblemList(CalsyncError, ValueError):
    """An error that carries every problem found, each with its path."""

    #: Short label put before the problems in ``str(error)``.
    label = "invalid input"

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        shown = "; ".join(self.problems) if self.problems else "no details"
        super().__init__(f"{self.label}: {shown}")


class LoadError(_ProblemList):
    """``loads`` was given text that is not a valid document of the asked type.

    ``problems`` lists every fault with its path, e.g.
    ``items[3].start: naive datetime``.
    """

    label = "cannot load"


class DumpError(_ProblemList):
    """``dumps`` was given a value it cannot write as UTF-8 JSON: a string holding a lone surrogate.

    ``problems`` names each such string by its path in the document, e.g.
    ``items[0].subject: not valid Unicode (lone surrogate \\ud800)``.
    """

    label = "cannot dump"


class SettingsError(_ProblemList):
    """``OrgSettings`` that contradict themselves (e.g. two users, one address)."""

    label = "invalid settings"


class ApplyError(CalsyncError, ValueError):
    """``apply`` was given a plan that does not fit the snapshot.

    Raised when an action names something the snapshot lacks, or when an update's
    expected old value is not the current one (the optimistic-concurrency check a
    real integrator would make).
    """


class PayloadError(_ProblemList):
    """A payload from Microsoft Graph or Salesforce cannot be read as a value.

    ``problems`` lists every fault with its JSON path, e.g.
    ``start.dateTime: not an ISO 8601 date and time``; nothing is half-read.
    Unknown extra fields are not faults: the APIs add fields over time.
    """

    label = "cannot read payload"


class StoreError(CalsyncError):
    """A state store cannot read or write its file.

    The file is corrupt, is not a state store (another program's database or
    no database at all), was written by a store of another schema version, or
    SQLite refused the operation (a full disk, a lock held too long). The
    message says which; the SQLite exception, when there is one, is the
    ``__cause__``. It inherits no built-in: a locked or damaged file is not a
    bad argument (``ValueError``), and callers catch it to stop a session
    before anything is planned.
    """
