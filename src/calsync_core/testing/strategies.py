"""Hypothesis strategies for calsync_core's values, up to whole coherent organisations.

For an integrator's own property tests (``pip install "calsync_core[testing]"``)::

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
import functools
import inspect
import string
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._domain import (
    LONGEST_OCCURRENCE,
    SALESFORCE,
    TEXT_LIMITS,
    UNSYNC,
    check_settings,
    downsync_uid,
    duration_fault,
    is_address,
)
from .._enums import (
    AttendeeRole,
    ConflictPolicy,
    DescriptionMode,
    Direction,
    RecordKind,
    RecurrenceFormat,
    Response,
    Sensitivity,
)
from .._errors import SettingsError
from .._timezones import iana_name
from .._values import (
    Attachment,
    Attendee,
    CalendarItem,
    LinkChoice,
    OrgSettings,
    PublicCalendarRoute,
    Record,
    Recurrence,
    SfEvent,
    Snapshot,
    UserSettings,
)
from . import _life

T = TypeVar("T")

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
DEFAULT_DOMAIN = "acme.example"
# External participants come from these; "blocked.example" is what a generated
# blocklist names, so R-BLOCKLIST meets real participants.
_EXTERNAL_DOMAINS = ("customer.example", "partner.example", "example.com", "blocked.example")
_BLOCKED = "blocked.example"
_NAMES = ("ada", "grace", "alan", "edsger", "barbara", "ken", "frances", "john")
# Zones Salesforce can take (R-TIMEZONE), Windows ids included: none is problematic.
_ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "W. Europe Standard Time",
    "Pacific Standard Time",
)
_RULES = (
    "FREQ=DAILY;COUNT=5",
    "FREQ=WEEKLY;COUNT=4",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
    "FREQ=MONTHLY;COUNT=3",
)
_ALNUM = string.ascii_letters + string.digits
_PREFIX = {
    RecordKind.CONTACT: "003",
    RecordKind.LEAD: "00Q",
    RecordKind.ACCOUNT: "001",
    RecordKind.OPPORTUNITY: "006",
}
_PRIVATE = frozenset({Sensitivity.PRIVATE, Sensitivity.CONFIDENTIAL})
_ANSWERS = (Response.ACCEPTED, Response.ACCEPTED, Response.TENTATIVE, Response.DECLINED)

_chars = st.characters(categories=("L", "N", "P", "Zs"))
_short = st.text(_chars, max_size=12)
# Now and then a text over Salesforce's 255 characters (R-FIELD-LIMITS cuts it) ...
_texts = _short | st.just("Long text " * 30)
# ... but Salesforce itself never holds one.
_sf_texts = _short | st.just("S" * TEXT_LIMITS["subject"])
_locals = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_as_ofs = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2035, 12, 31),
    timezones=st.just(dt.UTC),
)


# Strategies are built once, at import or in a cache, never per draw: a fresh
# strategy is validated again on every draw, which made generation several
# times slower.


@functools.cache
def _ids(prefix: str) -> st.SearchStrategy[str]:
    """Salesforce-looking 18-character ids with the key prefix of their object."""
    return st.text(_ALNUM, min_size=18 - len(prefix), max_size=18 - len(prefix)).map(
        lambda tail: prefix + tail
    )


def _seq_id(prefix: str, n: int) -> str:
    return f"{prefix}{n:0{18 - len(prefix)}d}"


@functools.cache
def _index_lists(n: int, low: int, high: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, n - 1), min_size=low, max_size=high, unique=True)


def _some(
    draw: st.DrawFn, options: Sequence[T], *, low: int = 0, high: int | None = None
) -> list[T]:
    """Distinct elements of ``options``, at least ``low``; at most ``high``."""
    most = len(options) if high is None else min(high, len(options))
    return [options[i] for i in draw(_index_lists(len(options), low, most))]


@functools.cache
def _addresses(*domains: str) -> st.SearchStrategy[str]:
    return st.builds("{}@{}".format, _locals, st.sampled_from(domains))


# -- option checks -------------------------------------------------------------------------
# They run when a strategy is first used (see _lazy), as Hypothesis' own do.


def _lazy(
    build: Callable[[], st.SearchStrategy[T]], options: Mapping[str, object]
) -> st.SearchStrategy[T]:
    """Check the options and build the strategy on first use, not when it is defined.

    Like Hypothesis' own strategies: a module can define ``snapshots(min_copies=0)``
    at import time, and the mistake shows as a failing test, not a failing import.
    Until then the strategy shows as its call, e.g. ``snapshots(max_copies=2)``.
    """
    name = build.__qualname__.partition(".")[0]
    defaults = {k: p.default for k, p in inspect.signature(globals()[name]).parameters.items()}
    shown = ", ".join(
        f"{k}={v!r}" for k, v in options.items() if k in defaults and v != defaults[k]
    )
    build.__name__ = build.__qualname__ = f"{name}({shown})"
    return st.deferred(build)


def _int(name: str, value: object, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be an int")
    if value < low:
        raise InvalidArgument(f"{name}={value!r} must be at least {low}")
    return value


def _bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be a bool")
    return value


def _range(low_name: str, low: int, high_name: str, high: int) -> None:
    if low > high:
        raise InvalidArgument(f"{low_name}={low} is greater than {high_name}={high}")


def _as_of(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise InvalidArgument(f"as_of={value!r} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgument(f"as_of={value!r} must be timezone-aware")
    return value.astimezone(dt.UTC)


def _collection(name: str, value: object, kind: type[T], *, empty: bool = False) -> tuple[T, ...]:
    # A bare string is a collection too, but never the one meant.
    if isinstance(value, str | bytes) or not isinstance(value, Collection):
        raise InvalidArgument(f"{name}={value!r} must be a collection of {kind.__name__}")
    found = tuple(value)
    if not found and not empty:
        raise InvalidArgument(f"{name} must not be empty")
    for v in found:
        if not isinstance(v, kind):
            raise InvalidArgument(f"{name}: {v!r} is not a {kind.__name__}")
    return found


def _strings(name: str, value: object, *, addresses: bool) -> tuple[str, ...]:
    found = _collection(name, value, str)
    for v in found:
        if not v or (addresses and not is_address(v)):
            raise InvalidArgument(f"{name}: {v!r} is not {'an address' if addresses else 'an id'}")
    return tuple(dict.fromkeys(v.lower() if addresses else v for v in found))


def _domain(value: object) -> str:
    if not isinstance(value, str) or not is_address(f"x@{value}"):
        raise InvalidArgument(f"domain={value!r} must be a domain name such as 'acme.example'")
    return value.lower()


def _settings(value: object) -> OrgSettings:
    if not isinstance(value, OrgSettings):
        raise InvalidArgument(f"settings={value!r} must be an OrgSettings")
    try:
        check_settings(value)
    except SettingsError as exc:
        raise InvalidArgument(f"settings are invalid: {exc}") from None
    return value


# -- the shared pieces ----------------------------------------------------------------------


@attrs.frozen
class _Slot:
    """When something happens: the fields an item and its event share."""

    start: dt.datetime
    end: dt.datetime
    is_all_day: bool
    time_zone: str
    recurrence: Recurrence | None


def _slot(
    draw: st.DrawFn, as_of: dt.datetime, *, recurring: bool, salesforce: bool = False
) -> _Slot:
    """A time from 45 days before ``as_of`` to 120 after: the default window and beyond.

    A calendar item may last 20 days (R-LIMIT-ALLDAY reports it); an event never
    does, nor is a Salesforce series' occurrence longer than a day (``salesforce``).
    """
    hour = as_of.replace(minute=0, second=0, microsecond=0)
    longest = 14 if salesforce else 20
    all_day = draw(st.sampled_from((False, False, False, True)))
    if all_day:
        day = hour.replace(hour=0) + dt.timedelta(days=draw(st.integers(-45, 120)))
        days = draw(st.sampled_from((1, 1, 2, 5, longest)))
        start, end, zone = day, day + dt.timedelta(days=days), "UTC"
    else:
        start = hour + dt.timedelta(minutes=30 * draw(st.integers(-45 * 48, 120 * 48)))
        minutes = draw(st.sampled_from((60, 30, 0, 90, 120, 30 * 60, longest * 24 * 60)))
        end = start + dt.timedelta(minutes=minutes)
        zone = draw(st.sampled_from(_ZONES))
    rules: tuple[str | None, ...] = (None, None, None, None, *_RULES) if recurring else (None,)
    rule = draw(st.sampled_from(rules))
    if salesforce and (all_day or end - start > LONGEST_OCCURRENCE):
        rule = None
    return _Slot(
        start=start,
        end=end,
        is_all_day=all_day,
        time_zone=zone,
        recurrence=None if rule is None else Recurrence(rule=rule),
    )


_attachments = st.builds(
    Attachment,
    id=_ids("att"),
    name=st.sampled_from(("deck.pdf", "notes.docx", "video.mp4")),
    # Now and then over the default 25 MB limit (R-ATTACHMENTS).
    size=st.integers(0, 2_000) | st.just(40 * 1024 * 1024),
    content_type=st.sampled_from(("", "application/pdf")),
)
_attachment_lists = st.lists(_attachments, max_size=2, unique_by=lambda a: a.id).map(tuple)
_attendee_names = st.sampled_from(("", "Kim Lee", "Ana Souza"))


_attendees = st.builds(
    Attendee,
    email=_addresses(DEFAULT_DOMAIN, *_EXTERNAL_DOMAINS),
    name=_attendee_names,
    response=st.sampled_from((Response.NOT_RESPONDED, *_ANSWERS)),
    role=st.sampled_from(AttendeeRole),
)
_attendee_lists = st.lists(_attendees, max_size=4, unique_by=lambda a: a.email)
_item_categories = st.sets(st.sampled_from((SALESFORCE, UNSYNC, "Blue")), max_size=2)
_link_choices = st.none() | st.builds(LinkChoice, who_id=_ids("003"))
_stamps = st.none() | _ids("00U")
_versions = st.text("0123456789abcdef", min_size=1, max_size=8)
_uids = st.uuids().map(str)
_optional_uids = st.none() | _uids
_whos = st.lists(_ids("003"), max_size=3, unique=True) | st.lists(_ids("00Q"), max_size=1)
_whats = st.lists(_ids("001") | _ids("006"), max_size=1)
_invitees = st.lists(_ids("005"), max_size=2, unique=True)
_emails = st.none() | _addresses(*_EXTERNAL_DOMAINS)
_accounts = st.none() | _ids("001")
_external_lists = st.lists(_addresses(*_EXTERNAL_DOMAINS), min_size=1, max_size=6, unique=True)


# -- calendar_items ---------------------------------------------------------------------------


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
        boxes = None if mailboxes is None else _strings("mailboxes", mailboxes, addresses=True)
        return _calendar_items(boxes, _as_of(as_of), recurring=_bool("recurring", recurring))

    return _lazy(build, locals())


@st.composite
def _calendar_items(
    draw: st.DrawFn,
    mailboxes: tuple[str, ...] | None,
    as_of: dt.datetime | None,
    *,
    recurring: bool,
) -> CalendarItem:
    mailbox = draw(_addresses(DEFAULT_DOMAIN) if mailboxes is None else st.sampled_from(mailboxes))
    slot = _slot(draw, draw(_as_ofs) if as_of is None else as_of, recurring=recurring)
    organizer = draw(st.sampled_from((None, mailbox, "other")))
    if organizer == "other":
        organizer = draw(_addresses(DEFAULT_DOMAIN, *_EXTERNAL_DOMAINS))
    own = organizer in (None, mailbox)
    attendees = [a for a in draw(_attendee_lists) if a.email not in (organizer, mailbox)]
    if not own:
        attendees.append(Attendee(email=mailbox))
    return CalendarItem(
        id=draw(_ids("AAMk")),
        ical_uid=draw(_uids),
        mailbox=mailbox,
        start=slot.start,
        end=slot.end,
        is_all_day=slot.is_all_day,
        time_zone=slot.time_zone,
        recurrence=slot.recurrence,
        subject=draw(_texts),
        body=draw(_texts),
        location=draw(_texts),
        organizer=organizer,
        attendees=tuple(attendees),
        response=Response.ORGANIZER if own else draw(st.sampled_from(_ANSWERS)),
        sensitivity=draw(st.sampled_from(Sensitivity)),
        categories=draw(_item_categories),
        is_cancelled=draw(st.sampled_from((False,) * 9 + (True,))),
        calendar_id=draw(st.sampled_from((None, None, None, "group-calendar-1"))),
        attachments=draw(_attachment_lists),
        link_choice=draw(_link_choices),
        sf_event_id=draw(_stamps),
        version=draw(_versions),
    )


# -- sf_events and records --------------------------------------------------------------------


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
        owners = None if owner_ids is None else _strings("owner_ids", owner_ids, addresses=False)
        return _sf_events(owners, _as_of(as_of), recurring=_bool("recurring", recurring))

    return _lazy(build, locals())


@st.composite
def _sf_events(
    draw: st.DrawFn, owners: tuple[str, ...] | None, as_of: dt.datetime | None, *, recurring: bool
) -> SfEvent:
    anchor = draw(_as_ofs) if as_of is None else as_of
    slot = _slot(draw, anchor, recurring=recurring, salesforce=True)
    private = draw(st.booleans())
    uid = draw(_optional_uids)
    return SfEvent(
        id=draw(_ids("00U")),
        owner_id=draw(_ids("005") if owners is None else st.sampled_from(owners)),
        start=slot.start,
        end=slot.end,
        is_all_day=slot.is_all_day,
        time_zone=iana_name(slot.time_zone) or "UTC",
        recurrence=slot.recurrence,
        recurrence_format=draw(st.sampled_from(RecurrenceFormat)),
        subject=draw(_sf_texts),
        description=draw(_short),
        location=draw(_sf_texts),
        is_private=private,
        who_ids=() if private else tuple(draw(_whos)),
        what_ids=() if private else tuple(draw(_whats)),
        invitee_ids=() if private else tuple(draw(_invitees)),
        ical_uid=uid,
        created_by_sync=uid is not None and draw(st.booleans()),
        version=draw(_versions),
    )


def records(*, kinds: Collection[RecordKind] | None = None) -> st.SearchStrategy[Record]:
    """Valid directory records of the given ``kinds`` (default: all four).

    Each id has its object's key prefix (``003`` Contact, ``00Q`` Lead, ``001``
    Account, ``006`` Opportunity). Contacts and leads mostly have an external
    address; a contact may belong to an account; accounts and opportunities
    have no address.
    """

    def build() -> st.SearchStrategy[Record]:
        chosen = tuple(RecordKind) if kinds is None else _collection("kinds", kinds, RecordKind)
        return _records(tuple(dict.fromkeys(chosen)))

    return _lazy(build, locals())


@st.composite
def _records(draw: st.DrawFn, kinds: tuple[RecordKind, ...]) -> Record:
    kind = draw(st.sampled_from(kinds))
    person = kind in (RecordKind.CONTACT, RecordKind.LEAD)
    return Record(
        id=draw(_ids(_PREFIX[kind])),
        kind=kind,
        email=draw(_emails) if person else None,
        account_id=draw(_accounts) if kind is RecordKind.CONTACT else None,
        name=draw(_short),
    )


# -- org_settings -----------------------------------------------------------------------------


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
        internal = _domain(domain)
        if users is not None:
            if min_users is not None or max_users is not None:
                raise InvalidArgument("pass either users or min_users/max_users, not both")
            fixed = _collection("users", users, UserSettings, empty=True)
            _settings(OrgSettings(users=fixed))  # unique addresses and ids
            return _org_settings(fixed, 0, 0, internal)
        low = _int("min_users", 1 if min_users is None else min_users)
        high = _int("max_users", max(5, low) if max_users is None else max_users)
        _range("min_users", low, "max_users", high)
        return _org_settings(None, low, high, internal)

    return _lazy(build, locals())


@st.composite
def _org_settings(
    draw: st.DrawFn, users: tuple[UserSettings, ...] | None, low: int, high: int, domain: str
) -> OrgSettings:
    if users is None:
        users = tuple(_user(draw, n, domain) for n in range(draw(st.integers(low, high))))
    emails = [u.email for u in users]
    routes: tuple[PublicCalendarRoute, ...] = ()
    if emails and draw(st.sampled_from((False, False, True))):
        boxes = _some(draw, emails, low=1)
        route = PublicCalendarRoute(
            calendar_id=_seq_id("023", 1), mailboxes=tuple(boxes), category="Company"
        )
        routes = (route,)
    return OrgSettings(
        users=users,
        company_domains=frozenset({domain}),
        blocklist=draw(st.sampled_from((frozenset(), frozenset({_BLOCKED})))),
        past_days=draw(st.sampled_from((14, 0, 30))),
        future_days=draw(st.sampled_from((60, 7, 180))),
        sync_unresponded_and_declined=draw(st.booleans()),
        autosave_private=draw(st.booleans()),
        autosave_internal=draw(st.booleans()),
        smart_auto_sharing=draw(st.booleans()),
        auto_create=draw(st.sampled_from((None, RecordKind.CONTACT, RecordKind.LEAD))),
        multiple_business_records=draw(st.booleans()),
        advanced_calendaring=draw(st.booleans()),
        recurring_events=draw(st.booleans()),
        description_mode=draw(st.sampled_from(DescriptionMode)),
        direction=draw(st.sampled_from((Direction.BOTH,) * 3 + tuple(Direction))),
        conflict_policy=draw(st.sampled_from(ConflictPolicy)),
        delete_items_deleted_in_salesforce=draw(st.booleans()),
        public_calendar_routes=routes,
        save_attachments=draw(st.booleans()),
        max_attachment_bytes=draw(st.sampled_from((25 * 1024 * 1024, 1000))),
        required_fields=draw(
            st.sampled_from((frozenset(), frozenset({"location"}), frozenset({"who_ids"})))
        ),
        empty_guard=draw(st.sampled_from((5, 0, 1, 2))),
    )


def _user(draw: st.DrawFn, n: int, domain: str) -> UserSettings:
    return UserSettings(
        email=f"{draw(st.sampled_from(_NAMES))}.{n}@{domain}",
        sf_user_id=_seq_id("005", n + 1),
        meeting_autosave=draw(st.sampled_from((True, True, False))),
        appointment_autosave=draw(st.booleans()),
        description_mode=draw(st.sampled_from((None, None, None, *DescriptionMode))),
        direction=draw(st.sampled_from((None, None, None, *Direction))),
    )


# -- snapshots: coherent organisations ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Options:
    as_of: dt.datetime | None
    min_meetings: int
    max_meetings: int
    min_copies: int
    max_copies: int | None
    linked: bool
    recurring: bool
    max_sf_events: int


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

    def build() -> st.SearchStrategy[Snapshot]:
        opts = _options(
            as_of,
            min_meetings,
            max_meetings,
            min_copies,
            max_copies,
            linked,
            recurring,
            max_sf_events,
        )
        return _snapshots(_fitting(settings, opts), opts)

    return _lazy(build, locals())


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

    def build() -> st.SearchStrategy[tuple[OrgSettings, Snapshot, Snapshot]]:
        opts = _options(
            as_of,
            min_meetings,
            max_meetings,
            min_copies,
            max_copies,
            linked,
            recurring,
            max_sf_events,
        )
        return _histories(_fitting(settings, opts), opts)

    return _lazy(build, locals())


def _options(
    as_of: object,
    min_meetings: object,
    max_meetings: object,
    min_copies: object,
    max_copies: object,
    linked: object,
    recurring: object,
    max_sf_events: object,
) -> _Options:
    opts = _Options(
        as_of=_as_of(as_of),
        min_meetings=_int("min_meetings", min_meetings),
        max_meetings=_int("max_meetings", max_meetings),
        min_copies=_int("min_copies", min_copies, low=1),
        max_copies=None if max_copies is None else _int("max_copies", max_copies, low=1),
        linked=_bool("linked", linked),
        recurring=_bool("recurring", recurring),
        max_sf_events=_int("max_sf_events", max_sf_events),
    )
    _range("min_meetings", opts.min_meetings, "max_meetings", opts.max_meetings)
    if opts.max_copies is not None:
        _range("min_copies", opts.min_copies, "max_copies", opts.max_copies)
    return opts


def _fitting(settings: object, opts: _Options) -> OrgSettings | None:
    if settings is None:
        return None
    checked = _settings(settings)
    count = len(checked.users)
    for name, wanted in (("min_copies", opts.min_copies), ("max_copies", opts.max_copies)):
        if wanted is not None and wanted > count:
            raise InvalidArgument(
                f"{name}={wanted}, but the settings have {count} user(s): "
                "every copy of a meeting sits in a different user's mailbox"
            )
    return checked


@st.composite
def _snapshots(draw: st.DrawFn, settings: OrgSettings | None, opts: _Options) -> Snapshot:
    return _organisation(draw, settings, opts).snapshot


@st.composite
def _histories(
    draw: st.DrawFn, settings: OrgSettings | None, opts: _Options
) -> tuple[OrgSettings, Snapshot, Snapshot]:
    org = _organisation(draw, settings, opts)
    return org.settings, org.snapshot, _edited(draw, org, opts)


@attrs.frozen(kw_only=True)
class _People:
    """Who can take part in the org's meetings."""

    users: tuple[UserSettings, ...]
    domain: str
    colleague: str  # internal, but not a synced user
    externals: tuple[str, ...]
    blocklist: frozenset[str]
    owners: tuple[str, ...]  # who may own an event made in Salesforce


