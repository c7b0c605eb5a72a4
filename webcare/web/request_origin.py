"""Where a request came from, for the audit log.

`remember_origin` (run before every request) puts it in the request's database session, so that
`services.audit.record` logs the IP and user agent of web and API actions without every handler
passing them along.
"""

from __future__ import annotations

from flask import request

from webcare.extensions import db
from webcare.services.audit import ORIGIN_KEY, Origin


def origin() -> Origin:
    return Origin(ip=request.remote_addr or "", user_agent=(request.user_agent.string or "")[:255])


def remember_origin() -> None:
    if request.endpoint != "static":
        db().info[ORIGIN_KEY] = origin()
