"""The steady state's shortcut (``PairRules.steady``) never changes a plan.

``reconcile`` answers an unchanged linked pair with a handful of lookups
instead of the full rules. These tests hold the plans made with and without
the shortcut byte-identical -- over generated histories, with the settings
changed between runs, the clock moved on, and fields edited *without* a new
change key (a connector that reports stale versions) -- and show that the
shortcut is really taken.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import calsync_core as cs
from calsync_core.planner import linked, plan

from .orgs import AS_OF, OUTSIDERS, History, histories, meeting_copies, settings_

pytestmark = pytest.mark.property

# What can happen to one pair between two runs. "silently" means the field
# changed while the change key did not (a connector reporting stale versions):
# the shortcut must still see every such change the full rules would.
_ITEM_EDITS = [
    *["none"] * 4,
    "subject",
    "subject silently",
    "no categories silently",
    "sync error silently",
    "own category silently",
    "unsync silently",
    "too long silently",
    "out of window silently",
    "bad time zone silently",
    "series silently",
    "attachment silently",
]
_EVENT_EDITS = ["none", "subject", "subject silently", "delete", "duplicate"]


def _edit_item(item: cs.CalendarItem, edit: str) -> cs.CalendarItem:
    days = dt.timedelta(days=90)
    changes: dict[str, dict[str, object]] = {
        "none": {},
        "subject": {"subject": "renamed", "version": item.version + "'"},
        "subject silently": {"subject": "renamed"},
        "no categories silently": {"categories": frozenset()},
        "sync error silently": {"categories": item.categories | {"Sync Error"}},
        "own category silently": {"categories": item.categories | {"Blue"}},
        "unsync silently": {"categories": item.categories | {"Salesforce Unsync"}},
        "too long silently": {"end": item.start + dt.timedelta(days=20)},
        "out of window silently": {"start": item.start - days, "end": item.end - days},
        "bad time zone silently": {"time_zone": "Mars/Olympus_Mons"},
        "series silently": {
            "recurrence": cs.Recurrence(
                rule="FREQ=DAILY;COUNT=3", cancelled=frozenset({item.start + dt.timedelta(days=1)})
            )
        },
        "attachment silently": {"attachments": (cs.Attachment(id="a1", name="deck.pdf", size=10),)},
    }
    return attrs.evolve(item, **changes[edit])  # type: ignore[arg-type]


def _edit_event(event: cs.SfEvent, edit: str) -> list[cs.SfEvent]:
    if edit == "subject":
        return [attrs.evolve(event, subject="moved on", version=event.version + "'")]
    if edit == "subject silently":
        return [attrs.evolve(event, subject="moved on")]
    if edit == "duplicate":  # an older twin: R-DEDUP keeps it rather than this one
        return [event, attrs.evolve(event, id="0" + event.id, created_by_sync=True)]
    return [] if edit == "delete" else [event]


def _edit_pair(items: list[cs.CalendarItem], events: list[cs.SfEvent], n: int, edit: str) -> None:
    """Apply ``edit`` to ``items[n]``, and to what Salesforce holds for it where that follows."""
    items[n] = _edit_item(items[n], edit)
    at = next((k for k, e in enumerate(events) if e.id == items[n].sf_event_id), None)
    event = None if at is None else events[at]
    if edit == "out of window silently" and event is not None:
        # Both out of the window: only then does the pair stop syncing (R-WINDOW).
        assert at is not None
        events[at] = attrs.evolve(event, start=items[n].start, end=items[n].end)
    if edit == "series silently" and event is not None:
        # Salesforce made the series' occurrences; the one cancelled above goes.
        day = dt.timedelta(days=1)
        events.append(
            attrs.evolve(
                event,
                id=event.id + "-2",
                start=event.start + day,
                end=event.end + day,
                original_start=items[n].start + day,
                created_by_sync=True,
            )
        )


def _edited(snapshot: cs.Snapshot, data: st.DataObject) -> cs.Snapshot:
    """Each linked item (or one item, if none is linked) and one event edited."""
    items, events = list(snapshot.items), list(snapshot.events)
    linked = [n for n, item in enumerate(items) if item.sf_event_id]
    for n in linked or range(min(1, len(items))):
        _edit_pair(items, events, n, data.draw(st.sampled_from(_ITEM_EDITS)))
    if events:
        n = data.draw(st.integers(0, len(events) - 1))
        events[n : n + 1] = _edit_event(events[n], data.draw(st.sampled_from(_EVENT_EDITS)))
    return attrs.evolve(snapshot, items=tuple(items), events=tuple(events))


@st.composite
def _steady_states(draw: st.DrawFn) -> History:
    """A run's plan carried out on an org full of pairs it could link: the steady state."""
    settings = draw(settings_())
    users = tuple(u.email for u in settings.users)
    items = []
    for n in range(draw(st.integers(1, 8))):
        start = AS_OF + dt.timedelta(hours=draw(st.integers(-24 * 10, 24 * 50)))
        for copy in draw(meeting_copies(f"m{n}", users)):
            length = copy.end - copy.start
            items.append(
                attrs.evolve(
                    copy,
                    start=start,
                    end=start + min(length, dt.timedelta(hours=2)),
                    is_cancelled=False,
                    calendar_id=None,
                )
            )
    records = tuple(
        cs.Record(id=f"003x{n}", kind=cs.RecordKind.CONTACT, email=address)
        for n, address in enumerate(OUTSIDERS)
    )
    state = cs.Snapshot(as_of=AS_OF, items=tuple(items), records=records)
    state = cs.apply(state, cs.reconcile(None, state, settings))
    # A second run links the attendees who waited for their organizer's event.
    state = cs.apply(state, cs.reconcile(state, state, settings))
    return History(settings=settings, before=state, after=state)