@attrs.frozen(kw_only=True)
class _Org:
    settings: OrgSettings
    people: _People
    snapshot: Snapshot
    meetings: int  # how many meetings were numbered


def _organisation(draw: st.DrawFn, settings: OrgSettings | None, opts: _Options) -> _Org:
    """Meetings first, then records for their external participants, then what is linked."""
    if settings is None:
        need = max(opts.min_copies, opts.max_copies or 1)
        settings = draw(_org_settings(None, need, max(5, need), DEFAULT_DOMAIN))
    people = _people(draw, settings)
    as_of = draw(_as_ofs) if opts.as_of is None else opts.as_of
    count = draw(st.integers(opts.min_meetings, opts.max_meetings))
    meetings = [_meeting(draw, n, people, as_of, opts) for n in range(count)]
    participants = dict.fromkeys(
        address
        for copies in meetings
        for address in (copies[0].organizer, *(a.email for a in copies[0].attendees))
        if address in people.externals
    )
    directory = _directory(draw, list(participants))
    items = [c for copies in meetings for c in copies]
    events: list[SfEvent] = []
    if opts.linked:
        items, events = _linked(draw, meetings, people, directory)
    for n in range(draw(st.integers(0, opts.max_sf_events))):
        event, item = _made_in_salesforce(draw, f"sf{n}", people, as_of, opts)
        events.append(event)
        if item is not None:
            items.append(item)
    snapshot = Snapshot(as_of=as_of, items=items, events=events, records=directory)
    # Salesforce's own children of each Classic series sync saved.
    snapshot = _life.with_occurrences(snapshot)
    return _Org(settings=settings, people=people, snapshot=snapshot, meetings=count)


