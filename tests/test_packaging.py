"""What an installer gets: a wheel with the types marker and the license, and clear extras.

The package is installed from a checkout (README, "Installation"), so the
wheel built from this tree is what users run; it is built here as pip builds
it. The build backend comes from the package index like any build
requirement: where it cannot be had, the test is skipped and says so.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
#: What pip prints when a build requirement cannot be fetched (no index, no network).
_NO_BACKEND = re.compile(
    r"No matching distribution found for hatchling|Could not find a version that satisfies"
    r"|Failed to establish a new connection|Temporary failure in name resolution"
)


def test_the_license_file_is_the_apache_2_license_pyproject_declares() -> None:
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["license"] == "Apache-2.0"


def test_the_wheel_holds_the_package_its_types_marker_and_the_license(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0 and _NO_BACKEND.search(done.stdout + done.stderr):
        pytest.skip("the build backend (hatchling) cannot be fetched from the package index")
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("calsync_core-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "calsync_core/py.typed" in names
    assert "calsync_core/__main__.py" in names
    assert "calsync_core/cli/_command.py" in names
    licenses = {
        n for n in names if re.fullmatch(r"calsync_core-[^/]+\.dist-info/licenses/LICENSE", n)
    }
    assert len(licenses) == 1
    (entry_points,) = (n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "calsync = calsync_core.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not any(n.startswith(("tests/", "docs/")) for n in names)


def test_strategies_without_hypothesis_name_the_testing_extra() -> None:
    # A fresh interpreter in which Hypothesis cannot be imported, as without the extra.
    code = "import sys; sys.modules['hypothesis'] = None; import calsync_core.testing.strategies"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: calsync_core.testing.strategies needs Hypothesis")
    assert "'testing' extra" in last
    assert 'pip install ".[testing]"' in last


def test_fakes_need_no_hypothesis() -> None:
    code = "import sys; sys.modules['hypothesis'] = None; import calsync_core.testing.fakes"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")
