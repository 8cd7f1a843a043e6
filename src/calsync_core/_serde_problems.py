"""Faults found in a document, as the "path: message" lines of a LoadError or DumpError.

This module decides how a fault reads and how many are kept. cattrs raises
nested exceptions, each with notes naming the attribute or index it rose
through; they are read into paths (``items[3].subject``) the moment they are
caught and their tracebacks cut, so a bad element costs its lines and no
more. Past ``MAX_PROBLEMS`` lines a fault is only counted, and one last line
says how many were left out.

It also decides what is no valid Unicode: a lone surrogate, which ``loads``
refuses wherever it is and ``dumps`` refuses to write.
"""

from __future__ import annotations

import json
import re
import reprlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cattrs.errors import (
    AttributeValidationNote,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)

#: At most this many problems are listed; a last line counts the rest ("and 7 more problems").
MAX_PROBLEMS = 100

#: Bounded repr, so a huge or deeply nested value cannot swamp (or overflow) a message.
#: (repr also escapes a lone surrogate, as it does every unprintable character.)
show = reprlib.repr

#: One problem as (path, message), the path built as ".a[1].b"; or a count of
#: problems past the bound, already left out.
_Found = tuple[str, str] | int

_SURROGATE = re.compile("[\ud800-\udfff]")
_MORE = re.compile(r"and (\d+) more problems?")


class Problems:
    """The first ``MAX_PROBLEMS`` problems found, and how many more there were."""

    __slots__ = ("hidden", "shown")

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []
        self.hidden = 0

    def add(self, exc: BaseException, path: str) -> None:
        """Read the problems of ``exc``, found at ``path``, and let go of its tracebacks."""
        if len(self.shown) < MAX_PROBLEMS:
            self.extend(_walk(exc, path))
            _forget(exc)
        else:  # past the bound, problems are only counted: no paths built
            self.hidden += _forget(exc)

    def extend(self, found: Iterable[_Found]) -> None:
        for problem in found:
            if isinstance(problem, int):
                self.hidden += problem
            elif len(self.shown) < MAX_PROBLEMS:
                self.shown.append(problem)
            else:
                self.hidden += 1

    def lines(self) -> list[str]:
        lines = [f"{path.removeprefix('.') or '<root>'}: {msg}" for path, msg in self.shown]
        if self.hidden:
            lines.append(f"and {self.hidden} more problem{'' if self.hidden == 1 else 's'}")
        # Messages quote the document; whatever they quote, they must be writable as UTF-8.
        return [escaped(line) for line in lines]


class ListProblems(Exception):
    """The problems of a list's elements, already read: cattrs' IterableValidationError, bounded."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(f"{len(problems.shown) + problems.hidden} problems")
        self.problems = problems


def _walk(exc: BaseException, path: str) -> Iterator[_Found]:
    """Every leaf problem under ``exc``."""
    # cattrs notes an exception with each attribute or index it rises through,
    # innermost first: read the notes backwards.
    for note in reversed(getattr(exc, "__notes__", ())):
        if isinstance(note, AttributeValidationNote):
            path += path_key(note.name)
        elif isinstance(note, IterableValidationNote):
            path += f"[{note.index}]"
    if isinstance(exc, ListProblems):
        for inner, message in exc.problems.shown:
            yield path + inner, message
        if exc.problems.hidden:
            yield exc.problems.hidden
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            yield path + path_key(key), unicode_fault(key) or "unknown field"
    elif isinstance(exc, BaseExceptionGroup):
        for sub in exc.exceptions:
            yield from _walk(sub, path)
    else:
        missing = isinstance(exc, KeyError)
        yield path, "required field missing" if missing else str(exc) or type(exc).__name__


def _forget(exc: BaseException) -> int:
    """Let go of the tracebacks under ``exc``; return how many problems it holds."""
    # Each traceback holds the frames it rose through, and a cattrs frame holds the
    # list of errors it collected: a cycle only the garbage collector would free.
    # Cut it, so that a bad element's exceptions go the moment it has been read.
    count = 0
    stack = [exc]
    while stack:
        each = stack.pop()
        each.__traceback__ = None
        if isinstance(each, BaseExceptionGroup):
            stack.extend(each.exceptions)
        elif isinstance(each, ListProblems):
            count += len(each.problems.shown) + each.problems.hidden
        elif isinstance(each, ForbiddenExtraKeysError):
            count += len(each.extra_fields)
        else:
            count += 1
    return count


def path_key(name: str) -> str:
    # An unknown key can be any string ("", "a.b"): quote it unless it reads unambiguously.
    return f".{name}" if name.isidentifier() else f"[{json.dumps(name, ensure_ascii=False)}]"


def unicode_fault(text: str) -> str | None:
    """Why ``text`` is no valid Unicode (it holds a lone surrogate), or None if it is."""
    if text.isascii():
        return None
    found = _SURROGATE.search(text)
    return None if found is None else f"not valid Unicode (lone surrogate {escaped(found[0])})"


def escaped(text: str) -> str:
    """``text`` with each lone surrogate written as its escape, ``\\ud800``."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def refuse_surrogates(value: str) -> str:
    if fault := unicode_fault(value):
        raise ValueError(fault)
    return value


def surrogates(data: Any, path: str) -> Iterator[_Found]:
    """Where the unstructured ``data`` holds a string that is no valid Unicode."""
    if isinstance(data, str):
        if fault := unicode_fault(data):
            yield path, fault
    elif isinstance(data, dict):
        for key in sorted(data):
            yield from surrogates(key, path + path_key(key))
            yield from surrogates(data[key], path + path_key(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from surrogates(value, f"{path}[{index}]")


def problem_count(problems: Sequence[str]) -> int:
    """How many problems a :class:`LoadError`'s ``problems`` stand for, those past the bound too."""
    more = _MORE.fullmatch(problems[-1]) if problems else None
    return len(problems) if more is None else len(problems) - 1 + int(more[1])