def _people(draw: st.DrawFn, settings: OrgSettings) -> _People:
    users = settings.users
    emails = {u.email for u in users}
    domains = settings.company_domains or {users[0].email.rpartition("@")[2]}
    domain = min(domains)
    colleague = next(
        a for k in range(len(users) + 1) if (a := f"colleague{k}@{domain}") not in emails
    )
    drawn = draw(_external_lists)
    externals = tuple(
        a for a in drawn if a not in emails and a.rpartition("@")[2] not in settings.company_domains
    )
    ids = {u.sf_user_id for u in users}
    stranger = next(s for k in range(len(ids) + 1) if (s := _seq_id("005stranger", k)) not in ids)
    routes = tuple(r.calendar_id for r in settings.public_calendar_routes)
    return _People(
        users=users,
        domain=domain,
        colleague=colleague,
        externals=externals,
        blocklist=settings.blocklist,
        owners=(*sorted(ids), *routes, stranger),
    )


def _meeting(
    draw: st.DrawFn, n: int, people: _People, as_of: dt.datetime, opts: _Options
) -> tuple[CalendarItem, ...]:
    """One meeting (or appointment) as it shows in each of its copies' mailboxes."""
    emails = [u.email for u in people.users]
    high = max(opts.min_copies, min(len(emails), 5) if opts.max_copies is None else opts.max_copies)
    outsiders = (people.colleague, *people.externals)
    organizer: str | None
    if opts.min_copies == 1 and draw(st.sampled_from((False, False, True))):
        mailboxes = [draw(st.sampled_from(emails))]
        organizer, guests = None, []
    else:
        mailboxes = _some(draw, emails, low=opts.min_copies, high=high)
        organizer = draw(st.sampled_from((mailboxes[0], mailboxes[0], *outsiders)))
        extra = _some(draw, outsiders, high=3)
        guests = [a for a in dict.fromkeys([*mailboxes, *extra]) if a != organizer]
        if not guests:  # a meeting has someone besides its organizer
            guests = [outsiders[-1]]
    # The organizer's copy answers ORGANIZER; each attendee's copy, their own answer.
    answers = {
        m: Response.ORGANIZER
        if organizer in (None, m)
        else draw(st.sampled_from((*_ANSWERS, Response.NOT_RESPONDED)))
        for m in mailboxes
    }
    attendees = tuple(
        Attendee(
            email=guest,
            response=answers.get(guest) or draw(st.sampled_from(_ANSWERS)),
            role=draw(st.sampled_from((AttendeeRole.REQUIRED,) * 3 + (AttendeeRole.OPTIONAL,))),
        )
        for guest in guests
    )
    slot = _slot(draw, as_of, recurring=opts.recurring)
    subject, body, location = draw(_texts), draw(_texts), draw(_texts)
    sensitivity = draw(st.sampled_from((Sensitivity.NORMAL,) * 3 + tuple(Sensitivity)))
    calendar_id = draw(st.sampled_from((None,) * 5 + ("group-calendar-1",)))
    cancelled = draw(st.sampled_from((False,) * 9 + (True,)))
    attachments = draw(_attachment_lists)
    return tuple(
        CalendarItem(
            id=f"AAMk-{n}-{k}",
            ical_uid=f"meeting-{n}@{people.domain}",
            mailbox=mailbox,
            start=slot.start,
            end=slot.end,
            is_all_day=slot.is_all_day,
            time_zone=slot.time_zone,
            recurrence=slot.recurrence,
            subject=subject,
            body=body,
            location=location,
            organizer=organizer,
            attendees=attendees,
            response=answers[mailbox],
            sensitivity=sensitivity,
            # "Company" is also a generated route's category: users may name one alike.
            categories=draw(st.sets(st.sampled_from(("Blue", SALESFORCE, "Company")), max_size=1)),
            is_cancelled=cancelled,
            calendar_id=calendar_id,
            attachments=attachments,
            version="ck1",
        )
        for k, mailbox in enumerate(mailboxes)
    )


