"""Polling against a real Mastodon mock: scheduling, rate limits, outages, lost authorisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from rq.job import Job
from sqlalchemy import func, select

from tests import factories as f
from tests.fakes.mastodon import mastodon  # noqa: F401  (fixture)
from tests.workers.pipeline import assert_poll_retried_by_rq, back_off_passed, run_scheduled_now
from webcare import platforms
from webcare.db import utcnow
from webcare.models import Channel, Notification, Ticket
from webcare.services import channels, polling
from workers.heartbeat import BeatingWorker


def work(redis, queues=("poll", "ingest")) -> None:
    BeatingWorker(list(queues), connection=redis).work(burst=True)


def reload(runtime, channel_id: int) -> Channel:
    with runtime.transaction() as s:
        return s.get(Channel, channel_id)


@pytest.fixture
def channel(session, mastodon):  # noqa: F811
    f.seeded(session)
    return mastodon.channel(session, poll_interval_seconds=60)


def test_sweep_enqueues_one_poll_per_due_channel_and_never_gets_stuck(runtime, redis, channel):
    assert polling.sweep(runtime) == ["poll-channel-1"]
    assert polling.sweep(runtime) == []  # already queued: not twice
    assert Queue("poll", connection=redis).count == 1
    work(redis)
    assert not Job.exists("poll-channel-1", connection=redis)  # deleted on success: never blocks the next poll
    assert polling.sweep(runtime) == []  # polled just now: not due
    later = utcnow() + timedelta(seconds=61)
    with runtime.transaction() as s:
        assert polling.due_channel_ids(s, later) == [channel.id]
    with runtime.transaction() as s:
        s.get(Channel, channel.id).last_polled_at = utcnow() - timedelta(seconds=61)
    assert polling.sweep(runtime) == ["poll-channel-1"]


def test_paused_channels_are_not_polled(runtime, redis, session, channel):
    channels.set_enabled(session, session.get(Channel, channel.id), False)
    session.commit()
    assert polling.sweep(runtime) == []


@pytest.mark.parametrize("reset_header, expected", [
    ("2030-11-22T01:25:00.000000Z", datetime(2030, 11, 22, 1, 25, tzinfo=UTC)),  # real Mastodon: ISO 8601
    ("1924740000", datetime.fromtimestamp(1924740000, UTC)),  # mastodon-mock and others: epoch seconds
])
def test_429_makes_the_channel_wait_until_the_reset(runtime, redis, session, mastodon, channel,  # noqa: F811
                                                    reset_header, expected):
    mastodon.fault("/api/v1/notifications", {"type": "ratelimit", "headers": {"X-RateLimit-Reset": reset_header}})
    polling.sweep(runtime)
    work(redis)

    waiting = reload(runtime, channel.id)
    assert waiting.rate_limited_until == expected
    assert "429" in waiting.last_error
    assert polling.sweep(runtime) == []  # waits, although its interval has passed
    with runtime.transaction() as s:
        [health] = [h for h in channels.health(s) if h.channel.id == channel.id]
        assert health.state == "rate_limited"
        assert polling.due_channel_ids(s, expected + timedelta(seconds=61)) == [channel.id]


def test_503_is_retried_by_rq_with_back_off(runtime, redis, session, mastodon, channel):  # noqa: F811
    mastodon.post("jan", "Het riool stinkt enorm in de Molenstraat.")
    mastodon.fault("/api/v1/notifications", {"type": "status", "status": 503})
    polling.sweep(runtime)
    work(redis)

    assert "503" in reload(runtime, channel.id).last_error
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    assert_poll_retried_by_rq(runtime, redis, channel.id)
    work(redis)
    assert session.scalar(select(func.count()).select_from(Ticket)) == 1
    assert reload(runtime, channel.id).last_success_at is not None
    assert not Job.exists("poll-channel-1", connection=redis)  # done: the next sweep may poll again


def test_a_long_outage_is_left_to_the_sweeps_back_off_after_rqs_tries(runtime, redis, session, mastodon,  # noqa: F811
                                                                        channel):
    mastodon.post("jan", "Het riool stinkt enorm in de Molenstraat.")
    mastodon.fault("/api/v1/notifications", {"type": "timeout", "delay_ms": 3000}, count=1)
    mastodon.fault("/api/v1/notifications", {"type": "status", "status": 502}, count=polling.TRANSIENT_RETRIES)
    polling.sweep(runtime)
    work(redis)
    for _ in range(polling.TRANSIENT_RETRIES):
        assert Job.fetch("poll-channel-1", connection=redis).get_status() == "scheduled"
        run_scheduled_now(redis, "poll")
        work(redis)

    assert not Job.exists("poll-channel-1", connection=redis)  # ended, not failed: no dead letter
    assert "502" in reload(runtime, channel.id).last_error
    assert polling.sweep(runtime) == []  # failing: the channel waits out the sweep's back-off
    back_off_passed(runtime, channel.id)
    assert polling.sweep(runtime) == ["poll-channel-1"]
    work(redis)
    assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_a_permanent_error_is_not_retried_by_rq(runtime, redis, session, mastodon, channel):  # noqa: F811
    mastodon.fault("/api/v1/notifications", {"type": "status", "status": 422})
    polling.sweep(runtime)
    work(redis)
    assert not Job.exists("poll-channel-1", connection=redis)
    assert "422" in reload(runtime, channel.id).last_error


def test_401_marks_the_channel_for_reauthorisation_and_tells_admins(runtime, redis, session, mastodon, channel):  # noqa: F811
    admin = f.user(session, "admin")
    session.commit()
    with runtime.transaction() as s:
        channels.update_channel(s, s.get(Channel, channel.id), token="ingetrokken-token")
    polling.sweep(runtime)
    work(redis)

    broken = reload(runtime, channel.id)
    assert broken.needs_reauth and "401" in broken.last_error
    assert polling.sweep(runtime) == []
    [note] = session.scalars(select(Notification).where(Notification.user_id == admin.id)).all()
    assert note.kind == "channel_reauth"

    with runtime.transaction() as s:  # an administrator enters a working token
        channels.update_channel(s, s.get(Channel, channel.id), token="gemeente-token")
    assert not reload(runtime, channel.id).needs_reauth
    with runtime.transaction() as s:
        assert polling.due_channel_ids(s, utcnow() + timedelta(seconds=61)) == [channel.id]


def test_poll_command_polls_now_and_prints_counts(cli, runtime, redis, session, mastodon, channel):  # noqa: F811
    import json

    mastodon.post("fatima", "De vuilniswagen is onze straat vergeten.")
    mastodon.post("piet", "Er staat een fietswrak al maanden bij het station.", visibility="direct")
    result = cli("poll", str(channel.id))
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["status"], out["messages"], out["batches"]) == ("ok", 2, 1)
    work(redis, ("ingest",))
    assert session.scalar(select(func.count()).select_from(Ticket)) == 2
    assert cli("poll", "999").exit_code == 2


def test_a_manual_poll_leaves_a_paused_or_waiting_channel_alone(cli, runtime, redis, session, mastodon, channel):  # noqa: F811
    """`webcare poll` (and the admin's button) do not call the platform for a paused channel, nor before the
    reset the platform asked for."""
    import json

    mastodon.post("jan", "De lantaarnpaal bij de kerk is kapot.")
    channels.set_enabled(session, session.get(Channel, channel.id), False)
    session.commit()
    paused = cli("poll", str(channel.id))
    assert paused.exit_code == 1 and json.loads(paused.stdout)["status"] == "paused"
    assert paused.stderr == f"error: channel {channel.id}: the channel is paused\n"

    until = utcnow() + timedelta(minutes=5)
    with runtime.transaction() as s:
        waiting = s.get(Channel, channel.id)
        waiting.enabled, waiting.rate_limited_until = True, until
    limited = cli("poll", str(channel.id))
    out = json.loads(limited.stdout)
    assert limited.exit_code == 1 and out["status"] == "rate_limited" and out["fetched"] == 0
    assert datetime.fromisoformat(out["rate_limited_until"]) == until and "T" in out["rate_limited_until"]  # ISO 8601
    assert "rate limited by the platform until" in limited.stderr
    assert reload(runtime, channel.id).last_polled_at is None  # the platform was not asked

    with runtime.transaction() as s:
        s.get(Channel, channel.id).rate_limited_until = None
    assert cli("poll", str(channel.id)).exit_code == 0


def test_cursor_is_kept_when_enqueueing_fails(runtime, session, mastodon, channel):  # noqa: F811
    """At-least-once: without a successful enqueue the cursor stays, so the next poll fetches again."""
    from redis import Redis

    from webcare.runtime import Runtime

    mastodon.post("jan", "Lantaarnpaal knippert.")
    broken = Runtime(settings=runtime.settings, engine=runtime.engine,
                     redis_override=Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    with pytest.raises(Exception):  # noqa: B017  (any Redis connection error)
        polling.poll_channel(broken, channel.id)
    assert reload(runtime, channel.id).cursor == {}


def test_channels_without_a_polling_adapter_are_not_polled(runtime, session, channel, monkeypatch):
    monkeypatch.delitem(platforms.ADAPTERS, "facebook")  # every platform gets one eventually: take one away
    f.channel(session, "facebook", credentials_encrypted=runtime.secrets.encrypt_json({"app_secret": "s"}))
    session.commit()
    with runtime.transaction() as s:
        assert polling.due_channel_ids(s) == [channel.id]
