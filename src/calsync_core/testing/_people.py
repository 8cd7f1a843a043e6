"""Who takes part in a generated organisation's meetings, and the records that name them.

Meetings, linked events and Salesforce-made events all draw their people from
one :class:`People`, so that an organisation is coherent: the same externals
recur across meetings, the directory holds records for some of them, and
events made in Salesforce belong to users, a route's public calendar or a
stranger who is not synced.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from .._enums import RecordKind
from .._values import OrgSettings, Record, UserSettings
from . import _pieces as p


@attrs.frozen(kw_only=True)
class People:
    """Who can take part in the org's meetings."""

    users: tuple[UserSettings, ...]
    domain: str
    colleague: str  # internal, but not a synced user
    externals: tuple[str, ...]
    blocklist: frozenset[str]
    owners: tuple[str, ...]  # who may own an event made in Salesforce


def people(draw: st.DrawFn, settings: OrgSettings) -> People:
    """The org's users, plus a colleague and externals who are not synced users."""
    users = settings.users
    emails = {u.email for u in users}
    domains = settings.company_domains or {users[0].email.rpartition("@")[2]}
    domain = min(domains)
    colleague = next(
        a for k in range(len(users) + 1) if (a := f"colleague{k}@{domain}") not in emails
    )
    drawn = draw(p.external_lists)
    externals = tuple(
        a for a in drawn if a not in emails and a.rpartition("@")[2] not in settings.company_domains
    )
    ids = {u.sf_user_id for u in users}
    stranger = next(s for k in range(len(ids) + 1) if (s := p.seq_id("005stranger", k)) not in ids)
    routes = tuple(r.calendar_id for r in settings.public_calendar_routes)
    return People(
        users=users,
        domain=domain,
        colleague=colleague,
        externals=externals,
        blocklist=settings.blocklist,
        owners=(*sorted(ids), *routes, stranger),
    )


def directory(draw: st.DrawFn, participants: list[str]) -> list[Record]:
    """Records for some external participants: Contacts (some with an Account) and Leads."""
    accounts = [p.seq_id("001", k + 1) for k in range(draw(st.integers(0, 2)))]
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
                id=p.seq_id(p.PREFIX[kind], j + 1),
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