def _directory(draw: st.DrawFn, participants: list[str]) -> list[Record]:
    """Records for some external participants: Contacts (some with an Account) and Leads."""
    accounts = [_seq_id("001", k + 1) for k in range(draw(st.integers(0, 2)))]
    found = []
    for j, address in enumerate(participants):
        kind = draw(
            st.sampled_from((None, RecordKind.CONTACT, RecordKind.CONTACT, RecordKind.LEAD))
        )
        if kind is None:
            continue
        account = draw(st.sampled_from((None, *accounts))) if kind is RecordKind.CONTACT else None
        found.append(
            Record(
                id=_seq_id(_PREFIX[kind], j + 1),
                kind=kind,
                email=address,
                account_id=account,
                name=address.partition("@")[0].title(),
            )
        )
    found.extend(
        Record(id=a, kind=RecordKind.ACCOUNT, name=f"Account {k}") for k, a in enumerate(accounts)
    )
    return found


def _linked(
    draw: st.DrawFn,
    meetings: list[tuple[CalendarItem, ...]],
    people: _People,
    directory: list[Record],
) -> tuple[list[CalendarItem], list[SfEvent]]:
    """Save some meetings as an earlier run would have (R-OWNER decides who owns which event)."""
    users = {u.email: u for u in people.users}
    items: list[CalendarItem] = []
    events: list[SfEvent] = []
    for copies in meetings:
        if not draw(st.booleans()):
            items.extend(copies)
            continue
        first = copies[0]
        host = users.get(first.organizer or first.mailbox)
        if duration_fault(first) is not None:
            items.extend(copies)  # Salesforce cannot hold it: sync never saved it
            continue
        owners = (
            [first]  # a user organizes it: one event, theirs (R-OWNER a, c)
            if host is not None and host.email == first.mailbox
            else [c for c in copies if draw(st.booleans())]  # one event per saved copy (b)
        )
        for copy in copies:
            if copy not in owners:
                if host is not None and draw(st.booleans()):
                    copy = attrs.evolve(copy, categories=copy.categories | {SALESFORCE})
                items.append(copy)
                continue
            invited = tuple(
                users[a.email].sf_user_id
                for a in copy.attendees
                if host is not None and a.email in users and a.email != host.email
            )
            event = _event_of(copy, users[copy.mailbox], len(events), invited, directory, people)
            events.append(event)
            items.append(
                attrs.evolve(copy, sf_event_id=event.id, categories=copy.categories | {SALESFORCE})
            )
    return items, events


