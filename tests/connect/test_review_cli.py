"""``calsync sync`` against what people and machines do: typos, locks, Ctrl-C, failed reads.

Every error is one line and the documented exit status, and the state file
is left byte for byte when a run saves nothing (a failed read, a dry run,
Ctrl-C, a second run on the same state, a config error found late).
"""

from __future__ import annotations

import fcntl
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import pytest

import calsync_core as cs
from calsync_core.cli import main
from calsync_core.connect._write import Writer
from calsync_core.testing.loopback import Loopback

from .conftest import DOMAIN, Org
from .test_sync_command import AT, Terminal, config

__all__ = ["config"]


# -- calsync sync ------------------------------------------------------------------------


def _state(config: Path) -> Path:
    return config.parent / "state.sqlite"


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def _one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("path", ["/calendarView/delta", "/query"])
def test_a_failed_read_leaves_the_state_file_byte_for_byte(
    config: Path, loopback: Loopback, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    assert main(["sync", "--config", str(config), *AT]) == 0
    before = _snapshot(_state(config))
    loopback.faults.server_error(path, method="GET", times=50)
    assert main(["sync", "--config", str(config), "--as-of", "2025-03-03T09:05:00+00:00"]) == 3
    _one_line(capsys.readouterr().err)
    assert _snapshot(_state(config)) == before


def test_a_dry_run_leaves_an_existing_state_file_byte_for_byte(
    config: Path, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "--config", str(config), *AT]) == 0
    before = _snapshot(_state(config))
    org.tenant.edit_item(f"ana@{DOMAIN}", org.items["renewal"], subject="Renewal (moved)")
    events = org.tenant.events()
    assert main(["sync", "--config", str(config), "--dry-run",
                 "--as-of", "2025-03-03T09:05:00+00:00"]) == 0  # fmt: skip
    assert _snapshot(_state(config)) == before
    assert org.tenant.events() == events


def test_a_second_run_on_the_same_state_file_is_refused_in_one_line(
    config: Path, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = config.parent / "state.sqlite.lock"
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["sync", "--config", str(config), *AT]) == 2
    err = _one_line(capsys.readouterr().err)
    assert "another calsync sync is running" in err
    assert not [e for e in org.tenant.events() if e.created_by_sync]
    assert main(["sync", "--config", str(config), *AT]) == 0


def test_a_state_file_that_cannot_be_made_is_one_line_and_exit_2(
    config: Path, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    (config.parent / "taken").write_text("a file, not a directory", encoding="utf-8")
    config.write_text(config.read_text().replace('"state.sqlite"', '"taken/state.sqlite"'),
                      encoding="utf-8")  # fmt: skip
    assert main(["sync", "--config", str(config), *AT]) == 2
    _one_line(capsys.readouterr().err)
    assert not [e for e in org.tenant.events() if e.created_by_sync]


def test_ctrl_c_is_one_line_130_and_the_state_untouched(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "--config", str(config), *AT]) == 0
    before = _snapshot(_state(config))

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(Writer, "execute", interrupted)
    capsys.readouterr()
    assert main(["sync", "--config", str(config), "--as-of", "2025-03-03T09:05:00+00:00"]) == 130
    _one_line(capsys.readouterr().err)
    assert _snapshot(_state(config)) == before


