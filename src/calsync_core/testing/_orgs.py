"""Coherent organisations: the builder behind ``snapshots``, and the start of ``histories``.

An organisation is built in the order a real one comes about: its people,
then their meetings (each one UID in several mailboxes, see :mod:`._copies`),
then directory records for the outsiders who take part, then what earlier
sync runs saved (see :mod:`._synced`). Built in that order, every reference
resolves: linked pairs really link and records name real participants.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from .._values import OrgSettings, SfEvent, Snapshot
from . import _people
from . import _pieces as p
from ._arguments import Options
from ._copies import meeting
from ._org_settings import org_settings
from ._people import People
from ._reads import with_occurrences
from ._synced import linked, made_in_salesforce


@st.composite
def snapshots(draw: st.DrawFn, settings: OrgSettings | None, opts: Options) -> Snapshot:
    """The organisation's snapshot: ``settings`` (or drawn ones) and checked ``opts``."""
    return organisation(draw, settings, opts).snapshot


@attrs.frozen(kw_only=True)
class Org:
    """A generated organisation: its settings, its people, and both systems' state."""

    settings: OrgSettings
    people: People
    snapshot: Snapshot
    meetings: int  # how many meetings were numbered


def organisation(draw: st.DrawFn, settings: OrgSettings | None, opts: Options) -> Org:
    """Meetings first, then records for their external participants, then what is linked."""
    if settings is None:
        need = max(opts.min_copies, opts.max_copies or 1)
        settings = draw(org_settings(None, need, max(5, need), p.DEFAULT_DOMAIN))
    people = _people.people(draw, settings)
    as_of = draw(p.as_ofs) if opts.as_of is None else opts.as_of
    count = draw(st.integers(opts.min_meetings, opts.max_meetings))
    meetings = [meeting(draw, n, people, as_of, opts) for n in range(count)]
    participants = dict.fromkeys(
        address
        for copies in meetings
        for address in (copies[0].organizer, *(a.email for a in copies[0].attendees))
        if address in people.externals
    )
    directory = _people.directory(draw, list(participants))
    items = [c for copies in meetings for c in copies]
    events: list[SfEvent] = []
    if opts.linked:
        items, events = linked(draw, meetings, people, directory)
    for n in range(draw(st.integers(0, opts.max_sf_events))):
        event, item = made_in_salesforce(draw, f"sf{n}", people, as_of, opts)
        events.append(event)
        if item is not None:
            items.append(item)
    snapshot = Snapshot(as_of=as_of, items=items, events=events, records=directory)
    # Salesforce's own children of each Classic series sync saved.
    snapshot = with_occurrences(snapshot)
    return Org(settings=settings, people=people, snapshot=snapshot, meetings=count)