def _event_of(
    item: CalendarItem,
    owner: UserSettings,
    n: int,
    invited: tuple[str, ...],
    directory: list[Record],
    people: _People,
) -> SfEvent:
    """The event sync made for ``item``: same UID, times and texts (cut to Salesforce's limits)."""
    private = item.sensitivity in _PRIVATE
    people_records = {r.email: r for r in directory if r.email}
    related = [
        people_records[a]
        for a in (item.organizer, *(x.email for x in item.attendees))
        if a in people_records and a.rpartition("@")[2] not in people.blocklist
    ]
    contacts = [r for r in related if r.kind is RecordKind.CONTACT]
    whos = contacts or related[:1]
    whats = [contacts[0].account_id] if contacts and contacts[0].account_id else []
    return SfEvent(
        id=_seq_id("00Ulnk", n),
        owner_id=owner.sf_user_id,
        start=item.start,
        end=item.end,
        is_all_day=item.is_all_day,
        time_zone=iana_name(item.time_zone) or "UTC",
        recurrence=item.recurrence,
        subject=item.subject[: TEXT_LIMITS["subject"]],
        location=item.location[: TEXT_LIMITS["location"]],
        description=item.body[: TEXT_LIMITS["description"]],
        is_private=private,
        who_ids=() if private else tuple(r.id for r in whos),
        what_ids=() if private else tuple(whats),
        invitee_ids=() if private else invited,
        ical_uid=item.ical_uid,
        created_by_sync=True,
        version="e1",
    )


