"""The command's files: reading documents, from paths or stdin; writing the example and the output.

Every fault of a file -- one that cannot be read, is empty, is not UTF-8, does
not parse or does not load -- is a ``Failure``: one line naming the file and the
first problem, which ``_command`` prints with exit status 2. Files are read as
people's editors and shells write them: a UTF-8 byte order mark is ignored
(RFC 8259 lets a reader do so), and UTF-16, which PowerShell 5's ``>`` writes,
is named as such. A document of another kind than the one wanted (settings
given as a snapshot, say) is named as what it is. Standard output that cannot
be written (closed, a full disk) is a ``Failure`` too; a reader that left
(``| head``) is not.
"""

from __future__ import annotations

import codecs
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import attrs

from .._errors import LoadError, SettingsError
from .._plan import Plan
from .._serde import dumps, loads, problem_count
from .._values import OrgSettings, Snapshot
from ._example import example_after, example_before, example_settings

if TYPE_CHECKING:
    from typing import TextIO

    from ._progress import Progress

#: How a path of "-" (standard input) is named in messages.
STDIN = "<stdin>"
#: How standard output is named in messages.
STDOUT = "<stdout>"


class _Kind(NamedTuple):
    """A document the command reads or prints, as a message speaks of it."""

    #: What it is, said in full when it is in the wrong place.
    found: str
    #: What it is, said short when it was wanted.
    wanted: str
    #: Where it goes instead, if anywhere.
    hint: str


_KINDS = {
    Snapshot: _Kind("a snapshot", "a snapshot", ": give it as BEFORE or AFTER"),
    OrgSettings: _Kind(
        "settings (an OrgSettings document)", "settings", ": give it with --settings"
    ),
    Plan: _Kind("a plan (what calsync plan --json prints)", "a plan", ""),
}
_FILES = ("before.json", "after.json", "settings.json")

T = TypeVar("T")


class Failure(Exception):
    """Bad input: reported as ``calsync: error: <where>: <reason>``, exit status 2.

    ``where`` is the file at fault; None when no one file is (an unknown id).
    """

    def __init__(self, where: str | None, reason: str) -> None:
        self.line = reason if where is None else f"{where}: {reason}"
        super().__init__(self.line)


def name(path: str) -> str:
    """``path`` as messages name it: standard input is not "-"."""
    return STDIN if path == "-" else path


def load(path: str, cls: type[T], progress: Progress) -> T:
    """The ``cls`` that the file ``path`` (``-``: standard input) holds; ``Failure`` if none."""
    if not path:
        raise Failure(None, "a file name is empty (give a path, or - for standard input)")
    progress.phase(f"reading {name(path)}")
    try:
        data = _stdin_bytes() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise Failure(name(path), f"cannot read: {exc.strerror or exc}") from None
    text = _text(name(path), data)
    if not text or text.isspace():  # isspace stops at the first other character: no copy
        # json's "Expecting value at line 1 column 1" would send the person looking for a typo.
        what = "standard input" if path == "-" else "the file"
        raise Failure(name(path), f"{what} is empty (expected a JSON object)")
    try:
        return loads(text, cls)
    except LoadError as exc:
        raise Failure(name(path), _other_kind(text, cls) or problems(exc)) from None


def _other_kind(text: str, wanted: type) -> str | None:
    """What to say when ``text`` is plainly a document of another kind than ``wanted``.

    With three files to name, one in another's place is the commonest slip, and
    "as_of: required field missing (+22 more)" does not say so. A document is
    plainly of a kind when its keys are all that kind's fields and not all the
    wanted kind's.
    """
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # the problems already say what is wrong
        return None
    if not isinstance(document, dict) or not document:
        return None
    keys = set(document)
    if keys <= _fields(wanted):
        return None
    for cls, kind in _KINDS.items():
        if cls is not wanted and keys <= _fields(cls):
            return f"{kind.found}, not {_KINDS[wanted].wanted}{kind.hint}"
    return None


