"""R-STALE-VERSION: a pair whose version did not move although its fields did.

The planner trusts ``version`` (R-UPDATE compares versions before fields, and
``steady`` decides an unchanged pair with a handful of lookups), which is right
for a connector that reads the systems' change keys. A snapshot edited by hand,
or a connector that forgets to carry a new change key, then gets a silent
no-op: the fields differ and nothing is planned. Finding that takes a
field-by-field comparison of every pair -- the very work the shortcut saves --
so it runs only when asked (``reconcile(..., check_versions=True)``; the
``calsync`` command always asks). It adds issues and nothing else: the actions
and decisions are those of the plan made without it.

Only a linked pair is checked -- an item whose ``sf_event_id`` names an event
of AFTER, and that event -- because only there is the version trusted
(``fields.sync_pair``, ``steady``). An item in no pair, or an event no item
links, is read whole on every run: an edit to it is planned, and calling it
stale would say "nothing planned" next to the action that carries it out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import attrs

from .. import _rules as R
from .._enums import IssueCode
from .._values import CalendarItem, SfEvent, Snapshot
from .builder import PlanBuilder

T = TypeVar("T", CalendarItem, SfEvent)

#: After every other issue of the run (see ``run.run`` for the other scopes).
SCOPE = (6,)


def report(before: Snapshot, after: Snapshot, out: PlanBuilder) -> None:
    """One STALE_VERSION issue per side of a linked pair with the previous version, other fields."""
    out.scope = SCOPE
    events = {e.id for e in after.events}
    items = [i for i in after.items if i.sf_event_id is not None and i.sf_event_id in events]
    linked = {i.sf_event_id for i in items}
    for prior, item in _pairs(before.items, items, lambda i: (i.mailbox, i.id)):
        fields = changed_fields(prior, item)
        if fields:
            out.issue(R.STALE_VERSION, IssueCode.STALE_VERSION, _message(item, fields), item=item)
    linked_events = [e for e in after.events if e.id in linked]
    for prior_event, event in _pairs(before.events, linked_events, lambda e: (e.id,)):
        fields = changed_fields(prior_event, event)
        if fields:
            message = _message(event, fields)
            out.issue(R.STALE_VERSION, IssueCode.STALE_VERSION, message, event_id=event.id)


def changed_fields(prior: T, now: T) -> tuple[str, ...]:
    """The fields, other than ``version``, in which two values of one class differ."""
    return tuple(
        field.name
        for field in attrs.fields(type(now))
        if field.name != "version" and getattr(prior, field.name) != getattr(now, field.name)
    )


def _pairs(
    before: Iterable[T], after: Iterable[T], key: Callable[[T], tuple[str, ...]]
) -> Iterator[tuple[T, T]]:
    """Each value of ``after`` with its namesake in ``before``, when both carry one version.

    An empty version is no version at all (nothing to trust); of two values of
    ``before`` with one key, the first is compared.
    """
    prior: dict[tuple[str, ...], T] = {}
    for value in before:
        prior.setdefault(key(value), value)
    for value in sorted(after, key=key):
        old = prior.get(key(value))
        if old is not None and value.version and old.version == value.version:
            yield old, value


def _message(value: CalendarItem | SfEvent, fields: tuple[str, ...]) -> str:
    what = "item" if isinstance(value, CalendarItem) else "event"
    return (
        f"The {what}'s version {value.version!r} is the previous run's, but its "
        f"{', '.join(fields)} changed: sync trusts the version and plans nothing for this "
        f"change. Give the {what} a new version to have the change synced."
    )
