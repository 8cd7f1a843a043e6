"""Canonical JSON for every value of the library: :func:`dumps` and :func:`loads`.

This module owns the wire format. Output is canonical (sorted keys, compact
separators, UTC datetimes with ``Z``, sets sorted, every attribute written) so
equal values give byte-identical documents that can be diffed, hashed and
stored as golden files. ``loads`` is the library's trust boundary, so it is
strict -- nothing is coerced -- and reports *every* fault with its path in one
:class:`~calsync_core.LoadError` rather than stopping at the first.

Every fault, up to a bound: a hostile or broken document can hold a million
bad elements, and a report of a million problems is no use to anyone while
building it costs far more than the document. cattrs' detailed validation
keeps one exception per bad element -- each with a traceback whose frames
hold the element and, in a reference cycle, the list of its siblings'
exceptions -- until the whole list is done: about 8 KB per ``{}``. So lists
are structured here, not by cattrs: each element's fault is read into
"path: message" lines at once, its exception freed, and past
``MAX_PROBLEMS`` lines only counted. Rejecting a document then takes time in
proportion to it (less per element than loading a valid one) and hardly more
memory than parsing it.

A lone surrogate (``"\\ud800"`` in JSON) is a fault like any other: it is no
character, a UTF-8 file cannot hold it, and printing it raises. ``loads``
refuses one wherever it is, with its path; ``dumps`` refuses to write one
(:class:`DumpError`), so that whatever ``dumps`` writes, ``loads`` reads back.

One cattrs converter does the work; cattrs generates each class's hook lazily
on first use, which keeps importing this module cheap.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, cast

import attrs

from ._errors import DumpError, LoadError
from ._serde_convert import converter
from ._serde_problems import MAX_PROBLEMS, Problems, problem_count, show, surrogates

# The wire format's two halves live apart: how each type is written and read
# (_serde_convert), and how a fault reads as a line and how many are kept
# (_serde_problems). MAX_PROBLEMS and problem_count are part of this face.
__all__ = ["MAX_PROBLEMS", "dumps", "loads", "problem_count"]

T = TypeVar("T")


def dumps(obj: object) -> str:
    """Return ``obj`` (a snapshot, settings, a plan or any value inside them) as canonical JSON.

    A string holding a lone surrogate (``"\\ud800"``) cannot be written as
    UTF-8, and ``loads`` would refuse it: ``dumps`` raises ``DumpError`` (a
    :exc:`CalsyncError` and ``ValueError``) naming the path of each, e.g.
    ``items[0].subject: not valid Unicode (lone surrogate \\ud800)``, rather
    than write text that cannot be saved or read back.
    """
    data = converter.unstructure(obj)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    del data  # far larger than its text: let it go before the check makes a copy
    if not text.isascii():  # a flag, read in O(1)
        try:
            # A lone surrogate is the one thing a str can hold that UTF-8 cannot.
            # Encoding is quicker than a regex search, and the copy lives a moment.
            text.encode("utf-8")
        except UnicodeEncodeError:
            problems = Problems()
            problems.extend(surrogates(converter.unstructure(obj), ""))
            raise DumpError(problems.lines()) from None
    return text


def loads(text: str | bytes, cls: type[T]) -> T:
    """Read a ``cls`` from JSON text; raise :class:`LoadError` listing every problem.

    Every problem up to the first 100; then one last line counts the rest
    (``and 4900 more problems``). A string holding a lone surrogate, escaped
    or not, is a problem (``items[0].subject: not valid Unicode (lone
    surrogate \\ud800)``).
    """
    if not attrs.has(cast("type[Any]", cls)):  # cast: has() would narrow cls, losing T
        raise TypeError(f"loads reads library values, not {cls!r}")
    data = _parse(text)
    try:
        return converter.structure(data, cls)
    except Exception as exc:  # any fault in the document must surface as a LoadError
        problems = Problems()
        problems.add(exc, "")
        raise LoadError(problems.lines()) from exc


def _parse(text: str | bytes) -> Any:
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise LoadError([f"<text>: invalid JSON at {where}: {exc.msg}"]) from None
    except RecursionError:
        raise LoadError(["<text>: nested too deeply"]) from None
    except ValueError as exc:  # bad UTF-8, a duplicate key, an over-long integer
        raise LoadError([f"<text>: {exc}"]) from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key would silently let the last one win; a document means one thing.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {show(key)}")
        result[key] = value
    return result
