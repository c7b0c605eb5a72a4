"""The realtime stream: which events of the `webcare:events` channel a user may receive.

Events are published after commit (`queue.publish_after_commit`, shape in docs/DEVELOPERS.md); a message
on the channel is one event (a JSON object) or a batch's events (a JSON array, `publish_many_after_commit`).
The server-sent-events endpoint subscribes to the channel and forwards only what the user may see,
without a database query per event: `department_id` and `threat` decide the scope, `user_ids`
decides who gets a `notification`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from redis import Redis

from webcare.queue import REALTIME_CHANNEL

KNOWN_TYPES = ("ticket_created", "ticket_updated", "message_created", "delivery_updated", "notification")


@dataclass(frozen=True)
class Scope:
    """What a user may see, captured once when the stream opens (no session needed afterwards)."""

    user_id: int
    sees_all: bool
    department_ids: frozenset[int]
    safety_team: bool

    @classmethod
    def of(cls, user) -> Scope:
        return cls(user.id, user.sees_all_tickets, frozenset(user.department_ids),
                   any(d.is_safety_team for d in user.departments))


def visible(scope: Scope, event: dict) -> bool:
    if event.get("type") not in KNOWN_TYPES:
        return False
    if event["type"] == "notification":
        return scope.user_id in (event.get("user_ids") or [])
    if scope.sees_all:
        return True
    if event.get("department_id") in scope.department_ids:
        return True
    return bool(event.get("threat")) and scope.safety_team


def stream(redis: Redis, scope: Scope, *, lifetime: float, keepalive: float = 15.0,
           clock=None) -> Iterator[str]:
    """Server-sent-event frames for this scope until `lifetime` seconds passed; then the browser reconnects."""
    import time

    clock = clock or time.monotonic
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(REALTIME_CHANNEL)
    try:
        yield "retry: 2000\n: connected\n\n"
        end = clock() + lifetime
        while (left := end - clock()) > 0:
            message = pubsub.get_message(timeout=min(keepalive, left))
            if message is None:
                yield ": keepalive\n\n"
                continue
            frames = _frames(scope, message.get("data"))
            if frames:
                yield frames
        yield "event: bye\ndata: {}\n\n"
    finally:
        pubsub.close()


def _frames(scope: Scope, data) -> str:
    """The server-sent-event frames of one message on the channel (an event or a list of events) that this
    scope may see; "" when none."""
    try:
        decoded = json.loads(data)
    except (TypeError, ValueError):
        return ""
    events = decoded if isinstance(decoded, list) else [decoded]
    return "".join(_frame(event) for event in events if isinstance(event, dict) and visible(scope, event))


def _frame(event: dict) -> str:
    payload = {key: event[key] for key in ("type", "ticket_id", "message_id", "kind") if key in event}
    return f"event: {event['type']}\ndata: {json.dumps(payload)}\n\n"
