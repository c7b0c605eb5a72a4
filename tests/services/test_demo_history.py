"""A new demo has a past: `webcare demo` (and `webcare run` with its feed) imports two months of history once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, select

from webcare.demo_feed import CHANNEL_NAME, ensure_demo_channel
from webcare.demo_history import DEMO_DAYS, DEMO_TICKETS, corpus_texts, generate
from webcare.models import Channel, Department, MetricFact, Ticket, TicketEvent
from webcare.queue import ALL_QUEUES

END = datetime.fromisoformat("2026-12-04T15:00:00+01:00")


def test_the_history_is_the_corpus_in_the_import_format_and_ends_now():
    lines = generate(200, 30, END, CHANNEL_NAME, ["a@b.nl"], {"OW": "ow@b.nl"}, texts=corpus_texts())
    assert lines == generate(200, 30, END, CHANNEL_NAME, ["a@b.nl"], {"OW": "ow@b.nl"}, texts=corpus_texts())
    texts = {text for text, _kind in corpus_texts()}
    messages = [line for line in lines if line["type"] == "message" and line["external_id"].endswith("-1")]
    assert len(messages) == 200 and {line["text"] for line in messages} <= texts
    times = [datetime.fromisoformat(line["at"]) for line in lines]
    assert times == sorted(times) and END - timedelta(days=30) <= times[0] and times[-1] <= END
    assert {line["type"] for line in lines} == {"message", "reply", "handoff", "feedback", "status"}


def test_with_settled_after_days_only_recent_tickets_stay_open():
    def open_threads(lines, before):
        started = {line["thread"] for line in lines
                   if line["type"] == "message" and datetime.fromisoformat(line["at"]) < before}
        return started - {line["thread"] for line in lines if line["type"] == "status"}

    before = END - timedelta(days=10)
    everyday = generate(300, 40, END, CHANNEL_NAME, ["a@b.nl"], {})
    settled = generate(300, 40, END, CHANNEL_NAME, ["a@b.nl"], {}, settled_after_days=10)
    assert len(open_threads(everyday, before)) > 10
    assert open_threads(settled, before) == set()
    assert any(datetime.fromisoformat(line["at"]) >= before for line in settled if line["type"] == "message")


def test_demo_imports_two_months_of_history_once(cli, session, redis):
    first = json.loads(cli("demo").output)
    history = first["history"]
    assert history["tickets"] == DEMO_TICKETS and history["skipped"] == 0
    assert history["imported"]["reply"] > DEMO_TICKETS * 0.8 and history["imported"]["feedback"] > 0

    channel = session.scalars(select(Channel).where(Channel.name == CHANNEL_NAME)).one()
    assert not channel.enabled  # no server until the demo feed points it at its own
    tickets = session.scalars(select(Ticket).where(Ticket.channel_id == channel.id)).all()
    assert len(tickets) == DEMO_TICKETS
    oldest = min(ticket.created_at for ticket in tickets)
    assert oldest >= datetime.now(oldest.tzinfo) - timedelta(days=DEMO_DAYS, hours=1)
    departments = session.scalars(select(Department.code).join(Ticket, Ticket.department_id == Department.id)
                                  .where(Ticket.channel_id == channel.id).distinct()).all()
    assert len(departments) >= 4  # the corpus reaches every department, not only the history's few
    assert not any(ticket.threat for ticket in tickets)  # no safety alarm about the past
    assert session.scalar(select(func.count()).select_from(MetricFact)) >= DEMO_TICKETS * 2  # the dashboards' figures
    assert sum(redis.llen(f"rq:queue:{queue}") for queue in ALL_QUEUES) == 0  # nothing sent, nobody notified

    again = json.loads(cli("demo").output)
    assert again["history"] is None
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Ticket)) == DEMO_TICKETS
    events = session.scalar(select(func.count()).select_from(TicketEvent))
    assert json.loads(cli("demo").output)["history"] is None
    assert session.scalar(select(func.count()).select_from(TicketEvent)) == events

    ensure_demo_channel(session, "http://127.0.0.1:8123")  # what the feed does when it starts
    session.flush()
    assert channel.enabled and channel.base_url == "http://127.0.0.1:8123"
