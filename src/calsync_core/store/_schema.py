"""The store's file: how it is opened, recognised and laid out.

A state store is one SQLite file. Its header says whose it is
(``PRAGMA application_id``) and which layout it holds (``PRAGMA
user_version``): both are read before any table, so another program's
database, a file of a newer layout and a file that is no database at all are
each refused with a :class:`~calsync_core.store.StoreError` that says so,
before anything is read or written.
"""

from __future__ import annotations

import os
import sqlite3

from .._errors import StoreError

#: "CSC1" in ASCII: marks the file as a calsync state store.
APPLICATION_ID = 0x43534331
#: The layout below. A store refuses a file of another version rather than
#: guess at it; a new version brings its own migration.
SCHEMA = 1

# One row per value; ``seq`` keeps twins (values held twice under one key,
# which ``apply`` and the planner keep in their order) apart and in order.
# Rowid tables, not WITHOUT ROWID: a value's JSON runs to a kilobyte or more,
# and SQLite keeps such rows compactly only in a rowid table (a WITHOUT ROWID
# table of them made the file three times the size of the JSON).
_TABLES = (
    """CREATE TABLE items (
        mailbox TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (mailbox, id, seq))""",
    """CREATE TABLE events (
        id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (id, seq))""",
    """CREATE TABLE records (
        id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (id, seq))""",
    # At most one row: the saved state's token, observation time and run facts.
    """CREATE TABLE meta (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        token TEXT NOT NULL, as_of TEXT NOT NULL, run TEXT)""",
    "CREATE TABLE links (feed TEXT PRIMARY KEY, link TEXT NOT NULL) WITHOUT ROWID",
)


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A connection to the store at ``path``, made (empty) if nothing is there yet."""
    try:
        # isolation_level=None: the store says BEGIN and COMMIT itself, so a
        # save is exactly one transaction and a load reads one moment.
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    except sqlite3.Error as exc:
        raise StoreError(f"{os.fspath(path)}: cannot open: {exc}") from exc
    try:
        _prepare(conn, os.fspath(path))
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection, path: str) -> None:
    try:
        if _header(conn) == (0, 0):
            _create(conn, path)
        _check(conn, path)
        # WAL: a save appends to the log and readers keep reading the last
        # committed state meanwhile; a save cut short leaves an uncommitted
        # tail that the next opening ignores. The mode is kept in the file.
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{path}: cannot use write-ahead logging (journal mode {mode})")
        # FULL, not WAL's usual NORMAL: NORMAL already survives a killed
        # process, but after a power cut it may lose the last commits. A
        # session saves only after carrying the plan out, so a save that
        # returned must stay saved, or the next run would plan it again.
        conn.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a calsync state store, or damaged: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open: {exc}") from exc


def _header(conn: sqlite3.Connection) -> tuple[int, int]:
    application = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    return int(application), int(version)


def _create(conn: sqlite3.Connection, path: str) -> None:
    """Lay out a new store, unless the file holds something else (or another opener won)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _header(conn) == (0, 0):  # read again under the lock: another process may have made it
            if conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]:
                raise StoreError(f"{path}: a database of another program, not a state store")
            for statement in _TABLES:
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={SCHEMA}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _check(conn: sqlite3.Connection, path: str) -> None:
    application, version = _header(conn)
    if application != APPLICATION_ID:
        raise StoreError(f"{path}: a database of another program, not a state store")
    if version != SCHEMA:
        raise StoreError(
            f"{path}: a state store of schema version {version};"
            f" this library reads version {SCHEMA}"
        )
