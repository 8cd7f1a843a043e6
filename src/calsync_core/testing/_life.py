"""What real Exchange and Salesforce users -- and their servers -- do between two sync runs.

Generated histories used to hold only tidy edits: a rename, a move of an hour,
a whole meeting cancelled. Real calendars do more, and each of these is an
everyday way for a sync to delete, leak or overwrite:

- an organizer reschedules a linked meeting months out, past the window, and
  later back into it; someone does the same to an event in Salesforce;
- an organizer removes an attendee, whose copy Exchange then marks cancelled;
  an external organizer cancels, and every attendee's copy is marked so;
- an organizer cancels one occurrence of a series (an exception item that is
  cancelled, or the master's ``recurrence.cancelled``);
- a user copies a linked item in Outlook -- the copy keeps ``sf_event_id`` --
  or an item carries another user's event id;
- either side turns privacy on or off;
- Salesforce users create events with Who and What, which sync downloads;
- users name a category of their own like a public calendar route's;
- an attendee forwards an invite: a colleague holds a copy the organizer's
  item does not list;
- a mailbox fetch comes back empty.

And a snapshot holds what a faithful connector reads (see ``API.md``): the
window, plus what ``before`` saw inside the window wherever it now is. What
``before`` saw outside the window and that is still outside may be absent:
it is out of view, not deleted.

:func:`live` applies a few of these edits to a :class:`World`; both
:func:`calsync_core.testing.strategies.histories` and the project's own
property tests build on it. This module is their one door: the world and its
helpers are in :mod:`._world`, the edits in :mod:`._edits_timing` and
:mod:`._edits_handling`, what a connector reads in :mod:`._reads`.
"""

from __future__ import annotations

from hypothesis import strategies as st

from ._edits_handling import (
    copy_linked_item,
    event_with_relations,
    foreign_stamp,
    forward_invite,
    route_category_on_own_item,
    toggle_event_privacy,
    toggle_item_privacy,
)
from ._edits_timing import (
    cancel_occurrence,
    external_organizer_cancels,
    remove_attendee,
    reschedule_event_back,
    reschedule_event_out,
    reschedule_item_back,
    reschedule_item_out,
)
from ._reads import as_read, empty_fetch, with_occurrences
from ._world import OPPORTUNITY, Draw, Edit, ItemKey, World, bump

__all__ = [
    "EDITS",
    "OPPORTUNITY",
    "Draw",
    "Edit",
    "ItemKey",
    "World",
    "as_read",
    "bump",
    "cancel_occurrence",
    "copy_linked_item",
    "empty_fetch",
    "event_with_relations",
    "external_organizer_cancels",
    "foreign_stamp",
    "forward_invite",
    "live",
    "remove_attendee",
    "reschedule_event_back",
    "reschedule_event_out",
    "reschedule_item_back",
    "reschedule_item_out",
    "route_category_on_own_item",
    "toggle_event_privacy",
    "toggle_item_privacy",
    "with_occurrences",
]

EDITS: tuple[tuple[str, Edit], ...] = (
    ("reschedule item out of the window", reschedule_item_out),
    ("reschedule item back into the window", reschedule_item_back),
    ("reschedule event out of the window", reschedule_event_out),
    ("reschedule event back into the window", reschedule_event_back),
    ("remove an attendee", remove_attendee),
    ("external organizer cancels", external_organizer_cancels),
    ("cancel one occurrence", cancel_occurrence),
    ("copy a linked item", copy_linked_item),
    ("stamp with another user's event", foreign_stamp),
    ("toggle item privacy", toggle_item_privacy),
    ("toggle event privacy", toggle_event_privacy),
    ("event with Who and What", event_with_relations),
    ("route category on an own item", route_category_on_own_item),
    ("forward an invite", forward_invite),
)
_EDIT_NAMES = tuple(name for name, _ in EDITS)
_BY_NAME = dict(EDITS)


def live(draw: Draw, w: World, *, most: int = 4) -> None:
    """One to ``most`` of the edits above, each where it finds something to act on."""
    for name in draw(st.lists(st.sampled_from(_EDIT_NAMES), min_size=1, max_size=most)):
        if _BY_NAME[name](draw, w):
            w.done.append(name)
