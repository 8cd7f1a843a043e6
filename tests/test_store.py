"""The SQLite state store: what it saves loads back equal, a save costs what changed,
and a save cut short at any point -- even by SIGKILL -- leaves the previous state.

Every test uses real files in a temporary directory; the crash test uses real
processes.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calsync_core as cs
from _store_child import fingerprint
from calsync_core.store import SqliteStateStore, StoreError
from calsync_core.testing import strategies as cst
from helpers import at, meeting, org, snap
from property.test_incremental import edited, organisations

HERE = Path(__file__).resolve().parent
LINKS = {"alice@acme.example": "https://graph.example/delta?token=1", "005alice": "replay-7"}


@contextmanager
def _store_file() -> Iterator[Path]:
    # Hypothesis runs a test many times in one call: tmp_path would be shared.
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder) / "state.db"


def _ran(state: cs.SyncState, changes: cs.Changes, org_settings: cs.OrgSettings) -> cs.SyncState:
    return state.advance(changes, cs.reconcile_changes(state, changes, org_settings))


def _load(path: Path) -> tuple[cs.SyncState, dict[str, str]] | None:
    with SqliteStateStore(path) as store:
        found = store.load()
    return None if found is None else (found[0], dict(found[1]))


def _assert_same(loaded: cs.SyncState, state: cs.SyncState) -> None:
    assert loaded.snapshot() == state.snapshot()
    assert loaded.token == state.token
    assert loaded.run_json() == state.run_json()
    assert loaded.issues == state.issues


def _meetings(size: int) -> cs.SyncState:
    return cs.SyncState.of(snap(*(meeting(f"m{n}", start=at(days=n % 40)) for n in range(size))))


# -- saved and loaded ----------------------------------------------------------------------------


@given(cst.histories())
def test_a_saved_state_loads_back_equal_and_plans_the_next_run_alike(
    history: tuple[cs.OrgSettings, cs.Snapshot, cs.Snapshot],
) -> None:
    org_settings, before, after = history
    state = _ran(cs.SyncState.of(before), cs.Changes.between(before, after), org_settings)
    with _store_file() as path:
        with SqliteStateStore(path) as store:
            store.save(state, LINKS)
        found = _load(path)
    assert found is not None
    loaded, links = found

    _assert_same(loaded, state)
    assert links == LINKS
    later = cs.Changes(as_of=state.as_of + dt.timedelta(hours=30))
    assert cs.reconcile_changes(loaded, later, org_settings) == cs.reconcile_changes(
        state, later, org_settings
    )


def test_an_empty_store_loads_nothing(tmp_path: Path) -> None:
    with SqliteStateStore(tmp_path / "state.db") as store:
        assert store.load() is None


def test_a_state_of_twins_keeps_them_in_their_order(tmp_path: Path) -> None:
    first, second = meeting("twin", subject="First"), meeting("twin", subject="Second")
    state = cs.SyncState.of(snap(first, second, meeting("other")))

    with SqliteStateStore(tmp_path / "state.db") as store:
        store.save(state, {})
    found = _load(tmp_path / "state.db")

    assert found is not None
    _assert_same(found[0], state)
    assert [i.subject for i in found[0].snapshot().items if i.id == "twin"] == ["First", "Second"]


def test_links_are_kept_as_last_given(tmp_path: Path) -> None:
    state = _meetings(3)
    with SqliteStateStore(tmp_path / "state.db") as store:
        store.save(state, LINKS)
        store.save(state, {"alice@acme.example": "delta-2", "bob@acme.example": "delta-1"})
        found = store.load()

    assert found is not None
    assert dict(found[1]) == {"alice@acme.example": "delta-2", "bob@acme.example": "delta-1"}


# -- a save writes what changed ----------------------------------------------------------------


def test_an_incremental_save_writes_the_rows_of_what_changed_not_of_everything(
    tmp_path: Path,
) -> None:
    # A state that has run once: a bare ``SyncState.of`` names no history to build on.
    state = _ran(_meetings(600), cs.Changes(as_of=at(hours=1)), org())
    with SqliteStateStore(tmp_path / "state.db") as store:
        store.save(state, LINKS)
        whole = store.written
        moved = attrs.evolve(state.snapshot().items[17], subject="Moved", version="v2")
        later = _ran(state, cs.Changes(as_of=at(hours=2), items=[moved]), org())
        store.save(later, LINKS)
        one = store.written
        found = store.load()

    assert whole >= 600
    # The item's row deleted and written again, and the one row of facts.
    assert one <= 4
    assert found is not None
    _assert_same(found[0], later)


def test_a_state_of_another_history_is_written_whole(tmp_path: Path) -> None:
    with SqliteStateStore(tmp_path / "state.db") as store:
        store.save(_meetings(50), {})
        other = cs.SyncState.of(snap(meeting("only")))
        store.save(other, {})
        found = store.load()

    assert found is not None
    _assert_same(found[0], other)


# -- chains of runs ----------------------------------------------------------------------------


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_load_always_gives_the_last_state_saved_over_chains_of_runs(data: st.DataObject) -> None:
    organisation = data.draw(organisations())
    current = organisation.snapshot
    state = cs.SyncState.of(current)
    saved: tuple[cs.SyncState, dict[str, str]] | None = None
    with _store_file() as path:
        store = SqliteStateStore(path)
        try:
            for n in range(8):
                organisation = attrs.evolve(
                    organisation, snapshot=current, meetings=organisation.meetings + 3
                )
                after = data.draw(edited(organisation))
                changes = cs.Changes.between(current, after)
                state = _ran(state, changes, organisation.settings)
                current = state.snapshot()
                what = data.draw(st.sampled_from(("save", "save", "skip", "reopen")))
                if what == "reopen":
                    store.close()
                    store = SqliteStateStore(path)
                if what != "skip":
                    saved = (state, {"alice@acme.example": f"link-{n}"})
                    store.save(*saved)
                found = store.load()
                if saved is None:
                    assert found is None
                else:
                    assert found is not None
                    _assert_same(found[0], saved[0])
                    assert dict(found[1]) == saved[1]
        finally:
            store.close()


# -- files that are not a state store ----------------------------------------------------------


def test_a_file_that_is_no_database_is_refused_with_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"these are not the bytes of a database\n" * 200)

    with pytest.raises(StoreError, match="not a calsync state store"):
        SqliteStateStore(path)


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()

    with pytest.raises(StoreError, match="another program"):
        SqliteStateStore(path)


def test_a_store_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStateStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.close()

    with pytest.raises(StoreError, match="schema version 99; this library reads version 1"):
        SqliteStateStore(path)


def test_a_damaged_row_is_a_store_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStateStore(path) as store:
        store.save(_meetings(3), {})
    conn = sqlite3.connect(path)
    conn.execute("UPDATE items SET json = '{\"id\": 1}' WHERE id = 'm1'")
    conn.commit()
    conn.close()

    with SqliteStateStore(path) as store, pytest.raises(StoreError, match="CalendarItem row 1"):
        store.load()


def test_a_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        SqliteStateStore(tmp_path / "no" / "such" / "state.db")


def test_a_closed_store_refuses_with_a_store_error(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "state.db")
    store.close()

    with pytest.raises(StoreError):
        store.load()


# -- killed mid-save ---------------------------------------------------------------------------

KILLS = 30
LANES = 2  # children killed side by side, each lane on its own file: half the wait
SIZE = 1000


def _kill_lane(path: Path, lane: int) -> tuple[int, int]:
    """Start a child on ``path``, kill it, check the file, KILLS // LANES times."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent / "src"), str(HERE)])}
    rng = random.Random(20261124 + lane)
    saves = mid_save = 0
    for n in range(KILLS // LANES):
        seed = lane * 1000 + n
        child = subprocess.Popen(
            [sys.executable, str(HERE / "_store_child.py"), str(path), str(SIZE), str(seed)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        # Wait until it holds a saved state (what it loaded, or its first save),
        # then kill it a random moment later: mid-save, mid-advance, in between.
        lines: list[str] = []
        while not lines or not lines[-1].startswith("saved "):
            line = child.stdout.readline()
            assert line, "the child stopped before it saved"
            lines.append(line.rstrip("\n"))
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        lines.extend(child.stdout.read().splitlines())
        child.wait()
        done = [line.removeprefix("saved ") for line in lines if line.startswith("saved ")]
        saves += len(done) - 1  # the first: what it began with
        # The last state saved whole (None: nothing yet), or the one being saved
        # when the kill came.
        allowed: set[str | None] = {done[-1] if done else None}
        if lines[-1].startswith("saving "):
            allowed.add(lines[-1].removeprefix("saving "))
            mid_save += 1

        found = _load(path)

        got = None if found is None else fingerprint(found[0])
        assert got in allowed, f"kill {seed}: not the last state saved"
    return saves, mid_save


def test_a_save_killed_at_any_moment_leaves_a_state_that_was_saved_whole(tmp_path: Path) -> None:
    with ThreadPoolExecutor(LANES) as pool:
        lanes = [pool.submit(_kill_lane, tmp_path / f"state-{n}.db", n) for n in range(LANES)]
        saves, mid_save = map(sum, zip(*(lane.result() for lane in lanes), strict=True))

    # The test bites: the children got past their first save, and many kills
    # came while a save was under way.
    assert saves > 0
    assert mid_save >= 3, mid_save
    print(f"{KILLS} kills, {mid_save} of them mid-save, {saves} saves completed")