def _made_in_salesforce(
    draw: st.DrawFn, tag: str, people: _People, as_of: dt.datetime, opts: _Options
) -> tuple[SfEvent, CalendarItem | None]:
    """An event made in Salesforce, and (with ``linked``) maybe its downsynced item."""
    owner = draw(st.sampled_from(people.owners))
    slot = _slot(draw, as_of, recurring=opts.recurring, salesforce=True)
    private = draw(st.booleans())
    # Salesforce users relate their events to Contacts and Opportunities (R-ATTENDEES
    # keeps those); a private event relates to nobody.
    related = not private and draw(st.booleans())
    event = SfEvent(
        id=_seq_id(f"00U{tag}", 1),
        owner_id=owner,
        start=slot.start,
        end=slot.end,
        is_all_day=slot.is_all_day,
        time_zone=iana_name(slot.time_zone) or "UTC",
        recurrence=slot.recurrence,
        recurrence_format=draw(st.sampled_from(RecurrenceFormat)),
        subject=draw(_sf_texts),
        location=draw(_sf_texts),
        description=draw(_short),
        is_private=private,
        who_ids=tuple(draw(_whos)) if related else (),
        what_ids=(_life.OPPORTUNITY.id,) if related else (),
        version="e1",
    )
    user = next((u for u in people.users if u.sf_user_id == owner), None)
    if user is None or not opts.linked or not draw(st.booleans()):
        return event, None
    # R-DOWN-CREATE already ran: the owner's item, and the event stamped with its UID.
    event = attrs.evolve(event, ical_uid=downsync_uid(event))
    item = CalendarItem(
        id=f"AAMk-{tag}",
        ical_uid=downsync_uid(event),
        mailbox=user.email,
        start=event.start,
        end=event.end,
        is_all_day=event.is_all_day,
        time_zone=event.time_zone,
        recurrence=event.recurrence,
        subject=event.subject,
        location=event.location,
        body=event.description,
        sensitivity=Sensitivity.PRIVATE if event.is_private else Sensitivity.NORMAL,
        categories=frozenset({SALESFORCE}),
        sf_event_id=event.id,
        version="ck1",
    )
    return event, item


