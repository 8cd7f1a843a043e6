"""The connector and ``calsync sync`` against what real tenants, servers and people do.

Tokens that fail, links that loop or point elsewhere, addresses and ids
with the characters real ones hold, configs with typos, two runs at once, a
read that fails, Ctrl-C: each is a test of one guarantee (no duplicate, no
lost edit, no foreign deletion, no secret shown, nothing saved by a failed
read, one line per error).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import pytest

import calsync_core as cs
from calsync_core.cli import main
from calsync_core.connect import Connector, TokenSource
from calsync_core.connect._http import Answer
from calsync_core.connect._write import Writer
from calsync_core.ports import PermanentError, TransientError
from calsync_core.testing.fakes import MemoryStateStore
from calsync_core.testing.loopback import Loopback, Tenant

from .conftest import AS_OF, DOMAIN, Org, connect, meeting, seed
from .test_sync_command import AT, Terminal
from .test_sync_command import config as config
from .test_transport import Script, closing, connector

__all__ = ["closing", "config"]


def _page(**more: object) -> httpx.Response:
    return httpx.Response(200, json={"value": [], **more})


# -- tokens ------------------------------------------------------------------------------


def _graph_with(token: TokenSource, script: Script) -> Connector:
    return Connector(
        graph_token=token,
        salesforce_url="https://acme.my.salesforce.com",
        salesforce_token=lambda: "sf",
        transport=httpx.MockTransport(script),
    )


def test_a_token_source_that_raises_is_a_permanent_error_that_shows_no_secret(
    closing: list[Connector],
) -> None:
    def broken() -> str:
        raise KeyError("client_secret=hunter2")

    script = Script(httpx.Response(200, json={}))
    closing.append(c := _graph_with(broken, script))
    with pytest.raises(PermanentError, match="token") as raised:
        c.graph.endpoint.send("GET", "me", safe=True)
    assert "hunter2" not in str(raised.value)
    assert script.requests == []


@pytest.mark.parametrize("token", ["", "  \n"])
def test_an_empty_token_is_a_permanent_error_and_nothing_is_sent(
    closing: list[Connector], token: str
) -> None:
    script = Script(httpx.Response(200, json={}))
    closing.append(c := _graph_with(lambda: token, script))
    with pytest.raises(PermanentError, match="no token"):
        c.graph.endpoint.send("GET", "me", safe=True)
    assert script.requests == []


def test_a_token_with_a_trailing_new_line_is_sent_without_it(closing: list[Connector]) -> None:
    script = Script(httpx.Response(200, json={}))
    closing.append(c := _graph_with(lambda: "abc\n", script))
    assert c.graph.endpoint.send("GET", "me", safe=True).status == 200
    assert script.requests[0].headers["Authorization"] == "Bearer abc"


# -- links -------------------------------------------------------------------------------


def test_a_next_link_to_another_host_is_refused_and_the_token_never_goes_there(
    closing: list[Connector],
) -> None:
    script = Script(_page(**{"@odata.nextLink": "https://evil.example/collect?$skiptoken=1"}))
    closing.append(c := connector(script))
    with pytest.raises(PermanentError, match=r"evil\.example"):
        c.graph.round("a@acme.example", None, *_window())
    assert [r.url.host for r in script.requests] == ["graph.microsoft.com"]


def test_a_next_records_url_to_another_host_is_refused(closing: list[Connector]) -> None:
    page = {"totalSize": 2, "done": False, "records": [],
            "nextRecordsUrl": "http://evil.example/services/data/v61.0/query/01g-2"}  # fmt: skip
    script = Script(httpx.Response(200, json=page))
    closing.append(c := connector(script))
    with pytest.raises(PermanentError, match=r"evil\.example"):
        c.salesforce.query("SELECT Id FROM Contact")
    assert len(script.requests) == 1


def test_a_delta_next_link_that_repeats_is_an_error_not_an_endless_loop(
    closing: list[Connector],
) -> None:
    loop = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta?$skiptoken=same"
    script = Script(*[_page(**{"@odata.nextLink": loop}) for _ in range(5)])
    closing.append(c := connector(script))
    with pytest.raises(TransientError, match="came back"):
        c.graph.round("a@acme.example", None, *_window())
    assert len(script.requests) == 2


def test_a_query_whose_next_records_url_repeats_is_an_error_not_an_endless_loop(
    closing: list[Connector],
) -> None:
    page = {"totalSize": 9, "done": False, "records": [{"Id": "003A"}],
            "nextRecordsUrl": "/services/data/v61.0/query/01g-2000"}  # fmt: skip
    script = Script(*[httpx.Response(200, json=page) for _ in range(5)])
    closing.append(c := connector(script))
    with pytest.raises(TransientError, match="came back"):
        c.salesforce.query("SELECT Id FROM Contact")
    assert len(script.requests) == 2


def test_empty_pages_between_full_ones_are_followed_to_the_delta_link(
    closing: list[Connector],
) -> None:
    root = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta"
    script = Script(
        _page(**{"@odata.nextLink": f"{root}?$skiptoken=1"}),
        _page(**{"@odata.nextLink": f"{root}?$skiptoken=2"}),
        _page(**{"@odata.deltaLink": f"{root}?$deltatoken=3"}),
    )
    closing.append(c := connector(script))
    found = c.graph.round("a@acme.example", None, *_window())
    assert found.items == ()
    assert found.link.endswith("$deltatoken=3")


def test_a_delta_link_kept_for_another_graph_root_is_read_afresh_not_sent_there(
    closing: list[Connector],
) -> None:
    root = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta"
    script = Script(_page(**{"@odata.deltaLink": f"{root}?$deltatoken=new"}))
    closing.append(c := connector(script))
    found = c.graph.round("a@acme.example", "https://graph.microsoft.us/v1.0/x?$deltatoken=old",
                          *_window())  # fmt: skip
    assert found.resync
    assert [r.url.host for r in script.requests] == ["graph.microsoft.com"]
    assert "startDateTime=" in str(script.requests[0].url)


def test_a_next_link_that_expires_mid_round_starts_the_round_afresh(
    closing: list[Connector],
) -> None:
    root = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta"
    gone = {"error": {"code": "syncStateNotFound", "message": "expired"}}
    script = Script(
        _page(**{"@odata.nextLink": f"{root}?$skiptoken=1"}),
        httpx.Response(410, json=gone),
        _page(**{"@odata.deltaLink": f"{root}?$deltatoken=2"}),
    )
    closing.append(c := connector(script))
    found = c.graph.round("a@acme.example", None, *_window())
    assert found.resync
    assert found.link.endswith("$deltatoken=2")
    assert "startDateTime=" in str(script.requests[2].url)


def test_a_410_on_every_fresh_start_is_transient_and_ends(closing: list[Connector]) -> None:
    gone = {"error": {"code": "syncStateNotFound", "message": "expired"}}
    script = Script(*[httpx.Response(410, json=gone) for _ in range(5)])
    closing.append(c := connector(script))
    kept = "https://graph.microsoft.com/v1.0/users/a/calendarView/delta?$deltatoken=old"
    with pytest.raises(TransientError, match="410"):
        c.graph.round("a@acme.example", kept, *_window())
    assert len(script.requests) == 3


# -- Retry-After -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("7", 7.0), ("-3", None), ("2.5", 2.5), ("1e999", None), ("nan", None), ("soon", None),
     ("Sun, 06 Dec 2026 10:00:30 GMT", 30.0), ("Sun, 06 Dec 2026 09:59:00 GMT", 0.0)],
)  # fmt: skip
def test_retry_after_is_seconds_or_an_http_date_against_the_answers_date(
    value: str, seconds: float | None
) -> None:
    headers = {"retry-after": value, "date": "Sun, 06 Dec 2026 10:00:00 GMT"}
    assert Answer(status=429, headers=headers, body=None).retry_after() == seconds


def test_retry_after_as_an_http_date_without_a_date_counts_from_this_machines_clock() -> None:
    past = Answer(status=503, headers={"retry-after": "Sat, 01 Jan 2000 00:00:00 GMT"}, body=None)
    assert past.retry_after() == 0.0
    later = Answer(status=503, headers={"retry-after": "Fri, 01 Jan 2100 00:00:00 GMT"}, body=None)
    assert (later.retry_after() or 0.0) > 365 * 86400


# -- writes ------------------------------------------------------------------------------


def test_a_precondition_read_that_fails_fails_its_actions_not_the_whole_session(
    closing: list[Connector],
) -> None:
    # An action planned on the kept state is read before it is written; when that read
    # fails, earlier waves already wrote: the session must go on to save what they did.
    script = Script(httpx.Response(500, json={"error": {"code": "InternalServerError"}}))
    closing.append(c := connector(script))
    writer = Writer(c.graph, c.salesforce, c.pool, batching=True)
    action = cs.DeleteItem(mailbox="a@acme.example", item_id="AAMk/x+y=", rule="R-TEST")
    [outcome] = writer.execute([action])
    assert isinstance(outcome.error, TransientError)


def test_ids_with_slash_plus_and_equals_are_one_path_segment(closing: list[Connector]) -> None:
    item_id = "AAMkAG/I2+TG93AAA="
    script = Script(httpx.Response(200, json={"responses": [{"id": "0", "status": 404}]}))
    closing.append(c := connector(script))
    assert c.graph.items_by_id("Ana+Sales@acme.example", [item_id]) == []
    [asked] = json.loads(script.requests[0].content)["requests"]
    assert asked["url"].startswith(
        "/users/Ana%2BSales@acme.example/events/AAMkAG%2FI2%2BTG93AAA%3D?"
    )


def test_a_throttling_storm_on_reads_gives_up_within_the_caps_and_saves_nothing(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    loopback.faults.throttle("/calendarView/delta", times=1000, retry_after="86400")
    store = MemoryStateStore()
    with pytest.raises(TransientError, match="429 after 5 tries"):
        connector.sync(store, org.settings, AS_OF)
    assert store.saved is None
    assert max(org.sleeps) == 30.0  # 86400 s asked, the cap waited
    assert len(org.sleeps) <= 2 * 4  # two mailboxes, four waits between five tries each
    loopback.faults.clear()
    assert connector.sync(store, org.settings, AS_OF).report.ok


def test_a_throttling_storm_on_writes_holds_the_work_and_the_next_run_does_it_once(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    loopback.faults.throttle("/composite$", times=1000, retry_after="5")
    store = MemoryStateStore()
    report = connector.sync(store, org.settings, AS_OF).report
    assert not report.ok
    assert report.failed
    assert all("429 after 5 tries" in str(f.error) for f in report.failed)
    assert not [e for e in org.tenant.events() if e.created_by_sync]
    loopback.faults.clear()
    for minutes in (5, 10):
        assert connector.sync(store, org.settings, AS_OF.replace(minute=minutes)).report.ok
    assert connector.sync(store, org.settings, AS_OF.replace(minute=15)).report.plan.actions == ()
    uids = Counter(e.ical_uid for e in org.tenant.events() if e.created_by_sync)
    assert sorted(uids.values()) == [1, 1]


# -- real tenants on the loopback server -------------------------------------------------


def _tenant_with(tenant: Tenant, address: str, attendee: str) -> Org:
    org = seed(tenant)
    user = tenant.add_user(address, "Odd")
    item = meeting(address, "uid-odd@customer", "Odd one", 4,
                   attendees=(cs.Attendee(email=address), cs.Attendee(email=attendee)))  # fmt: skip
    org.items["odd"] = tenant.add_item(item)
    tenant.add_record(cs.Record(id="seed", kind=cs.RecordKind.CONTACT, email=attendee,
                                name="Odd Contact", account_id=org.account_id))  # fmt: skip
    users = (*org.settings.users, cs.UserSettings(email=address.lower(), sf_user_id=user))
    org.settings = cs.OrgSettings(
        users=tuple(sorted(users, key=lambda u: u.email)), company_domains=frozenset({DOMAIN})
    )
    org.users[address.lower()] = user
    return org


@pytest.mark.parametrize(
    ("address", "attendee"),
    [
        (f"Ana+Sales@{DOMAIN}", "o'brien@customer.example"),
        (f"zoë@{DOMAIN}", "a\\'--@customer.example"),
    ],
)
def test_odd_addresses_sync_once_and_settle(
    loopback: Loopback, loopback_tenant: Tenant, address: str, attendee: str
) -> None:
    org = _tenant_with(loopback_tenant, address, attendee)
    store = MemoryStateStore()
    with connect(loopback, org) as c:
        first = c.sync(store, org.settings, AS_OF).report
        assert first.ok, first.failed
        again = c.sync(store, org.settings, AS_OF.replace(minute=5)).report
        assert again.ok
        last = c.sync(store, org.settings, AS_OF.replace(minute=10)).report
        assert last.plan.actions == ()
    saved = [e for e in org.tenant.events() if e.ical_uid == "uid-odd@customer"]
    assert len(saved) == 1
    contact = next(r for r in org.tenant.records() if r.email == attendee)
    assert contact.id in saved[0].who_ids
    assert Counter(e.ical_uid for e in org.tenant.events() if e.ical_uid).most_common(1)[0][1] == 1


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


def _window() -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=3650)


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


def test_records_a_query_repeats_across_pages_are_resolved_once(closing: list[Connector]) -> None:
    row = {"attributes": {"type": "Contact"}, "Id": "0035g0000000001AAA", "Email": "bob@x.example",
           "Name": "Bob", "AccountId": None}  # fmt: skip
    more = "/services/data/v61.0/query/01g-2000"
    script = Script(
        httpx.Response(200, json={"done": False, "records": [row], "nextRecordsUrl": more}),
        httpx.Response(200, json={"done": True, "records": [row]}),
        httpx.Response(200, json={"done": True, "records": []}),
    )
    closing.append(c := connector(script))
    assert [r.id for r in c.salesforce.resolve(["bob@x.example"])] == ["0035g0000000001AAA"]


def test_a_salesforce_edit_between_the_read_and_the_write_is_a_conflict_and_neither_is_lost(
    loopback: Loopback, org: Org, connector: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = f"ana@{DOMAIN}"
    store = MemoryStateStore()
    for minutes in (0, 5):
        assert connector.sync(store, org.settings, AS_OF.replace(minute=minutes)).report.ok
    renewal = next(i for i in org.tenant.items(ana) if i.id == org.items["renewal"])
    event_id = renewal.sf_event_id
    assert event_id is not None
    org.tenant.edit_item(ana, renewal.id, subject="Renewal (moved)")
    send = Writer._sf_send
    edited: list[str] = []

    def edited_first(self: Writer, requests: Sequence[cs.Request]) -> object:
        # After the precondition was read, before the PATCH: a person's edit in Salesforce.
        if not edited and any(r.method == "PATCH" for r in requests):
            edited.append(org.tenant.edit_sobject("Event", event_id, Location="Room 7"))
        return send(self, requests)

    monkeypatch.setattr(Writer, "_sf_send", edited_first)
    first = connector.sync(store, org.settings, AS_OF.replace(minute=10)).report
    assert [f.action.__class__.__name__ for f in first.failed] == ["UpdateEvent"]
    assert all(f.retryable for f in first.failed)
    monkeypatch.setattr(Writer, "_sf_send", send)
    for minutes in (15, 20):
        assert connector.sync(store, org.settings, AS_OF.replace(minute=minutes)).report.ok
    event = next(e for e in org.tenant.events() if e.id == event_id)
    assert (event.subject, event.location) == ("Renewal (moved)", "Room 7")
    item = next(i for i in org.tenant.items(ana) if i.id == renewal.id)
    assert (item.subject, item.location) == ("Renewal (moved)", "Room 7")


@pytest.mark.parametrize("fault", ["drop_after_commit", "server_error"])
def test_relation_rows_whose_composite_is_lost_are_made_whole_next_run_without_a_duplicate(
    loopback: Loopback, org: Org, connector: Connector, fault: str
) -> None:
    # The first composite creates the events; the second carries their relation rows.
    getattr(loopback.faults, fault)("/composite$", method="POST", times=1, after=1)
    store = MemoryStateStore()
    first = connector.sync(store, org.settings, AS_OF).report
    assert not first.ok
    assert all(f.retryable for f in first.failed)
    for minutes in (5, 10):
        assert connector.sync(store, org.settings, AS_OF.replace(minute=minutes)).report.ok
    assert connector.sync(store, org.settings, AS_OF.replace(minute=15)).report.plan.actions == ()
    saved = [e for e in org.tenant.events() if e.created_by_sync]
    assert sorted(Counter(e.ical_uid for e in saved).values()) == [1, 1]
    renewal = next(e for e in saved if e.ical_uid == "uid-renewal@customer")
    assert renewal.who_ids == (org.contact_id,)
    rows = [r for r in org.tenant.sobjects("EventRelation") if r["EventId"] == renewal.id]
    assert len({r["RelationId"] for r in rows}) == len(rows)  # no row twice


def test_many_long_addresses_are_resolved_in_queries_short_enough_for_a_uri(
    loopback: Loopback, org: Org, connector: Connector
) -> None:
    long_ones = [f"{'x' * 60}.{n:03d}+o'neil@{'sub.' * 10}customer.example" for n in range(450)]
    found = connector.salesforce.resolve([*long_ones, "bob@customer.example"])
    assert [r.id for r in found] == [org.contact_id]
    lengths = [len(e.path) for e in loopback.log.entries()]
    assert max(lengths) <= 16_384


def test_a_batch_answer_naming_a_sub_request_never_sent_is_an_error_not_a_crash(
    closing: list[Connector],
) -> None:
    answers = {"responses": [{"id": "7", "status": 200, "body": {}}]}
    closing.append(c := connector(Script(httpx.Response(200, json=answers))))
    with pytest.raises(PermanentError):
        c.graph.items_by_id("a@acme.example", ["x"])


def test_a_precondition_read_the_adapter_cannot_read_fails_its_actions_not_the_session(
    closing: list[Connector],
) -> None:
    answers = {"responses": [{"id": "0", "status": 200, "body": {"id": 3, "subject": []}}]}
    closing.append(c := connector(Script(httpx.Response(200, json=answers))))
    writer = Writer(c.graph, c.salesforce, c.pool, batching=True)
    action = cs.DeleteItem(mailbox="a@acme.example", item_id="x", rule="R-TEST")
    [outcome] = writer.execute([action])
    assert isinstance(outcome.error, PermanentError)


def test_a_write_whose_answer_cannot_be_read_is_transient_the_next_read_decides(
    closing: list[Connector],
) -> None:
    # A proxy's page instead of the composite's answer: the create may have happened.
    script = Script(httpx.Response(200, text="<html>Bad gateway</html>"))
    closing.append(c := connector(script))
    writer = Writer(c.graph, c.salesforce, c.pool, batching=True)
    action = cs.CreateRecord(ref="r1", kind=cs.RecordKind.LEAD, email="new@customer.example",
                             name="New Person", rule="R-TEST")  # fmt: skip
    [outcome] = writer.execute([action])
    assert isinstance(outcome.error, TransientError)
    assert "outcome is unknown" in str(outcome.error)


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
