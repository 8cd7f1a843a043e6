"""What a person meets at the ``calsync`` prompt beyond the plan itself.

Stale versions and swapped snapshots are reported, not planned around; the
small things every command line has (``--version``, ``-`` for standard input,
``python -m``) work; and files are easy to edit by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

import calsync_core as cs
from calsync_core.cli import main
from cli_helpers import one_error, run

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def example_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["example", str(tmp_path)]) == 0
    capsys.readouterr()
    return tmp_path


def test_plan_reports_a_subject_edited_by_hand_without_a_new_version(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings_path = str(example_dir / "settings.json")
    settings = cs.loads((example_dir / "settings.json").read_text("utf-8"), cs.OrgSettings)
    after = cs.loads((example_dir / "after.json").read_text("utf-8"), cs.Snapshot)
    synced = cs.apply(after, cs.reconcile(None, after, settings))
    (example_dir / "synced.json").write_text(cs.dumps(synced), encoding="utf-8")
    document = json.loads(cs.dumps(synced))
    (item,) = (i for i in document["items"] if i["id"] == "ana-renewal")
    item["subject"] = "Renamed by hand"  # and the version left as it was
    (example_dir / "edited.json").write_text(json.dumps(document, indent=4), encoding="utf-8")
    files = [str(example_dir / "synced.json"), str(example_dir / "edited.json")]

    code, out, err = run(capsys, "plan", *files, "--settings", settings_path)
    assert (code, err) == (0, "")
    assert "STALE_VERSION  ana@acme.example  item ana-renewal" in out
    assert "its subject changed" in " ".join(out.split())
    code, out, _ = run(capsys, "explain", "ana-renewal", *files, "--settings", settings_path)
    assert code == 0
    assert "in sync" in out  # what the planner decided, and next to it, why that is wrong
    assert "STALE_VERSION" in out


def test_swapped_snapshots_are_one_error_line(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, after = str(example_dir / "before.json"), str(example_dir / "after.json")
    settings = str(example_dir / "settings.json")
    line = one_error(*run(capsys, "plan", after, before, "--settings", settings))
    assert "older than BEFORE" in line
    assert "swapped" in line
    # One snapshot twice is no swap: time stood still, and nothing is to do.
    code, _, err = run(capsys, "plan", after, after, "--settings", settings)
    assert (code, err) == (0, "")


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"calsync {cs.__version__}\n")


def test_python_m_calsync_core_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "calsync_core", "plan", "--example", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert cs.loads(done.stdout, cs.Plan).actions


def test_a_dash_reads_a_snapshot_from_standard_input(
    example_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = str(example_dir / "settings.json")
    _, from_file, _ = run(capsys, "plan", str(example_dir / "after.json"), "--settings", settings)
    with (example_dir / "after.json").open("rb") as stdin:
        monkeypatch.setattr("sys.stdin", type("Stdin", (), {"buffer": stdin})())
        code, from_stdin, err = run(capsys, "plan", "-", "--settings", settings)
    assert (code, err) == (0, "")
    assert from_stdin == from_file


def test_bad_json_on_standard_input_is_named_stdin(
    example_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (example_dir / "bad.json").write_text('{"as_of": ', encoding="utf-8")
    settings = str(example_dir / "settings.json")
    with (example_dir / "bad.json").open("rb") as stdin:
        monkeypatch.setattr("sys.stdin", type("Stdin", (), {"buffer": stdin})())
        line = one_error(*run(capsys, "plan", "-", "--settings", settings))
    assert line.startswith("calsync: error: <stdin>: cannot load: invalid JSON at line 1")


def test_standard_input_can_be_only_one_file(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "plan", "-", "-", "--settings", str(example_dir / "settings.json"))
    assert code == 2
    assert "only one of the files can be standard input" in err


def test_an_empty_path_says_it_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    line = one_error(*run(capsys, "plan", "", "--settings", "settings.json"))
    assert line == "calsync: error: a file name is empty (give a path, or - for standard input)"


@pytest.mark.parametrize(
    "argv", [["explain", "ana-renewal", "--example"], ["explain", "--example", "ana-renewal"]]
)
def test_explain_with_the_example_needs_no_snapshot(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert out.startswith('item ana-renewal in ana@acme.example: "Northwind renewal call"')


def test_a_json_syntax_error_names_the_file_once_and_no_placeholder(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = example_dir / "bad.json"
    bad.write_text('{"as_of": \n', encoding="utf-8")
    line = one_error(*run(capsys, "plan", str(bad), "--settings", str(bad)))
    assert line == (
        f"calsync: error: {bad}: cannot load: invalid JSON at line 2 column 1: Expecting value"
    )
    assert "<text>" not in line


def test_an_enum_error_lists_the_valid_values(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = example_dir / "settings.json"
    document = json.loads(path.read_text("utf-8"))
    document["users"][0]["direction"] = "SF_TO_CALENDAR"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    line = one_error(*run(capsys, "plan", "--settings", str(path), str(example_dir / "after.json")))
    assert line.endswith(
        "users[0].direction: 'SF_TO_CALENDAR' is not one of BOTH, TO_SALESFORCE, TO_CALENDAR"
    )


def test_files_written_by_example_plan_as_the_example_does(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Indented for a person, and loads takes any whitespace: the same plan.
    assert (example_dir / "after.json").read_text("utf-8").startswith('{\n  "as_of": ')
    files = [str(example_dir / name) for name in ("before.json", "after.json")]
    _, from_files, _ = run(
        capsys, "plan", "--json", *files, "--settings", str(example_dir / "settings.json")
    )
    _, example, _ = run(capsys, "plan", "--json", "--example")
    assert from_files == example
