"""Sphinx extension: ``.. calsync-formats::``, the JSON file formats from the values' fields.

One section per value class that a snapshot, the settings or a plan holds
(``formatrows.documents``), each with a table of its fields: the JSON key, the
JSON it takes (a nested value links to its own section), the default when the
key is left out, and the field's own documentation comment (``#:``) where it
has one. Generated at build time, so the page cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from formatrows import Row, documents, rows
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective

import calsync_core


def _anchor(cls: type) -> str:
    return nodes.make_id(f"format {cls.__name__}")


class FormatsDirective(SphinxDirective):
    """``.. calsync-formats::`` -- a section per value, a row per field."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for cls in documents():
            module = ModuleAnalyzer.for_module(cls.__module__)
            self.env.note_dependency(module.srcname)
            notes = module.find_attr_docs()
            section = nodes.section(ids=[_anchor(cls)])
            # The section's name is the class's, so the page's text can link to it as `Plan`_.
            section["names"].append(nodes.fully_normalize_name(cls.__name__))
            section += nodes.title(cls.__name__, cls.__name__)
            self.state.document.note_implicit_target(section, section)
            section += self._intro(cls)
            section += self._table(cls, notes)
            result.append(section)
        return result

    def _intro(self, cls: type) -> list[nodes.Node]:
        """The docstring's first paragraph, parsed as the reST it is, and a link to the API."""
        doc = (cls.__doc__ or "").strip().split("\n\n", 1)[0]
        box = nodes.container()
        self.state.nested_parse(StringList([" ".join(doc.split())]), self.content_offset, box)
        para = nodes.paragraph()
        if cls.__name__ in calsync_core.__all__:
            para += nodes.Text("API: ")
            ref = addnodes.pending_xref(
                "",
                nodes.literal(cls.__name__, cls.__name__, classes=["xref", "py", "py-class"]),
                refdomain="py",
                reftype="class",
                reftarget=f"calsync_core.{cls.__name__}",
                refexplicit=True,
                refwarn=True,
            )
            ref["py:module"] = "calsync_core"
            ref["py:class"] = None
            self.set_source_info(ref)
            para += ref
            para += nodes.Text(".")
        return [*box.children, para]

    def _table(self, cls: type, notes: dict[tuple[str, str], list[str]]) -> nodes.table:
        said = {
            row.name: " ".join(" ".join(notes.get((cls.__name__, row.name), [])).split())
            for row in rows(cls)
        }
        # A notes column only where a field has a note: an empty column is noise.
        headings = ["Key", "JSON", "If left out", *(["Notes"] if any(said.values()) else [])]
        table = nodes.table(classes=["calsync-format"])
        group = nodes.tgroup(cols=len(headings))
        table += group
        for width in (18, 36, 12, 34)[: len(headings)]:
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += _row([nodes.paragraph(text=t) for t in headings])
        group += head
        body = nodes.tbody()
        for row in rows(cls):
            cells: list[nodes.Element] = [
                nodes.paragraph("", "", nodes.literal(row.name, row.name)),
                _value(row),
                nodes.paragraph(text="required")
                if row.default is None
                else nodes.paragraph("", "", nodes.literal(row.default, row.default)),
            ]
            if len(headings) == 4:
                cells.append(nodes.paragraph(text=said[row.name]))
            body += _row(cells)
        group += body
        return table


def _value(row: Row) -> nodes.paragraph:
    para = nodes.paragraph()
    for part in row.value:
        if isinstance(part, str):
            para += nodes.Text(part)
        else:
            para += nodes.reference("", part.__name__, internal=True, refid=_anchor(part))
    return para


def _row(cells: list[nodes.Element]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell
        row += entry
    return row


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("calsync-formats", FormatsDirective)
    return {"version": calsync_core.__version__, "parallel_read_safe": True}
