"""Audit log append-only on PostgreSQL: a trigger refuses UPDATE and DELETE on audit_log.

The ORM refuses them on every database (webcare/models/audit.py); this makes the database itself refuse
them too, so no script, console session or bug can rewrite history. TRUNCATE (used by the test suite to
empty tables) is a table-level operation that row triggers do not see. SQLite (development) gets no trigger.

Revision ID: privacy_0001
Revises: sla_0001
Create Date: 2026-11-22 12:00:00
"""

from alembic import op

revision = "privacy_0001"
down_revision = "sla_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
        END;
        $$ LANGUAGE plpgsql
    """)
    op.execute("""
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
