"""`webcare import` of a small history, with every figure worked out by hand, then read back from the API.

Calendar: Monday-Friday 08:30-17:00 Europe/Amsterdam; Goede Vrijdag 18 April and Tweede Paasdag 21 April 2025
are closed. Every ticket is a public question (vragen-overig: KCC, handling 5 working days); first response
and customer wait 4 business hours; department feedback 1 working day.

T1 Mon 14 Apr 10:00, reply 11:30: 1 h 30 = 5,400 s business and wall, on time; resolved 12:00.
T2 Thu 17 Apr 16:00, reply Tue 22 Apr 09:30: 1 h Thursday + 1 h Tuesday = 7,200 business (due Tue 10:30: on
   time), wall 4 d 17 h 30 = 408,600. Hand-off to AFV Tue 10:00, feedback 15:00 = 18,000 (on time).
T3 Fri 18 Apr (Goede Vrijdag) 11:00, reply Tue 22 Apr 14:00: 5 h 30 of Tuesday = 19,800 (due 12:30: late),
   wall 4 d 3 h = 356,400.
T4 Tue 22 Apr 09:00, reply 09:20 = 1,200 on time; the citizen writes again 10:00, reply 16:00: a wait of 6 h =
   21,600, late; hand-off to AFV Wed 23 Apr 09:00, feedback Thu 24 Apr 10:00: 8 h + 1 h 30 = 34,200 (due Thu
   09:00: late); resolved Thu 11:00.
T5 Wed 23 Apr 13:00, never answered: its first response is late (still running), no duration.

Per department (a hand-off moves the ticket to AFV; feedback counts for the receiving department):
KCC: T1, T3, T5 -- first response business median (5,400 + 19,800) / 2 = 12,600; P90 5,400 + 0.9 x 14,400 =
18,360; wall median (5,400 + 356,400) / 2 = 180,900, P90 5,400 + 0.9 x 351,000 = 321,300; within 1/3;
handling within 1/3 (T1 resolved in time; T3 and T5 past their 5 working days, still open).
AFV: T2, T4 -- business median 4,200, P90 1,200 + 0.9 x 6,000 = 6,600; wall median 204,900, P90 1,200 +
0.9 x 407,400 = 367,860; within 1; handling 1/2; feedback median (18,000 + 34,200) / 2 = 26,100, within 1/2.
Per week: 14 Apr (T1-T3) median 7,200, P90 7,200 + 0.8 x 12,600 = 17,280, within 2/3; 21 Apr (T4, T5) 1,200, 1/2.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests import factories
from webcare.db import utcnow
from webcare.models import ImportedLine, Message, MetricFact, Ticket, TicketEvent
from webcare.services.users import create_api_token

AGENT, AFV = "anna@gemeente.nl", "bob@gemeente.nl"


def msg(thread, at, n, text="Ik heb een vraag over mijn aanvraag"):
    return {"type": "message", "channel": "gemeente-mastodon", "external_id": f"{thread}-{n}", "thread": thread,
            "kind": "mention", "visibility": "public", "author": f"@burger-{thread}@mastodon.social", "text": text,
            "at": at}


def reply(thread, at):
    return {"type": "reply", "thread": thread, "text": "Dank voor uw bericht, wij zoeken het uit.",
            "visibility": "public", "agent": AGENT, "at": at}


def status(thread, at, to="resolved"):
    return {"type": "status", "thread": thread, "status": to, "text": "Afgehandeld", "agent": AGENT, "at": at}


HISTORY = [
    msg("t1", "2025-04-14T10:00:00+02:00", 1), reply("t1", "2025-04-14T11:30:00+02:00"),
    status("t1", "2025-04-14T12:00:00+02:00"),
    msg("t2", "2025-04-17T16:00:00+02:00", 1),
    msg("t3", "2025-04-18T11:00:00+02:00", 1),
    msg("t4", "2025-04-22T09:00:00+02:00", 1), reply("t4", "2025-04-22T09:20:00+02:00"),
    reply("t2", "2025-04-22T09:30:00+02:00"),
    msg("t4", "2025-04-22T10:00:00+02:00", 2, "En wanneer hoor ik meer?"),
    {"type": "handoff", "thread": "t2", "department": "AFV", "agent": AGENT, "question": "Kunnen jullie kijken?",
     "at": "2025-04-22T10:00:00+02:00"},
    reply("t3", "2025-04-22T14:00:00+02:00"),
    {"type": "feedback", "thread": "t2", "department": "AFV", "text": "Wordt morgen opgehaald", "agent": AFV,
     "at": "2025-04-22T15:00:00+02:00"},
    reply("t4", "2025-04-22T16:00:00+02:00"),
    {"type": "handoff", "thread": "t4", "department": "AFV", "agent": AGENT, "at": "2025-04-23T09:00:00+02:00"},
    msg("t5", "2025-04-23T13:00:00+02:00", 1),
    {"type": "feedback", "thread": "t4", "department": "AFV", "text": "Is geregeld", "at": "2025-04-24T10:00:00+02:00"},
    status("t4", "2025-04-24T11:00:00+02:00"),
]


@pytest.fixture
def world(session, tmp_path):
    factories.seeded(session)
    factories.channel(session, name="gemeente-mastodon")
    factories.user(session, "agent", departments=("KCC",), email=AGENT)
    factories.user(session, "department", departments=("AFV",), email=AFV)
    manager = factories.user(session, "manager")
    token = create_api_token(session, manager.email)[1]
    session.commit()
    path = tmp_path / "history.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in HISTORY), encoding="utf-8")
    return {"path": path, "token": token}


def _api(client, token, query):
    response = client.get(f"/api/v1/metrics/response-times?{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {group["key"]: group for group in response.get_json()["groups"]}


def _counts(session) -> tuple:
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (Ticket, Message, TicketEvent, MetricFact, ImportedLine))


def test_imported_history_gives_the_figures_worked_out_by_hand(session, cli, client, world):
    result = cli("import", str(world["path"]))
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert (counts["lines"], counts["skipped"], counts["tickets"]) == (17, 0, 5)
    assert counts["imported"] == {"message": 6, "reply": 5, "status": 2, "handoff": 2, "feedback": 2}
    assert {t.category.code for t in session.scalars(select(Ticket))} == {"vragen-overig"}

    by_department = _api(client, world["token"], "from=2025-04-14&to=2025-04-25&group_by=department")
    kcc, afv = by_department["KCC"], by_department["AFV"]
    assert (kcc["count"], kcc["first_response_answered"], kcc["first_response_on_time"], kcc["first_response_late"]) == (3, 2, 1, 2)
    assert (kcc["first_response_median_business_seconds"], kcc["first_response_p90_business_seconds"]) == (12600.0, 18360.0)
    assert (kcc["first_response_median_wall_seconds"], kcc["first_response_p90_wall_seconds"]) == (180900.0, 321300.0)
    assert (kcc["first_response_within_sla"], kcc["handling_within_sla"]) == (0.3333, 0.3333)
    assert kcc["department_feedback_median_business_seconds"] is None
    assert (afv["count"], afv["first_response_median_business_seconds"], afv["first_response_p90_business_seconds"]) == (2, 4200.0, 6600.0)
    assert (afv["first_response_median_wall_seconds"], afv["first_response_p90_wall_seconds"]) == (204900.0, 367860.0)
    assert (afv["first_response_within_sla"], afv["handling_within_sla"]) == (1.0, 0.5)
    assert (afv["department_feedback_median_business_seconds"], afv["department_feedback_within_target"]) == (26100.0, 0.5)
    assert (afv["next_response_count"], afv["next_response_median_business_seconds"], afv["next_response_within_sla"]) == (1, 21600.0, 0.0)
    assert (afv["tickets_in"], afv["tickets_out"], kcc["tickets_in"], kcc["tickets_out"]) == (2, 1, 3, 1)

    by_week = _api(client, world["token"], "from=2025-04-14&to=2025-04-27&group_by=week")
    first, second = by_week["2025-04-14"], by_week["2025-04-21"]
    assert (first["count"], first["first_response_median_business_seconds"], first["first_response_p90_business_seconds"],
            first["first_response_within_sla"]) == (3, 7200.0, 17280.0, 0.6667)
    assert (first["first_response_median_wall_seconds"], first["first_response_p90_wall_seconds"]) == (356400.0, 398160.0)
    assert (second["count"], second["first_response_median_business_seconds"], second["first_response_within_sla"]) == (2, 1200.0, 0.5)


def test_an_imported_reply_leaves_the_ticket_as_a_live_reply_does(session, cli, world):
    """Answered: claimed by the agent who answered, in progress, the citizen's move; never answered: new."""
    assert cli("import", str(world["path"])).exit_code == 0
    tickets = {t.thread_key: t for t in session.scalars(select(Ticket))}
    t3, t5 = tickets["t3"], tickets["t5"]
    assert (t3.status, t3.awaiting, t3.assignee.email) == ("open", "citizen", AGENT)
    assert (t5.status, t5.awaiting, t5.assignee_id) == ("new", "webcare", None)
    moved = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t3.id, TicketEvent.type == "status_changed"))
    assert [(e.data["from"], e.data["to"], e.at.isoformat()) for e in moved] == [("new", "open", "2025-04-22T12:00:00+00:00")]