def _fields(kind: type) -> set[str]:
    return {field.name for field in attrs.fields(kind)}


def _stdin_bytes() -> bytes:
    # Python sets sys.stdin to None when descriptor 0 was closed (`calsync plan - <&-`).
    if sys.stdin is None:
        raise OSError("standard input is closed")
    return sys.stdin.buffer.read()


def _text(where: str, data: bytes) -> str:
    """``data`` as text: UTF-8, with the byte order mark some editors put first ignored."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # What PowerShell 5's `>` writes: name it, rather than "not UTF-8 (byte 0)".
        raise Failure(where, "UTF-16 text, not UTF-8: save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Failure(where, f"not UTF-8 text (byte {exc.start})") from None
    # Notepad's UTF-8 starts with a byte order mark; RFC 8259 lets a reader ignore it.
    return text.removeprefix("\ufeff")


def problems(exc: LoadError | SettingsError) -> str:
    # The first problem is the one to fix first; the count says whether more follow
    # (loads lists at most 100 and counts the rest on a last line).
    if not exc.problems:
        return str(exc)
    more = problem_count(exc.problems) - 1
    # A fault of the text as a whole is placed at "<text>"; the file is already named.
    first = exc.problems[0].removeprefix("<text>: ")
    return f"{exc.label}: {first}" + (f" (+{more} more)" if more else "")


def write_example(path: str, *, force: bool) -> str:
    """Write the example's three documents into the directory ``path``; the paths, a line each."""
    if not path:
        # Path("") is the current directory: an unset "$DIR" must not fill it.
        raise Failure(None, "the directory name is empty (give a path, . for this one)")
    directory = Path(path)
    documents = dict(
        zip(_FILES, (example_before(), example_after(), example_settings()), strict=True)
    )
    targets = [directory / file for file in _FILES]
    # Refuse before writing anything: a user's edited copy must never be lost to a
    # rerun, and no run leaves one file new and the others old.
    for target in targets:
        if target.is_dir():
            raise Failure(str(target), "is a directory, not a file")
        if not force and target.exists():
            raise Failure(str(target), "already exists (use --force to overwrite)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Failure(str(directory), f"cannot create directory: {exc.strerror or exc}") from None
    for target in targets:
        try:
            target.write_text(_indented(dumps(documents[target.name])), encoding="utf-8")
        except OSError as exc:
            raise Failure(str(target), f"cannot write: {exc.strerror or exc}") from None
    return "".join(f"{target}\n" for target in targets)


def _indented(canonical: str) -> str:
    """Canonical JSON laid out for a person to edit; ``loads`` takes any whitespace."""
    return json.dumps(json.loads(canonical), indent=2, ensure_ascii=False) + "\n"


# -- standard output ---------------------------------------------------------------------


def put(stream: TextIO, text: str) -> None:
    """Write ``text``; what ``stream``'s encoding cannot hold is written as its escape."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        # A text stream encodes the whole text before it writes any of it, so
        # nothing has been written yet.
        encoding = stream.encoding or "utf-8"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


def write_stdout(text: str) -> int:
    """Write the command's output: status 0, or 1 when the reader left (``| head``)."""
    try:
        put(sys.stdout, text)
        sys.stdout.flush()
    except BrokenPipeError:
        # `calsync plan ... | head`: the reader left, which is no error.
        _discard_stdout()
        return 1
    except OSError as exc:  # a full disk, say: the output is lost, and the person must know
        _discard_stdout()
        raise Failure(STDOUT, f"cannot write: {exc.strerror or exc}") from None
    return 0


def _discard_stdout() -> None:
    # What stdout still buffers would fail again at the interpreter's own flush at exit,
    # printed as "Exception ignored" lines: point it at devnull (Python docs, "signal").
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def check_stdout() -> None:
    # Python sets sys.stdout to None when descriptor 1 was closed (`calsync ... >&-`):
    # say so before the work, not after it.
    if sys.stdout is None:
        raise Failure(STDOUT, "cannot write: standard output is closed")
