"""R-STALE-VERSION: a pair whose version did not move although its fields did.

``reconcile`` trusts versions, so such a pair plans nothing; asked to check
(``check_versions=True``, which the ``calsync`` command always does), it says
so with a STALE_VERSION issue naming the fields, and changes nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

import calsync_core as cs
from calsync_core.cli._example import example_after, example_before, example_settings


def synced() -> tuple[cs.Snapshot, cs.OrgSettings]:
    """The example after its plan was carried out: converged, every pair linked."""
    settings = example_settings()
    after = example_after()
    return cs.apply(after, cs.reconcile(example_before(), after, settings)), settings


def with_item(
    snapshot: cs.Snapshot, item_id: str, change: Callable[[cs.CalendarItem], cs.CalendarItem]
) -> cs.Snapshot:
    """``snapshot`` with one item changed."""
    items = tuple(change(i) if i.id == item_id else i for i in snapshot.items)
    return attrs.evolve(snapshot, items=items)


def stale(plan: cs.Plan) -> list[cs.Issue]:
    return [i for i in plan.issues if i.code is cs.IssueCode.STALE_VERSION]


def test_r_stale_version_reports_an_item_edited_without_a_new_version() -> None:
    before, settings = synced()
    after = with_item(
        before,
        "ana-renewal",
        lambda i: attrs.evolve(i, subject="Renamed by hand", location="Room 9"),
    )
    plan = cs.reconcile(before, after, settings, check_versions=True)
    (issue,) = stale(plan)
    assert (issue.item_id, issue.mailbox, issue.rule) == (
        "ana-renewal",
        "ana@acme.example",
        "R-STALE-VERSION",
    )
    assert "subject, location changed" in issue.message
    # The version shortcut still decides: nothing is planned for the edit.
    assert not plan.actions


def test_r_stale_version_reports_an_event_edited_without_a_new_version() -> None:
    before, settings = synced()
    event = before.events[0]
    moved = attrs.evolve(event, description="typed into the JSON")
    after = attrs.evolve(before, events=(moved, *before.events[1:]))
    (issue,) = stale(cs.reconcile(before, after, settings, check_versions=True))
    assert (issue.event_id, issue.item_id) == (event.id, None)
    assert "description changed" in issue.message


def test_r_stale_version_is_silent_for_a_new_version_and_for_no_version() -> None:
    before, settings = synced()
    bumped = with_item(
        before, "ana-renewal", lambda i: attrs.evolve(i, subject="Renamed", version="v-new")
    )
    assert not stale(cs.reconcile(before, bumped, settings, check_versions=True))
    unversioned = with_item(before, "ana-renewal", lambda i: attrs.evolve(i, version=""))
    edited = with_item(unversioned, "ana-renewal", lambda i: attrs.evolve(i, subject="Renamed"))
    assert not stale(cs.reconcile(unversioned, edited, settings, check_versions=True))


def test_r_stale_version_only_adds_issues_and_is_off_by_default() -> None:
    before, settings = synced()
    after = with_item(before, "ana-renewal", lambda i: attrs.evolve(i, subject="Renamed by hand"))
    checked = cs.reconcile(before, after, settings, check_versions=True)
    plain = cs.reconcile(before, after, settings)
    assert not stale(plain)
    assert cs.dumps(plain) == cs.dumps(cs.reconcile(before, after, settings, check_versions=False))
    assert (checked.actions, checked.decisions) == (plain.actions, plain.decisions)
    assert [i for i in checked.issues if i not in stale(checked)] == list(plain.issues)


def test_r_stale_version_finds_nothing_in_the_example_whose_edits_all_have_new_versions() -> None:
    plan = cs.reconcile(example_before(), example_after(), example_settings(), check_versions=True)
    assert not stale(plan)
