"""The reference connector: Microsoft Graph and Salesforce over HTTP (``calsync_core[connect]``).

Built only from the sans-I/O adapters (:mod:`calsync_core.graph`,
:mod:`calsync_core.salesforce`), the ports and the session driver, with
`httpx <https://www.python-httpx.org/>`_ as its one I/O dependency; nothing in
the core imports it. :class:`Connector` reads each mailbox's calendarView
delta and each Salesforce owner's events, plans an incremental session
(:func:`~calsync_core.session.run_changes_session`), sends the plan in
dependency waves of ``$batch`` and ``composite`` requests, and saves the
state and links in a :class:`~calsync_core.incremental.StateStore`.

Authentication is a callable per service that returns a bearer token. It is
asked once and again after a 401; cache in it what your token library
caches. Neither flow below is a dependency of calsync_core.

Microsoft Graph, the client-credentials flow with MSAL (an app registration
with the ``Calendars.ReadWrite`` application permission, admin-consented)::

    import msal

    app = msal.ConfidentialClientApplication(
        client_id, authority=f"https://login.microsoftonline.com/{tenant_id}",
        client_credential=os.environ["CALSYNC_GRAPH_SECRET"],
    )

    def graph_token() -> str:
        # MSAL keeps the token and renews it shortly before it expires.
        result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
        return result["access_token"]

Salesforce, the OAuth 2.0 JWT bearer flow (a connected app with a
certificate, the integration user pre-authorised)::

    import time, jwt, httpx  # PyJWT

    def salesforce_token() -> str:
        claims = {"iss": consumer_key, "sub": username, "aud": "https://login.salesforce.com",
                  "exp": int(time.time()) + 180}
        assertion = jwt.encode(claims, os.environ["CALSYNC_SF_KEY"], algorithm="RS256")
        answer = httpx.post("https://login.salesforce.com/services/oauth2/token", data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": assertion})
        answer.raise_for_status()
        return answer.json()["access_token"]

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from ._connector import GRAPH_ROOT, Connector, SyncResult
from ._http import Backoff, TokenSource, Traffic

__all__ = ["GRAPH_ROOT", "Backoff", "Connector", "SyncResult", "TokenSource", "Traffic"]
