"""A WSGI app for tests/unit/test_memory.py: answers with how many objects the garbage collector has frozen."""

import gc


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(gc.get_freeze_count()).encode()]
