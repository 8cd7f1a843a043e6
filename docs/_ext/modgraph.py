"""The package's module graph and the rules each planner module cites, read from the source.

Pure functions over ``ast`` (no Sphinx here): ``docs/_ext/architecture.py``
draws them, and ``tests/test_architecture.py`` holds the package to them --
no import cycle, no module importing from a layer above its own.
"""

from __future__ import annotations

import ast
import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import calsync_core

PACKAGE = Path(calsync_core.__file__).parent


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """``.../calsync_core/planner/run.py`` -> ``calsync_core.planner.run``."""
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(package: Path = PACKAGE) -> dict[str, tuple[str, ...]]:
    """Module -> the package's modules it imports when it is imported, sorted.

    Imports under ``if TYPE_CHECKING:`` (or any ``if``) and inside functions
    are left out: they do not run when the module loads, so they make no cycle.
    """
    paths = {module_name(p, package): p for p in sorted(package.rglob("*.py"))}
    return {name: tuple(sorted(_imports(name, path, paths))) for name, path in paths.items()}


def _imports(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            base = here.split(".")[: len(here.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                full = f"{module}.{alias.name}"
                found.add(full if full in known else module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in known and m != name}


def rule_modules(package: Path = PACKAGE) -> dict[str, tuple[str, ...]]:
    """Rule ID -> the planner modules that cite it as ``R.<NAME>``, sorted."""
    names = {rule.id[2:].replace("-", "_"): rule.id for rule in calsync_core.RULE_TABLE}
    cited: dict[str, set[str]] = {rule.id: set() for rule in calsync_core.RULE_TABLE}
    for path in sorted((package / "planner").glob("*.py")):
        module = path.stem
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "R"
                and node.attr in names
            ):
                cited[names[node.attr]].add(module)
    return {rule: tuple(sorted(modules)) for rule, modules in cited.items()}


def layers(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """The modules in rows, bottom row first: each sits one row above its highest import."""
    height: dict[str, int] = {}

    def level(name: str, seen: tuple[str, ...] = ()) -> int:
        if name not in height:
            below = [m for m in graph[name] if m not in seen]
            height[name] = 1 + max((level(m, (*seen, name)) for m in below), default=-1)
        return height[name]

    rows: list[list[str]] = [[] for _ in range(1 + max(map(level, graph), default=0))]
    for name in sorted(graph):
        rows[level(name)].append(name)
    # One barycentre pass: a module sits near the modules it imports, fewer crossings.
    for n in range(1, len(rows)):
        place = {m: i for i, m in enumerate(rows[n - 1])}
        rows[n].sort(key=lambda m: sum(place.get(x, 0) for x in graph[m]) / max(1, len(graph[m])))
    return rows


_BOX_W, _BOX_H, _GAP_X, _GAP_Y = 118, 26, 14, 56


def svg(graph: Mapping[str, Sequence[str]]) -> str:
    """``graph`` drawn as an SVG: modules as boxes, imports as arrows pointing down."""
    rows = layers(graph)[::-1]  # top row first
    width = max(len(r) for r in rows) * (_BOX_W + _GAP_X) + _GAP_X
    where: dict[str, tuple[float, float]] = {}
    for y, row in enumerate(rows):
        left = (width - len(row) * (_BOX_W + _GAP_X) + _GAP_X) / 2
        for x, name in enumerate(row):
            where[name] = (left + x * (_BOX_W + _GAP_X), _GAP_Y / 2 + y * (_BOX_H + _GAP_Y))
    height = len(rows) * (_BOX_H + _GAP_Y)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" role="img" aria-label="module import graph">',
        '<defs><marker id="a" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" '
        'markerHeight="6" orient="auto"><path d="M0,0L8,4L0,8z" fill="#8a8a8a"/></marker></defs>',
    ]
    for name in sorted(graph):
        x1, y1 = where[name]
        for target in graph[name]:
            x2, y2 = where[target]
            out.append(
                f'<line x1="{x1 + _BOX_W / 2:.0f}" y1="{y1 + _BOX_H:.0f}" '
                f'x2="{x2 + _BOX_W / 2:.0f}" y2="{y2:.0f}" stroke="#b0b0b0" '
                'stroke-width="1" marker-end="url(#a)"/>'
            )
    for name, (left, top) in sorted(where.items()):
        out.append(
            f'<rect x="{left:.0f}" y="{top:.0f}" width="{_BOX_W}" height="{_BOX_H}" rx="4" '
            'fill="#eef3fb" stroke="#4a6fa5"/>'
            f'<text x="{left + _BOX_W / 2:.0f}" y="{top + _BOX_H / 2 + 4:.0f}" font-size="12" '
            f'font-family="sans-serif" text-anchor="middle">{html.escape(name)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def subgraph(prefix: str, graph: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """The modules under ``calsync_core.<prefix>``, short names, imports among themselves."""
    head = f"calsync_core.{prefix}."

    def short(name: str) -> str:
        return name.removeprefix(head)

    inside = [m for m in graph if m.startswith(head)]
    return {short(m): tuple(short(x) for x in graph[m] if x.startswith(head)) for m in inside}
