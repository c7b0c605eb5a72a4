"""Retention: closed tickets past their term are anonymised by the nightly job; the dashboards do not change.

The dashboard figures are computed here from ticket and event times only (what the metrics service
uses: first response from `created` to the first `reply_sent`, share within the SLA, handling time,
department feedback time from `handoff` to `feedback`), per department and category, before and after.
"""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import inspect, select

from tests import factories as f
from webcare.db import utcnow
from webcare.models import (
    AuditEntry,
    Contact,
    Message,
    Note,
    Notification,
    Ticket,
    TicketEvent,
    WebhookDelivery,
)
from webcare.queue import QUEUE_LOW
from webcare.services import audit, retention
from webcare.services.events import record_event
from workers.cron import periodic_jobs
from workers.heartbeat import BeatingWorker

NOW = utcnow()


def conversation(session, *, days_ago: float, department: str = "OW", category: str | None = "wegen.straat-stoep-fietspad",
                 status: str = "resolved", threat: bool = False, reply_minutes: int = 90, contact=None) -> Ticket:
    """A ticket with a realistic history: created, routed, handed off, feedback, a reply, resolved."""
    start = NOW - timedelta(days=days_ago)
    ticket = f.ticket(session, department_code=department, status=status, created_at=start, threat=threat,
                      text="Stoeptegel los voor Dorpsstraat 12, 1234 AB. Bel me: 06-12345678")
    ticket.subject = "Stoeptegel los"
    if contact is not None:
        ticket.contact_id = contact.id
    ticket.category_id = f.category(session, category).id if category else None
    inbound = session.scalar(select(Message).where(Message.ticket_id == ticket.id))
    inbound.contact_id = ticket.contact_id
    inbound.raw = {"id": inbound.external_id, "account": {"acct": "burger"}, "content": inbound.text}
    inbound.url = f"https://mastodon.example/@burger/{inbound.external_id}"
    agent = f.user(session, "agent")
    dept = f.department(session, department)
    record_event(session, ticket, "created", at=start, data={"message_id": inbound.id})
    record_event(session, ticket, "handoff", actor=agent, at=start + timedelta(minutes=30), department_id=dept.id,
                 data={"to_department": department, "question": "Kunnen jullie de tegel bij de Jansens maken?"})
    note = Note(ticket_id=ticket.id, author_id=agent.id, department_id=dept.id, is_feedback=True,
                text="Dhr. Jansen gebeld op 06-12345678, komt goed", created_at=start + timedelta(hours=5))
    session.add(note)
    session.flush()
    record_event(session, ticket, "feedback", at=start + timedelta(hours=5), department_id=dept.id,
                 data={"note_id": note.id})
    reply_at = start + timedelta(minutes=reply_minutes)
    reply = Message(ticket_id=ticket.id, channel_id=ticket.channel_id, contact_id=ticket.contact_id, direction="out",
                    platform="mastodon", thread_key=ticket.thread_key, kind="reply", visibility="public",
                    text="Dag meneer Jansen, we komen de tegel maken.", author_user_id=agent.id,
                    author_name=agent.name, received_at=reply_at, sent_at=reply_at, delivery_state="sent",
                    url="https://mastodon.example/@gemeente/999", raw={"id": "999"})
    session.add(reply)
    session.flush()
    record_event(session, ticket, "reply_sent", actor=agent, at=reply_at,
                 data={"message_id": reply.id, "visibility": "public", "automatic": False})
    ticket.first_response_due_at = start + timedelta(hours=4)
    ticket.first_response_met_at = reply_at
    ticket.promise_text = "Beste meneer Jansen, u hoort binnen 3 werkdagen van ons."
    if status in ("resolved", "cancelled"):
        ticket.resolved_at = start + timedelta(days=2)
        ticket.handling_met_at = ticket.resolved_at
        record_event(session, ticket, "status_changed", actor=agent, at=ticket.resolved_at,
                     data={"from": "open", "to": status, "text": "Tegel gemaakt, dank meneer Jansen"})
    session.add(Notification(user_id=agent.id, ticket_id=ticket.id, kind="feedback", text="Jansen: tegel"))
    session.flush()
    return ticket


def dashboard_figures(session) -> dict:
    """Response-time figures per (department, category) from ticket and event times only."""
    groups: dict = {}
    for ticket in session.scalars(select(Ticket).order_by(Ticket.id)):
        events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.at, TicketEvent.id)).all()
        first = {e.type: e.at for e in reversed(events)}  # earliest of each type
        g = groups.setdefault((ticket.department_id, ticket.category_id), {
            "count": 0, "first_response": [], "within_sla": 0, "handling": [], "feedback": []})
        g["count"] += 1
        if "reply_sent" in first:
            g["first_response"].append((first["reply_sent"] - first["created"]).total_seconds())
        if ticket.first_response_met_at and ticket.first_response_met_at <= ticket.first_response_due_at:
            g["within_sla"] += 1
        if ticket.resolved_at:
            g["handling"].append((ticket.resolved_at - ticket.created_at).total_seconds())
        if "feedback" in first:
            g["feedback"].append((first["feedback"] - first["handoff"]).total_seconds())
    return {key: {"count": g["count"], "within_sla": g["within_sla"] / g["count"],
                  "first_response_median": statistics.median(g["first_response"]) if g["first_response"] else None,
                  "first_response_p90": _p90(g["first_response"]),
                  "handling_median": statistics.median(g["handling"]) if g["handling"] else None,
                  "feedback_median": statistics.median(g["feedback"]) if g["feedback"] else None}
            for key, g in groups.items()}


