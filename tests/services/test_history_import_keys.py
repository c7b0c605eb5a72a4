"""A line of `webcare import` is known by what it says, not by how it is written (found by a black-box pass): a
history exported again with its times in UTC instead of Dutch local time, an agent's address in other capitals,
or a default written out, is the same history, and importing it again changes nothing."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from tests import factories
from webcare.models import ImportedLine, Message, Note, TicketEvent

AGENT = "agent1@example.nl"


def history(at_msg="2025-03-28T09:15:00+01:00", at_reply="2025-03-28T10:00:00+01:00",
            at_handoff="2025-03-31T10:00:00+02:00", agent=AGENT, department="OW", reply_visibility="public"):
    reply = {"type": "reply", "thread": "k1", "text": "Dank, we kijken ernaar", "agent": agent, "at": at_reply}
    if reply_visibility is not None:
        reply["visibility"] = reply_visibility
    return [{"type": "message", "channel": "Mastodon test", "external_id": "k1", "thread": "k1", "kind": "mention",
             "visibility": "public", "author": "@i", "text": "Gat in de stoep", "at": at_msg},
            reply,
            {"type": "handoff", "thread": "k1", "department": department, "agent": agent, "at": at_handoff},
            {"type": "status", "thread": "k1", "status": "resolved", "text": "Gerepareerd", "agent": agent,
             "at": "2025-04-01T12:00:00+02:00"}]


@pytest.fixture
def world(session, tmp_path):
    factories.seeded(session)
    factories.channel(session, name="Mastodon test")
    factories.user(session, "agent", departments=("KCC",), email=AGENT)
    session.commit()
    return tmp_path


def write(path, lines) -> str:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return str(path)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("again", [
    history(at_msg="2025-03-28T08:15:00Z", at_reply="2025-03-28T09:00:00+00:00", at_handoff="2025-03-31T08:00:00Z"),
    history(at_reply="2025-03-28T10:00:00.000+01:00"),
    history(agent="Agent1@Example.nl"),
    history(department="ow"),
    history(reply_visibility=None),  # "public" is the default
])
def test_the_same_history_written_otherwise_imports_nothing_again(session, cli, world, again):
    first = cli("import", write(world / "first.ndjson", history()))
    assert first.exit_code == 0, first.output
    before = (count(session, Message), count(session, Note), count(session, TicketEvent), count(session, ImportedLine))

    result = cli("import", write(world / "again.ndjson", again))
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert (counts["skipped"], counts["imported"]) == (4, {})
    assert (count(session, Message), count(session, Note), count(session, TicketEvent),
            count(session, ImportedLine)) == before


def test_the_same_line_written_otherwise_in_one_file_is_skipped_once(session, cli, world):
    lines = history()
    lines.insert(2, {**lines[1], "at": "2025-03-28T09:00:00Z", "agent": AGENT.upper()})
    result = cli("import", write(world / "h.ndjson", lines))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["skipped"] == 1
    assert count(session, Message) == 2


def test_a_ledger_written_before_lines_were_known_by_content_still_skips_them(session, cli, world):
    """A database that imported a file before this change holds the SHA-256 of each line as written (sorted
    keys): importing that file again must still skip every line, not apply it a second time."""
    lines = history()
    path = write(world / "h.ndjson", lines)
    assert cli("import", path).exit_code == 0
    session.query(ImportedLine).delete()
    for line in lines:
        key = hashlib.sha256(json.dumps(line, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        session.add(ImportedLine(key=key, type=line["type"]))
    session.commit()
    before = (count(session, Message), count(session, TicketEvent))

    result = cli("import", path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == {}
    assert (count(session, Message), count(session, TicketEvent)) == before
