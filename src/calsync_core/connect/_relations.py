"""An updated event's relation rows: the Whos after the first and the invitees.

An :class:`~calsync_core.UpdateEvent` writes ``WhoId`` and ``WhatId`` on the
Event row; the other Whos and the invitees are ``EventRelation`` rows of
their own, which a plan does not name (they have ids of their own). Left
alone, the next read would show the old rows, and the same update would be
planned again every run. So once the PATCH succeeded, the rows are made to
match: a row no longer wanted is deleted, a missing one added, one whose
flags changed replaced. The primary Who's and the Whats' rows are never
touched: the Event row holds those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import CreateEvent, Request, SfEvent, UpdateEvent, salesforce


def row_updates(
    action: UpdateEvent, current: SfEvent, rows: Sequence[Mapping[str, Any]]
) -> tuple[Request, ...]:
    """The deletes and adds that give ``current`` the relation rows ``action`` asks for."""
    new: dict[str, Any] = {c.field: c.new for c in action.changes}
    if "who_ids" not in new and "invitee_ids" not in new:
        return ()
    if new.get("is_private", current.is_private):
        return ()  # R-PRIVATE: every row goes (private_relation_deletes)
    whos = tuple(new.get("who_ids", current.who_ids))
    invitees = tuple(new.get("invitee_ids", current.invitee_ids))
    wanted = {who: (True, who in invitees) for who in whos[1:]}
    wanted.update({user: (False, True) for user in invitees if user not in wanted})
    primary = whos[0] if whos else None
    kept: set[str] = set()
    stale: list[Mapping[str, Any]] = []
    for row in rows:
        relation = row.get("RelationId")
        if row.get("IsWhat") or relation == primary or not isinstance(relation, str):
            continue
        flags = (bool(row.get("IsParent")), bool(row.get("IsInvitee")))
        if wanted.get(relation) == flags and relation not in kept:
            kept.add(relation)
        else:
            stale.append(row)
    # The adapter writes the rows a new event with these Whos and invitees would get.
    shape = CreateEvent(
        ref="rows", owner_id=current.owner_id, ical_uid=current.ical_uid or "",
        start=current.start, end=current.end, subject=current.subject,
        description=current.description, location=current.location,
        is_all_day=current.is_all_day, is_private=False, who_ids=whos, what_ids=(),
        invitee_ids=invitees, recurrence=None, source_item_id="", rule=action.rule,
        time_zone=current.time_zone,
    )  # fmt: skip
    adds = tuple(
        r
        for r in salesforce.relation_requests(shape, current.id)
        if r.body["RelationId"] not in kept
    )
    return salesforce.private_relation_deletes(stale) + adds
