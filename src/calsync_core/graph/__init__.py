"""Microsoft Graph v1.0 payloads read as values, and actions written as requests.

The write side, :func:`request_for`, is described with its field mapping in
the API reference; what it writes reads back here as the same values.

Sans-I/O: a connector fetches the JSON (``GET /users/{mailbox}/events/{id}``,
a calendarView delta page ...) and passes the decoded document in; nothing here
reads the network, a clock or a file. Every function is pure.

A payload that cannot be read raises one :exc:`~calsync_core.PayloadError`
listing every problem with its JSON path (``start.dateTime: ...``); nothing is
half-read. Fields the adapter does not know are ignored: the API adds fields
over time, and a ``$select`` may leave out optional ones, which then take the
value's defaults.

The field mapping, Graph ``event`` property to :class:`~calsync_core.CalendarItem`
attribute, for reading and for :func:`request_for` (generated from the rows the
writers use, ``graph/_mapping.py``):

.. calsync-field-map:: graph

Zones may be Windows ids (``Pacific Standard Time``), IANA ids, or ones no
table knows (``tzone://Microsoft/Custom``, ``""``). An unknown zone is not a
payload fault: the item keeps the zone's name as its ``time_zone``, its times
are read as UTC wall times, and the planner reports it
(:attr:`~calsync_core.IssueCode.PROBLEMATIC_TIME_ZONE`) rather than save it.
Answers compare case-insensitively (the documentation lists ``Accepted``,
payloads say ``accepted``); ``none`` and ``notResponded`` are
:attr:`~calsync_core.Response.NOT_RESPONDED`.

Not read: attachments (``hasAttachments`` only says there are some; they are
their own resource), the calendar an item is in, and the Save dialog's choice.
Those stay at their defaults for the connector to fill in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from .._errors import PayloadError
from .._request import Request
from .._values import CalendarItem
from ._batch import BATCH_LIMIT, BatchResult, group, merge, read_results
from ._delta import DeltaPage, ItemKey, read_page
from ._event import SF_EVENT_ID_PROPERTY, read_event
from ._read import Reader, json_kind
from ._write import GraphAction, write

__all__ = [
    "BATCH_LIMIT",
    "SF_EVENT_ID_PROPERTY",
    "BatchResult",
    "DeltaPage",
    "ItemKey",
    "batch_results",
    "batches",
    "delta_page",
    "item_from_graph",
    "merge_patches",
    "request_for",
]

# Documented, pickled and shown in tracebacks as a member of this public module.
DeltaPage.__module__ = __name__
BatchResult.__module__ = __name__


def item_from_graph(event: Mapping[str, Any], *, mailbox: str) -> CalendarItem:
    """The calendar item in one Graph ``event`` resource, as found in ``mailbox``.

    ``event`` is the decoded JSON of any of the four event types:
    ``singleInstance``, ``seriesMaster``, ``occurrence`` or ``exception``.
    PayloadError lists every problem when it cannot be read. ``categories``
    must be there (a ``$select`` must name it): the item is what a connector
    passes as ``current`` to :func:`request_for`, and a ``SetCategories``
    writes the whole list, so an item read without them would have them
    erased. Delta pages always carry every property (delta takes no
    ``$select``), so :func:`delta_page` does not insist.

    >>> from calsync_core.graph import item_from_graph
    >>> item = item_from_graph({
    ...     "id": "AAMkAD=", "iCalUId": "0400", "changeKey": "ck1", "type": "singleInstance",
    ...     "subject": "Review", "originalStartTimeZone": "Pacific Standard Time",
    ...     "sensitivity": "normal", "categories": ["Red"],
    ...     "start": {"dateTime": "2024-03-12T09:00:00.0000000",
    ...               "timeZone": "Pacific Standard Time"},
    ...     "end": {"dateTime": "2024-03-12T10:00:00.0000000",
    ...             "timeZone": "Pacific Standard Time"},
    ... }, mailbox="Ana@acme.example")
    >>> item.start.isoformat(), item.time_zone, item.version
    ('2024-03-12T16:00:00+00:00', 'Pacific Standard Time', 'ck1')
    >>> item_from_graph({"id": "AAMkAD=", "start": {"dateTime": "soon", "timeZone": "UTC"}},
    ...                 mailbox="ana@acme.example")
    Traceback (most recent call last):
    ...
    calsync_core._errors.PayloadError: cannot read payload: start.dateTime: 'soon' is not a \
