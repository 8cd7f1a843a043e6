"""``calsync plan`` on a large organisation: a summary first, filters, progress, Ctrl-C.

The page must stay readable when the plan is large and when there is nothing
to do; a person at a terminal sees what the command is doing, and Ctrl-C ends
it with one line.
"""

from __future__ import annotations

import io
import os
import pty
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

import calsync_core as cs
from calsync_core.cli._example import example_after, example_before, example_settings
from calsync_core.cli._progress import DELAY, Progress
from cli_helpers import read_until, run, signalled_while_reading

if TYPE_CHECKING:
    from pathlib import Path


def section(out: str, heading: str) -> list[str]:
    """The lines of one section: from its heading to the next blank line."""
    lines = out.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(heading))
    end = next((n for n in range(start, len(lines)) if not lines[n]), len(lines))
    return lines[start:end]


def test_summary_counts_actions_by_kind_and_mailbox_and_issues_by_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "plan", "--example")
    summary = section(out, "Summary")
    assert summary[1].startswith("  19 actions: 8 SetCategories, 4 CreateEvent, 4 UpdateItem,")
    assert "    chloe@acme.example  1: 1 SetCategories" in summary
    issues = next(line for line in summary if line.startswith("  4 issues: "))
    assert "1 ALL_DAY_TOO_LONG, 1 ISE_013" in issues
    assert "    ben@acme.example    2: 1 ALL_DAY_TOO_LONG, 1 WAITING_FOR_ORGANIZER" in summary


def test_decisions_with_nothing_to_do_are_left_out_unless_all(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "plan", "--example")
    assert "(12 of 20; --all shows every decision)" in " ".join(out.split())
    assert "item ana-team-sync" not in out  # skipped, no action, no issue
    assert "item ana-renewal" in section(out, "Decisions")[2]
    _, everything, _ = run(capsys, "plan", "--example", "--all")
    assert "item ana-team-sync" in everything


def test_decisions_are_grouped_by_mailbox_then_by_start(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "plan", "--example", "--all")
    decisions = section(out, "Decisions")
    mailboxes = [line.strip() for line in decisions if line.startswith("  ") and line[2] != " "]
    assert mailboxes == sorted(mailboxes)
    starts = [line[4:25] for line in decisions if line.startswith("    ") and line[4] != " "]
    ana = starts[: starts.index(next(s for s in starts if s.startswith("Fri 2026-11-27")))]
    assert ana == sorted(ana, key=lambda s: s[4:])
    assert len(mailboxes) == 4


def test_a_steady_run_prints_a_few_lines_however_many_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = example_settings()
    plan = cs.reconcile(example_before(), example_after(), settings)
    synced = cs.apply(example_after(), plan)
    (tmp_path / "synced.json").write_text(cs.dumps(synced), encoding="utf-8")
    (tmp_path / "settings.json").write_text(cs.dumps(settings), encoding="utf-8")
    synced_path, settings_path = str(tmp_path / "synced.json"), str(tmp_path / "settings.json")
    _, out, _ = run(capsys, "plan", synced_path, synced_path, "--settings", settings_path)
    assert "Actions\n  (none)" in out
    # Only what still needs a person (the example's waiting and refused items).
    assert len(out.splitlines()) < 50
    assert "keep" not in section(out, "Decisions")


def test_mailbox_keeps_what_concerns_that_mailbox(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "plan", "--example", "--all", "--mailbox", "Chloe@acme.example")
    assert "Showing only chloe@acme.example." in out
    for line in section(out, "Actions")[1:]:
        assert "chloe@acme.example" in line
    assert [
        line for line in section(out, "Decisions") if line.startswith("  ") and line[2] != " "
    ] == ["  chloe@acme.example"]
    assert "ben@acme.example" not in section(out, "Issues")[1]


def test_an_event_counts_under_its_owners_mailbox(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "plan", "--example", "--mailbox", "dev@acme.example")
    actions = " ".join(section(out, "Actions"))
    assert 'UpdateEvent 00U000000000001AAA "Contoso onboarding workshop"' in actions
    assert 'CreateEvent "Contoso pricing review"' in actions


def test_issues_only_shows_the_summary_and_the_issues(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "--example", "--issues-only")
    assert code == 0
    lines = out.splitlines()
    assert "Summary" in lines
    assert "Issues" in lines
    assert "Actions" not in lines
    assert not any(line.startswith("Decisions") for line in lines)


def test_an_unknown_mailbox_is_an_error_not_an_empty_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "plan", "--example", "--mailbox", "nobody@acme.example")
    assert (code, out) == (2, "")
    assert err == (
        "calsync: error: --mailbox 'nobody@acme.example' is no user of the settings, no "
        "mailbox of AFTER and no owner of an event\n"
    )


def test_filters_do_not_apply_to_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "--example", "--json", "--all")
    assert (code, out) == (2, "")
    assert "--json prints the whole plan" in err


# -- progress and Ctrl-C --------------------------------------------------------------------


def test_progress_shows_nothing_for_quick_work_and_nothing_when_off() -> None:
    quick = io.StringIO()
    with Progress(quick, enabled=True) as progress:
        progress.phase("reading after.json")
    assert quick.getvalue() == ""
    off = io.StringIO()
    with Progress(off, enabled=False) as progress:
        progress.phase("planning")
        time.sleep(DELAY + 0.3)
    assert off.getvalue() == ""


def test_progress_names_a_slow_phase_and_erases_its_line() -> None:
    stream = io.StringIO()
    with Progress(stream, enabled=True) as progress:
        progress.phase("planning")
        time.sleep(DELAY + 0.5)
    shown = stream.getvalue()
    assert "calsync: planning " in shown
    assert shown.endswith("\r\x1b[K")
    assert "\n" not in shown


def test_ctrl_c_exits_130_with_one_line_after_showing_progress(tmp_path: Path) -> None:
    status, shown = signalled_while_reading(tmp_path, signal.SIGINT)
    assert status == 130
    assert shown.split(b"\x1b[K")[-1] == b"calsync: interrupted\r\n"


def test_the_text_follows_a_narrow_terminals_width() -> None:
    reader, writer = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "calsync_core", "plan", "--example"],
        stdout=writer,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "72"},
    )
    os.close(writer)
    try:
        out = read_until(reader, b"(created by #1)", 60) + read_until(reader, b"\x00", 5)
    finally:
        child.wait(timeout=60)
        os.close(reader)
    lines = out.decode("utf-8").splitlines()
    assert max(len(line) for line in lines) <= 72
    assert any(len(line) > 60 for line in lines)