def _p90(values: list[float]) -> float | None:
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else None


def times_snapshot(session) -> dict:
    """Every time, category, department and status column of tickets, messages and (earlier) events."""
    def columns(model, keep):
        return [c.key for c in inspect(model).columns if c.key in keep or c.key.endswith("_at") or c.key == "at"]

    snapshot = {}
    for model, keep in ((Ticket, {"category_id", "department_id", "status", "priority", "sla_level", "channel_id"}),
                        (Message, {"direction", "author_user_id", "ticket_id", "kind", "visibility"}),
                        (TicketEvent, {"type", "actor_id", "department_id", "ticket_id"})):
        names = [n for n in columns(model, keep) if n != "anonymised_at"]
        rows = session.execute(select(*[getattr(model, n) for n in names], model.id)
                               .where(TicketEvent.type != "anonymised" if model is TicketEvent else True)
                               .order_by(model.id)).all()
        snapshot[model.__name__] = [tuple(r) for r in rows]
    return snapshot


def run_retention_job(redis) -> None:
    Queue(QUEUE_LOW, connection=redis).enqueue("workers.retention.anonymise_expired")
    BeatingWorker([Queue(QUEUE_LOW, connection=redis)], connection=redis).work(burst=True)


@pytest.fixture
def world(session):
    f.seeded(session)
    afval = f.category(session, "afval")
    afval.retention_days = 30  # the main category's term applies to its subcategories
    tickets = {
        "old": conversation(session, days_ago=400),
        "old_2": conversation(session, days_ago=380, reply_minutes=300, department="AFV", category="afval.container-vol"),
        "recent": conversation(session, days_ago=20),
        "open_old": conversation(session, days_ago=500, status="open"),
        "threat_old": conversation(session, days_ago=600, department="VB", category="bedreiging", threat=True),
        "short_term_expired": conversation(session, days_ago=40, department="AFV", category="afval.container-vol"),
        "short_term_kept": conversation(session, days_ago=25, department="AFV", category="afval.container-vol"),
        "cancelled_old": conversation(session, days_ago=450, status="cancelled", category=None),
    }
    shared = session.get(Contact, tickets["old"].contact_id)
    tickets["recent_same_contact"] = conversation(session, days_ago=3, contact=shared)
    channel = session.get(Ticket, tickets["old"].id).channel
    session.add(Message(channel_id=channel.id, direction="in", platform="mastodon", external_id="loose-1",
                        thread_key="loose", kind="mention", visibility="public", text="spam van @iemand",
                        author_handle="iemand", received_at=NOW - timedelta(days=400)))
    session.add(WebhookDelivery(platform="mastodon", channel_id=channel.id, body_sha256="a" * 64,
                                body=b'{"content": "Ik ben Jan"}', headers={"x": "y"},
                                received_at=NOW - timedelta(days=400), processed_at=NOW - timedelta(days=400)))
    session.commit()
    return {name: t.id for name, t in tickets.items()}


def test_retention_anonymises_expired_tickets_and_keeps_the_dashboards(session, redis, world):
    figures_before, times_before = dashboard_figures(session), times_snapshot(session)
    run_retention_job(redis)
    session.expire_all()

    assert dashboard_figures(session) == figures_before
    assert times_snapshot(session) == times_before

    anonymised = {name for name, tid in world.items() if session.get(Ticket, tid).anonymised_at is not None}
    assert anonymised == {"old", "old_2", "short_term_expired", "cancelled_old"}
    for name in anonymised:
        _assert_no_personal_data(session, world[name])
    event = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == world["old"],
                                                     TicketEvent.type == "anonymised"))
    assert event.data == {"cause": "retention"} and event.actor_id is None


def _assert_no_personal_data(session, ticket_id: int) -> None:
    ticket = session.get(Ticket, ticket_id)
    assert ticket.subject == "" and ticket.promise_text is None
    for message in session.scalars(select(Message).where(Message.ticket_id == ticket_id)):
        assert (message.text, message.raw, message.url) == ("", None, None)
        if message.direction == "in":
            assert (message.author_handle, message.author_name) == ("", "")
    assert {n.text for n in session.scalars(select(Note).where(Note.ticket_id == ticket_id))} == {""}
    assert {n.text for n in session.scalars(select(Notification).where(Notification.ticket_id == ticket_id))} == {""}
    for event in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)):
        assert not {"text", "question", "reason"} & set(event.data), event.data
    assert "Jansen" not in str([e.data for e in session.scalars(select(TicketEvent).where(
        TicketEvent.ticket_id == ticket_id))])


