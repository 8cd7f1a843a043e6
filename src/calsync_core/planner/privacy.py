"""R-PRIVATE: what a private item or event keeps to itself.

Private and confidential items are not autosaved (``eligibility``); a private
event may be related to nobody -- no Who, no What, no invitees -- because
Salesforce refuses relations on it (``linking``, ``meetings.invitees``,
``sharing``); a public calendar's private event is copied into no mailbox
(``routes``). Whichever side of a linked pair is private once the plan is
carried out, the pair is treated as private.
"""

from __future__ import annotations

import attrs

from .._enums import Sensitivity
from .._values import CalendarItem

_PRIVATE = frozenset({Sensitivity.PRIVATE, Sensitivity.CONFIDENTIAL})

#: Why a private item is linked to nothing.
NO_RELATIONS = "private: no Who, What or invitees (Salesforce forbids them)"


def is_private(item: CalendarItem) -> bool:
    return item.sensitivity in _PRIVATE


def as_public(item: CalendarItem) -> CalendarItem:
    """``item`` as the pair will be once Salesforce has made it public (shared as public)."""
    return item if not is_private(item) else attrs.evolve(item, sensitivity=Sensitivity.NORMAL)
