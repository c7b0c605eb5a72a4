"""SLA engine: tickets.sla_check_at, the moment the SLA sweep must look at a ticket again (indexed).

Revision ID: sla_0001
Revises: 0001
Create Date: 2026-11-22 02:31:21.451486
"""

import sqlalchemy as sa
from alembic import op

import webcare.db

revision = 'sla_0001'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_check_at', webcare.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_tickets_sla_check_at', ['sla_check_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_sla_check_at')
        batch_op.drop_column('sla_check_at')

