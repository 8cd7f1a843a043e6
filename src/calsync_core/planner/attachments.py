"""R-ATTACHMENTS: a saved item's attachments go to its event, up to the size limit.

Attachments over ``max_attachment_bytes`` are reported whenever the item is
saved, in or out of the window, so the issue (and its Sync Error) stays put
while the attachment does. Each attachment is saved once: the event lists the
ones it holds.
"""

from __future__ import annotations

from .. import _rules as R
from .._enums import IssueCode
from .._plan import SaveAttachment
from .._values import Attachment, CalendarItem
from .builder import PlanBuilder
from .world import World


def fitting(w: World, out: PlanBuilder, item: CalendarItem) -> list[Attachment]:
    """Report the attachments over the limit; return the ones to save."""
    settings = w.org.settings
    if not settings.save_attachments:
        return []
    fit = []
    for attachment in item.attachments:
        if attachment.size > settings.max_attachment_bytes:
            message = (
                f"Attachment {attachment.name!r} ({attachment.size:,} bytes) is larger than "
                f"{settings.max_attachment_bytes:,} bytes and is not saved."
            )
            out.issue(R.ATTACHMENTS, IssueCode.ATTACHMENT_TOO_LARGE, message, item=item)
            out.status.issue()
        else:
            fit.append(attachment)
    return fit


def save(
    out: PlanBuilder, attachments: list[Attachment], event_id: str, saved: frozenset[str]
) -> None:
    for attachment in attachments:
        if attachment.id not in saved:
            out.act(SaveAttachment(event_id=event_id, attachment=attachment, rule=R.ATTACHMENTS.id))
