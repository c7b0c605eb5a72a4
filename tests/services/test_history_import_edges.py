"""`webcare import` at its edges (found by a black-box check): files that are not UTF-8, lines repeated within a
file, external ids that come back with other content, feedback without a person, and two imports at once.
The figures of a normal import are worked out in test_history_import.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests import factories
from webcare.models import ImportedLine, Message, MetricFact, Note, Ticket, TicketEvent
from webcare.services import history_import, import_retry
from webcare.services.ingest import ConcurrentIngest

AGENT = "agent1@example.nl"


def msg(external_id, at, thread=None, text="container vol"):
    return {"type": "message", "channel": "Mastodon test", "external_id": external_id, "thread": thread or external_id,
            "kind": "mention", "visibility": "public", "author": "@i", "text": text, "at": at}


def reply(thread, at, text="Dank!"):
    return {"type": "reply", "thread": thread, "text": text, "visibility": "public", "agent": AGENT, "at": at}


@pytest.fixture
def world(session, tmp_path):
    factories.seeded(session)
    factories.channel(session, name="Mastodon test")
    factories.user(session, "agent", departments=("KCC",), email=AGENT)
    session.commit()
    return tmp_path / "history.ndjson"


def write(path, lines) -> str:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return str(path)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("content", "number"), [
    (b"\xff\xfe garbage\n", 1),
    ('{"type": "message"}\n'.encode("utf-16"), 1),
    (json.dumps(msg("u1", "2025-07-03T10:00:00+02:00")).encode() + b"\n\xe9t\xe9\n", 2),
])
def test_a_file_that_is_not_utf8_is_bad_input_naming_its_line(session, cli, world, content, number):
    world.write_bytes(content)
    result = cli("import", str(world))
    assert result.exit_code == 2, result.output
    assert f"line {number}: not UTF-8 text" in result.output
    assert count(session, Ticket) == 0


def test_a_line_repeated_in_the_file_is_skipped_as_a_second_run_skips_it(session, cli, world):
    same = reply("i1", "2025-07-03T10:10:00+02:00")
    path = write(world, [msg("i1", "2025-07-03T10:00:00+02:00"), same, same])
    result = cli("import", path)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert (counts["lines"], counts["skipped"], counts["imported"]) == (3, 1, {"message": 1, "reply": 1})
    assert (count(session, Message), count(session, ImportedLine)) == (2, 2)
    again = json.loads(cli("import", path).output)
    assert (again["skipped"], again["imported"]) == (3, {})


def test_a_message_whose_external_id_is_stored_already_is_skipped_and_a_different_one_is_a_conflict(session, cli, world):
    """The channel keeps one message per external id: a repeat is never reported as imported; when its content
    differs from the stored message, stderr names the line and the summary counts a conflict."""
    path = write(world, [msg("e1", "2025-07-03T10:00:00+02:00"),
                         {**msg("e1", "2025-07-03T10:00:00+02:00"), "author_name": "I"},  # the same content
                         msg("e1", "2025-07-03T10:05:00+02:00", thread="other", text="iets anders")])
    result = cli("import", path)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert (counts["lines"], counts["skipped"], counts["conflicts"], counts["imported"]) == (3, 2, 1, {"message": 1})
    assert result.stderr.splitlines() == [
        "warning: line 3: message 'e1' of channel 'Mastodon test' is stored already with another thread, text "
        "and at; this line is skipped"]
    assert [(m.thread_key, m.text) for m in session.scalars(select(Message))] == [("e1", "container vol")]

    later = write(world, [msg("e1", "2025-07-04T09:00:00+02:00", text="nog eens")])  # stored by an earlier import
    again = cli("import", later)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) | {"not_sent": {}} == {"lines": 1, "skipped": 1, "conflicts": 1, "imported": {},
                                                          "tickets": 0, "not_sent": {}}
    assert "line 1: message 'e1'" in again.stderr and count(session, Message) == 1


def test_feedback_without_an_agent_from_a_department_without_members_is_the_departments_own(session, cli, world):
    """The documented feedback line has no agent; a department nobody is a member of yet (a new install) still gave
    it in the old tool: recorded without a person, and it stops the department-feedback clock."""
    path = write(world, [msg("f1", "2025-07-03T10:00:00+02:00"),
                         {"type": "handoff", "thread": "f1", "department": "OVL", "agent": AGENT,
                          "at": "2025-07-03T10:30:00+02:00"},
                         {"type": "feedback", "thread": "f1", "department": "OVL", "text": "Lamp is vervangen",
                          "at": "2025-07-03T14:00:00+02:00"}])
    result = cli("import", path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == {"message": 1, "handoff": 1, "feedback": 1}
    ticket = session.scalar(select(Ticket))
    feedback = session.scalar(select(TicketEvent).where(TicketEvent.type == "feedback"))
    note = session.scalar(select(Note).where(Note.is_feedback.is_(True)))
    assert (feedback.actor_id, feedback.department_id, note.author_id, note.text) == (
        None, ticket.department_id, None, "Lamp is vervangen")
    assert ticket.department.code == "OVL" and ticket.awaiting == "webcare"
    assert ticket.department_feedback_met_at == datetime(2025, 7, 3, 12, 0, tzinfo=UTC)


def test_feedback_without_a_person_from_another_department_than_the_tickets_is_refused(session, cli, world):
    path = write(world, [msg("f2", "2025-07-03T10:00:00+02:00"),
                         {"type": "handoff", "thread": "f2", "department": "OVL", "agent": AGENT,
                          "at": "2025-07-03T10:30:00+02:00"},
                         {"type": "feedback", "thread": "f2", "department": "AFV", "text": "Niet van ons",
                          "at": "2025-07-03T14:00:00+02:00"}])
    result = cli("import", path)
    assert result.exit_code == 2
    assert "line 3: feedback from AFV, but the ticket is with OVL" in result.output
    assert count(session, ImportedLine) == 2


def test_a_stopped_import_still_recomputes_the_tickets_it_imported_at_the_present_time(session, cli, world):
    """The lines before a refused line are imported; their tickets, still open today, must show as late (a run
    past its due time counts as late at once, METRICS.md), also when a corrected file later skips those lines."""
    path = write(world, [msg("s1", "2025-07-03T10:00:00+02:00"),  # never answered: due 14:00 the same day
                         reply("nothing-here", "2025-07-03T10:30:00+02:00")])  # refused: no such thread
    result = cli("import", path)
    assert result.exit_code == 2 and "line 2:" in result.output
    ticket = session.scalar(select(Ticket))
    facts = {fact.kind: fact for fact in session.scalars(select(MetricFact).where(MetricFact.ticket_id == ticket.id))}
    assert (facts["first_response"].result, facts["first_response"].late_3x) == ("late", True)
    assert facts["handling"].result == "late"
    assert ticket.sla_level == "late_3x"


def two_conversations():
    return [msg("c1", "2025-07-03T10:00:00+02:00"), reply("c1", "2025-07-03T10:10:00+02:00"),
            msg("c2", "2025-07-03T11:00:00+02:00"), reply("c2", "2025-07-03T11:10:00+02:00")]


def test_lines_another_import_stored_meanwhile_are_skipped_not_duplicated(session, cli, runtime, world, monkeypatch):
    """`webcare import f & webcare import f`: the other import stores the lines after this one read the ledger."""
    lines = history_import.parse(json.dumps(line) for line in two_conversations())
    new_lines = history_import._new_lines

    def other_import_first(todo, done):
        monkeypatch.setattr(history_import, "_new_lines", new_lines)
        history_import.import_lines(runtime.transaction, lines)
        return new_lines(todo, done)

    monkeypatch.setattr(history_import, "_new_lines", other_import_first)
    result = cli("import", write(world, two_conversations()))
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["skipped"], json.loads(result.stdout)["imported"]) == (4, {})
    assert (count(session, Message), count(session, ImportedLine), count(session, Ticket)) == (4, 4, 2)


def test_a_chunk_that_collides_is_tried_again_and_counted_once(session, cli, world, monkeypatch):
    apply, calls = history_import.Importer.apply, []

    def collide_once(importer, line):
        calls.append(line.number)
        if len(calls) == 3:  # the first two lines of the chunk are applied, then another job wins
            raise ConcurrentIngest("1 message(s) were stored by another job")
        return apply(importer, line)

    monkeypatch.setattr(history_import.Importer, "apply", collide_once)
    monkeypatch.setattr(import_retry.time, "sleep", lambda _seconds: None)
    result = cli("import", write(world, two_conversations()))
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert (counts["skipped"], counts["imported"], counts["tickets"]) == (0, {"message": 2, "reply": 2}, 2)
    assert calls == [1, 2, 3, 1, 2, 3, 4]
    assert (count(session, Message), count(session, ImportedLine)) == (4, 4)


def test_an_import_that_keeps_colliding_stops_with_a_message_and_no_traceback(session, cli, world, monkeypatch):
    def always(importer, line):
        raise ConcurrentIngest("1 message(s) were stored by another job")

    monkeypatch.setattr(history_import.Importer, "apply", always)
    monkeypatch.setattr(import_retry.time, "sleep", lambda _seconds: None)
    result = cli("import", write(world, two_conversations()))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: lines 1-4: another import or ingest was storing the same messages")
    assert "Run the import again to import the rest" in result.stderr and "Traceback" not in result.output
    assert count(session, ImportedLine) == 0


def test_the_help_says_which_bad_lines_import_nothing_and_which_keep_the_lines_before(cli):
    text = " ".join(cli("import", "--help").output.split())
    assert "not UTF-8, not JSON, a wrong shape, out of time order, or naming an unknown channel, person or " \
           "department): exit 2 with its number and nothing imported" in text
    assert "A line the services refuse while applying (a move the workflow does not allow, a thread without a " \
           "message): exit 2 with its number; the lines before it are imported, nothing of it is" in text


def test_an_import_a_line_stops_still_sets_the_clocks_of_the_lines_before_it_as_they_stand_now(session, cli, world):
    """Public mention Thu 3 Jul 2025 16:00, never answered: first response due Fri 4 Jul 11:30 (1 h + 3 h), long
    past. The refused line after it must not leave the ticket's clocks as they stood at 16:00 (on time, nothing
    breached): a `GET /tickets?sla=breached` right after the import would miss it until the sweep came by."""
    path = write(world, [msg("s1", "2025-07-03T16:00:00+02:00"),
                         {"type": "status", "thread": "s1", "status": "with_department", "text": "x", "agent": AGENT,
                          "at": "2025-07-03T16:10:00+02:00"}])  # refused: a hand-off is the way there
    result = cli("import", path)
    assert result.exit_code == 2 and "line 2:" in result.output
    ticket = session.scalar(select(Ticket))
    session.refresh(ticket)
    due = datetime(2025, 7, 4, 9, 30, tzinfo=UTC)
    assert (ticket.first_response_due_at, ticket.first_response_breached_at) == (due, due)
    assert ticket.sla_level == "late_3x"


def test_a_file_that_starts_with_a_byte_order_mark_is_utf8_and_imports(session, cli, world):
    """Excel and many Windows tools write UTF-8 with a BOM; it is UTF-8 text all the same, not 'not valid JSON'."""
    world.write_bytes(b"\xef\xbb\xbf" + json.dumps(msg("b1", "2025-07-03T10:00:00+02:00")).encode() + b"\r\n")
    result = cli("import", str(world))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == {"message": 1}
    assert [m.external_id for m in session.scalars(select(Message))] == ["b1"]


def test_a_status_line_to_with_department_says_to_use_a_handoff_line(session, cli, world):
    """The workflow's refusal names the API's hand-off endpoint; a file's author needs the line type instead."""
    path = write(world, [msg("w1", "2025-07-03T10:00:00+02:00"),
                         {"type": "status", "thread": "w1", "status": "with_department", "text": "x", "agent": AGENT,
                          "at": "2025-07-03T10:10:00+02:00"}])
    result = cli("import", path)
    assert result.exit_code == 2
    assert 'line 2: a ticket moves to with_department by a "handoff" line' in result.stderr
    assert "/api/v1" not in result.stderr
