"""Ingest: metric_facts no longer has foreign keys on its dimension columns (department, channel,
category, agent); its ticket_id keeps its foreign key (ON DELETE CASCADE).

Every fact row is derived from its ticket and the ticket's events (`services.metric_facts`), which carry
the same ids under their own foreign keys and are deleted with the facts; departments, channels,
categories and users are deactivated, never deleted. So the four checks guarded nothing the other keys do
not, yet each insert of a fact ran them: 12 per new ticket (three facts), about 40 us of PostgreSQL CPU
per ingested message of ~200 (docs/PERFORMANCE.md, Ingest). The dashboards group these columns by id and
do not join on them.

Revision ID: ingest_0001
Revises: search_0001
Create Date: 2026-12-04 21:00:00
"""

from alembic import op

revision = "ingest_0001"
down_revision = "search_0001"
branch_labels = None
depends_on = None

DIMENSIONS = {"department_id": "departments", "channel_id": "channels", "category_id": "categories",
              "agent_id": "users"}


def _name(column: str, table: str) -> str:
    return f"fk_metric_facts_{column}_{table}"


def upgrade() -> None:
    with op.batch_alter_table("metric_facts", schema=None) as batch_op:
        for column, table in DIMENSIONS.items():
            batch_op.drop_constraint(_name(column, table), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("metric_facts", schema=None) as batch_op:
        for column, table in DIMENSIONS.items():
            batch_op.create_foreign_key(_name(column, table), table, [column], ["id"])
