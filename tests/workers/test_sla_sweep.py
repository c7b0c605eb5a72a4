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
from webcare.services.events import record_event
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


REPLY = {"automatic": False, "visibility": "public", "message_id": 1}


def happen(session, ticket, kind, at: str, who=None, department=None, **data):
    """An event on the ticket and the recompute its service does, committed."""
    found = factories.department(session, department) if department else None
    record_event(session, ticket, kind, at=t(at), actor=who, department_id=found.id if found else None, data=data)
    sla.recompute(session, ticket, t(at))
    session.commit()


def answered_ticket(session, people) -> Ticket:
    """Zwerfvuil (3 working days, AFV) created Mon 10 Mar 2025 09:00, first response met at 09:30. Handling is
    due Thu 13 Mar 09:00 after 25.5 business hours (8 + 8.5 + 8.5 + 0.5); at risk after 20h24m: Wed 12 Mar 12:24."""
    ticket = open_ticket(session, assignee=people["agent"])
    session.commit()
    happen(session, ticket, "reply_sent", "2025-03-10T09:30+01:00", people["agent"], **REPLY)
    return ticket


def test_a_pause_that_begins_after_the_at_risk_moment_does_not_warn_again_when_it_ends(session, people):
    """Waiting for the citizen Wed 12 Mar 14:00 - Thu 13 Mar 10:00 (3 h + 1.5 h of business time) moves the due
    time to Thu 13:30; the at-risk moment (Wed 12:24) lay before the pause and stays. Same run of the clock:
    "at risk" is told once, "breached" once when the moved due time comes."""
    ticket = answered_ticket(session, people)
    assert sweep_sla(t("2025-03-12T12:30+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 1}
    happen(session, ticket, "status_changed", "2025-03-12T14:00+01:00", people["agent"],
           **{"from": "open", "to": "waiting_citizen"})
    happen(session, ticket, "status_changed", "2025-03-13T10:00+01:00", people["agent"],
           **{"from": "waiting_citizen", "to": "open"})
    assert ticket.handling_due_at == t("2025-03-13T13:30+01:00")
    assert ticket.sla_level == "at_risk" and ticket.sla_check_at == t("2025-03-13T13:30+01:00")
    assert sweep_sla(t("2025-03-13T10:01+01:00")) == {"tickets": 0, "crossings": 0, "notifications": 0}
    assert sweep_sla(t("2025-03-13T13:31+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 2}
    assert sweep_sla(t("2025-03-13T13:31+01:00"))["tickets"] == 0  # a second run finds nothing to do
    session.expire_all()
    assert crossings(session) == [(ticket.id, "handling", "at_risk"), (ticket.id, "handling", "breached")]
    assert bells(session) == {people["agent"].id: ["sla_at_risk", "sla_breached"], people["afv"].id: ["sla_breached"]}


def test_a_reopened_ticket_keeps_its_handling_run_and_its_crossings(session, people):
    """Resolved Wed 12 Mar 13:00 after "at risk" was told, reopened by the citizen Wed 15:00: handling keeps its
    deadline (Thu 13 Mar 09:00), so it is the same run: "at risk" is not told again, "breached" is when it comes.
    The reopen starts a wait (4 business hours: due Thu 10:30, at risk after 3h12m: Thu 09:42), a run of its own."""
    ticket = answered_ticket(session, people)
    assert sweep_sla(t("2025-03-12T12:30+01:00"))["notifications"] == 1
    happen(session, ticket, "status_changed", "2025-03-12T13:00+01:00", people["agent"],
           **{"from": "open", "to": "resolved", "text": "Opgeruimd"})
    happen(session, ticket, "reopened", "2025-03-12T15:00+01:00", message_id=2)
    assert ticket.sla_check_at == t("2025-03-13T09:00+01:00")
    assert sweep_sla(t("2025-03-13T09:01+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 2}
    assert sweep_sla(t("2025-03-13T09:45+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 1}
    session.expire_all()
    assert crossings(session) == [(ticket.id, "handling", "at_risk"), (ticket.id, "handling", "breached"),
                                  (ticket.id, "next_response", "at_risk")]


def test_a_new_wait_a_new_hand_off_and_a_new_target_are_new_runs_and_are_told_again(session, people):
    agent = people["agent"]
    # next response: a wait from Mon 10:00 (at risk 13:12) answered at 13:20; a new wait from 14:00: due Tue 09:30
    # (3 h Monday, 1 h Tuesday), at risk after 3h12m: Tue 08:42
    waits = answered_ticket(session, people)
    happen(session, waits, "message_in", "2025-03-10T10:00+01:00", message_id=2)
    assert sweep_sla(t("2025-03-10T13:15+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 1}
    happen(session, waits, "reply_sent", "2025-03-10T13:20+01:00", agent, **REPLY)
    happen(session, waits, "message_in", "2025-03-10T14:00+01:00", message_id=3)
    assert sweep_sla(t("2025-03-11T08:45+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 1}
    happen(session, waits, "reply_sent", "2025-03-11T08:50+01:00", agent, **REPLY)
    happen(session, waits, "status_changed", "2025-03-11T09:00+01:00", agent, **{"from": "open", "to": "resolved"})
    # department feedback (1 working day = 8.5 business hours, at risk after 6h48m): to AFV Mon 10:00, at risk
    # Mon 16:48; handed on to OW Tue 09:00: a new run, at risk Tue 15:48
    handed = answered_ticket(session, people)
    happen(session, handed, "handoff", "2025-03-10T10:00+01:00", agent, "AFV", to_department="AFV")
    assert sweep_sla(t("2025-03-10T16:50+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 1}
    happen(session, handed, "handoff", "2025-03-11T09:00+01:00", agent, "OW", to_department="OW")
    assert sweep_sla(t("2025-03-11T15:50+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 1}
    happen(session, handed, "feedback", "2025-03-11T16:00+01:00", agent, "OW")
    happen(session, handed, "status_changed", "2025-03-11T16:10+01:00", agent,
           **{"from": "with_department", "to": "resolved"})
    # handling: zwerfvuil at risk Wed 12:24; rerouted Wed 13:00 to boom (5 working days): due Mon 17 Mar 09:00,
    # on time again until 80 % of 42.5 business hours, Fri 14 Mar 09:00: a new deadline, told again
    moved = answered_ticket(session, people)
    assert sweep_sla(t("2025-03-12T12:30+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 1}
    boom = factories.category(session, "groen.boom")
    moved.category_id, moved.department_id = boom.id, boom.department_id
    happen(session, moved, "rerouted", "2025-03-12T13:00+01:00", agent, "GRN")
    assert (moved.sla_level, moved.sla_check_at) == ("on_time", t("2025-03-14T09:00+01:00"))
    assert sweep_sla(t("2025-03-14T09:01+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 1}
    session.expire_all()
    assert crossings(session) == sorted(
        [(waits.id, "next_response", "at_risk")] * 2 + [(handed.id, "department_feedback", "at_risk")] * 2
        + [(moved.id, "handling", "at_risk")] * 2)
    last = session.scalars(select(Notification.text).order_by(Notification.id.desc())).first()
    assert last.startswith(f"Ticket #{moved.id}: afhandeling") and "ma 17 mrt 09:00" in last  # the new due time


def test_crossings_recorded_under_the_old_keys_are_not_told_again(session, people):
    """Before, the key held the due time (`sla:{ticket}:{clock}:{level}:{due}`). Such a crossing counts for the
    run it was reached in; a run that starts after it (a new wait) is told as usual."""
    ticket = answered_ticket(session, people)

    def old_crossing(clock, level, at, due):
        record_event(session, ticket, "sla_level", at=t(at), data={"clock": clock, "level": level, "due_at": due},
                     dedupe_key=f"sla:{ticket.id}:{clock}:{level}:{int(t(due).timestamp())}")

    happen(session, ticket, "message_in", "2025-03-10T10:00+01:00", message_id=2)  # due 14:00, at risk 13:12
    old_crossing("next_response", "at_risk", "2025-03-10T13:12+01:00", "2025-03-10T14:00+01:00")
    happen(session, ticket, "reply_sent", "2025-03-10T13:20+01:00", people["agent"], **REPLY)
    happen(session, ticket, "message_in", "2025-03-10T14:00+01:00", message_id=3)  # at risk Tue 08:42
    assert sweep_sla(t("2025-03-11T08:45+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 1}
    happen(session, ticket, "reply_sent", "2025-03-11T08:50+01:00", people["agent"], **REPLY)
    old_crossing("handling", "at_risk", "2025-03-12T12:24+01:00", "2025-03-13T09:00+01:00")
    happen(session, ticket, "status_changed", "2025-03-12T12:30+01:00", people["agent"], **{"from": "open", "to": "open"})
    assert ticket.sla_check_at == t("2025-03-13T09:00+01:00")  # recorded: no sweep needed before the due time
    happen(session, ticket, "status_changed", "2025-03-12T14:00+01:00", people["agent"],
           **{"from": "open", "to": "waiting_citizen"})
    happen(session, ticket, "status_changed", "2025-03-13T10:00+01:00", people["agent"],
           **{"from": "waiting_citizen", "to": "open"})
    assert ticket.sla_check_at == t("2025-03-13T13:30+01:00")
    assert sweep_sla(t("2025-03-13T10:01+01:00"))["tickets"] == 0
    assert sweep_sla(t("2025-03-13T13:31+01:00")) == {"tickets": 1, "crossings": 1, "notifications": 2}
    session.expire_all()
    assert crossings(session) == [(ticket.id, "handling", "at_risk"), (ticket.id, "handling", "breached")] \
        + [(ticket.id, "next_response", "at_risk")] * 2


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
