"""The rows of ``.. calsync-field-map::`` tables, without Sphinx: tests read them too.

The test suite runs without the docs extra, so what it checks lives here and
``fieldmap`` (the directive) only lays these rows out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from calsync_core._fieldmap import Direction, FieldRow
from calsync_core.graph import _mapping as graph_mapping
from calsync_core.salesforce import _mapping as salesforce_mapping

#: Each side's rows and the headings of its two name columns.
SIDES: Final[dict[str, tuple[Sequence[FieldRow], str, str]]] = {
    "graph": (graph_mapping.FIELDS, "Graph event", "CalendarItem"),
    "salesforce": (salesforce_mapping.FIELDS, "Salesforce Event", "SfEvent"),
}
DIRECTIONS: Final = {"read": Direction.READ, "create": Direction.CREATE, "update": Direction.UPDATE}


def table_rows(side: str, direction: str | None = None) -> list[tuple[str, str, str, str]]:
    """The table's rows as reStructuredText cells: wire, attribute, direction, note.

    KeyError for an unknown side or direction: the directive reports it.
    """
    rows, _, _ = SIDES[side]
    wanted = None if direction is None else DIRECTIONS[direction]
    return [
        (
            ", ".join(f"``{name}``" for name in row.wire),
            f"``{row.attribute}``",
            row.direction.label(),
            row.note,
        )
        for row in rows
        if wanted is None or wanted in row.direction
    ]
