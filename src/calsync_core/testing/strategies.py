"""Hypothesis strategies for calsync_core's values, up to whole coherent organisations.

For an integrator's own property tests (the ``testing`` extra: ``pip install ".[testing]"``)::

    from hypothesis import given
    from calsync_core.testing import strategies as cst

    @given(cst.histories())
    def test_my_driver_converges(history):
        settings, before, after = history
        ...

Every value generated is *valid*: datetimes are timezone-aware, no end comes
before its start, addresses are addresses and recurrence rules are readable,
so the planner never reports INVALID_ITEM for them. ``snapshots`` and
``histories`` go further and build coherent organisations: a meeting is one UID
copied into several users' mailboxes, linked pairs really link, records
resolve real participants, and events made in Salesforce carry no UID.

The style is Hypothesis' own (``hypothesis.extra``): plural names, keyword-only
options that take values (never strategies), and
:class:`~hypothesis.errors.InvalidArgument` for options that cannot be met,
raised when the strategy is first used, as Hypothesis' own strategies do.
``from_type`` knows these types once :func:`calsync_core.testing._register.register`
has run, which Hypothesis does itself through the package's entry point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # say how to get it, not only what is missing
    raise ImportError(
        "calsync_core.testing.strategies needs Hypothesis, which the 'testing' extra "
        "installs (from a checkout: pip install "
        '".[testing]")',
        name=exc.name,
    ) from exc

from .._enums import RecordKind
from .._values import CalendarItem, OrgSettings, Record, SfEvent, Snapshot, UserSettings
from . import _arguments as check
from . import _histories, _org_settings, _orgs, _pieces, _standalone

# This module is the public face only: each strategy documents itself, checks
# its options (_arguments) and hands over to the module that builds its values
# -- _standalone for single values, _org_settings, _orgs for coherent
# organisations, _histories for what happens between two runs -- so that what
# users read here is not buried among the builders.

__all__ = [
    "DEFAULT_DOMAIN",
    "calendar_items",
    "histories",
    "org_settings",
    "records",
    "sf_events",
    "snapshots",
]

#: The internal domain ``org_settings`` and ``calendar_items`` use unless told otherwise.
DEFAULT_DOMAIN = _pieces.DEFAULT_DOMAIN


def calendar_items(
    *,
    mailboxes: Collection[str] | None = None,
    as_of: dt.datetime | None = None,
    recurring: bool = True,
) -> st.SearchStrategy[CalendarItem]:
    """Valid calendar items, each on its own: meetings, appointments, all-day events, series.

    ``mailboxes``: the addresses items may sit in (default: addresses at
    :data:`DEFAULT_DOMAIN`). ``as_of``: items start from 45 days before it to
    120 days after, so that some fall outside the default window (default: a
    drawn instant). ``recurring``: whether some items are series.

    Everything else varies freely within what is valid: organizer (none, the
    mailbox or someone else), attendees, the mailbox owner's response,
    sensitivity, categories (``Salesforce``, ``Salesforce Unsync``, others), a
    link choice, attachments, a group calendar, and an ``sf_event_id`` that may
    point at no event. Items that break Salesforce's limits (too long, texts
    over 255 characters) are included: those are issues, not invalid items.
    """

    def build() -> st.SearchStrategy[CalendarItem]:
        boxes = None if mailboxes is None else check.strings("mailboxes", mailboxes, addresses=True)
        return _standalone.calendar_items(
            boxes, check.as_of(as_of), recurring=check.boolean("recurring", recurring)
        )

    return check.lazy(calendar_items, build, locals())


def sf_events(
    *,
    owner_ids: Collection[str] | None = None,
    as_of: dt.datetime | None = None,
    recurring: bool = True,
) -> st.SearchStrategy[SfEvent]:
    """Valid Salesforce events, each on its own.

    ``owner_ids``: the Salesforce user (or public calendar) ids that may own
    them (default: drawn ``005`` ids). ``as_of`` and ``recurring`` as for
    :func:`calendar_items`; a series is Classic or Lightning.

    An event either was made in Salesforce (no ``ical_uid``, not
    ``created_by_sync``) or carries a UID, and then was made by sync or not.
    Texts are within Salesforce's limits; a private event relates to nobody
    (no Who, What or invitees), as Salesforce requires.
    """

    def build() -> st.SearchStrategy[SfEvent]:
        owners = (
            None if owner_ids is None else check.strings("owner_ids", owner_ids, addresses=False)
        )
        return _standalone.sf_events(
            owners, check.as_of(as_of), recurring=check.boolean("recurring", recurring)
        )

    return check.lazy(sf_events, build, locals())


def records(*, kinds: Collection[RecordKind] | None = None) -> st.SearchStrategy[Record]:
    """Valid directory records of the given ``kinds`` (default: all four).

    Each id has its object's key prefix (``003`` Contact, ``00Q`` Lead, ``001``
    Account, ``006`` Opportunity). Contacts and leads mostly have an external
    address; a contact may belong to an account; accounts and opportunities
    have no address.
    """

    def build() -> st.SearchStrategy[Record]:
        chosen = (
            tuple(RecordKind) if kinds is None else check.collection("kinds", kinds, RecordKind)
        )
        return _standalone.records(tuple(dict.fromkeys(chosen)))

    return check.lazy(records, build, locals())


def org_settings(
    *,
    users: Collection[UserSettings] | None = None,
    min_users: int | None = None,
    max_users: int | None = None,
    domain: str = DEFAULT_DOMAIN,
) -> st.SearchStrategy[OrgSettings]:
    """Valid organisation settings: unique user addresses and Salesforce ids, one internal domain.

    ``users``: exactly these users (then ``min_users``/``max_users`` must be
    left out); otherwise ``min_users`` to ``max_users`` users (default 1 to 5)
    with addresses at ``domain``, which is the org's company domain either way.
    Every switch varies: autosave per user, per-user and org direction and
    description mode, the blocklist (``blocked.example``), the window, the
    empty guard, required fields, attachments, a public calendar route.
    """

    def build() -> st.SearchStrategy[OrgSettings]:
        internal = check.domain_name(domain)
        if users is not None:
            if min_users is not None or max_users is not None:
                raise InvalidArgument("pass either users or min_users/max_users, not both")
            fixed = check.collection("users", users, UserSettings, empty=True)
            check.settings(OrgSettings(users=fixed))  # unique addresses and ids
            return _org_settings.org_settings(fixed, 0, 0, internal)
        low = check.integer("min_users", 1 if min_users is None else min_users)
        high = check.integer("max_users", max(5, low) if max_users is None else max_users)
        check.ordered("min_users", low, "max_users", high)
        return _org_settings.org_settings(None, low, high, internal)

    return check.lazy(org_settings, build, locals())


def snapshots(
    *,
    settings: OrgSettings | None = None,
    as_of: dt.datetime | None = None,
    min_meetings: int = 0,
    max_meetings: int = 8,
    min_copies: int = 1,
    max_copies: int | None = None,
    linked: bool = True,
    recurring: bool = True,
    max_sf_events: int = 3,
) -> st.SearchStrategy[Snapshot]:
    """Snapshots of a coherent organisation: both systems as one real org would show them.

    ``settings``: the org (default: drawn from :func:`org_settings` with enough
    users). ``as_of``: the snapshot's time; meetings fall from 45 days before it
    to 120 after (default: drawn).

    Between ``min_meetings`` and ``max_meetings`` meetings, each one UID copied
    into ``min_copies`` to ``max_copies`` distinct mailboxes of the settings'
    users (default at most 5, and never more than there are users), one item per
    mailbox, with every copy's mailbox among the attendees. Organizers are a
    user whose copy is among them, an internal colleague who is not a synced
    user, or an external address; when ``min_copies`` is 1 some meetings are
    appointments (one copy, no attendees). The directory holds Contacts
    (some with an Account) and Leads for some external participants.

    With ``linked``, some meetings are already saved: the owner's item carries
    ``sf_event_id`` and the ``Salesforce`` category, and its event has the
    item's UID, the owner's Salesforce id and ``created_by_sync`` -- one event
    for a meeting a user organizes (the attendees' copies as invitees), one per
    user's copy otherwise -- and some events made in Salesforce are already
    downsynced to their owner's mailbox. Up to ``max_sf_events`` events made in
    Salesforce (no UID) belong to users, to a public calendar of a route, or to
    someone who is not synced; a downsynced one has its single item whatever
    ``min_copies`` says, being no meeting. ``recurring``: whether some are series.

    Raises :class:`~hypothesis.errors.InvalidArgument` (on first use) when
    ``min_copies`` is below 1 or above ``max_copies``, when ``settings`` has
    fewer users than ``min_copies`` or ``max_copies`` asks for, or when a
    minimum exceeds its maximum.
    """

    given = locals()

    def build() -> st.SearchStrategy[Snapshot]:
        opts = check.options(given)
        return _orgs.snapshots(check.fitting(settings, opts), opts)

    return check.lazy(snapshots, build, given)


def histories(
    *,
    settings: OrgSettings | None = None,
    as_of: dt.datetime | None = None,
    min_meetings: int = 0,
    max_meetings: int = 8,
    min_copies: int = 1,
    max_copies: int | None = None,
    linked: bool = True,
    recurring: bool = True,
    max_sf_events: int = 3,
) -> st.SearchStrategy[tuple[OrgSettings, Snapshot, Snapshot]]:
    """``(settings, before, after)``: one organisation between two sync runs.

    ``before`` is drawn from :func:`snapshots` with the same options; ``after``
    is what users did on both sides since, some hours later: organizers
    reschedule, rename or cancel meetings (every copy changes, each with a new
    ``version``); attendees save (``Salesforce``), unsync or recategorise their
    copy, or delete it; new meetings arrive; Salesforce users edit, move, make
    private or delete events (new ``version``) and make new ones; records appear
    for participants who had none.

    And what real Exchange and Salesforce users do besides, each an everyday
    way for a sync to delete, leak or overwrite: reschedule a linked meeting or
    event past the window, or one outside it back in; remove an attendee (whose
    copy is then cancelled); cancel for an external organizer (every copy
    cancelled); cancel one occurrence of a series (a cancelled exception, or
    the master's ``recurrence.cancelled``); copy a linked item in Outlook (the
    copy keeps ``sf_event_id``); stamp an item with another user's event; turn
    privacy on or off on either side; create events related to Contacts and an
    Opportunity; name a category like a public calendar route's; forward an
    invite to a colleague the organizer's item does not list. Now and then an
    organizer's mailbox comes back empty, as a failed fetch would.

    ``after`` holds what a faithful connector reads (see ``API.md``): sometimes
    everything, sometimes only the window and what ``before`` saw inside it,
    wherever it now is -- so something ``before`` saw outside the window may be
    absent from ``after`` without having been deleted. This is the shape every
    real run has::

        plan = reconcile(before, after, settings)
    """

    given = locals()

    def build() -> st.SearchStrategy[tuple[OrgSettings, Snapshot, Snapshot]]:
        opts = check.options(given)
        return _histories.histories(check.fitting(settings, opts), opts)

    return check.lazy(histories, build, given)
