"""``calsync`` as a new user, a shell script and a messy organisation meet it.

Each test is a way in which the command once failed such a user: a traceback
or a bug report where the input was at fault, a filter that refused a name the
summary itself showed, a file an editor wrote that did not load, a terminal
left with a half-drawn line.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import attrs
import pytest

import calsync_core as cs
from calsync_core.cli import main
from calsync_core.cli._example import example_after, example_before, example_settings
from calsync_core.cli._progress import DELAY
from cli_helpers import example_files, one_error, run, signalled_while_reading

if TYPE_CHECKING:
    from pathlib import Path


# -- standard input ----------------------------------------------------------------------


def test_a_closed_standard_input_is_bad_input_not_a_bug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `calsync plan - ... <&-`: Python sets sys.stdin to None when descriptor 0 is closed.
    monkeypatch.setattr("sys.stdin", None)
    _, _, settings = example_files(tmp_path)
    line = one_error(*run(capsys, "plan", "-", "--settings", settings))
    assert line == "calsync: error: <stdin>: cannot read: standard input is closed"


def _shell(redirected: str) -> subprocess.CompletedProcess[str]:
    """``calsync`` run by a shell, with the redirections ``redirected`` ends with."""
    command = f"exec {shlex.quote(sys.executable)} -m calsync_core {redirected}"
    return subprocess.run(
        ["/bin/sh", "-c", command], capture_output=True, text=True, check=False, timeout=120
    )


def test_a_closed_standard_input_in_a_real_process_exits_2() -> None:
    done = _shell("plan - --settings settings.json <&-")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "calsync: error: <stdin>: cannot read: standard input is closed\n"


def test_a_closed_standard_output_is_one_error_line_not_a_bug() -> None:
    done = _shell("plan --example >&-")
    assert (done.returncode, done.stderr) == (
        2,
        "calsync: error: <stdout>: cannot write: standard output is closed\n",
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", ["plan --example", "plan --example --json"])
def test_a_full_disk_is_one_error_line_not_a_bug(argv: str) -> None:
    # Not a traceback from the interpreter's last flush either: one line, status 2.
    done = _shell(f"{argv} >/dev/full")
    assert (done.returncode, done.stderr) == (
        2,
        "calsync: error: <stdout>: cannot write: No space left on device\n",
    )


def test_a_closed_standard_error_keeps_the_status() -> None:
    assert _shell("plan missing.json --settings missing.json 2>&-").returncode == 2
    assert _shell("plan missing.json --settings missing.json 2>/dev/full").returncode == 2


# -- files as editors and shells write them ----------------------------------------------


def test_a_file_that_starts_with_a_byte_order_mark_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Notepad and PowerShell's UTF-8 put one there; RFC 8259 lets a reader ignore it.
    before, after, settings = example_files(tmp_path)
    _, expected, _ = run(capsys, "plan", "--json", before, after, "--settings", settings)
    for name in ("after.json", "settings.json"):
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, out, err = run(capsys, "plan", "--json", before, after, "--settings", settings)
    assert (code, err) == (0, "")
    assert out == expected


def test_a_utf16_file_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # PowerShell 5's `>` writes UTF-16 with a byte order mark.
    before, after, settings = example_files(tmp_path)
    text = (tmp_path / "after.json").read_text("utf-8")
    (tmp_path / "after.json").write_bytes(text.encode("utf-16"))
    line = one_error(*run(capsys, "plan", before, after, "--settings", settings))
    assert line == f"calsync: error: {after}: UTF-16 text, not UTF-8: save it as UTF-8"


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_an_empty_file_says_it_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    before, after, settings = example_files(tmp_path)
    (tmp_path / "after.json").write_bytes(content)
    line = one_error(*run(capsys, "plan", before, after, "--settings", settings))
    assert line == f"calsync: error: {after}: the file is empty (expected a JSON object)"


def test_an_empty_standard_input_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-D at once, or an empty pipe: no file there to call empty.
    _, _, settings = example_files(tmp_path)
    (tmp_path / "empty").write_bytes(b"")
    with (tmp_path / "empty").open("rb") as stdin:
        monkeypatch.setattr("sys.stdin", type("Stdin", (), {"buffer": stdin})())
        line = one_error(*run(capsys, "plan", "-", "--settings", settings))
    assert line == "calsync: error: <stdin>: standard input is empty (expected a JSON object)"


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("snapshot", "settings (an OrgSettings document), not a snapshot: give it with --settings"),
        ("settings", "a snapshot, not settings: give it as BEFORE or AFTER"),
    ],
)
def test_a_document_of_the_other_kind_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, expected: str
) -> None:
    # The commonest slip with three files: one of them in the other's place.
    _, after, settings = example_files(tmp_path)
    argv = (
        [settings, "--settings", settings] if where == "snapshot" else [after, "--settings", after]
    )
    line = one_error(*run(capsys, "plan", *argv))
    wrong = settings if where == "snapshot" else after
    assert line == f"calsync: error: {wrong}: {expected}"


def test_a_plan_given_as_a_snapshot_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, settings = example_files(tmp_path)
    _, plan, _ = run(capsys, "plan", "--example", "--json")
    (tmp_path / "plan.json").write_text(plan, encoding="utf-8")
    line = one_error(*run(capsys, "plan", str(tmp_path / "plan.json"), "--settings", settings))
    assert line.endswith("plan.json: a plan (what calsync plan --json prints), not a snapshot")


def test_example_into_an_empty_directory_name_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `calsync example "$DIR"` with DIR unset must not fill the current directory.
    monkeypatch.chdir(tmp_path)
    line = one_error(*run(capsys, "example", ""))
    assert line == "calsync: error: the directory name is empty (give a path, . for this one)"
    assert list(tmp_path.iterdir()) == []


def test_example_with_force_writes_nothing_when_a_file_name_is_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "after.json").mkdir()
    line = one_error(*run(capsys, "example", str(tmp_path), "--force"))
    assert line == f"calsync: error: {tmp_path / 'after.json'}: is a directory, not a file"
    assert [p.name for p in tmp_path.iterdir()] == ["after.json"]


def test_dates_of_early_years_keep_four_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, after, settings = example_files(tmp_path)
    document = json.loads((tmp_path / "after.json").read_text("utf-8"))
    document["as_of"] = "0001-01-01T00:00:00Z"
    (tmp_path / "after.json").write_text(json.dumps(document), encoding="utf-8")
    line = one_error(*run(capsys, "plan", before, after, "--settings", settings))
    assert "is as of 0001-01-01 00:00:00 UTC, older than BEFORE" in line


def test_running_out_of_memory_is_one_error_line_not_a_bug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An organisation too large for the machine: not a bug to report, and not a traceback.
    def exhaust(*_: object, **__: object) -> cs.Plan:
        raise MemoryError

    monkeypatch.setattr("calsync_core.cli._command.reconcile", exhaust)
    line = one_error(*run(capsys, "plan", "--example"))
    assert line == "calsync: error: out of memory: the input is too large for this machine"


# -- arguments ----------------------------------------------------------------------------


def test_issues_only_with_all_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # --all lists decisions, --issues-only shows none: one of them would be ignored.
    code, out, err = run(capsys, "plan", "--example", "--issues-only", "--all")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        "calsync plan: error: --issues-only shows no decisions: --all has nothing to list"
    )


def test_explain_without_an_id_names_only_the_id_as_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "explain", "--example")
    assert code == 2
    missing = "calsync explain: error: the following arguments are required: ID"
    assert err.splitlines()[-1] == missing


# -- --mailbox takes every name the summary shows ----------------------------------------


def _without_dev(directory: Path) -> tuple[str, str, str]:
    """The example with dev@ gone from the settings, and dev's event renamed by hand.

    The event keeps its version, so the plan has a STALE_VERSION issue about an
    event whose owner is no user: the page names that mailbox by the owner's id.
    """
    settings = example_settings()
    settings = attrs.evolve(
        settings, users=tuple(u for u in settings.users if u.email != "dev@acme.example")
    )
    after = example_after()
    (event,) = (e for e in after.events if e.owner_id == "005000000000004AAA")
    renamed = attrs.evolve(event, subject="Renamed by hand")
    after = attrs.evolve(after, events=tuple(renamed if e is event else e for e in after.events))
    paths = (directory / "b.json", directory / "a.json", directory / "s.json")
    for path, value in zip(paths, (example_before(), after, settings), strict=True):
        path.write_text(cs.dumps(value), encoding="utf-8")
    return str(paths[0]), str(paths[1]), str(paths[2])


@pytest.mark.parametrize("name", ["005000000000004AAA", "005000000000004aaa"])
def test_mailbox_takes_an_owner_the_summary_names_by_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    before, after, settings = _without_dev(tmp_path)
    code, out, err = run(capsys, "plan", before, after, "--settings", settings)
    assert (code, err) == (0, "")
    assert "    005000000000004AAA  1: 1 STALE_VERSION" in out.splitlines()
    code, out, err = run(capsys, "plan", before, after, "--settings", settings, "--mailbox", name)
    assert (code, err) == (0, "")
    issues = out.split("\nIssues\n")[1].split("\n\n")[0].splitlines()
    assert issues[0] == '  STALE_VERSION  event 00U000000000001AAA "Renamed by hand"'
    assert all("@acme.example" not in line for line in issues)


@pytest.mark.parametrize(
    ("address", "user_id"),
    [("ana@acme.example", "005000000000001aaa"), ("dev@acme.example", "005000000000004AAA")],
)
def test_mailbox_takes_a_users_salesforce_id_as_their_address(
    capsys: pytest.CaptureFixture[str], address: str, user_id: str
) -> None:
    # Accepted and then matched against nothing, the id would show an empty page.
    _, by_address, _ = run(capsys, "plan", "--example", "--mailbox", address)
    code, by_id, err = run(capsys, "plan", "--example", "--mailbox", user_id)
    assert (code, err) == (0, "")
    assert by_id == by_address


def test_mailbox_takes_the_records_group(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "--example", "--mailbox", "(records)")
    assert (code, err) == (0, "")
    assert "Showing only (records)." in out
    assert "Actions\n  (none)" in out  # the example creates no record


# -- signals ------------------------------------------------------------------------------


def test_sigterm_erases_the_progress_line_and_exits_143_with_one_line(tmp_path: Path) -> None:
    status, shown = signalled_while_reading(tmp_path, signal.SIGTERM)
    assert status == 128 + signal.SIGTERM
    assert shown.split(b"\x1b[K")[-1] == b"calsync: terminated\r\n"


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal, and keeps what is written to it."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("term", "shown"), [("xterm", True), ("dumb", False)])
def test_a_dumb_terminal_gets_no_progress_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, term: str, shown: bool
) -> None:
    # TERM=dumb (Emacs's shell, some CI logs) shows "\x1b[K" as it is: no line to redraw.
    def slow(*args: Any, **kwargs: Any) -> cs.Plan:
        time.sleep(DELAY + 0.5)
        return cs.reconcile(*args, **kwargs)

    monkeypatch.setattr("calsync_core.cli._command.reconcile", slow)
    monkeypatch.setenv("TERM", term)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["plan", "--example"]) == 0
    assert ("calsync: planning" in terminal.getvalue()) is shown
    assert ("\x1b" in terminal.getvalue()) is shown
    assert capsys.readouterr().out.startswith("Plan as of ")


# -- R-STALE-VERSION: only where the version is trusted ----------------------------------


def _edited(snapshot: cs.Snapshot, ref: str, **changes: Any) -> cs.Snapshot:
    """``snapshot`` with the item or event ``ref`` changed, its version left as it was."""
    items = tuple(attrs.evolve(i, **changes) if i.id == ref else i for i in snapshot.items)
    events = tuple(attrs.evolve(e, **changes) if e.id == ref else e for e in snapshot.events)
    return attrs.evolve(snapshot, items=items, events=events)


def _stale(plan: cs.Plan) -> list[str]:
    return [
        i.item_id or i.event_id or "" for i in plan.issues if i.code is cs.IssueCode.STALE_VERSION
    ]


def test_an_item_saved_by_hand_in_the_json_is_planned_not_called_stale() -> None:
    # The first thing a person tries in after.json: the Salesforce category on an item
    # autosave skipped. The item is in no pair, so nothing trusts its version: the
    # planner reads it whole and saves it. "Plans nothing for this change" would be false.
    before, settings = example_before(), example_settings()
    after = _edited(example_after(), "ana-team-sync", categories=frozenset({"Salesforce"}))
    plan = cs.reconcile(before, after, settings, check_versions=True)
    assert any(
        isinstance(a, cs.CreateEvent) and a.source_item_id == "ana-team-sync" for a in plan.actions
    )
    assert _stale(plan) == []


def test_an_unlinked_item_or_event_edited_without_a_new_version_is_not_stale() -> None:
    settings = example_settings()
    before = example_after()  # as of the same time: one snapshot, then an edit of it
    for ref in ("ana-team-sync", "00U000000000002AAA"):
        after = _edited(before, ref, subject="Renamed by hand")
        plan = cs.reconcile(before, after, settings, check_versions=True)
        assert _stale(plan) == [], ref
    # The event not yet downloaded is created in the calendar as it now reads.
    after = _edited(before, "00U000000000002AAA", subject="Renamed by hand")
    plan = cs.reconcile(before, after, settings, check_versions=True)
    assert any(
        isinstance(a, cs.CreateItem) and a.subject == "Renamed by hand" for a in plan.actions
    )


def test_both_sides_of_a_linked_pair_edited_without_new_versions_are_stale() -> None:
    settings = example_settings()
    synced = cs.apply(example_after(), cs.reconcile(example_before(), example_after(), settings))
    (item,) = (i for i in synced.items if i.id == "ana-renewal")
    assert item.sf_event_id is not None
    after = _edited(synced, "ana-renewal", subject="Renamed by hand")
    after = _edited(after, item.sf_event_id, location="Room 9")
    plan = cs.reconcile(synced, after, settings, check_versions=True)
    assert sorted(_stale(plan)) == sorted(["ana-renewal", item.sf_event_id])
    assert not plan.actions  # the version shortcut still decides


def test_the_examples_runs_report_no_stale_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A first run, the run the example shows, the run after its plan is carried
    # out, and a steady run: a version moved with every edit, so none is stale.
    settings = example_settings()
    synced = cs.apply(example_after(), cs.reconcile(example_before(), example_after(), settings))
    again = cs.apply(synced, cs.reconcile(example_after(), synced, settings))
    chain = {"before": example_before(), "after": example_after(), "synced": synced}
    chain["again"] = again
    for label, snapshot in chain.items():
        (tmp_path / f"{label}.json").write_text(cs.dumps(snapshot), encoding="utf-8")
    (tmp_path / "settings.json").write_text(cs.dumps(settings), encoding="utf-8")
    runs = [["after"], ["before", "after"], ["after", "synced"], ["synced", "again"]]
    runs.append(["again", "again"])
    for names in runs:
        paths = [str(tmp_path / f"{name}.json") for name in names]
        code, out, err = run(capsys, "plan", *paths, "--settings", str(tmp_path / "settings.json"))
        assert (code, err) == (0, ""), names
        assert "STALE_VERSION" not in out, names
