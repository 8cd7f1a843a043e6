"""The package's shape, held as tests: layers, no cycles, small parts, the rule table.

The planner is a composition (docs/concepts.rst, "Architecture"): a read-only
world, one plan builder, rule families as functions. These tests keep it so
as it grows. The import graph is read from the source by the same code that
draws it in the docs (``docs/_ext/modgraph.py``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given

import calsync_core as cs
from calsync_core import _rules as R
from calsync_core.planner import builder
from calsync_core.testing import strategies as cst

sys.path.insert(0, str(Path(__file__).parent.parent / "docs" / "_ext"))
import modgraph

PACKAGE = Path(cs.__file__).parent
GRAPH = modgraph.import_graph(PACKAGE)

# Bottom to top: a module may import from its own layer and the ones below.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("_enums", "_errors", "_converters", "_timezones", "_serde_problems", "_request", "_fieldmap"),
    ("_values", "_recurrence_values", "_rules"),
    ("recurrence", "_plan", "_changes"),
    ("_domain", "_apply", "_refs", "ports", "graph", "salesforce", "_serde", "_serde_convert"),
    ("planner",),
    ("incremental",),
    (
        "session",
        "_session_read",
        "_session_next",
        "_session_run",
        "_session_changes",
        "_session_delta",
    ),
    ("cli", "testing", "store", "connect", "__main__", ""),  # "" is the package's own __init__
)
# The reference connector is an optional extra (httpx): only ``calsync sync`` imports it.
CONNECT_USERS = frozenset({"calsync_core.cli._sync"})

# Example data is allowed to be long; code is not.
EXAMPLE_DATA = frozenset({"calsync_core.cli._example"})


def _layer(module: str) -> int:
    part = module.removeprefix("calsync_core").removeprefix(".").partition(".")[0]
    for n, names in enumerate(LAYERS):
        if part in names:
            return n
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def test_every_module_imports_only_from_its_layer_or_below() -> None:
    for module, imported in GRAPH.items():
        for target in imported:
            assert _layer(target) <= _layer(module), f"{module} imports {target} from above"


def _every_import(path: Path) -> set[str]:
    """Every module ``path`` imports, at its top or inside a function (the CLI's are lazy)."""
    module = modgraph.module_name(path, PACKAGE)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            name = ".".join(part for part in (base, node.module or "") if part)
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("calsync_core")}


def test_only_the_sync_command_imports_the_connector() -> None:
    users = {
        module
        for path in sorted(PACKAGE.rglob("*.py"))
        if not (module := modgraph.module_name(path, PACKAGE)).startswith("calsync_core.connect")
        and any(name.startswith("calsync_core.connect") for name in _every_import(path))
    }
    assert users == CONNECT_USERS


def test_the_connector_uses_only_public_modules_of_the_core() -> None:
    checked = 0
    for path in sorted((PACKAGE / "connect").rglob("*.py")):
        module = modgraph.module_name(path, PACKAGE)
        for name in _every_import(path):
            if not name.startswith("calsync_core.connect"):
                checked += 1
                private = [p for p in name.split(".") if p.startswith("_")]
                assert not private, f"{module} imports {name}"
    assert checked > 10


def test_the_import_graph_has_no_cycle() -> None:
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module not in done:
            for target in GRAPH[module]:
                visit(target, (*path, module))
            done.add(module)

    for module in sorted(GRAPH):
        visit(module, ())


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield modgraph.module_name(path, PACKAGE), ast.parse(path.read_text(encoding="utf-8"))


def test_no_function_is_60_lines_or_longer() -> None:
    long = [
        f"{module}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for module, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 >= 60
    ]
    assert long == []


def test_no_module_is_over_400_lines_except_example_data() -> None:
    long = [
        f"{path.relative_to(PACKAGE)}: {n} lines"
        for path in sorted(PACKAGE.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
        and modgraph.module_name(path, PACKAGE) not in EXAMPLE_DATA
    ]
    assert long == []


def test_no_planner_class_inherits_from_another() -> None:
    planner = [(m, t) for m, t in _sources() if m.startswith("calsync_core.planner")]
    classes = {n.name for _, t in planner for n in ast.walk(t) if isinstance(n, ast.ClassDef)}
    for module, tree in planner:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                assert not bases & classes, f"{module}.{node.name} inherits {bases & classes}"


def test_every_issue_the_planner_raises_by_name_is_listed_in_its_rule() -> None:
    # The calls that name both: out.issue(R.X, IssueCode.Y, ...). Issues whose rule
    # is computed (a Limit's, a Verdict's) are checked at run time (STRICT, below).
    checked = 0
    for module, tree in _sources():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "issue"
                and len(node.args) >= 2
                and isinstance(rule := node.args[0], ast.Attribute)
                and isinstance(code := node.args[1], ast.Attribute)
                and isinstance(code.value, ast.Name)
                and code.value.id == "IssueCode"
            ):
                continue
            assert cs.IssueCode[code.attr] in getattr(R, rule.attr).issues, (
                f"{module}:{node.lineno}: {rule.attr} does not list {code.attr}"
            )
            checked += 1
    assert checked >= 5  # the scan finds the calls: it cannot pass by finding none


def test_the_test_suite_runs_the_builder_strictly() -> None:
    assert builder.STRICT  # tests/conftest.py


def test_a_strict_builder_refuses_an_issue_its_rule_does_not_list() -> None:
    out = builder.PlanBuilder()
    with pytest.raises(AssertionError, match="R-WINDOW does not list STAMP_MISMATCH"):
        out.issue(R.WINDOW, cs.IssueCode.STAMP_MISMATCH, "not R-WINDOW's to raise")


@given(cst.histories())
def test_every_issue_a_plan_carries_is_listed_in_its_rule(
    history: tuple[cs.OrgSettings, cs.Snapshot, cs.Snapshot],
) -> None:
    settings, before, after = history
    for issue in cs.reconcile(before, after, settings).issues:
        assert issue.code in cs.RULES[issue.rule].issues, issue
