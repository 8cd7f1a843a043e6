"""The ``calsync`` command line, run in-process through ``main(argv)``.

The command is the library's only I/O, so these tests pin its contract with
the outside: what it prints for a person, that ``--json`` is exactly the plan,
that files written by ``calsync example`` plan the same as the bundled example,
and that every bad input is one line on stderr with exit status 2.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import TYPE_CHECKING

import attrs
import pytest

import calsync_core as cs
from calsync_core.cli import EXIT_SOFTWARE, main
from calsync_core.cli._example import example_after, example_before, example_settings
from calsync_core.cli._render import Inputs, Text
from cli_helpers import run

if TYPE_CHECKING:
    from pathlib import Path

FILES = ("before.json", "after.json", "settings.json")


def example_plan() -> cs.Plan:
    return cs.reconcile(example_before(), example_after(), example_settings())


@pytest.fixture
def example_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["example", str(tmp_path)]) == 0
    capsys.readouterr()
    return tmp_path


def paths(directory: Path, *names: str) -> list[str]:
    return [str(directory / name) for name in names]


def flat(text: str) -> str:
    """Text with its wrapping undone, to look for a sentence that spans lines."""
    return " ".join(text.split())


# -- calsync plan ----------------------------------------------------------------------


def test_plan_example_prints_summary_actions_issues_and_decisions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "plan", "--all", "--example")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Plan as of 2026-11-24 09:00 UTC: 19 actions, 4 issues")
    for section in ("Summary", "Actions", "Issues", "Decisions"):
        assert section in lines
    assert lines.index("Summary") < lines.index("Actions")
    for word in (
        "CreateEvent",
        "UpdateEvent",
        "CreateItem",
        "SetCategories",
        "UNRESOLVED_PARTICIPANTS",
        "ALL_DAY_TOO_LONG",
        "ISE_013",
        "WAITING_FOR_ORGANIZER",
        "[R-WAIT-ORGANIZER]",
        "[R-INTERNAL]",
        "[R-BLOCKLIST]",
        "[R-WINDOW]",
    ):
        assert word in out
    # Decisions are grouped by mailbox, under the item they are about, named as in AFTER.
    decisions = lines[lines.index("Decisions") :]
    assert decisions.index("  ana@acme.example") < decisions.index("  ben@acme.example")
    assert '    Thu 2026-11-26 15:00  item ana-renewal "Northwind renewal call"' in decisions


def test_plan_text_fits_a_100_column_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "plan", "--example")
    assert max(len(line) for line in out.splitlines()) <= 100


def test_plan_names_what_this_plan_creates_by_its_action_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "plan", "--example")
    (n,) = (
        n
        for n, a in enumerate(example_plan().actions, 1)
        if isinstance(a, cs.CreateEvent) and a.source_item_id == "ana-renewal"
    )
    assert f'{n}. CreateEvent "Northwind renewal call"' in out
    stamp = (
        f"UpdateItem ana-renewal in ana@acme.example: sf_event_id none -> the event created by #{n}"
    )
    assert stamp in flat(out)
    # Nor does a decision's note show the ref: the planner's placeholder stays inside.
    assert "new-event:" not in out
    assert "invitee of the organizer's event (created by #1)" in flat(out)


def test_plan_json_is_exactly_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "--example", "--json")
    assert (code, err) == (0, "")
    plan = example_plan()
    assert out == cs.dumps(plan) + "\n"
    assert cs.loads(out, cs.Plan) == plan


def test_plan_of_example_files_is_the_example_plan(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, after, settings = paths(example_dir, *FILES)
    _, from_files, _ = run(capsys, "plan", before, after, "--settings", settings, "--json")
    _, bundled, _ = run(capsys, "plan", "--example", "--json")
    assert from_files == bundled


def test_plan_with_one_snapshot_is_a_first_run(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    after, settings = paths(example_dir, "after.json", "settings.json")
    code, out, _ = run(capsys, "plan", after, "--settings", settings, "--json")
    assert code == 0
    assert cs.loads(out, cs.Plan) == cs.reconcile(None, example_after(), example_settings())
    _, text, _ = run(capsys, "plan", after, "--settings", settings)
    assert "First run" in text


def test_plan_exits_0_even_when_the_plan_has_issues(capsys: pytest.CaptureFixture[str]) -> None:
    assert example_plan().issues
    code, _, _ = run(capsys, "plan", "--example")
    assert code == 0


# -- calsync explain -------------------------------------------------------------------


def test_explain_shows_decisions_issues_and_rule_sentences(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "explain", "ana-globex-intro", "--example")
    assert (code, err) == (0, "")
    assert "UNRESOLVED_PARTICIPANTS" in out
    assert flat(cs.RULES["R-NOT-LINKED"].sentence) in flat(out)
    assert "Northwind renewal call" not in out  # only this item


def test_explain_an_event_from_files(example_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after, settings = paths(example_dir, *FILES)
    code, out, _ = run(
        capsys, "explain", "00U000000000001AAA", before, after, "--settings", settings
    )
    assert code == 0
    assert "UpdateEvent 00U000000000001AAA" in out
    assert flat(cs.RULES["R-UPDATE"].sentence) in flat(out)


def test_explain_unknown_id_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", "no-such-item", "--example")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "no item or event 'no-such-item'" in err


# -- calsync example -------------------------------------------------------------------


def test_example_writes_the_three_documents_indented_for_a_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new" / "dir"
    code, out, _ = run(capsys, "example", str(target))
    assert code == 0
    assert out.splitlines() == paths(target, *FILES)
    assert cs.loads((target / "before.json").read_text("utf-8"), cs.Snapshot) == example_before()
    assert cs.loads((target / "after.json").read_text("utf-8"), cs.Snapshot) == example_after()
    settings = (target / "settings.json").read_text("utf-8")
    assert settings.startswith('{\n  "advanced_calendaring": false,\n')
    assert json.loads(settings) == json.loads(cs.dumps(example_settings()))


def test_example_never_overwrites_without_force(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (example_dir / "after.json").write_text("edited", encoding="utf-8")
    code, _, err = run(capsys, "example", str(example_dir))
    assert code == 2
    assert "already exists" in err
    assert (example_dir / "after.json").read_text("utf-8") == "edited"
    assert run(capsys, "example", str(example_dir), "--force")[0] == 0
    assert (example_dir / "after.json").read_text("utf-8") != "edited"


# -- bad input: one line on stderr, status 2 ---------------------------------------------


def assert_one_error_line(code: int, out: str, err: str, where: str) -> None:
    assert (code, out) == (2, "")
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert err.startswith(f"calsync: error: {where}: ")
    assert "Traceback" not in err


def test_missing_file(example_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(example_dir / "missing.json")
    settings = str(example_dir / "settings.json")
    code, out, err = run(capsys, "plan", missing, "--settings", settings)
    assert_one_error_line(code, out, err, missing)


def test_directory_instead_of_file(example_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = str(example_dir / "settings.json")
    code, out, err = run(capsys, "plan", str(example_dir), "--settings", settings)
    assert_one_error_line(code, out, err, str(example_dir))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"as_of": ', "invalid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"as_of": "2026-11-24T09:00:00"}', "as_of: naive datetime"),
    ],
    ids=["invalid-json", "not-utf8", "naive-datetime"],
)
def test_bad_snapshot(
    example_dir: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    bad = example_dir / "bad.json"
    bad.write_bytes(content)
    code, out, err = run(capsys, "plan", str(bad), "--settings", str(example_dir / "settings.json"))
    assert_one_error_line(code, out, err, str(bad))
    assert reason in err


def test_naive_datetime_deep_in_a_document(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    after = example_dir / "after.json"
    document = json.loads(after.read_text("utf-8"))
    document["items"][2]["start"] = "2026-12-02T11:00:00"
    after.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run(
        capsys,
        "plan",
        *paths(example_dir, "before.json", "after.json"),
        "--settings",
        str(example_dir / "settings.json"),
    )
    assert_one_error_line(code, out, err, str(after))
    assert "items[2].start: naive datetime" in err


def test_several_problems_show_the_first_and_a_count(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = example_dir / "bad.json"
    bad.write_text('{"as_of": "2026-11-24T09:00:00", "items": 3, "colour": 1}', encoding="utf-8")
    code, out, err = run(capsys, "plan", str(bad), "--settings", str(example_dir / "settings.json"))
    assert_one_error_line(code, out, err, str(bad))
    assert "(+2 more)" in err


def test_settings_with_two_users_of_one_address(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = example_dir / "settings.json"
    document = json.loads(settings.read_text("utf-8"))
    document["users"][1]["email"] = document["users"][0]["email"]
    settings.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run(
        capsys, "plan", str(example_dir / "after.json"), "--settings", str(settings)
    )
    assert_one_error_line(code, out, err, str(settings))
    assert "invalid settings" in err


def test_a_lone_surrogate_in_a_file_is_bad_input(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    after = example_dir / "after.json"
    document = json.loads(after.read_text("utf-8"))
    document["items"][0]["subject"] = "Renewal \ud800"
    after.write_text(json.dumps(document), encoding="utf-8")  # the escape: valid JSON text
    settings = str(example_dir / "settings.json")
    item_id = document["items"][0]["id"]
    for argv in (["plan", "--json"], ["explain", item_id]):
        code, out, err = run(capsys, *argv, str(after), "--settings", settings)
        assert_one_error_line(code, out, err, str(after))
        assert "items[0].subject: not valid Unicode (lone surrogate \\ud800)" in err


def test_a_document_with_many_problems_shows_the_first_and_counts_them_all(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = example_dir / "bad.json"
    bad.write_text('{"as_of": "2026-11-24T09:00:00Z", "items": [' + ",".join(["{}"] * 1000) + "]}")
    code, out, err = run(capsys, "plan", str(bad), "--settings", str(example_dir / "settings.json"))
    assert_one_error_line(code, out, err, str(bad))
    assert "cannot load: items[0].id: required field missing (+4999 more)" in err


@pytest.mark.parametrize("command", [["plan"], ["plan", "--json"], ["explain", "ana-renewal"]])
def test_settings_the_planner_refuses_are_bad_input(
    example_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    def refuse(*_: object, **__: object) -> cs.Plan:
        raise cs.SettingsError(["past_days: 1000000 is out of range"])

    monkeypatch.setattr("calsync_core.cli._command.reconcile", refuse)
    settings = str(example_dir / "settings.json")
    code, out, err = run(capsys, *command, str(example_dir / "after.json"), "--settings", settings)
    assert_one_error_line(code, out, err, settings)
    assert "invalid settings: past_days: 1000000 is out of range" in err


# -- a bug: one line on stderr, status 70 ------------------------------------------------


@pytest.mark.parametrize("command", [["plan"], ["plan", "--json"], ["explain", "ana-renewal"]])
def test_an_internal_error_is_one_line_and_exit_70(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    def overflow(*_: object, **__: object) -> cs.Plan:
        raise OverflowError("date value out of range")

    monkeypatch.setattr("calsync_core.cli._command.reconcile", overflow)
    code, out, err = run(capsys, *command, "--example")
    assert (code, out) == (EXIT_SOFTWARE, "")
    assert err.count("\n") == 1, err
    assert err.startswith("calsync: internal error: OverflowError: date value out of range (")
    assert "bug in calsync_core" in err
    assert "report" in err
    assert "Traceback" not in err


def test_an_internal_error_message_stays_one_short_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_: object, **__: object) -> cs.Plan:
        raise ValueError("first\nsecond \x1b[2J" + "x" * 10_000)

    monkeypatch.setattr("calsync_core.cli._command.reconcile", fail)
    code, _, err = run(capsys, "plan", "--example")
    assert code == EXIT_SOFTWARE
    assert err.count("\n") == 1
    assert "ValueError: first second ?[2Jxxx" in err
    assert "\x1b" not in err
    assert len(err) < 500


# -- output never fails on encoding ------------------------------------------------------


def _example_with_subject(subject: str) -> cs.Snapshot:
    after = example_after()
    items = tuple(
        attrs.evolve(i, subject=subject) if i.id == "ana-renewal" else i for i in after.items
    )
    return attrs.evolve(after, items=items)


def test_a_surrogate_built_in_python_never_crashes_the_text_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files cannot carry one (loads refuses it), but values built in Python can.
    monkeypatch.setattr(
        "calsync_core.cli._command.example_after", lambda: _example_with_subject("Renewal \ud800")
    )
    for argv in (["plan", "--example"], ["explain", "ana-renewal", "--example"]):
        code, out, err = run(capsys, *argv)
        assert (code, err) == (0, ""), argv
        assert '"Renewal ?"' in out
    code, out, err = run(capsys, "explain", "ana-renewal", "--example")
    assert out.splitlines()[0] == 'item ana-renewal in ana@acme.example: "Renewal ?"'


def test_plan_json_of_a_surrogate_built_in_python_is_an_internal_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "calsync_core.cli._command.example_after", lambda: _example_with_subject("Renewal \ud800")
    )
    code, out, err = run(capsys, "plan", "--example", "--json")
    assert (code, out) == (EXIT_SOFTWARE, "")
    assert err.count("\n") == 1
    assert "internal error: DumpError: cannot dump: actions[" in err
    assert "subject: not valid Unicode (lone surrogate \\ud800)" in err


def test_a_path_that_is_not_utf8_is_written_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file name of bytes that are not UTF-8 reaches Python as lone surrogates.
    odd = tmp_path / "caf\udce9"
    code, out, err = run(capsys, "example", str(odd))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"{tmp_path}/caf\\udce9/before.json"
    code, out, err = run(capsys, "plan", str(odd / "missing.json"), "--settings", "s.json")
    assert (code, out) == (2, "")
    assert err.startswith(f"calsync: error: {tmp_path}/caf\\udce9/missing.json: cannot read")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "--example", "after.json"],
        ["plan", "--example", "--settings", "settings.json"],
        ["plan", "after.json"],
        ["plan", "a.json", "b.json", "c.json", "--settings", "s.json"],
        ["plan", "--settings", "s.json"],
        ["explain", "--example"],
        ["frobnicate"],
        [],
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert "usage:" in err
    assert "Traceback" not in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "--help")
    assert code == 0
    assert "calsync plan [BEFORE] AFTER --settings SETTINGS" in out


# -- the example organisation ------------------------------------------------------------


def test_example_shows_what_its_docstring_says() -> None:
    """Each item's first decision, as listed in calsync_core.cli._example's docstring."""
    first: dict[str, tuple[str, str]] = {}
    for decision in example_plan().decisions:
        first.setdefault(decision.ref, (decision.outcome, decision.rule))
    assert first == {
        "ana-renewal": ("save", "R-AUTOSAVE-MEETING"),
        "ana-team-sync": ("skip", "R-INTERNAL"),
        "ben-proposal-prep": ("save", "R-AUTOSAVE-APPOINTMENT"),
        "ana-focus-time": ("skip", "R-AUTOSAVE-APPOINTMENT"),
        "ben-doctor": ("skip", "R-PRIVATE"),
        "dev-pricing-review": ("save", "R-PRIVATE"),
        "ana-globex-intro": ("wait", "R-NOT-LINKED"),
        "ana-escalation": ("save", "R-AUTOSAVE-MEETING"),
        "dev-escalation": ("invitee", "R-WAIT-ORGANIZER"),
        "chloe-planning": ("skip", "R-AUTOSAVE-MEETING"),
        "ben-planning": ("wait", "R-WAIT-ORGANIZER"),
        "ben-northwind-rollout": ("skip", "R-LIMIT-ALLDAY"),
        "chloe-contoso-qbr": ("skip", "R-UNRESPONDED"),
        "chloe-fabrikam-discovery": ("skip", "R-AUTOSAVE-MEETING"),
        "ana-northwind-kickoff": ("skip", "R-WINDOW"),
        "dev-coffee-frank": ("skip", "R-BLOCKLIST"),
        "dev-contoso-workshop": ("update", "R-UPDATE"),
        "00U000000000001AAA": ("update", "R-UPDATE"),
        "00U000000000002AAA": ("create", "R-DOWN-CREATE"),
    }


def test_example_links_the_customer_meeting_and_keeps_the_private_one_bare() -> None:
    created = {a.source_item_id: a for a in example_plan().actions if isinstance(a, cs.CreateEvent)}
    renewal, private = created["ana-renewal"], created["dev-pricing-review"]
    assert (renewal.who_ids, renewal.what_ids) == (("003000000000001AAA",), ("001000000000001AAA",))
    assert private.is_private
    assert (private.who_ids, private.what_ids, private.invitee_ids) == ((), (), ())


def test_example_updates_the_linked_event_with_what_changed() -> None:
    (update,) = (
        a for a in example_plan().actions if isinstance(a, cs.UpdateEvent) and a.rule == "R-UPDATE"
    )
    assert update.event_id == "00U000000000001AAA"
    assert [c.field for c in update.changes] == ["subject", "location"]


def test_example_creates_an_item_for_the_call_logged_in_salesforce() -> None:
    plan = example_plan()
    (create,) = (a for a in plan.actions if isinstance(a, cs.CreateItem))
    assert (create.mailbox, create.sf_event_id) == ("ben@acme.example", "00U000000000002AAA")
    (stamp,) = (
        a for a in plan.actions if isinstance(a, cs.UpdateEvent) and a.rule == "R-DOWN-CREATE"
    )
    assert stamp.changes[0].new == create.ical_uid
    assert plan.actions.index(create) < plan.actions.index(stamp)


def test_example_plan_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "plan", "--example", "--json")
    _, second, _ = run(capsys, "plan", "--example", "--json")
    assert first == second


def test_example_plan_ignores_input_order(
    example_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    after = example_dir / "after.json"
    document = json.loads(after.read_text("utf-8"))
    for key in ("items", "events", "records"):
        document[key].reverse()
    after.write_text(json.dumps(document), encoding="utf-8")
    _, shuffled, _ = run(
        capsys,
        "plan",
        *paths(example_dir, *FILES[:2]),
        "--settings",
        str(example_dir / "settings.json"),
        "--json",
    )
    assert shuffled == cs.dumps(example_plan()) + "\n"


def test_example_before_is_converged() -> None:
    before = example_before()
    assert cs.reconcile(before, before, example_settings()).actions == ()


def test_example_converges_after_its_plan_is_applied() -> None:
    settings = example_settings()
    s2 = cs.apply(example_after(), example_plan())
    assert cs.reconcile(s2, s2, settings).actions == ()


# -- as a program ------------------------------------------------------------------------


def test_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "calsync_core.cli", "plan", "--example"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[0].startswith("Plan as of")


# -- rendering ---------------------------------------------------------------------------


def test_control_characters_from_a_calendar_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    after = example_after()
    item = next(i for i in after.items if i.id == "ana-team-sync")
    hostile = attrs.evolve(item, subject="\x1b[2J\x1b[31mWeekly sync\x07")
    after = attrs.evolve(after, items=(*(i for i in after.items if i is not item), hostile))
    (tmp_path / "after.json").write_text(cs.dumps(after), encoding="utf-8")
    (tmp_path / "settings.json").write_text(cs.dumps(example_settings()), encoding="utf-8")
    after_path, settings_path = paths(tmp_path, "after.json", "settings.json")
    code, out, _ = run(capsys, "plan", "--all", after_path, "--settings", settings_path)
    assert code == 0
    assert "\x1b" not in out
    assert "\x07" not in out
    assert '"?[2J?[31mWeekly sync?"' in out


def test_every_kind_of_action_renders_on_its_own_numbered_entry() -> None:
    now = example_after().as_of
    ref = "new-event:005000000000001AAA:uid-1"
    actions: list[cs.Action] = [
        cs.CreateRecord(
            ref="new-record:contact:x@y.example",
            kind=cs.RecordKind.CONTACT,
            email="x@y.example",
            name="X Y",
            rule="R-AUTO-CREATE",
        ),
        cs.CreateEvent(
            ref=ref,
            owner_id="005000000000001AAA",
            ical_uid="uid-1",
            start=now,
            end=now,
            subject="S",
            description="",
            location="",
            is_all_day=False,
            is_private=False,
            who_ids=("new-record:contact:x@y.example",),
            what_ids=(),
            invitee_ids=("005000000000002AAA",),
            recurrence=None,
            source_item_id="i1",
            rule="R-AUTOSAVE-MEETING",
        ),
        cs.UpdateEvent(
            event_id="00U1",
            rule="R-UPDATE",
            changes=(
                cs.FieldChange(field="is_all_day", old=False, new=True),
                cs.FieldChange(field="start", old=now, new=now + dt.timedelta(hours=1)),
            ),
        ),
        cs.DeleteEvent(event_id="00U2", rule="R-UNSYNC"),
        cs.CreateItem(
            ref="new-item:1",
            mailbox="ana@acme.example",
            ical_uid="uid-2",
            start=now,
            end=now + dt.timedelta(days=1),
            subject="From Salesforce",
            body="",
            location="",
            is_all_day=True,
            sensitivity=cs.Sensitivity.NORMAL,
            categories=frozenset({"Salesforce"}),
            sf_event_id="00U3",
            rule="R-DOWN-CREATE",
        ),
        cs.UpdateItem(
            mailbox="ana@acme.example",
            item_id="i1",
            rule="R-AUTOSAVE-MEETING",
            changes=(cs.FieldChange(field="sf_event_id", old=None, new=ref),),
        ),
        cs.DeleteItem(mailbox="ana@acme.example", item_id="i2", rule="R-DOWN-DELETE"),
        cs.SetCategories(
            mailbox="ana@acme.example",
            item_id="i1",
            add=frozenset({"Salesforce"}),
            remove=frozenset({"Sync Error"}),
            rule="R-CATEGORIES",
        ),
        cs.SaveAttachment(
            event_id=ref,
            rule="R-ATTACHMENTS",
            attachment=cs.Attachment(id="a1", name="deck.pdf", size=123456),
        ),
    ]
    plan = cs.Plan(actions=actions)
    inputs = Inputs(None, example_after(), example_settings(), "after.json", "settings.json")
    lines = Text(inputs, plan).actions(enumerate(plan.actions, 1))
    text = flat("\n".join(lines))
    for n, action in enumerate(actions, 1):
        assert f"{n}. {type(action).__name__} " in text
    assert "who the record created by #1" in text
    assert "sf_event_id none -> the event created by #2" in text
    assert "(123,456 bytes) to the event created by #2" in text
    assert "invitees ben@acme.example" in text
    assert 'add "Salesforce", remove "Sync Error"' in text
    assert "is_all_day no -> yes; start 2026-11-24 09:00 -> 2026-11-24 10:00" in text
    assert "Tue 2026-11-24, all day, categories Salesforce, from event 00U3" in text
