"""Sphinx extension: the adapters' field mappings, rendered from their own rows.

``.. calsync-field-map:: graph`` (or ``salesforce``) writes one table row per
:class:`~calsync_core._fieldmap.FieldRow` of that adapter's mapping
(``calsync_core.graph._mapping.FIELDS``, ``calsync_core.salesforce._mapping.FIELDS``):
the wire field, the value's attribute, the direction and the note. The writers
take their field names from the same rows and tests/test_field_map.py proves
each row against the readers and writers, so the table is what the code does.

``:direction: read`` (or ``create``, ``update``) keeps the rows used that way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from fieldrows import DIRECTIONS, SIDES, table_rows
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

import calsync_core
from calsync_core.graph import _mapping as graph_mapping
from calsync_core.salesforce import _mapping as salesforce_mapping


class FieldMap(SphinxDirective):
    """``.. calsync-field-map:: graph``: one adapter's mapping as a table."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {
        "direction": lambda text: directives.choice(text, tuple(DIRECTIONS)),
    }

    def run(self) -> list[nodes.Node]:
        side = self.arguments[0]
        if side not in SIDES:
            raise self.error(f"calsync-field-map: {side!r} is not one of {', '.join(SIDES)}")
        for module in (graph_mapping, salesforce_mapping):
            self.env.note_dependency(str(module.__file__))
        _, wire, attribute = SIDES[side]
        table = nodes.table()
        group = nodes.tgroup(cols=4)
        table += group
        for width in (3, 2, 2, 5):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += self._row((wire, attribute, "Direction", "Note"), inline=False)
        group += head
        body = nodes.tbody()
        for cells in table_rows(side, self.options.get("direction")):
            body += self._row(cells, inline=True)
        group += body
        return [table]

    def _row(self, cells: Sequence[str], *, inline: bool) -> nodes.row:
        row = nodes.row()
        for text in cells:
            paragraph = nodes.paragraph()
            if inline:  # notes and names are reST: ``literals`` render as code
                parsed, messages = self.state.inline_text(text, self.lineno)
                paragraph += parsed
                paragraph += messages
            else:
                paragraph += nodes.Text(text)
            row += nodes.entry("", paragraph)
        return row


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("calsync-field-map", FieldMap)
    return {
        "version": calsync_core.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
