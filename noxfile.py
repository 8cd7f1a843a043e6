"""Developer sessions: ``nox`` runs the tests, the type check and the linter; ``nox -s docs``
builds the documentation.

Python versions and tool requirements come from ``pyproject.toml`` (the
classifiers, ``requires-python`` and the ``test`` extra), so this file never
repeats a version that could drift from the package metadata.
"""

from __future__ import annotations

from typing import Any

import nox
from packaging.requirements import Requirement  # always present: nox depends on it

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "typecheck", "lint"]

PYPROJECT: dict[str, Any] = nox.project.load_toml("pyproject.toml")
# Every version named in the classifiers, oldest first; the first is the floor.
PYTHON_VERSIONS: list[str] = nox.project.python_versions(PYPROJECT)
FLOOR = PYTHON_VERSIONS[0]


def _extra(name: str) -> list[str]:
    """The requirements of one optional-dependencies extra, as written in pyproject."""
    extras: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]
    return extras[name]


def _pinned(name: str) -> list[str]:
    """The ``test`` extra's requirement for one tool, so its version floor lives in one place."""
    found = [spec for spec in _extra("test") if Requirement(spec).name == name]
    if not found:
        raise LookupError(f"{name} is not in the test extra of pyproject.toml")
    return found


@nox.session(python=PYTHON_VERSIONS)
def tests(session: nox.Session) -> None:
    """Run the test suite (extra arguments go to pytest)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def typecheck(session: nox.Session) -> None:
    """Run mypy --strict over src, tests and this file, as configured in pyproject."""
    session.install("-e", ".[test]")
    # Check against the oldest supported Python whatever interpreter runs nox,
    # so syntax or stdlib names newer than the floor are caught.
    session.run("python", "-m", "mypy", "--python-version", FLOOR, *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Run ruff over the whole tree."""
    session.install(*_pinned("ruff"))
    session.run("ruff", "check", ".", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the Sphinx docs and run their doctests; every warning and broken reference fails.

    The ``testing`` extra comes too: the API pages document
    ``calsync_core.testing.strategies``, which imports Hypothesis. Extra
    arguments go to both Sphinx runs (e.g. ``nox -s docs -- -q``).
    """
    session.install("-e", ".[docs,testing]")
    for builder in ("html", "doctest"):
        session.run(
            "python", "-m", "sphinx", "-W", "-n", "-E", "-b", builder,
            "docs", f"docs/_build/{builder}", *session.posargs,
        )  # fmt: skip


@nox.session
def stateful(session: nox.Session) -> None:
    """The session state machine at 50,000 sessions with faults; prints the count.

    ``nox -s stateful -- 100000`` runs another number.
    """
    session.install("-e", ".[test]")
    count = session.posargs[0] if session.posargs else "50000"
    session.run(
        "python", "-m", "pytest", "tests/property/test_sessions.py", "-q", "-s", "-p",
        "no:cacheprovider", env={"CALSYNC_SESSIONS": count},
    )  # fmt: skip


if __name__ == "__main__":
    nox.main()
