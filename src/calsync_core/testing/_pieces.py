"""The small pieces every strategy builds from: ids, addresses, texts, times, attendees.

:mod:`calsync_core.testing.strategies` and its builder modules all draw the
same kinds of values -- Salesforce-looking ids, addresses at the org's and at
outside domains, texts that now and then break Salesforce's limits, a time
around the snapshot's instant. They are defined once here, so that a change
to what "a valid id" or "a valid time" means reaches every strategy at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Sequence
from typing import TypeVar

import attrs
from hypothesis import strategies as st

from .._domain import LONGEST_OCCURRENCE, SALESFORCE, TEXT_LIMITS, UNSYNC
from .._enums import AttendeeRole, RecordKind, Response, Sensitivity
from .._values import Attachment, Attendee, LinkChoice, Recurrence

T = TypeVar("T")

#: The internal domain ``org_settings`` and ``calendar_items`` use unless told otherwise.
DEFAULT_DOMAIN = "acme.example"
# External participants come from these; "blocked.example" is what a generated
# blocklist names, so R-BLOCKLIST meets real participants.
EXTERNAL_DOMAINS = ("customer.example", "partner.example", "example.com", "blocked.example")
BLOCKED = "blocked.example"
NAMES = ("ada", "grace", "alan", "edsger", "barbara", "ken", "frances", "john")
# Zones Salesforce can take (R-TIMEZONE), Windows ids included: none is problematic.
ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "W. Europe Standard Time",
    "Pacific Standard Time",
)
RULES = (
    "FREQ=DAILY;COUNT=5",
    "FREQ=WEEKLY;COUNT=4",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
    "FREQ=MONTHLY;COUNT=3",
)
_ALNUM = string.ascii_letters + string.digits
#: Each record kind's Salesforce key prefix, which its ids start with.
PREFIX = {
    RecordKind.CONTACT: "003",
    RecordKind.LEAD: "00Q",
    RecordKind.ACCOUNT: "001",
    RecordKind.OPPORTUNITY: "006",
}
PRIVATE = frozenset({Sensitivity.PRIVATE, Sensitivity.CONFIDENTIAL})
# Accepted twice: most answered invitations are accepted.
ANSWERS = (Response.ACCEPTED, Response.ACCEPTED, Response.TENTATIVE, Response.DECLINED)

_chars = st.characters(categories=("L", "N", "P", "Zs"))
short = st.text(_chars, max_size=12)
# Now and then a text over Salesforce's 255 characters (R-FIELD-LIMITS cuts it) ...
texts = short | st.just("Long text " * 30)
# ... but Salesforce itself never holds one.
sf_texts = short | st.just("S" * TEXT_LIMITS["subject"])
_locals = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
as_ofs = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2035, 12, 31),
    timezones=st.just(dt.UTC),
)


# Strategies are built once, at import or in a cache, never per draw: a fresh
# strategy is validated again on every draw, which made generation several
# times slower.


@functools.cache
def ids(prefix: str) -> st.SearchStrategy[str]:
    """Salesforce-looking 18-character ids with the key prefix of their object."""
    return st.text(_ALNUM, min_size=18 - len(prefix), max_size=18 - len(prefix)).map(
        lambda tail: prefix + tail
    )


def seq_id(prefix: str, n: int) -> str:
    """The ``n``-th 18-character id after ``prefix``: ids a builder numbers itself."""
    return f"{prefix}{n:0{18 - len(prefix)}d}"


@functools.cache
def _index_lists(n: int, low: int, high: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, n - 1), min_size=low, max_size=high, unique=True)


def some(
    draw: st.DrawFn, options: Sequence[T], *, low: int = 0, high: int | None = None
) -> list[T]:
    """Distinct elements of ``options``, at least ``low``; at most ``high``."""
    most = len(options) if high is None else min(high, len(options))
    return [options[i] for i in draw(_index_lists(len(options), low, most))]


@functools.cache
def addresses(*domains: str) -> st.SearchStrategy[str]:
    """Addresses at one of ``domains``."""
    return st.builds("{}@{}".format, _locals, st.sampled_from(domains))


@attrs.frozen
class Slot:
    """When something happens: the fields an item and its event share."""

    start: dt.datetime
    end: dt.datetime
    is_all_day: bool
    time_zone: str
    recurrence: Recurrence | None


def slot(draw: st.DrawFn, as_of: dt.datetime, *, recurring: bool, salesforce: bool = False) -> Slot:
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
        zone = draw(st.sampled_from(ZONES))
    rules: tuple[str | None, ...] = (None, None, None, None, *RULES) if recurring else (None,)
    rule = draw(st.sampled_from(rules))
    if salesforce and (all_day or end - start > LONGEST_OCCURRENCE):
        rule = None
    return Slot(
        start=start,
        end=end,
        is_all_day=all_day,
        time_zone=zone,
        recurrence=None if rule is None else Recurrence(rule=rule),
    )


attachments = st.builds(
    Attachment,
    id=ids("att"),
    name=st.sampled_from(("deck.pdf", "notes.docx", "video.mp4")),
    # Now and then over the default 25 MB limit (R-ATTACHMENTS).
    size=st.integers(0, 2_000) | st.just(40 * 1024 * 1024),
    content_type=st.sampled_from(("", "application/pdf")),
)
attachment_lists = st.lists(attachments, max_size=2, unique_by=lambda a: a.id).map(tuple)
attendees = st.builds(
    Attendee,
    email=addresses(DEFAULT_DOMAIN, *EXTERNAL_DOMAINS),
    name=st.sampled_from(("", "Kim Lee", "Ana Souza")),
    response=st.sampled_from((Response.NOT_RESPONDED, *ANSWERS)),
    role=st.sampled_from(AttendeeRole),
)
attendee_lists = st.lists(attendees, max_size=4, unique_by=lambda a: a.email)
item_categories = st.sets(st.sampled_from((SALESFORCE, UNSYNC, "Blue")), max_size=2)
link_choices = st.none() | st.builds(LinkChoice, who_id=ids("003"))
stamps = st.none() | ids("00U")
versions = st.text("0123456789abcdef", min_size=1, max_size=8)
uids = st.uuids().map(str)
optional_uids = st.none() | uids
whos = st.lists(ids("003"), max_size=3, unique=True) | st.lists(ids("00Q"), max_size=1)
whats = st.lists(ids("001") | ids("006"), max_size=1)
invitees = st.lists(ids("005"), max_size=2, unique=True)
emails = st.none() | addresses(*EXTERNAL_DOMAINS)
accounts = st.none() | ids("001")
external_lists = st.lists(addresses(*EXTERNAL_DOMAINS), min_size=1, max_size=6, unique=True)
