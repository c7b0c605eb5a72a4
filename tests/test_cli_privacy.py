"""`webcare privacy ...` and `webcare two-factor ...`: JSON output, logged actions, exit code 2 on bad input."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from tests import factories as f
from webcare.db import utcnow
from webcare.models import AuditEntry, Ticket


def test_scan_prints_the_findings_as_json(cli):
    result = cli("privacy", "scan", "--text", "Bel 06-12345678 of mail jan@example.nl, bsn 123456782")
    assert result.exit_code == 0
    assert [(x["kind"], x["text"]) for x in json.loads(result.output)] == [
        ("phone", "06-12345678"), ("email", "jan@example.nl"), ("bsn", "123456782")]
    assert json.loads(cli("privacy", "scan", "--text", "Bestelnummer 263192149").output) == []


def test_scan_reads_stdin_and_needs_a_text(cli):
    result = cli("privacy", "scan", "--stdin", input="NL91 ABNA 0417 1643 00\n")
    assert json.loads(result.output)[0]["kind"] == "iban"
    missing = cli("privacy", "scan")
    assert missing.exit_code == 2 and "--text" in missing.output
    both = cli("privacy", "scan", "--text", "geen", "--stdin", input="bel 0612345678\n")
    assert both.exit_code == 2 and "either --text TEXT or --stdin" in both.output


def test_retention_dry_run_and_run(cli, session):
    f.seeded(session)
    old = f.ticket(session, status="resolved", created_at=utcnow() - timedelta(days=500))
    old.resolved_at = utcnow() - timedelta(days=400)
    session.commit()
    dry = json.loads(cli("privacy", "retention", "--dry-run").output)
    assert dry == {"dry_run": True, "tickets": 1, "by_term_days": {"365": 1}}
    session.expire_all()
    assert session.get(Ticket, old.id).anonymised_at is None
    done = json.loads(cli("privacy", "retention").output)
    assert done["tickets"] == 1 and done["contacts"] == 1
    session.expire_all()
    assert session.get(Ticket, old.id).anonymised_at is not None
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "retention.run")) == "retention.run"


def test_export_and_erase_a_contact(cli, session):
    f.seeded(session)
    ticket = f.ticket(session, text="Mijn naam is Jan Jansen")
    session.commit()
    exported = json.loads(cli("privacy", "export-contact", str(ticket.contact_id)).output)
    assert exported["tickets"][0]["messages"][0]["text"] == "Mijn naam is Jan Jansen"
    no_reason = cli("privacy", "erase-contact", str(ticket.contact_id), "--yes", "--reason", " ")
    assert no_reason.exit_code == 2
    erased = json.loads(cli("privacy", "erase-contact", str(ticket.contact_id), "--yes", "--reason", "AVG-verzoek 12").output)
    assert erased["tickets_anonymised"] == [ticket.id] and erased["contact_anonymised"] is True
    assert cli("privacy", "export-contact", "9999").exit_code == 2
    logged = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("contact.%")).order_by(AuditEntry.id)).all()
    assert logged == ["contact.export", "contact.erase"]
    assert session.scalar(select(AuditEntry.user_agent).where(AuditEntry.action.like("contact.%")).limit(1)) == "cli"
