"""Who, What and invitees of one event, from its relation rows and its own fields.

``WhoId`` and ``WhatId`` on the Event are the primary ones and come first. The
rows add the rest (DOMAIN.md, "Salesforce relations"):

* an ``EventWhoRelation`` row is a Who;
* an ``EventRelation`` row with ``IsWhat`` is a What; with ``IsParent`` (and not
  ``IsWhat``) a Who;
* an ``EventRelation`` row with ``IsInvitee`` whose ``RelationId`` is a User
  (key prefix ``005``) is an invitee. A contact or lead invited and related is
  one row with both flags, and is a Who; one only invited is neither (sync
  invites users only).

A row's kind is its ``attributes.type``; a row without one is an EventRelation
when it carries ``IsInvitee``, ``IsParent`` or ``IsWhat``, else an
EventWhoRelation. A row whose ``EventId`` names another event is a fault (an
occurrence's rows may name its series).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ._fields import Fields

#: Key prefix of User ids.
USER_PREFIX = "005"
_FLAGS = ("IsInvitee", "IsParent", "IsWhat")
_KINDS = ("EventRelation", "EventWhoRelation")


@attrs.frozen
class Related:
    """The event's Who, What and invitee ids, primary first, each once."""

    whos: tuple[str, ...]
    whats: tuple[str, ...]
    invitees: tuple[str, ...]


def read_relations(
    event: Fields, rows: Sequence[Mapping[str, Any]], event_id: str, occurrence: bool
) -> Related:
    """The relations of ``event`` (whose ``Id`` is ``event_id``) from ``rows`` and its fields."""
    whos: dict[str, None] = {}
    whats: dict[str, None] = {}
    invitees: dict[str, None] = {}
    for name, found in (("WhoId", whos), ("WhatId", whats)):
        primary = event.text(name)
        if primary:
            found[primary] = None
    series = event.text("RecurrenceActivityId") if occurrence else None
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Sequence):
        event.problems.append("relations: not a list of rows")
        return Related((), (), ())
    for n, row in enumerate(rows):
        f = Fields(row, f"relations[{n}]", event.problems)
        relation = f.text("RelationId", required=True)
        owner = f.text("EventId")
        if owner is not None and owner not in (event_id, series):
            f.fault("EventId", f"{owner!r} is not this event ({event_id!r})")
        if _kind(f) == "EventWhoRelation":
            is_who, is_what, invited = True, False, False
        else:
            invited = f.flag("IsInvitee")
            is_what = f.flag("IsWhat")
            is_who = f.flag("IsParent") and not is_what
        if relation:
            _add(relation, is_who, is_what, invited, whos, whats, invitees)
    return Related(tuple(whos), tuple(whats), tuple(invitees))


def _kind(f: Fields) -> str:
    attributes = f.record.get("attributes")
    if attributes is None:
        return "EventRelation" if any(flag in f.record for flag in _FLAGS) else "EventWhoRelation"
    kind = Fields(attributes, f.where("attributes"), f.problems).text("type", required=True)
    if kind is not None and kind not in _KINDS:
        f.fault("attributes.type", f"{kind!r} is not EventRelation or EventWhoRelation")
    return kind or "EventRelation"


def _add(
    relation: str,
    is_who: bool,
    is_what: bool,
    invited: bool,
    whos: dict[str, None],
    whats: dict[str, None],
    invitees: dict[str, None],
) -> None:
    if is_who:
        whos[relation] = None
    if is_what:
        whats[relation] = None
    if invited and relation.startswith(USER_PREFIX):
        invitees[relation] = None