_SF_URL = '[salesforce]\ninstance_url = "http://127.0.0.1'


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("concurrency = ", "concurency = "), "config.concurency: unknown key"),
        (("instance_url", "instance_ur1"), "salesforce.instance_ur1: unknown key"),
        (("[graph]", "graph = 3\n[graf]"), "[graph] must be a table"),
        (("settings = ", "mailboxes = []\nsettings = "), "config.mailboxes: empty"),
        (("settings = ", 'mailboxes = "ana@acme.example"\nsettings = '),
         "config.mailboxes: expected a list"),
        (('settings = "settings.json"', "settings = 3"), "config.settings: expected a non-empty"),
        (("settings = ", 'concurrency = "4"\nsettings = '), "config.concurrency: expected a whole"),
        (("settings = ", "concurrency = 0\nsettings = "), "config.concurrency: expected a whole"),
        (('\nurl = "', '\nurl = 8 #"'), "graph.url: expected a non-empty string"),
        (("[salesforce]\n", '[salesforce]\napi_version = "61.0"\n'), "api_version '61.0' is not"),
        (("[salesforce]\n", '[salesforce]\nuid_field = "UID; DELETE"\n'),
         "'UID; DELETE' is not a field API name"),
        ((_SF_URL, '[salesforce]\ninstance_url = "127.0.0.1'),
         "salesforce.instance_url: expected an https:// URL"),
        ((_SF_URL, '[salesforce]\ninstance_url = "http://acme.my.salesforce.com'),
         "salesforce.instance_url: expected an https:// URL"),
    ],
)  # fmt: skip
def test_a_config_mistake_is_named_in_one_line_and_exit_2(
    config: Path, edit: tuple[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = config.read_text()
    if edit[0] == "concurrency = ":
        text = "concurrency = 2\n" + text
    assert edit[0] in text
    config.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    assert main(["sync", "--config", str(config), *AT]) == 2
    assert message in _one_line(capsys.readouterr().err)


def test_a_token_url_in_the_config_is_a_setting_not_a_secret(
    config: Path, monkeypatch: pytest.MonkeyPatch, loopback: Loopback
) -> None:
    asked: list[str] = []

    def post(url: str, data: dict[str, str], timeout: float) -> httpx.Response:
        asked.append(url)
        return httpx.Response(200, json={"access_token": loopback.salesforce_token})

    monkeypatch.setattr(httpx, "post", post)
    monkeypatch.delenv("CALSYNC_SALESFORCE_TOKEN")
    monkeypatch.setenv("CALSYNC_SALESFORCE_CLIENT_SECRET", "s3cret")
    config.write_text(config.read_text() + 'client_id = "app"\n'
                      'token_url = "https://login.example/token"\n', encoding="utf-8")  # fmt: skip
    assert main(["sync", "--config", str(config), "--dry-run", *AT]) == 0
    assert asked == ["https://login.example/token"]


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(200, text="<html>maintenance</html>"), httpx.Response(200, json=["x"]),
     httpx.Response(200, json={"access_token": ""})],
)  # fmt: skip
def test_a_token_endpoint_answer_without_a_token_exits_3_in_one_line(
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: httpx.Response,
) -> None:
    monkeypatch.setattr(httpx, "post", lambda url, data, timeout: answer)
    monkeypatch.delenv("CALSYNC_GRAPH_TOKEN")
    monkeypatch.setenv("CALSYNC_GRAPH_CLIENT_SECRET", "s3cret")
    config.write_text(config.read_text().replace('tenant_id = "acme"',
                      'tenant_id = "acme"\nclient_id = "app-1"'), encoding="utf-8")  # fmt: skip
    assert main(["sync", "--config", str(config), *AT]) == 3
    err = _one_line(capsys.readouterr().err)
    assert "s3cret" not in err
    assert "access_token" in err


def test_relative_paths_are_read_from_the_configs_directory_whatever_the_cwd(
    config: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert main(["sync", "--config", str(config), *AT]) == 0
    assert _state(config).exists()


def test_a_state_file_that_is_not_a_database_is_one_line_and_exit_2(
    config: Path, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    _state(config).write_bytes(b"not a database, but a copied log file\n" * 100)
    assert main(["sync", "--config", str(config), *AT]) == 2
    assert "state.sqlite" in _one_line(capsys.readouterr().err)
    assert not [e for e in org.tenant.events() if e.created_by_sync]


def test_the_state_file_holds_no_token(config: Path, loopback: Loopback) -> None:
    assert main(["sync", "--config", str(config), *AT]) == 0
    kept = _state(config).read_bytes()
    assert loopback.graph_token.encode() not in kept
    assert loopback.salesforce_token.encode() not in kept


def test_ctrl_c_mid_bar_puts_its_line_on_a_line_of_its_own(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def one_wave_then_interrupted(
        self: Writer, actions: Sequence[cs.Action], progress: Callable[[int], None] | None = None
    ) -> object:
        assert progress is not None
        progress(1)
        raise KeyboardInterrupt

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(Writer, "execute", one_wave_then_interrupted)
    assert main(["sync", "--config", str(config), *AT]) == 130
    assert terminal.getvalue().splitlines()[-1] == "calsync: interrupted"


def test_a_config_saved_with_a_byte_order_mark_is_read(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    assert main(["sync", "--config", str(config), "--dry-run", *AT]) == 0


def test_a_state_path_under_home_is_expanded(
    config: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    config.write_text(config.read_text().replace('"state.sqlite"', '"~/state.sqlite"'),
                      encoding="utf-8")  # fmt: skip
    assert main(["sync", "--config", str(config), *AT]) == 0
    assert (home / "state.sqlite").exists()


def test_a_config_error_found_late_leaves_no_state_file_behind(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CALSYNC_SALESFORCE_TOKEN")
    assert main(["sync", "--config", str(config), *AT]) == 2
    assert "CALSYNC_SALESFORCE_TOKEN" in _one_line(capsys.readouterr().err)
    assert sorted(p.name for p in config.parent.iterdir()) == ["settings.json", "sync.toml"]


def test_a_mailbox_that_cannot_be_read_is_named_in_one_line_and_nothing_is_written(
    config: Path, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = cs.UserSettings(email=f"left@{DOMAIN}", sf_user_id="005000000000009AAA")
    settings = cs.OrgSettings(users=(*org.settings.users, gone),
                              company_domains=org.settings.company_domains)  # fmt: skip
    (config.parent / "settings.json").write_text(cs.dumps(settings), encoding="utf-8")
    assert main(["sync", "--config", str(config), *AT]) == 3
    err = _one_line(capsys.readouterr().err)
    assert f"delta of left@{DOMAIN}: HTTP 404" in err
    assert not [e for e in org.tenant.events() if e.created_by_sync]
