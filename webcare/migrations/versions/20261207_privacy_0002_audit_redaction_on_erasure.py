"""Audit log on PostgreSQL: the append-only trigger lets erasure redact personal data in an entry's `data`.

A reason typed by staff (a re-route's, an override's) can hold the citizen's phone number or address; an
erasure on the citizen's request replaces what the detector finds there by its kind (`[phone]`), and keeps
the entry (services.anonymise.redact_audit_texts). The trigger still refuses every DELETE, and every UPDATE
unless the transaction has set `webcare.audit_redaction` to 'on' (services.audit.redaction_allowed) and the
update changes no column but `data`. SQLite (development) has no trigger, as before.

Revision ID: privacy_0002
Revises: ingest_0004
Create Date: 2026-12-07 11:00:00
"""

from alembic import op

revision = "privacy_0002"
down_revision = "ingest_0004"
branch_labels = None
depends_on = None

REDACTION_ALLOWED = """
    CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('webcare.audit_redaction', true) = 'on'
                AND to_jsonb(NEW) - 'data' = to_jsonb(OLD) - 'data' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
    END;
    $$ LANGUAGE plpgsql
"""
APPEND_ONLY = """
    CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
    END;
    $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REDACTION_ALLOWED)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
