"""`@kept_per_user`: a GET endpoint whose JSON answer is served again for a moment (`webcare.page_cache`).

The key is the user and the query string's parameters (in any order); only 200 answers are kept. When
Redis cannot be read the endpoint answers as if there were no cache.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from flask import current_app, request
from redis.exceptions import RedisError

from webcare import write_stamp
from webcare.auth import current
from webcare.extensions import runtime

log = logging.getLogger(__name__)


def kept_per_user(view: Callable) -> Callable:
    @wraps(view)
    def answer(*args, **kwargs):
        pages = runtime().list_pages
        stamp = _stamp() if pages.enabled else None
        if stamp is None:
            return view(*args, **kwargs)
        key = (request.endpoint, current().id, tuple(sorted(request.args.items(multi=True))))
        body = pages.get(key, stamp)
        if body is not None:
            return current_app.response_class(body, mimetype="application/json")
        made_at = pages.now()
        response = view(*args, **kwargs)
        if response.status_code == 200:
            pages.put(key, stamp, response.get_data(), made_at)
        return response

    return answer


def _stamp() -> bytes | None:
    redis = runtime().redis_or_none()
    if redis is None:
        return None
    try:
        return write_stamp.current(redis)
    except RedisError as exc:
        log.warning("ticket list not cached, Redis unavailable: %s", exc)
        return None
