"""Users: the API tokens of accounts that are deactivated now are revoked, as deactivation does from now on.

A deactivated user's tokens used to be refused only while the account stayed off, and worked again when it
was reactivated. Deactivation now revokes them (`services.users.end_access`); this does the same for the
accounts deactivated before, so reactivating one of them does not bring its old tokens back either. (No audit
entries: the revocation is this migration's, named here.)

Revision ID: users_0001
Revises: privacy_0002
Create Date: 2026-12-07 14:00:00
"""

from alembic import op

revision = "users_0001"
down_revision = "privacy_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP"
        " WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE NOT active)"
    )


def downgrade() -> None:
    pass  # a revoked token stays revoked
