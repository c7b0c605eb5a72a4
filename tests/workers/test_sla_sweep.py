"""The SLA sweep: each crossing recorded once (also with two schedulers at the same moment), the right
people notified in the app, and by e-mail through a real local SMTP server when SMTP is configured."""

from __future__ import annotations

import socket
import threading
from datetime import datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tests import factories
from webcare.models import Notification, Ticket, TicketEvent
from webcare.queue import ALL_QUEUES
from webcare.runtime import Runtime
from webcare.services import sla, sla_alerts
from workers import context as worker_context
from workers.heartbeat import BeatingWorker
from workers.sla import sweep_sla

CREATED = datetime.fromisoformat("2025-03-10T09:00+01:00")  # public: due 13:00, at risk 12:12, 3x Tue 12:30


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def people(session):
    factories.seeded(session)
    people = {
        "agent": factories.user(session, "agent", departments=("KCC",)),
        "kcc": factories.user(session, "agent", departments=("KCC",)),
        "afv": factories.user(session, "department", departments=("AFV",)),
        "manager": factories.user(session, "manager"),
    }
    people["manager"].language = "en"
    session.commit()
    return people


def open_ticket(session, assignee=None, created=CREATED) -> Ticket:
    ticket = factories.ticket(session, created_at=created, assignee_id=assignee.id if assignee else None)
    category = factories.category(session, "afval.zwerfvuil")
    ticket.category_id, ticket.department_id = category.id, category.department_id
    sla.start_clocks(session, [ticket], created)
    return ticket


def crossings(session) -> list[tuple]:
    return sorted(session.execute(select(TicketEvent.ticket_id, TicketEvent.data["clock"].as_string(),
                                         TicketEvent.data["level"].as_string())
                                  .where(TicketEvent.type == "sla_level")).all())


def bells(session) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for user_id, kind in session.execute(select(Notification.user_id, Notification.kind).order_by(Notification.id)):
        found.setdefault(user_id, []).append(kind)
    return found