# -- histories: what happens between two runs ----------------------------------------------


def _bump(version: str) -> str:
    return version + "'"


def _shift(draw: st.DrawFn, item: CalendarItem | SfEvent) -> dt.timedelta:
    if item.is_all_day:
        return dt.timedelta(days=draw(st.sampled_from((1, -1, 7))))
    return dt.timedelta(minutes=30 * draw(st.sampled_from((1, 2, -2, 48))))


def _edited(draw: st.DrawFn, org: _Org, opts: _Options) -> Snapshot:
    """``org``'s snapshot some hours later, after users on both sides did their work,
    as a faithful connector reads it."""
    before = org.snapshot
    items = _edited_items(draw, before.items)
    arriving = draw(st.integers(0, 2))
    for n in range(org.meetings, org.meetings + arriving):
        items.extend(_meeting(draw, n, org.people, before.as_of, opts))
    events = _edited_events(draw, before.events)
    if draw(st.booleans()):
        made, _ = _made_in_salesforce(
            draw, "new", org.people, before.as_of, attrs.evolve(opts, linked=False)
        )
        events.append(made)
    records = list(before.records)
    known = {r.email for r in records}
    unknown = [a for a in org.people.externals if a not in known]
    if draw(st.booleans()) and unknown:
        address = draw(st.sampled_from(unknown))
        records.append(Record(id=_seq_id("003new", 1), kind=RecordKind.CONTACT, email=address))
    later = before.as_of + dt.timedelta(hours=draw(st.integers(0, 36)))
    world = _life.World.start(
        org.settings, before, as_of=later, items=items, events=events, records=records
    )
    # What real users do besides (rescheduling past the window, removing
    # attendees, copying linked items ...), and now and then a failed fetch.
    _life.live(draw, world)
    if draw(st.sampled_from((False,) * 5 + (True,))):
        _life.empty_fetch(draw, world)
    return _life.as_read(draw, world)


