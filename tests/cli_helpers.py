"""What the tests of the ``calsync`` command share.

``run`` calls the command in this process and returns its status and output;
``signalled_while_reading`` starts it as a child whose standard error is a
terminal (where the progress line appears) and whose standard input stays open,
so that it waits, reading, until a signal ends it.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import calsync_core as cs
from calsync_core.cli import main
from calsync_core.cli._example import example_settings
from calsync_core.cli._files import write_example

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

#: What the command shows on a terminal while it waits on standard input.
READING_STDIN = b"calsync: reading <stdin>"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``calsync ARGV`` in this process: the exit status, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error(code: int, out: str, err: str) -> str:
    """The one line a bad input prints, after checking it is one line and status 2."""
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert err.startswith("calsync: error: "), err
    return err.rstrip("\n")


def example_files(directory: Path) -> tuple[str, str, str]:
    """The example's files as ``calsync example`` writes them into ``directory``: their paths."""
    write_example(str(directory), force=False)
    names = ("before.json", "after.json", "settings.json")
    before, after, settings = (str(directory / name) for name in names)
    return before, after, settings


def terminal_child(argv: list[str], **env: str) -> tuple[subprocess.Popen[bytes], int]:
    """``calsync`` with stderr on a terminal and stdin a pipe left open; also the pty's end."""
    reader, writer = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "calsync_core", *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=writer,
        env={**os.environ, **env},
    )
    os.close(writer)
    return child, reader


def read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    """What ``fd`` gives until it has given ``wanted``, for ``seconds`` at the most."""
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def signalled_while_reading(directory: Path, signum: int) -> tuple[int, bytes]:
    """``calsync plan - ...`` sent ``signum`` while it reads: its status and its terminal's text.

    The signal goes once the terminal shows that the command is reading: sent
    sooner, it could find the interpreter still importing, before any handler.
    """
    settings = directory / "settings.json"
    settings.write_text(cs.dumps(example_settings()), encoding="utf-8")
    child, terminal = terminal_child(["plan", "-", "--settings", str(settings)])
    try:
        shown = read_until(terminal, READING_STDIN, 60)
        assert READING_STDIN in shown, shown
        child.send_signal(signum)
        status = child.wait(timeout=60)
        shown += read_until(terminal, b"\r\n", 10)
    finally:
        child.kill()
        child.wait()
        os.close(terminal)
        for stream in (child.stdin, child.stdout):
            assert stream is not None
            stream.close()
    return status, shown
