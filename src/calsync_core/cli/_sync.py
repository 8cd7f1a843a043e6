"""``calsync sync``: one incremental session against a real tenant, from a TOML config.

The config names the services and the files; secrets come from the
environment only, and a config holding one is refused (a config file is
copied, committed and shared; an environment is not). A token is taken as
it is from ``CALSYNC_GRAPH_TOKEN`` / ``CALSYNC_SALESFORCE_TOKEN``, or fetched
with the OAuth client-credentials flow from the ``client_id`` in the config
and ``CALSYNC_GRAPH_CLIENT_SECRET`` / ``CALSYNC_SALESFORCE_CLIENT_SECRET``.

Exit status: 0 when every planned action was carried out (or, with
``--dry-run``, planned); 1 when some failed or were skipped -- the state is
saved and the next run plans them again; 2 for a bad config, settings or
state file, or arguments, or another ``calsync sync`` running on the same
state file; 3 when a service could not be read or reached -- nothing was
written and nothing saved. Every error is one line on stderr; Ctrl-C is 130
and saves nothing (what was already sent is adopted by the next run).

A real run holds an exclusive lock on ``STATE.lock`` next to the state file:
two runs from one state would plan the same creates, and both would send them.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import attrs

from .._errors import CalsyncError
from .._serde import loads
from .._values import OrgSettings
from ._lock import LockError, exclusive

EXIT_FAILED_ACTIONS = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
_SECRET_WORDS = ("secret", "token", "password", "private_key", "key_file")
#: Keys that hold a word of _SECRET_WORDS and are settings, not secrets.
_NOT_SECRETS = frozenset({"token_url"})
#: Every key the config may hold, by table ("" is the top level): a typo is refused.
_KEYS = {
    "": frozenset({"settings", "state", "mailboxes", "concurrency", "graph", "salesforce"}),
    "graph": frozenset({"tenant_id", "client_id", "url", "token_url"}),
    "salesforce": frozenset(
        {"instance_url", "client_id", "token_url", "api_version", "uid_field", "created_field"}
    ),
}
#: Hosts a plain http:// URL may name: this machine (a test server, a local proxy).
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_GRAPH_LOGIN = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"


class ConfigError(Exception):
    """A config that cannot be used: one line, exit status 2."""


def add_parser(commands: Any) -> None:
    """Add ``sync`` to the ``calsync`` subcommands."""
    sync = commands.add_parser(
        "sync",
        help="run one incremental sync session against Microsoft Graph and Salesforce",
        description="Read what changed in each mailbox and in Salesforce, plan, carry the plan "
        "out and save the state. Secrets come from the environment, never from CONFIG.",
    )
    sync.add_argument("--config", required=True, metavar="CONFIG", help="the TOML config file")
    sync.add_argument(
        "--dry-run", action="store_true", help="plan and print the plan; write and save nothing"
    )
    sync.add_argument(
        "--as-of", metavar="TIME", help="the session's time (ISO 8601 with offset; default: now)"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``calsync sync``; return the exit status (see the module docstring)."""
    from ..ports import PortError  # the core's; the connector is imported only for sync

    try:
        config = _config(Path(args.config))
        as_of = _as_of(args.as_of)
        settings = _settings(config)
        from ..connect import Connector

        options = _options(config)  # before anything is opened: a bad config touches nothing
    except ConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ImportError:
        # From a checkout, as the README installs it: the package is not on an index yet.
        return _fail("calsync sync needs the connect extra (httpx): pip install '.[connect]' "
                     "from a checkout of calsync_core", EXIT_USAGE)  # fmt: skip
    try:
        with contextlib.ExitStack() as stack:
            if not args.dry_run:  # a dry run writes nothing: it may run beside a real one
                state = _path(config, "state")
                if not stack.enter_context(exclusive(state)):
                    raise ConfigError(
                        f"{state}: another calsync sync is running on this state file; "
                        "run one at a time"
                    )
            try:
                connector = Connector(**options)
            except ValueError as exc:  # a Salesforce API version or field name it refuses
                raise ConfigError(f"salesforce: {exc}") from None
            c = stack.enter_context(connector)
            store = stack.enter_context(_store(config, dry_run=args.dry_run))
            bar = _progress()
            try:
                result = c.sync(store, settings, as_of, dry_run=args.dry_run, progress=bar)
            finally:
                if bar is not None:  # an error or Ctrl-C gets a line of its own
                    bar.end()
            traffic = c.traffic.totals()
    except (ConfigError, LockError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except PortError as exc:
        return _fail(f"{type(exc).__name__}: {exc}", EXIT_UNREACHABLE)
    except CalsyncError as exc:
        return _fail(str(exc), EXIT_USAGE)
    report = result.report
    sys.stdout.write(_summary(report, traffic, dry_run=result.dry_run))
    return 0 if result.dry_run or report.ok else EXIT_FAILED_ACTIONS


def _fail(line: str, status: int) -> int:
    sys.stderr.write("calsync: error: " + " ".join(line.splitlines()) + "\n")
    return status


# -- the config ------------------------------------------------------------------------


def _config(path: Path) -> dict[str, Any]:
    try:
        # utf-8-sig: an editor's byte order mark is not a TOML error.
        config = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a TOML file: {exc}") from None
    secret = _secret_key(config, "")
    if secret is not None:
        raise ConfigError(
            f"{path}: {secret}: secrets are read from the environment, never from the config"
        )
    for section in ("graph", "salesforce"):
        if section not in config:
            raise ConfigError(f"{path}: [{section}] is missing")
        if not isinstance(config[section], dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
    for table, known in sorted(_KEYS.items()):
        where = config[table] if table else config
        unknown = sorted(set(where) - known)
        if unknown:
            name = f"{table}.{unknown[0]}" if table else f"config.{unknown[0]}"
            raise ConfigError(f"{path}: {name}: unknown key (known: {', '.join(sorted(known))})")
    config["_dir"] = path.parent
    return config


def _secret_key(table: dict[str, Any], prefix: str) -> str | None:
    for key, value in sorted(table.items()):
        name = f"{prefix}{key}"
        secret_like = any(word in key.lower() for word in _SECRET_WORDS)
        if secret_like and not key.endswith("_env") and key not in _NOT_SECRETS:
            return name
        if isinstance(value, dict) and (found := _secret_key(value, name + ".")) is not None:
            return found
    return None


def _text(table: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}.{key}: expected a non-empty string")
    return value


def _url(table: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    """An https:// URL (http:// only to this machine): a bearer token goes to it."""
    import httpx

    text = _text(table, key, where, default)
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL:
        url = None
    if (
        url is None
        or not url.host
        or not (url.scheme == "https" or (url.scheme == "http" and url.host in _LOOPBACK))
    ):
        raise ConfigError(
            f"{where}.{key}: expected an https:// URL (http:// only to this machine), not {text!r}"
        )
    return text


def _path(config: dict[str, Any], key: str) -> Path:
    base: Path = config["_dir"]
    return base / Path(_text(config, key, "config")).expanduser()


def _settings(config: dict[str, Any]) -> OrgSettings:
    path = _path(config, "settings")
    try:
        settings = loads(path.read_text(encoding="utf-8"), OrgSettings)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (CalsyncError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {' '.join(str(exc).splitlines()[:1])}") from None
    wanted = config.get("mailboxes")
    if wanted is None:
        return settings
    if not isinstance(wanted, list) or not all(isinstance(m, str) for m in wanted):
        raise ConfigError("config.mailboxes: expected a list of addresses")
    if not wanted:
        # A session over no one would save a state that keeps no one: never what was meant.
        raise ConfigError("config.mailboxes: empty; leave it out to sync every user")
    known = {u.email for u in settings.users}
    unknown = sorted({m.lower() for m in wanted} - known)
    if unknown:
        raise ConfigError(f"config.mailboxes: {unknown[0]} is no user of the settings")
    users = tuple(u for u in settings.users if u.email in {m.lower() for m in wanted})
    return attrs.evolve(settings, users=users)


def _as_of(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--as-of: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ConfigError(f"--as-of: {text!r} has no UTC offset")
    return moment


# -- the connector ---------------------------------------------------------------------


def _options(config: dict[str, Any]) -> dict[str, Any]:
    """The Connector's arguments: URLs and field names from the config, tokens from the env."""
    graph: dict[str, Any] = config["graph"]
    sf: dict[str, Any] = config["salesforce"]
    instance = _url(sf, "instance_url", "salesforce")
    options: dict[str, Any] = {
        "graph_url": _url(graph, "url", "graph", "https://graph.microsoft.com/v1.0/"),
        "salesforce_url": instance,
        "graph_token": _token("graph", graph, _GRAPH_LOGIN.format(tenant=graph.get("tenant_id"))),
        "salesforce_token": _token(
            "salesforce", sf, instance.rstrip("/") + "/services/oauth2/token"
        ),
    }
    for key, where in (("api_version", sf), ("uid_field", sf), ("created_field", sf)):
        if key in where:
            options[key] = _text(where, key, "salesforce")
    concurrency = config.get("concurrency", 4)
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise ConfigError("config.concurrency: expected a whole number of at least 1")
    options["concurrency"] = concurrency
    return options


def _token(service: str, table: dict[str, Any], login: str) -> Any:
    """A token source for ``service``: a token from the environment, or client credentials."""
    name = "GRAPH" if service == "graph" else "SALESFORCE"
    given, secret = f"CALSYNC_{name}_TOKEN", f"CALSYNC_{name}_CLIENT_SECRET"
    if os.environ.get(given):
        return lambda: os.environ[given]
    if not os.environ.get(secret):
        raise ConfigError(f"{service}: set {given}, or {secret} with client_id in the config")
    client_id = _text(table, "client_id", service)
    if service == "graph":
        _text(table, "tenant_id", service)
    url = _url(table, "token_url", service, login)
    scope = "https://graph.microsoft.com/.default" if service == "graph" else None
    return lambda: _client_credentials(url, client_id, os.environ[secret], scope)


def _client_credentials(url: str, client_id: str, secret: str, scope: str | None) -> str:
    """The OAuth 2.0 client-credentials grant (Microsoft identity platform, Salesforce)."""
    import httpx

    from ..ports import PermanentError, TransientError

    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if scope is not None:
        form["scope"] = scope
    try:
        answer = httpx.post(url, data=form, timeout=30.0)
    except httpx.TransportError as exc:
        raise TransientError(f"token from {url}: {type(exc).__name__}") from exc
    try:
        body = answer.json() if answer.status_code == 200 else None
    except ValueError:  # a proxy's or a maintenance page, not the token endpoint's JSON
        body = None
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise PermanentError(f"token from {url}: HTTP {answer.status_code}, no access_token")
    return token


class _NothingKept:
    """The store of a dry run without a state file: a first run, and nothing created."""

    def __enter__(self) -> _NothingKept:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def load(self) -> None:
        return None

    def save(self, state: object, links: object) -> None:
        raise AssertionError("a dry run saves nothing")


def _store(config: dict[str, Any], *, dry_run: bool) -> Any:
    from ..store import SqliteStateStore

    path = _path(config, "state")
    if dry_run and not path.exists():
        return _NothingKept()
    return SqliteStateStore(path)


# -- what the person sees --------------------------------------------------------------


class _Bar:
    """A progress bar on stderr, drawn over itself; ``end`` closes a line left open."""

    def __init__(self) -> None:
        self.open = False

    def __call__(self, done: int, total: int) -> None:
        filled = 30 * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} actions")
        self.open = done < total
        if not self.open:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def end(self) -> None:
        if self.open:
            sys.stderr.write("\n")
            self.open = False


def _progress() -> _Bar | None:
    """A progress bar on stderr when it is a terminal; nothing otherwise (logs, cron)."""
    return _Bar() if sys.stderr.isatty() else None


def _summary(report: Any, traffic: dict[str, int], *, dry_run: bool) -> str:
    plan = report.plan
    kinds = Counter(type(a).__name__ for a in plan.actions)
    lines = [f"planned: {len(plan.actions)} actions" + "".join(
        f", {n} {k}" for k, n in sorted(kinds.items()))]  # fmt: skip
    if dry_run:
        lines += [f"  {_action(a)}" for a in plan.actions]
        lines.append("dry run: nothing was written, nothing saved")
    else:
        lines.append(f"done: {len(report.done)}, failed: {len(report.failed)}, "
                     f"skipped: {len(report.skipped)}")  # fmt: skip
        lines += [f"  failed: {_action(f.action)}: {f.error}" for f in report.failed]
        if report.held:
            lines.append(f"read again next run: {', '.join(sorted(report.held))}")
    resynced = sorted(report.changes.complete_mailboxes | report.changes.complete_owners)
    changes = report.changes
    lines.append(
        f"read: {len(changes.items)} changed items, {len(changes.events)} changed events, "
        f"{len(resynced)} feeds resynced"
    )
    lines.append(f"issues: {len(plan.issues)}")
    lines.append("traffic: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in traffic.items()))
    return "".join(line + "\n" for line in lines)


def _action(action: Any) -> str:
    target = (getattr(action, "mailbox", None), getattr(action, "item_id", None),
              getattr(action, "event_id", None), getattr(action, "ref", None))  # fmt: skip
    shown = " ".join(t for t in target if t)
    return f"{type(action).__name__} {action.rule} {shown}"