def _edited_items(draw: st.DrawFn, before: Iterable[CalendarItem]) -> list[CalendarItem]:
    meetings: dict[str, list[CalendarItem]] = {}
    for item in before:
        meetings.setdefault(item.ical_uid, []).append(item)
    items: list[CalendarItem] = []
    for copies in meetings.values():
        changes = ("none", "none", "none", "move", "rename")
        # Only a meeting is cancelled; an appointment is deleted instead.
        change = draw(st.sampled_from((*changes, "cancel") if copies[0].attendees else changes))
        shift = _shift(draw, copies[0])
        subject, location = draw(_texts), draw(_texts)
        for copy in copies:
            # The organizer's change reaches every copy, each with a new change key.
            version = _bump(copy.version)
            if change == "move":
                copy = attrs.evolve(
                    copy, start=copy.start + shift, end=copy.end + shift, version=version
                )
            elif change == "rename":
                copy = attrs.evolve(copy, subject=subject, location=location, version=version)
            elif change == "cancel":
                copy = attrs.evolve(copy, is_cancelled=True, version=version)
            # What each mailbox owner does with their own copy.
            own = draw(st.sampled_from(("none",) * 5 + ("save", "unsync", "blue", "delete")))
            if own == "delete":
                continue
            added = {"save": {SALESFORCE}, "unsync": {UNSYNC}, "blue": {"Blue"}}.get(own)
            if added:
                copy = attrs.evolve(
                    copy, categories=copy.categories | added, version=_bump(copy.version)
                )
            items.append(copy)
    return items


def _edited_events(draw: st.DrawFn, before: Iterable[SfEvent]) -> list[SfEvent]:
    events: list[SfEvent] = []
    for event in before:
        change = draw(st.sampled_from(("none", "none", "subject", "move", "private", "delete")))
        version = _bump(event.version)
        if change == "subject":
            event = attrs.evolve(event, subject=draw(_sf_texts), version=version)
        elif change == "move":
            shift = _shift(draw, event)
            event = attrs.evolve(
                event, start=event.start + shift, end=event.end + shift, version=version
            )
        elif change == "private":
            # A private event relates to nobody: Salesforce clears Who, What and invitees.
            event = attrs.evolve(
                event, is_private=True, who_ids=(), what_ids=(), invitee_ids=(), version=version
            )
        elif change == "delete":
            continue
        events.append(event)
    return events


@functools.cache
def _for_types() -> dict[type, st.SearchStrategy[object]]:
    """What ``_register.register`` gives ``st.from_type`` for each value class."""
    users = st.builds(
        UserSettings,
        email=_addresses(DEFAULT_DOMAIN),
        sf_user_id=_ids("005"),
        meeting_autosave=st.booleans(),
        appointment_autosave=st.booleans(),
        description_mode=st.none() | st.sampled_from(DescriptionMode),
        direction=st.none() | st.sampled_from(Direction),
    )
    return {
        CalendarItem: calendar_items(),
        SfEvent: sf_events(),
        Record: records(),
        OrgSettings: org_settings(),
        Snapshot: snapshots(),
        Attendee: _attendees,
        Attachment: _attachments,
        LinkChoice: st.builds(
            LinkChoice, who_id=st.none() | _ids("003"), what_id=st.none() | _ids("006")
        ),
        Recurrence: st.sampled_from(_RULES).map(lambda rule: Recurrence(rule=rule)),
        UserSettings: users,
    }
