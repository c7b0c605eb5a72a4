"""Metric facts are keyed by their run, (ticket_id, kind, seq), instead of a surrogate id.

Every fact already had that unique key; the surrogate id added a second unique index and a sequence
value to each of the three facts a new ticket writes, and nothing refers to a fact by its id (lists of
facts were ordered by it only to break ties). Measured on a copy of the table: about 2.6 us of PostgreSQL
a fact, 8 a new ticket (docs/PERFORMANCE.md, Ingest, fifteenth round). On SQLite the table is rebuilt.

Revision ID: ingest_0005
Revises: users_0001
Create Date: 2026-12-07 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "ingest_0005"
down_revision = "users_0001"
branch_labels = None
depends_on = None

RUN = ["ticket_id", "kind", "seq"]


def upgrade() -> None:
    with op.batch_alter_table("metric_facts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_metric_facts_ticket_id_kind_seq", type_="unique")
        batch_op.drop_constraint("pk_metric_facts", type_="primary")
        batch_op.drop_column("id")
        batch_op.create_primary_key("pk_metric_facts", RUN)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint("pk_metric_facts", "metric_facts", type_="primary")
        op.add_column("metric_facts", sa.Column("id", sa.Integer(), sa.Identity(), nullable=False))
        op.create_primary_key("pk_metric_facts", "metric_facts", ["id"])
        op.create_unique_constraint("uq_metric_facts_ticket_id_kind_seq", "metric_facts", RUN)
        return
    with op.batch_alter_table("metric_facts", schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint("pk_metric_facts", type_="primary")
        batch_op.add_column(sa.Column("id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_metric_facts_ticket_id_kind_seq", RUN)
    op.execute("UPDATE metric_facts SET id = rowid")
    with op.batch_alter_table("metric_facts", schema=None, recreate="always") as batch_op:
        batch_op.alter_column("id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_primary_key("pk_metric_facts", ["id"])