def test_a_breach_is_recorded_once_and_told_to_assignee_and_front_office(session, people):
    ticket = open_ticket(session, assignee=people["agent"])
    session.commit()
    assert ticket.sla_check_at == t("2025-03-10T12:12+01:00")  # 80 % of 4 business hours
    assert sweep_sla(t("2025-03-10T12:00+01:00"))["tickets"] == 0
    counts = sweep_sla(t("2025-03-10T13:05+01:00"))
    assert counts == {"tickets": 1, "crossings": 2, "notifications": 2}
    session.expire_all()
    assert crossings(session) == [(ticket.id, "first_response", "at_risk"), (ticket.id, "first_response", "breached")]
    # only the highest new level is told: breached, to the assignee and the front office (KCC)
    assert bells(session) == {people["agent"].id: ["sla_breached"], people["kcc"].id: ["sla_breached"]}
    event = session.scalar(select(TicketEvent).where(TicketEvent.data["level"].as_string() == "breached"))
    assert event.at == t("2025-03-10T13:00+01:00") and event.dedupe_key.startswith(f"sla:{ticket.id}:first_response:")
    assert session.get(Ticket, ticket.id).sla_check_at == t("2025-03-11T12:30+01:00")
    assert sweep_sla(t("2025-03-10T13:06+01:00"))["tickets"] == 0
    assert sweep_sla(t("2025-03-11T12:31+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 3}
    session.expire_all()
    assert bells(session)[people["manager"].id] == ["sla_late_3x"]  # escalation to managers at 3x


def test_at_risk_warns_the_assignee_only_and_texts_are_in_the_users_language(session, people):
    open_ticket(session, assignee=people["agent"])
    open_ticket(session, assignee=people["manager"])
    session.commit()
    assert sweep_sla(t("2025-03-10T12:15+01:00"))["notifications"] == 2
    texts = dict(session.execute(select(Notification.user_id, Notification.text)).all())
    assert set(texts) == {people["agent"].id, people["manager"].id}
    assert "eerste reactie" in texts[people["agent"].id] and "ma 10 mrt 13:00" in texts[people["agent"].id]
    assert "first response is at risk (due Mon 10 Mar 13:00)" in texts[people["manager"].id]


def test_unassigned_at_risk_warns_the_department_and_old_crossings_stay_silent(session, people):
    fresh = open_ticket(session)
    old = open_ticket(session, created=t("2025-01-06T09:00+01:00"))
    session.commit()
    # fresh: first response at risk (12:12); old: first response and handling (due Thu 9 Jan, 3x Fri 17 Jan)
    # passed all three levels long ago: recorded, but nobody is woken up for them
    assert sweep_sla(t("2025-03-10T12:15+01:00")) == {"tickets": 2, "crossings": 7, "notifications": 2}
    session.expire_all()
    assert bells(session) == {people["agent"].id: ["sla_at_risk"], people["kcc"].id: ["sla_at_risk"]}
    assert len([c for c in crossings(session) if c[0] == old.id]) == 6
    assert session.get(Ticket, fresh.id).sla_level == "at_risk"
    assert session.get(Ticket, old.id).sla_level == "late_3x"


def test_two_schedulers_at_the_same_moment_record_each_crossing_once(session, people):
    tickets = [open_ticket(session, assignee=people["agent"]) for _ in range(40)]
    session.commit()
    now = t("2025-03-10T13:05+01:00")
    barrier, results, errors = threading.Barrier(2), [], []

    def scheduler():
        try:
            barrier.wait()
            results.append(sweep_sla(now))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure of either run
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(r["crossings"] for r in results) == 2 * len(tickets)
    session.expire_all()
    assert len(crossings(session)) == 2 * len(tickets)
    assert len(set(crossings(session))) == 2 * len(tickets)
    assert session.scalar(select(func.count()).select_from(Notification)) == 2 * len(tickets)  # agent + kcc


def test_the_loser_of_a_race_on_one_crossing_does_not_fail(runtime, session, people):
    """Two transactions insert the same crossing: the second waits for the first, then does nothing."""
    ticket = open_ticket(session)
    session.commit()
    state = sla.recompute(session, ticket, t("2025-03-10T13:05+01:00"))["first_response"]
    session.rollback()
    first, second = runtime.session_factory(), runtime.session_factory()
    outcome = {}
    try:
        assert sla_alerts.record_crossing(first, ticket, "first_response", "breached", state) is True

        def race():
            outcome["second"] = sla_alerts.record_crossing(second, ticket, "first_response", "breached", state)
            second.commit()

        racer = threading.Thread(target=race)
        racer.start()
        racer.join(0.5)
        assert racer.is_alive()  # blocked by the first transaction's uncommitted row
        first.commit()
        racer.join(30)
        assert outcome == {"second": False}
    finally:
        first.close()
        second.close()
    assert crossings(session) == [(ticket.id, "first_response", "breached")]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, smtp_session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


def test_notifications_are_e_mailed_when_smtp_is_configured(runtime, session, people, smtp_server, redis):
    controller, inbox = smtp_server
    mailing = Runtime(settings=runtime.settings.replace(smtp_host="127.0.0.1", smtp_port=controller.port,
                                                        smtp_starttls=False),
                      engine=runtime.engine, redis_override=runtime.redis)
    worker_context.configure(mailing)
    ticket = open_ticket(session, assignee=people["agent"])
    session.commit()
    sweep_sla(t("2025-03-10T13:05+01:00"))
    BeatingWorker([q for q in ALL_QUEUES], connection=redis).work(burst=True)
    rcpts = sorted(r for rcpt, _ in inbox.messages for r in rcpt)
    assert rcpts == sorted([people["agent"].email, people["kcc"].email])
    body = inbox.messages[0][1]
    assert f"Ticket #{ticket.id}: eerste reactie" in body and f"/tickets/{ticket.id}" in body
    BeatingWorker([q for q in ALL_QUEUES], connection=redis).work(burst=True)
    session.expire_all()
    assert all(n.emailed_at for n in session.scalars(select(Notification)))
    assert len(inbox.messages) == 2


def test_the_sweep_runs_every_minute(settings):
    from workers.cron import periodic_jobs

    assert [(job.func, job.cron) for job in periodic_jobs(settings) if job.func is sweep_sla] == [(sweep_sla, "* * * * *")]