def test_threats_open_and_recent_tickets_keep_their_data(session, redis, world):
    run_retention_job(redis)
    session.expire_all()
    threat = session.get(Ticket, world["threat_old"])
    assert threat.anonymised_at is None and threat.subject == "Stoeptegel los"
    evidence = session.scalar(select(Message).where(Message.ticket_id == threat.id, Message.direction == "in"))
    assert evidence.raw["account"] == {"acct": "burger"}
    assert evidence.url.startswith("https://mastodon.example/@burger/")
    assert session.get(Contact, threat.contact_id).anonymised_at is None
    for name in ("recent", "open_old", "short_term_kept", "recent_same_contact"):
        assert session.get(Ticket, world[name]).anonymised_at is None
        assert session.scalar(select(Message.text).where(Message.ticket_id == world[name])).startswith("Stoeptegel")


def test_contacts_go_when_all_their_tickets_went(session, redis, world):
    run_retention_job(redis)
    session.expire_all()
    gone = session.get(Contact, session.get(Ticket, world["old_2"]).contact_id)
    assert (gone.handle, gone.display_name, gone.profile_url) == ("", "", None)
    assert gone.platform_user_id == f"anonymised-{gone.id}" and gone.anonymised_at is not None
    still_writing = session.get(Contact, session.get(Ticket, world["old"]).contact_id)
    assert still_writing.anonymised_at is None and still_writing.handle  # has a recent ticket


def test_loose_messages_and_webhook_bodies_follow_the_global_term(session, redis, world):
    run_retention_job(redis)
    session.expire_all()
    loose = session.scalar(select(Message).where(Message.external_id == "loose-1"))
    assert (loose.text, loose.author_handle) == ("", "")
    delivery = session.scalar(select(WebhookDelivery))
    assert (delivery.body, delivery.headers) == (b"", {})


def test_retention_is_idempotent_and_logged(session, redis, world):
    run_retention_job(redis)
    run_retention_job(redis)
    runs = session.scalars(select(AuditEntry).where(AuditEntry.action == "retention.run").order_by(AuditEntry.id)).all()
    assert [r.data["tickets"] for r in runs] == [4, 0]
    assert runs[0].data["by_term_days"] == {"30": 2, "365": 2}
    assert runs[0].actor_id is None and runs[0].user_agent == "system"
    assert session.scalar(select(TicketEvent.id).where(TicketEvent.type == "anonymised").limit(1)) is not None


def test_term_per_category_and_never_shorter_than_the_reopen_window(session, settings):
    f.seeded(session)
    f.category(session, "afval").retention_days = 30
    f.category(session, "afval.zwerfvuil").retention_days = 60
    f.category(session, "overlast-openbare-ruimte.graffiti").retention_days = 3  # shorter than reopen_days (14)
    terms = retention.terms_by_category(session, settings)
    assert terms[f.category(session, "afval.zwerfvuil").id] == 60
    assert terms[f.category(session, "afval.container-vol").id] == 30
    assert terms[f.category(session, "overlast-openbare-ruimte.graffiti").id] == settings.reopen_days
    assert terms[f.category(session, "groen.boom").id] == terms[None] == settings.retention_days


def test_the_jobs_are_scheduled(settings):
    names = {job.func.__module__ + "." + job.func.__name__: job for job in periodic_jobs(settings)}
    assert names["workers.retention.anonymise_expired"].cron  # nightly
    assert names["workers.safety.announce_flagged_threats"].interval == 60


def test_retention_redacts_personal_data_in_the_audit_reasons_of_the_tickets_it_anonymises(session, redis, world):
    """As erasure does (test_subject_rights): the entries stay, the citizen's data in their free text goes."""
    agent = f.user(session, "agent")
    for name in ("old", "recent", "threat_old"):
        audit.record(session, agent, "ticket.reroute", ticket_id=world[name],
                     data={"reason": "Jansen belde vanaf 06-12345678", "department": "AFV"})
    session.commit()
    run_retention_job(redis)
    session.expire_all()
    reasons = dict(session.execute(select(AuditEntry.ticket_id, AuditEntry.data["reason"].as_string())
                                   .where(AuditEntry.action == "ticket.reroute")).all())
    assert reasons == {world["old"]: "Jansen belde vanaf [phone]", world["recent"]: "Jansen belde vanaf 06-12345678",
                       world["threat_old"]: "Jansen belde vanaf 06-12345678"}
    run = session.scalar(select(AuditEntry).where(AuditEntry.action == "retention.run"))
    assert run.data["audit_entries_redacted"] == 1
