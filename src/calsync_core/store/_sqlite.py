"""``SqliteStateStore``: a kept state and its delta links in one SQLite file.

A save writes only what changed since the state the file holds: the state
remembers which keys its last ``STEPS`` advances touched
(:meth:`SyncState.touched_since`), so a save reads the saved token, deletes
the rows of those keys and writes their values now. A state that does not
descend from the saved one (a fresh ``SyncState.of``, a file of another
history, too many advances since) is written whole. Either way it is one
transaction: a save that is cut short -- an exception, a killed process, a
power cut -- leaves the previous state to load.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import TypeVar

from .._changes import ItemKey
from .._errors import LoadError, StoreError
from .._serde import dumps, loads
from .._values import CalendarItem, Record, SfEvent, Snapshot
from ..incremental import SyncState, Touched
from . import _schema

V = TypeVar("V", CalendarItem, SfEvent, Record)


class SqliteStateStore:
    """A ``StateStore`` (the port in ``calsync_core.incremental``) in a SQLite file at ``path``.

    Opening makes the file if it is missing and refuses one that is not a
    state store of this version (:class:`StoreError`). Use it as a context
    manager, or call :meth:`close`, to let the file go. One store object
    belongs to one thread; several processes may open the same file, and
    their saves take turns.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._conn = _schema.connect(path)
        #: How many rows the last :meth:`save` inserted or deleted: what it cost.
        self.written = 0

    def __enter__(self) -> SqliteStateStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Let the file go (the last connection to close also folds the log into it)."""
        self._conn.close()

    def save(self, state: SyncState, links: Mapping[str, str]) -> None:
        """Keep ``state`` and ``links`` instead of what the file held: all of it, or none."""
        conn = self._conn
        before = conn.total_changes
        try:
            # IMMEDIATE: take the write lock before reading the saved token, so
            # no other process's save can slip in between the read and the writes.
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute("SELECT token FROM meta").fetchone()
                touched = None if row is None else state.touched_since(row[0])
                if touched is None:
                    _write_all(conn, state)
                else:
                    _write_touched(conn, state, touched)
                _write_meta(conn, state)
                _write_links(conn, links)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot save: {exc}") from exc
        self.written = conn.total_changes - before

    def load(self) -> tuple[SyncState, Mapping[str, str]] | None:
        """The state and delta links last saved, or None if nothing was ever saved."""
        try:
            rows = _read(self._conn)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot load: {exc}") from exc
        if rows is None:
            return None
        (token, as_of, run), items, events, records, links = rows
        try:
            snapshot = Snapshot(
                as_of=dt.datetime.fromisoformat(as_of),
                items=tuple(_values(items, CalendarItem)),
                events=tuple(_values(events, SfEvent)),
                records=tuple(_values(records, Record)),
            )
            state = SyncState.restore(snapshot, token=token, run_json=run)
        except (ValueError, TypeError) as exc:  # LoadError is a ValueError
            raise StoreError(f"{self.path}: the saved state cannot be read: {exc}") from exc
        return state, links


_Meta = tuple[str, str, str | None]
_Rows = tuple[_Meta, list[str], list[str], list[str], dict[str, str]]


def _read(conn: sqlite3.Connection) -> _Rows | None:
    """Every row, read in one transaction: one saved state, never parts of two."""
    conn.execute("BEGIN")
    try:
        meta = conn.execute("SELECT token, as_of, run FROM meta").fetchone()
        if meta is None:
            return None
        # Twins come back in their order (seq); the keys' order is the
        # state's own (restore indexes them anyway).
        items = [r for (r,) in conn.execute("SELECT json FROM items ORDER BY mailbox, id, seq")]
        events = [r for (r,) in conn.execute("SELECT json FROM events ORDER BY id, seq")]
        records = [r for (r,) in conn.execute("SELECT json FROM records ORDER BY id, seq")]
        links = {str(f): str(link) for f, link in conn.execute("SELECT feed, link FROM links")}
        return (str(meta[0]), str(meta[1]), meta[2]), items, events, records, links
    finally:
        conn.execute("COMMIT")  # a read transaction: nothing to keep, the snapshot let go


def _values(rows: list[str], cls: type[V]) -> Iterator[V]:
    for n, text in enumerate(rows):
        if not isinstance(text, str):
            raise TypeError(f"{cls.__name__} row {n}: not text")
        try:
            yield loads(text, cls)
        except LoadError as exc:
            raise LoadError([f"{cls.__name__} row {n}: {p}" for p in exc.problems]) from exc


def _write_all(conn: sqlite3.Connection, state: SyncState) -> None:
    """The whole state, instead of whatever the file held."""
    for table in ("items", "events", "records"):
        conn.execute(f"DELETE FROM {table}")  # a fixed name, never input
    t = state.tables
    _insert_items(conn, t.items.keys(), state)
    _insert(conn, "events", t.events.keys(), t.all_events)
    _insert(conn, "records", t.records.keys(), t.all_records)


def _write_touched(conn: sqlite3.Connection, state: SyncState, touched: Touched) -> None:
    """The touched keys' rows, replaced by their values in ``state`` (none: removed)."""
    t = state.tables
    conn.executemany("DELETE FROM items WHERE mailbox = ? AND id = ?", sorted(touched.items))
    _insert_items(conn, sorted(touched.items), state)
    conn.executemany("DELETE FROM events WHERE id = ?", [(k,) for k in sorted(touched.events)])
    _insert(conn, "events", sorted(touched.events), t.all_events)
    conn.executemany("DELETE FROM records WHERE id = ?", [(k,) for k in sorted(touched.records)])
    _insert(conn, "records", sorted(touched.records), t.all_records)


def _insert_items(conn: sqlite3.Connection, keys: Iterable[ItemKey], state: SyncState) -> None:
    rows = (
        (key.mailbox, key.id, seq, dumps(item))
        for key in keys
        for seq, item in enumerate(state.tables.all_items(key))
    )
    conn.executemany("INSERT INTO items VALUES (?, ?, ?, ?)", rows)


def _insert(
    conn: sqlite3.Connection,
    table: str,
    keys: Iterable[str],
    values: Callable[[str], tuple[object, ...]],
) -> None:
    rows = ((key, seq, dumps(value)) for key in keys for seq, value in enumerate(values(key)))
    conn.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", rows)  # fixed names, never input


def _write_meta(conn: sqlite3.Connection, state: SyncState) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO meta VALUES (1, ?, ?, ?)",
        (state.token, state.as_of.isoformat(), state.run_json()),
    )


def _write_links(conn: sqlite3.Connection, links: Mapping[str, str]) -> None:
    """Links as given: only the feeds whose link changed are written."""
    saved = dict(conn.execute("SELECT feed, link FROM links").fetchall())
    conn.executemany(
        "DELETE FROM links WHERE feed = ?", [(f,) for f in sorted(saved) if f not in links]
    )
    conn.executemany(
        "INSERT OR REPLACE INTO links VALUES (?, ?)",
        [(f, links[f]) for f in sorted(links) if saved.get(f) != links[f]],
    )
