"""`@kept_per_user`: a GET endpoint whose JSON answer is served again for a moment (`webcare.page_cache`).

The key is the user and the query string's parameters (in any order); only 200 answers are kept. When
Redis cannot be read the endpoint answers as if there were no cache.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, request

from webcare.page_cache import keep, look_up


def kept_per_user(view: Callable) -> Callable:
    @wraps(view)
    def answer(*args, **kwargs):
        body, slot = look_up((request.endpoint, tuple(sorted(request.args.items(multi=True)))))
        if body is not None:
            return current_app.response_class(body, mimetype="application/json")
        response = view(*args, **kwargs)
        if response.status_code == 200:
            keep(slot, response.get_data())
        return response

    return answer
