"""Channels: `last_error_kind`, what kind of refusal the channel's last error was (transient, rate_limited,
needs_reauth, permanent; `webcare.platforms.errors`), so the channel page can say in Dutch what it means and
what to do, beside the platform's own words in `last_error`. Earlier errors keep no kind (shown as before).

Revision ID: channels_0001
Revises: inbox_0003
Create Date: 2026-12-06 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "channels_0001"
down_revision = "inbox_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.add_column(sa.Column("last_error_kind", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("last_error_kind")