# Four times the profile's examples: this is the shortcut's whole proof, and cheap.
@settings(max_examples=4 * settings().max_examples)
@given(histories() | _steady_states(), st.data())
def test_steady_shortcut_makes_the_same_plan(h: History, data: st.DataObject) -> None:
    before, after = h.before, h.after
    if before is not None and before is not after and data.draw(st.booleans()):
        # The steady state proper: the last run's plan carried out, then a few edits.
        before = after = cs.apply(h.after, cs.reconcile(h.before, h.after, h.settings))
    settings = h.settings if data.draw(st.booleans()) else data.draw(settings_())
    later = dt.timedelta(days=data.draw(st.sampled_from([0, 0, 1, 30])))
    after = attrs.evolve(_edited(after, data), as_of=after.as_of + later)
    fast = plan(before, after, settings, steady=True)
    slow = plan(before, after, settings, steady=False)
    assert cs.dumps(fast) == cs.dumps(slow)
    steady = sum(d.note.endswith("; in sync") for d in fast.decisions)
    event(f"in-sync pairs: {'none' if steady == 0 else 'some'}")


def _synced_org(**switches: object) -> tuple[cs.OrgSettings, cs.Snapshot]:
    """One user, five meetings with a customer, all saved and linked by a first run."""
    settings = cs.OrgSettings(
        users=(cs.UserSettings(email="ann@acme.example", sf_user_id="005ann"),),
        company_domains=frozenset({"acme.example"}),
        **switches,  # type: ignore[arg-type]
    )
    start = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
    items = tuple(
        cs.CalendarItem(
            id=f"item{n}",
            ical_uid=f"uid{n}",
            mailbox="ann@acme.example",
            start=start,
            end=start + dt.timedelta(hours=1),
            organizer="buyer@customer.example",
            attendees=(cs.Attendee(email="buyer@customer.example"),),
            response=cs.Response.ACCEPTED,
            categories=frozenset({"Salesforce", "Blue"} if n % 2 else {"Salesforce"}),
            version=f"v{n}",
        )
        for n in range(5)
    )
    buyer = cs.Record(id="003buyer", kind=cs.RecordKind.CONTACT, email="buyer@customer.example")
    first = cs.Snapshot(as_of=start, items=items, records=(buyer,))
    synced = cs.apply(first, cs.reconcile(None, first, settings))
    assert all(i.sf_event_id for i in synced.items)
    return settings, synced


def test_steady_shortcut_is_taken_for_every_unchanged_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, synced = _synced_org()

    def full_rules(*_args: object, **_kwargs: object) -> bool:
        raise AssertionError("an unchanged pair took the full rules")

    monkeypatch.setattr(linked, "sync_linked", full_rules)
    again = cs.reconcile(synced, synced, settings)
    assert again.actions == ()
    assert again.issues == ()
    assert [d.outcome for d in again.decisions] == ["keep"] * 5
    assert all(d.rule == "R-UPDATE" and d.note.endswith("; in sync") for d in again.decisions)


