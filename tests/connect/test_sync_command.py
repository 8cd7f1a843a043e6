"""``calsync sync`` end to end: a TOML config, tokens from the environment, the loopback server."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import httpx
import pytest

import calsync_core as cs
from calsync_core.cli import main
from calsync_core.testing.loopback import Loopback

from .conftest import AS_OF, Org

AT = ["--as-of", AS_OF.isoformat()]


@pytest.fixture
def config(tmp_path: Path, loopback: Loopback, org: Org, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "settings.json").write_text(cs.dumps(org.settings), encoding="utf-8")
    path = tmp_path / "sync.toml"
    path.write_text(
        'settings = "settings.json"\nstate = "state.sqlite"\n\n'
        f'[graph]\ntenant_id = "acme"\nurl = "{loopback.graph_url}"\n\n'
        f'[salesforce]\ninstance_url = "{loopback.salesforce_url}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CALSYNC_GRAPH_TOKEN", loopback.graph_token)
    monkeypatch.setenv("CALSYNC_SALESFORCE_TOKEN", loopback.salesforce_token)
    return path


def test_sync_runs_a_session_saves_the_state_and_exits_0(
    config: Path, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "--config", str(config), *AT]) == 0
    out = capsys.readouterr().out
    assert out.startswith("planned: 8 actions")
    assert "done: 8, failed: 0, skipped: 0" in out
    assert (config.parent / "state.sqlite").exists()
    assert len([e for e in org.tenant.events() if e.created_by_sync]) == 2
    assert main(["sync", "--config", str(config), "--as-of", "2025-03-03T09:05:00+00:00"]) == 0


def test_a_dry_run_prints_the_plan_and_leaves_server_and_state_alone(
    config: Path, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    events = org.tenant.events()
    assert main(["sync", "--config", str(config), "--dry-run", *AT]) == 0
    out = capsys.readouterr().out
    assert "  CreateEvent R-AUTOSAVE-MEETING" in out
    assert "dry run: nothing was written, nothing saved" in out
    assert org.tenant.events() == events
    assert not (config.parent / "state.sqlite").exists()


def test_failed_actions_exit_1_and_are_listed(
    config: Path, loopback: Loopback, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.faults.server_error("/events/", method="PATCH", times=1)
    assert main(["sync", "--config", str(config), *AT]) == 1
    assert "  failed: UpdateItem R-AUTOSAVE-MEETING" in capsys.readouterr().out


def test_a_secret_in_the_config_is_refused_in_one_line(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(config.read_text() + 'client_secret = "hunter2"\n', encoding="utf-8")
    assert main(["sync", "--config", str(config), *AT]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "salesforce.client_secret: secrets are read from the environment" in err
    assert "hunter2" not in err


def test_a_missing_token_is_a_usage_error_naming_the_variables(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CALSYNC_GRAPH_TOKEN")
    assert main(["sync", "--config", str(config), *AT]) == 2
    assert "set CALSYNC_GRAPH_TOKEN, or CALSYNC_GRAPH_CLIENT_SECRET" in capsys.readouterr().err


def test_a_refused_token_exits_3_and_saves_nothing(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CALSYNC_SALESFORCE_TOKEN", "wrong")
    assert main(["sync", "--config", str(config), *AT]) == 3
    err = capsys.readouterr().err
    assert err.startswith("calsync: error: PermanentError: ")
    assert "401" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("settings = [", "not a TOML file"),
        ('settings = "settings.json"\n', "[graph] is missing"),
    ],
)
def test_a_bad_config_is_one_line_and_exit_2(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sync.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["sync", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_mailboxes_in_the_config_limit_the_sync_to_those_users(
    config: Path, org: Org, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text('mailboxes = ["Ana@acme.example"]\n' + config.read_text(), encoding="utf-8")
    assert main(["sync", "--config", str(config), "--dry-run", *AT]) == 0
    out = capsys.readouterr().out
    assert "cy@acme.example" not in out
    assert "ana@acme.example" in out


def test_an_unknown_mailbox_in_the_config_is_refused(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text('mailboxes = ["zed@acme.example"]\n' + config.read_text(), encoding="utf-8")
    assert main(["sync", "--config", str(config), *AT]) == 2
    assert "zed@acme.example is no user of the settings" in capsys.readouterr().err


def test_without_a_token_the_client_secret_fetches_one_by_client_credentials(
    config: Path, monkeypatch: pytest.MonkeyPatch, loopback: Loopback
) -> None:
    asked: list[tuple[str, dict[str, str]]] = []

    def post(url: str, data: dict[str, str], timeout: float) -> httpx.Response:
        asked.append((url, data))
        return httpx.Response(200, json={"access_token": loopback.graph_token})

    monkeypatch.setattr(httpx, "post", post)
    monkeypatch.delenv("CALSYNC_GRAPH_TOKEN")
    monkeypatch.setenv("CALSYNC_GRAPH_CLIENT_SECRET", "s3cret")
    config.write_text(
        config.read_text().replace('tenant_id = "acme"', 'tenant_id = "acme"\nclient_id = "app-1"'),
        encoding="utf-8",
    )
    assert main(["sync", "--config", str(config), "--dry-run", *AT]) == 0
    assert asked == [(
        "https://login.microsoftonline.com/acme/oauth2/v2.0/token",
        {"grant_type": "client_credentials", "client_id": "app-1", "client_secret": "s3cret",
         "scope": "https://graph.microsoft.com/.default"},
    )]  # fmt: skip


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_bar_on_stderr(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["sync", "--config", str(config), *AT]) == 0
    shown = terminal.getvalue()
    assert shown.endswith("] 8/8 actions\n")
    assert shown.count("\r") >= 2  # one update per wave, drawn over the last


def test_a_log_gets_no_progress_bar(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--config", str(config), *AT]) == 0
    assert capsys.readouterr().err == ""


def test_without_httpx_the_command_names_the_connect_extra_in_one_line(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A plain `pip install .` has no httpx: the connector cannot be imported.
    monkeypatch.setitem(sys.modules, "httpx", None)
    for name in [n for n in sys.modules if n.startswith("calsync_core.connect")]:
        monkeypatch.delitem(sys.modules, name)

    assert main(["sync", "--config", str(config), *AT]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install '.[connect]'" in err
    assert not (config.parent / "state.sqlite").exists()