date and time without offset (YYYY-MM-DDThh:mm:ss[.fffffff]); end: missing
    """
    if not isinstance(event, Mapping):
        raise PayloadError([f"(event): expected an object, got {json_kind(event)}"])
    r = Reader()
    item = read_event(r, event, mailbox, whole=True)
    if item is None:
        raise PayloadError(r.problems)
    return item


def delta_page(page: Mapping[str, Any], *, mailbox: str) -> DeltaPage:
    """One page of a calendarView delta query of ``mailbox``, read.

    Each entry of ``value`` is an event (read as :func:`item_from_graph` does)
    or, when it carries ``@removed``, the id of one that left the view; an
    entry that comes twice counts once, as its later version. PayloadError
    lists every problem, an entry's prefixed with its place (``value[3].``).

    Two things a delta page cannot say. Delta takes no ``$expand``, so its
    items never carry the stamp: ``sf_event_id`` is None meaning "not read" --
    read the stamp of the items that matter with a GET (``$expand`` of
    :data:`SF_EVENT_ID_PROPERTY`). And ``@removed`` comes with reason
    ``deleted`` also for events that only moved out of the range or changed
    outside it: ``removed`` means "not in this view any more", so look an item
    up by id before treating it as deleted.

    >>> from calsync_core.graph import delta_page
    >>> page = delta_page({
    ...     "@odata.deltaLink": "https://graph.microsoft.com/v1.0/me/calendarView/delta?$deltatoken=R0",
    ...     "value": [{"id": "AAMkADk=", "@removed": {"reason": "deleted"}}],
    ... }, mailbox="Ana@acme.example")
    >>> page.items, page.removed, page.next_link
    ((), (('ana@acme.example', 'AAMkADk='),), None)
    """
    if not isinstance(page, Mapping):
        raise PayloadError([f"(page): expected an object, got {json_kind(page)}"])
    result, problems = read_page(page, mailbox)
    if result is None:
        raise PayloadError(problems)
    return result


def request_for(
    action: GraphAction,
    *,
    current: CalendarItem | None = None,
    ids: Mapping[str, str] = MappingProxyType({}),
) -> Request:
    """The Graph v1.0 request that carries out one action on a mailbox.

    ``action`` is a :class:`~calsync_core.CreateItem`, :class:`~calsync_core.UpdateItem`,
    :class:`~calsync_core.DeleteItem` or :class:`~calsync_core.SetCategories`;
    ``current`` the item as the connector last read it. The URL is relative to
    the v1.0 root (``users/{mailbox}/events[/{id}]``, each segment quoted).

    ``ids`` maps the refs a plan uses for what it creates (``new-event:...``,
    ``new-item:...``) to the real ids the connector got back: an action's
    ``item_id`` or ``sf_event_id`` found there is replaced. A ref that is not
    there raises ValueError rather than be written as an id.

    Writes are conditional: ``If-Match`` carries ``W/"<changeKey>"``, the weak
    ETag Graph makes of ``current.version``. UpdateItem and SetCategories need
    ``current`` (ValueError without it), DeleteItem uses it when given. An
    update also refuses (ValueError) a change whose ``old`` is not what
    ``current`` holds: the plan was made on another version of the item.
    Details and the field mapping: :ref:`graph-write`.

    >>> import datetime as dt
    >>> import calsync_core as cs
    >>> from calsync_core.graph import request_for
    >>> item = cs.CalendarItem(
    ...     id="AAMk+a/b=", ical_uid="040000", mailbox="ana@acme.example", version="ck1",
    ...     start=dt.datetime(2024, 3, 12, 16, tzinfo=dt.UTC),
    ...     end=dt.datetime(2024, 3, 12, 17, tzinfo=dt.UTC),
    ...     subject="Review", categories={"Red"}, time_zone="Pacific Standard Time")
    >>> request = request_for(cs.SetCategories(
    ...     mailbox="ana@acme.example", item_id="AAMk+a/b=", add={"Salesforce"}, remove=(),
    ...     rule="R-CATEGORY"), current=item)
    >>> request.method, request.url, request.headers["If-Match"], request.body
    ('PATCH', 'users/ana@acme.example/events/AAMk%2Ba%2Fb%3D', 'W/"ck1"', \
{'categories': ['Red', 'Salesforce']})
    >>> change = cs.FieldChange(field="subject", old="Old review", new="Review 2")
    >>> request_for(cs.UpdateItem(mailbox="ana@acme.example", item_id="AAMk+a/b=",
    ...                           changes=[change], rule="R-DOWN-UPDATE"), current=item)
    Traceback (most recent call last):
    ...
    ValueError: subject: the plan expected 'Old review', the item holds 'Review': it was \
