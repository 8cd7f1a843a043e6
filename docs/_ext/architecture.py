"""Sphinx extension: the package's architecture, drawn from the code itself.

``.. calsync-module-graph:: planner`` draws the modules of one subpackage and
who imports whom, as an SVG laid out in layers: a module sits above every
module it imports, so data flows downwards from ``run`` to the read-only world
at the bottom. ``.. calsync-rule-modules::`` tabulates, for each rule ID of
``RULE_TABLE``, the planner modules that cite it (``R.<NAME>``). Both are
computed at build time from the source, so the pictures cannot drift from it.

``tests/test_architecture.py`` reads the same graph (``modgraph.import_graph``) to hold
the package to its layers: no import cycle, and no module importing one from a
layer above its own.
"""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from modgraph import import_graph, rule_modules, subgraph, svg
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


class ModuleGraph(SphinxDirective):
    """``.. calsync-module-graph:: planner``: one subpackage's import graph."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        graph = subgraph(self.arguments[0], import_graph())
        text = "\n".join(f"{m} -> {', '.join(graph[m]) or '(nothing)'}" for m in sorted(graph))
        picture = addnodes.only(expr="html")
        picture += nodes.raw("", svg(graph), format="html")
        listing = addnodes.only(expr="not html")
        listing += nodes.literal_block(text, text)
        return [picture, listing]


class RuleModules(SphinxDirective):
    """``.. calsync-rule-modules::``: rule ID -> the planner modules that cite it."""

    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        table = nodes.table()
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=1)
        group += nodes.colspec(colwidth=3)
        body = nodes.tbody()
        head = nodes.thead()
        head += _row("Rule", "Planner modules")
        group += head
        for rule, modules in rule_modules().items():
            body += _row(rule, ", ".join(modules) or "(a property of the whole plan)")
        group += body
        return [table]


def _row(*cells: str) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += nodes.paragraph(text=cell)
        row += entry
    return row


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("calsync-module-graph", ModuleGraph)
    app.add_directive("calsync-rule-modules", RuleModules)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
