"""Organisation settings: the builder behind ``org_settings``, and the users in them.

Every switch the planner reads varies here, so that a property test of any
rule meets the settings that turn the rule on and off. Unique addresses and
Salesforce ids make the settings valid (``check_settings`` accepts them).
"""

from __future__ import annotations

from hypothesis import strategies as st

from .._enums import ConflictPolicy, DescriptionMode, Direction, RecordKind
from .._values import OrgSettings, PublicCalendarRoute, UserSettings
from . import _pieces as p


@st.composite
def org_settings(
    draw: st.DrawFn, users: tuple[UserSettings, ...] | None, low: int, high: int, domain: str
) -> OrgSettings:
    """Settings for ``users`` (else ``low`` to ``high`` users at ``domain``), every switch drawn."""
    if users is None:
        users = tuple(user(draw, n, domain) for n in range(draw(st.integers(low, high))))
    emails = [u.email for u in users]
    routes: tuple[PublicCalendarRoute, ...] = ()
    if emails and draw(st.sampled_from((False, False, True))):
        boxes = p.some(draw, emails, low=1)
        route = PublicCalendarRoute(
            calendar_id=p.seq_id("023", 1), mailboxes=tuple(boxes), category="Company"
        )
        routes = (route,)
    return OrgSettings(
        users=users,
        company_domains=frozenset({domain}),
        blocklist=draw(st.sampled_from((frozenset(), frozenset({p.BLOCKED})))),
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


def user(draw: st.DrawFn, n: int, domain: str) -> UserSettings:
    """The ``n``-th user: ``n`` in the address and the id keeps both unique within the org."""
    return UserSettings(
        email=f"{draw(st.sampled_from(p.NAMES))}.{n}@{domain}",
        sf_user_id=p.seq_id("005", n + 1),
        meeting_autosave=draw(st.sampled_from((True, True, False))),
        appointment_autosave=draw(st.booleans()),
        description_mode=draw(st.sampled_from((None, None, None, *DescriptionMode))),
        direction=draw(st.sampled_from((None, None, None, *Direction))),
    )