planned on another version
    """
    return write(action, current, ids)


def batches(
    requests: Sequence[Request],
    *,
    depends: Mapping[int, Sequence[int]] = MappingProxyType({}),
) -> tuple[Request, ...]:
    """The requests grouped into ``POST $batch`` requests of at most 20 each, in order.

    Each sub-request is ``{id, method, url, headers, body}``: ``id`` is the
    request's index in ``requests`` (as a string, so results map back), the
    URL gets its leading ``/``, ``headers`` and ``body`` are left out when
    empty (``Content-Type: application/json`` is added to a body without one).

    ``depends`` maps a request's index to the indexes of requests it must
    follow. Within one batch that is written as ``dependsOn``; across batches
    the order of the batches is the order: send them one after another, and
    check the results of one (a failed create ...) before sending the next.
    An index out of range, or a request made to follow one that does not come
    before it, raises ValueError; so do two requests to the same URL on the
    same ``If-Match`` (the second would always get 412): merge them first
    with :func:`merge_patches`.

    >>> from calsync_core import Request
    >>> from calsync_core.graph import batches
    >>> patch = Request(method="PATCH", url="users/ana@acme.example/events/AAMk=",
    ...                 headers={"If-Match": 'W/"ck1"'}, body={"subject": "Review"})
    >>> delete = Request(method="DELETE", url="users/ana@acme.example/events/AAMl=")
    >>> [batch] = batches([patch, delete], depends={1: [0]})
    >>> batch.method, batch.url, [(r["id"], r.get("dependsOn")) for r in batch.body["requests"]]
    ('POST', '$batch', [('0', None), ('1', ['0'])])
    >>> batch.body["requests"][0]["url"], batch.body["requests"][0]["headers"]
    ('/users/ana@acme.example/events/AAMk=', {'If-Match': 'W/"ck1"', 'Content-Type': \
'application/json'})
    """
    return group(requests, depends)


def merge_patches(requests: Sequence[Request]) -> tuple[Request, ...]:
    """``requests`` with the PATCHes of one item on one change key merged into one.

    Saving an item plans an :class:`~calsync_core.UpdateItem` (the stamp) and a
    :class:`~calsync_core.SetCategories` on the same item, both written on
    ``current``'s change key: sent apart, the first changes the key and the
    second always answers 412. Merged, they are one conditional PATCH (at the
    first one's place, the other left out). Two that set the same property
    raise ValueError. :func:`batches` refuses such a pair unmerged.

    >>> from calsync_core import Request
    >>> from calsync_core.graph import merge_patches
    >>> url, key = "users/ana@acme.example/events/AAMk=", {"If-Match": 'W/"ck1"'}
    >>> a = Request(method="PATCH", url=url, headers=key, body={"subject": "A"})
    >>> [one] = merge_patches([a, Request(method="PATCH", url=url, headers=key,
    ...                                   body={"categories": []})])
    >>> one.body
    {'subject': 'A', 'categories': []}
    """
    return merge(requests)


def batch_results(response: Mapping[str, Any]) -> tuple[BatchResult, ...]:
    """The outcome of every sub-request of a ``$batch`` response, in id order.

    ``response`` is the decoded body of the batch's answer; its ``responses``
    come in any order and are sorted by id (numerically for the ids
    :func:`batches` writes). A status below 400 is a success whose ``body``
    holds what Graph answered (a created event's ``id``, ``changeKey`` ...).
    A failure's ``error`` says what a retry can do:

    ===================  ==================================================
    Status               ``error``
    ===================  ==================================================
    412                  :class:`~calsync_core.ports.ConflictError`: the
                         ``If-Match`` change key is stale
    429, 503, 504        :class:`~calsync_core.ports.TransientError`;
                         ``retry_after`` holds the ``Retry-After`` seconds
                         (finite decimals; an HTTP-date counted from the
                         sub-response's ``Date``, else kept in ``retry_at``)
    424                  :class:`~calsync_core.ports.TransientError`: the
                         request was not tried because one it depended on
                         failed; it may succeed once that one does
    any other 4xx, 5xx   :class:`~calsync_core.ports.PermanentError`
    ===================  ==================================================

    A response that cannot be read raises one PayloadError listing every
    problem with its path (``responses[2].status: ...``); an id that comes
    twice is one.

    >>> from calsync_core.graph import batch_results
    >>> ok, throttled = batch_results({"responses": [
    ...     {"id": "1", "status": 429, "headers": {"Retry-After": "2.5"}},
    ...     {"id": "0", "status": 201, "body": {"id": "AAMk=", "changeKey": "ck2"}},
    ... ]})
    >>> ok.ok, ok.body["changeKey"], throttled.ok, throttled.retry_after
    (True, 'ck2', False, 2.5)
    >>> type(throttled.error).__name__
    'TransientError'
    """
    return read_results(response)