# Edits the shortcut may pass over: the version vouches for the fields (R-UPDATE
# compares it first, with or without the shortcut), and a user's own category is theirs.
# The same names serve item and event edits.
_STILL_IN_SYNC = {"none", "subject silently", "own category silently"}


@pytest.mark.parametrize("edit", sorted(set(_ITEM_EDITS)))
def test_steady_shortcut_sees_each_edit(edit: str) -> None:
    # One example per edit, so every condition of the shortcut is exercised on
    # every run (the generated test above finds some only now and then).
    settings, synced = _synced_org(save_attachments=True)
    items, events = list(synced.items), list(synced.events)
    _edit_pair(items, events, 0, edit)
    after = attrs.evolve(synced, items=tuple(items), events=tuple(events))
    fast = plan(synced, after, settings, steady=True)
    assert cs.dumps(fast) == cs.dumps(plan(synced, after, settings, steady=False))
    notes = [d.note for d in fast.explain("item0")]
    quiet = fast.actions == () and fast.issues == () and len(notes) == 1
    assert (quiet and notes[0].endswith("; in sync")) == (edit in _STILL_IN_SYNC), notes


def test_planned_values_equal_the_checked_ones() -> None:
    from calsync_core._plan import planned_decision, planned_plan

    made = planned_decision("i1", "keep", "R-UPDATE", "in sync", "ann@acme.example")
    checked = cs.Decision(
        ref="i1", outcome="keep", rule="R-UPDATE", note="in sync", mailbox="ann@acme.example"
    )
    assert made == checked
    assert hash(made) == hash(checked)
    assert planned_plan((), (), (made,)) == cs.Plan(decisions=(checked,))
    assert cs.dumps(planned_plan((), (), (made,))) == cs.dumps(cs.Plan(decisions=(checked,)))


@pytest.mark.parametrize("edit", _EVENT_EDITS)
def test_steady_shortcut_sees_each_event_edit(edit: str) -> None:
    settings, synced = _synced_org()
    events = list(synced.events)
    at = next(k for k, e in enumerate(events) if e.id == synced.items[0].sf_event_id)
    events[at : at + 1] = _edit_event(events[at], edit)
    after = attrs.evolve(synced, events=tuple(events))
    fast = plan(synced, after, settings, steady=True)
    assert cs.dumps(fast) == cs.dumps(plan(synced, after, settings, steady=False))
    notes = [d.note for d in fast.explain("item0")]
    quiet = fast.actions == () and fast.issues == () and len(notes) == 1
    assert (quiet and notes[0].endswith("; in sync")) == (edit in _STILL_IN_SYNC), notes


def test_steady_shortcut_leaves_a_cancelled_copy_to_r_cancel() -> None:
    # Linked, versions unmoved, but cancelled: the full rules delete its own event
    # (an organizer who is no user: R-OWNER (b)); the shortcut must not call it in sync.
    at = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
    settings = cs.OrgSettings(
        users=(cs.UserSettings(email="u0@acme.example", sf_user_id="005u0"),),
        company_domains={"acme.example"},
    )
    item = cs.CalendarItem(
        id="AAMk1", ical_uid="m1", mailbox="u0@acme.example", start=at,
        end=at + dt.timedelta(hours=1),
        organizer="c@acme.example", attendees=(cs.Attendee(email="u0@acme.example"),),
        response=cs.Response.ACCEPTED, categories={"Salesforce"}, is_cancelled=True,
        sf_event_id="00Ua", version="v1",
    )  # fmt: skip
    event = cs.SfEvent(
        id="00Ua", owner_id="005u0", start=at, end=at + dt.timedelta(hours=1), ical_uid="m1",
        created_by_sync=True, version="e1",
    )  # fmt: skip
    both = cs.Snapshot(as_of=at, items=(item,), events=(event,))

    shortcut = plan(both, both, settings, steady=True)

    assert shortcut == plan(both, both, settings, steady=False)
    assert [a.event_id for a in shortcut.actions if isinstance(a, cs.DeleteEvent)] == ["00Ua"]