def test_importing_the_same_file_again_changes_nothing(session, cli, world):
    assert cli("import", str(world["path"])).exit_code == 0
    before = _counts(session)
    again = cli("import", str(world["path"]))
    assert again.exit_code == 0, again.output
    counts = json.loads(again.output)
    assert (counts["skipped"], counts["imported"], counts["tickets"]) == (17, {}, 0)
    assert _counts(session) == before


def test_nothing_is_sent_to_a_platform(session, cli, world, redis):
    result = json.loads(cli("import", str(world["path"])).output)
    assert result["not_sent"]["workers.replies.send_reply"] == 5
    assert not redis.keys("rq:job:*")
    assert {m.delivery_state for m in session.scalars(select(Message).where(Message.direction == "out"))} == {"sent"}


@pytest.mark.parametrize(("bad", "message"), [
    ("{not json", "line 3: not valid JSON"),
    ('{"type": "message", "thread": "x", "at": "2025-04-14T10:00:00+02:00"}', "line 3: channel: Missing data"),
    ('{"type": "smoke", "thread": "x", "at": "2025-04-14T10:00:00+02:00"}', "line 3: unknown type"),
    ('{"type": "reply", "thread": "t1", "text": "x", "agent": "anna@gemeente.nl", "at": "2025-04-14T10:00:00"}',
     "line 3: at"),
    (json.dumps(reply("t1", "2025-04-14T09:00:00+02:00")), "line 3: not in time order"),
    (json.dumps({**reply("t1", "2025-04-14T11:40:00+02:00"), "agent": "nobody@gemeente.nl"}), "line 3: unknown user"),
    (json.dumps(reply("t1", "0001-01-01T00:00:00+01:00")), "line 3: at: 0001-01-01T00:00:00+01:00 is outside the dates"),
])
def test_a_bad_line_stops_before_anything_is_stored(session, cli, world, bad, message):
    lines = [json.dumps(line) for line in HISTORY[:2]] + [bad] + [json.dumps(HISTORY[2])]
    world["path"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", str(world["path"]))
    assert result.exit_code == 2
    assert message in result.output
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_line_a_service_refuses_keeps_the_lines_before_it_and_nothing_of_it(session, cli, world):
    lines = HISTORY[:3] + [status("t1", "2025-04-14T12:30:00+02:00", to="waiting_citizen")]  # resolved -> waiting: refused
    world["path"].write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = cli("import", str(world["path"]))
    assert result.exit_code == 2 and "line 4:" in result.output
    assert session.scalar(select(func.count()).select_from(ImportedLine)) == 3
    ticket = session.scalar(select(Ticket))
    assert ticket.status == "resolved"
    moves = session.scalars(select(TicketEvent).where(TicketEvent.type == "status_changed").order_by(TicketEvent.id))
    assert [event.data["to"] for event in moves] == ["open", "resolved"]  # the reply's and line 3's; not line 4's
    lines[3] = status("t1", "2025-04-14T12:30:00+02:00", to="open")  # the file fixed: the rest goes in
    world["path"].write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    fixed = cli("import", str(world["path"]))
    assert fixed.exit_code == 0, fixed.output
    assert json.loads(fixed.output)["skipped"] == 3


def test_historic_thread_starters_get_no_acknowledgement_and_nothing_is_left_to_send(session, cli, world, redis):
    """Routing asks for an automatic acknowledgement of a new waste ticket; replaying the past must not give one,
    and the stuck-reply sweep must find nothing of the import to send weeks late."""
    from workers.replies import recover_stuck_replies

    lines = [msg("w1", "2025-04-14T10:00:00+02:00", 1, "Er ligt veel zwerfvuil bij de speeltuin"),
             reply("w1", "2025-04-14T11:00:00+02:00")]
    world["path"].write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = cli("import", str(world["path"]))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["not_sent"]["workers.replies.send_reply"] == 1  # the historic reply only
    ticket = session.scalar(select(Ticket))
    assert ticket.category.code == "afval.zwerfvuil"  # a rule that acknowledges live traffic
    assert (ticket.auto_ack_sent_at, ticket.promise_text) == (None, None)
    assert session.scalar(select(func.count()).select_from(Message).where(Message.is_automatic.is_(True))) == 0
    assert session.scalar(select(func.count()).select_from(TicketEvent)
                          .where(TicketEvent.type == "auto_ack_sent")) == 0
    outbound = session.scalars(select(Message).where(Message.direction == "out")).all()
    assert [(m.delivery_state, m.is_automatic) for m in outbound] == [("sent", False)]
    assert recover_stuck_replies() == {"requeued": [], "failed": []}
    assert not redis.keys("rq:job:*")


@pytest.mark.parametrize("future", ["2099-12-01T10:00:00+01:00", "9999-12-31T23:00:00+00:00",
                                    "9999-12-31T23:00:00-05:00"])
def test_a_time_in_the_future_falls_back_to_the_import_time(session, cli, world, future):
    """As in live ingest (DOMAIN.md): a platform time in the future becomes the ingest time, here the import's."""
    lines = [msg("f1", "2025-04-14T10:00:00+02:00", 1), reply("f1", "2025-04-14T11:00:00+02:00"),
             msg("f2", future, 1), reply("f2", future)]
    world["path"].write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    before = utcnow()
    result = cli("import", str(world["path"]))
    after = utcnow()
    assert result.exit_code == 0, result.output
    past, future_ticket = session.scalars(select(Ticket).order_by(Ticket.id)).all()
    assert past.created_at == datetime(2025, 4, 14, 8, 0, tzinfo=UTC)
    assert before <= future_ticket.created_at <= after
    assert before <= future_ticket.first_response_met_at <= after  # the reply, no earlier than the message
    late = session.scalars(select(Message).where(Message.ticket_id == future_ticket.id)).all()
    assert all(before <= m.received_at <= after for m in late)
    assert all(m.sent_at is None or before <= m.sent_at <= after for m in late)
