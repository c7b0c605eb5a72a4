"""Initial schema: the data model for the whole product.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:08:04.029155
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import webcare.db

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_state',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_state'))
    )
    op.create_table('calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('opening_hours', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('statutory_holidays', sa.Boolean(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendars')),
    sa.UniqueConstraint('name', name=op.f('uq_calendars_name'))
    )
    op.create_table('channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('handle', sa.String(length=255), nullable=False),
    sa.Column('base_url', sa.String(length=1024), nullable=True),
    sa.Column('credentials_encrypted', sa.Text(), nullable=True),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('poll_interval_seconds', sa.Integer(), nullable=False),
    sa.Column('cursor', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_polled_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rate_limited_until', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('needs_reauth', sa.Boolean(), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channels')),
    sa.UniqueConstraint('name', name=op.f('uq_channels_name'))
    )
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channels_platform'), ['platform'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('platform_user_id', sa.String(length=128), nullable=False),
    sa.Column('handle', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('profile_url', sa.String(length=1024), nullable=True),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('anonymised_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('platform', 'platform_user_id', name=op.f('uq_contacts_platform_platform_user_id'))
    )
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.Column('at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_email_at', ['email', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_ip_at', ['ip', 'at'], unique=False)

    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('continue_matching', sa.Boolean(), nullable=False),
    sa.Column('conditions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('actions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules'))
    )
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.create_index('ix_routing_rules_position', ['position'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('totp_secret_encrypted', sa.Text(), nullable=True),
    sa.Column('totp_enabled', sa.Boolean(), nullable=False),
    sa.Column('recovery_code_hashes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('agent', 'department', 'manager', 'admin')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('target_type', sa.String(length=32), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_action_at', ['action', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_actor_id_at', ['actor_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_ticket_id', ['ticket_id'], unique=False)

    op.create_table('closing_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_closing_days_calendar_id_calendars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closing_days')),
    sa.UniqueConstraint('calendar_id', 'day', name=op.f('uq_closing_days_calendar_id_day'))
    )
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('is_front_office', sa.Boolean(), nullable=False),
    sa.Column('is_safety_team', sa.Boolean(), nullable=False),
    sa.Column('forward_only', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=True),
    sa.Column('feedback_working_days', sa.Integer(), nullable=True),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_departments_calendar_id_calendars')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_departments_code'))
    )
    op.create_table('sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=True),
    sa.Column('first_response_dm_minutes', sa.Integer(), nullable=False),
    sa.Column('first_response_public_minutes', sa.Integer(), nullable=False),
    sa.Column('next_response_dm_minutes', sa.Integer(), nullable=False),
    sa.Column('next_response_public_minutes', sa.Integer(), nullable=False),
    sa.Column('department_feedback_working_days', sa.Integer(), nullable=False),
    sa.Column('at_risk_percent', sa.Integer(), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_sla_policies_calendar_id_calendars')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('name', name=op.f('uq_sla_policies_name'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('headers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_webhook_deliveries_channel_id_channels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('body_sha256', name=op.f('uq_webhook_deliveries_body_sha256'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_received_at', ['received_at'], unique=False)

    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('handling_target', sa.Integer(), nullable=True),
    sa.Column('handling_unit', sa.String(length=16), nullable=False),
    sa.Column('first_response_business_minutes', sa.Integer(), nullable=True),
    sa.Column('default_priority', sa.String(length=8), nullable=True),
    sa.Column('promise_text', sa.Text(), nullable=True),
    sa.Column('retention_days', sa.Integer(), nullable=True),
    sa.Column('is_threat', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("handling_unit IN ('working_days', 'calendar_days')", name=op.f('ck_categories_handling_unit')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_categories_department_id_departments')),
    sa.ForeignKeyConstraint(['parent_id'], ['categories.id'], name=op.f('fk_categories_parent_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_categories_code'))
    )
    op.create_table('department_memberships',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_department_memberships_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_department_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'department_id', name=op.f('pk_department_memberships'))
    )
    op.create_table('canned_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_canned_responses_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_responses'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('thread_key', sa.String(length=255), nullable=False),
    sa.Column('current_thread_key', sa.String(length=255), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('visibility', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=280), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('awaiting', sa.String(length=12), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('threat', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('routed_by_rule_id', sa.Integer(), nullable=True),
    sa.Column('previous_ticket_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_inbound_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_outbound_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('activity_seq', sa.Integer(), nullable=False),
    sa.Column('auto_ack_sent_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_responder_id', sa.Integer(), nullable=True),
    sa.Column('anonymised_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sla_policy_id', sa.Integer(), nullable=True),
    sa.Column('calendar_id', sa.Integer(), nullable=True),
    sa.Column('sla_targets', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('promise_text', sa.Text(), nullable=True),
    sa.Column('promise_due_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_due_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_response_due_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_response_met_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_response_breached_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_response_started_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_response_due_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_response_met_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_response_breached_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('department_feedback_started_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('department_feedback_due_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('department_feedback_met_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('department_feedback_breached_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handling_due_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handling_met_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handling_breached_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handling_paused_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handling_paused_seconds', sa.Integer(), nullable=False),
    sa.Column('sla_level', sa.String(length=12), nullable=False),
    sa.CheckConstraint("priority IN ('urgent', 'high', 'normal', 'low')", name=op.f('ck_tickets_priority')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_tickets_assignee_id_users')),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendars.id'], name=op.f('fk_tickets_calendar_id_calendars')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_tickets_category_id_categories')),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_tickets_channel_id_channels')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_tickets_contact_id_contacts')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_tickets_department_id_departments')),
    sa.ForeignKeyConstraint(['first_responder_id'], ['users.id'], name=op.f('fk_tickets_first_responder_id_users')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['tickets.id'], name=op.f('fk_tickets_merged_into_id_tickets')),
    sa.ForeignKeyConstraint(['previous_ticket_id'], ['tickets.id'], name=op.f('fk_tickets_previous_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['sla_policy_id'], ['sla_policies.id'], name=op.f('fk_tickets_sla_policy_id_sla_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('channel_id', 'current_thread_key', name=op.f('uq_tickets_channel_id_current_thread_key'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_assignee_id_status_next_due_at', ['assignee_id', 'status', 'next_due_at'], unique=False)
        batch_op.create_index('ix_tickets_category_id_created_at', ['category_id', 'created_at'], unique=False)
        batch_op.create_index('ix_tickets_channel_id_created_at', ['channel_id', 'created_at'], unique=False)
        batch_op.create_index('ix_tickets_channel_id_thread_key', ['channel_id', 'thread_key'], unique=False)
        batch_op.create_index('ix_tickets_contact_id', ['contact_id'], unique=False)
        batch_op.create_index('ix_tickets_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_tickets_department_id_status_next_due_at', ['department_id', 'status', 'next_due_at'], unique=False)
        batch_op.create_index('ix_tickets_resolved_at', ['resolved_at'], unique=False)
        batch_op.create_index('ix_tickets_status_next_due_at_id', ['status', 'next_due_at', 'id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=True),
    sa.Column('thread_key', sa.String(length=255), nullable=False),
    sa.Column('in_reply_to', sa.String(length=255), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('visibility', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=1024), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('author_handle', sa.String(length=255), nullable=False),
    sa.Column('author_name', sa.String(length=255), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('platform_created_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('raw', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('is_automatic', sa.Boolean(), nullable=False),
    sa.Column('based_on_message_id', sa.Integer(), nullable=True),
    sa.Column('delivery_state', sa.String(length=8), nullable=True),
    sa.Column('delivery_error', sa.Text(), nullable=True),
    sa.Column('delivery_attempts', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('sent_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pii_override_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("direction IN ('in', 'out')", name=op.f('ck_messages_direction')),
    sa.CheckConstraint("kind IN ('mention', 'comment', 'dm', 'reply')", name=op.f('ck_messages_kind')),
    sa.CheckConstraint("visibility IN ('public', 'private')", name=op.f('ck_messages_visibility')),
    sa.ForeignKeyConstraint(['author_user_id'], ['users.id'], name=op.f('fk_messages_author_user_id_users')),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_messages_channel_id_channels')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_messages_contact_id_contacts')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_messages_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('channel_id', 'external_id', name=op.f('uq_messages_channel_id_external_id')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_messages_idempotency_key'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_channel_id_thread_key', ['channel_id', 'thread_key'], unique=False)
        batch_op.create_index('ix_messages_contact_id', ['contact_id'], unique=False)
        batch_op.create_index('ix_messages_delivery_state', ['delivery_state'], unique=False)
        batch_op.create_index('ix_messages_received_at', ['received_at'], unique=False)
        batch_op.create_index('ix_messages_ticket_id_id', ['ticket_id', 'id'], unique=False)

    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('is_feedback', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_notes_author_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_notes_department_id_departments')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_notes_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index('ix_notes_ticket_id_id', ['ticket_id', 'id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', webcare.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_notifications_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_read_at_id', ['user_id', 'read_at', 'id'], unique=False)

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('at', webcare.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dedupe_key', sa.String(length=160), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ticket_events_actor_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_ticket_events_department_id_departments')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_ticket_events_dedupe_key'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_events_ticket_id_id', ['ticket_id', 'id'], unique=False)
        batch_op.create_index('ix_ticket_events_type_at', ['type', 'at'], unique=False)

    op.create_table('ticket_labels',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_labels_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'label', name=op.f('pk_ticket_labels'))
    )
    with op.batch_alter_table('ticket_labels', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_labels_label_ticket_id', ['label', 'ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_labels_label_ticket_id')

    op.drop_table('ticket_labels')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_events_type_at')
        batch_op.drop_index('ix_ticket_events_ticket_id_id')

    op.drop_table('ticket_events')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at_id')

    op.drop_table('notifications')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index('ix_notes_ticket_id_id')

    op.drop_table('notes')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_ticket_id_id')
        batch_op.drop_index('ix_messages_received_at')
        batch_op.drop_index('ix_messages_delivery_state')
        batch_op.drop_index('ix_messages_contact_id')
        batch_op.drop_index('ix_messages_channel_id_thread_key')

    op.drop_table('messages')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_next_due_at_id')
        batch_op.drop_index('ix_tickets_resolved_at')
        batch_op.drop_index('ix_tickets_department_id_status_next_due_at')
        batch_op.drop_index('ix_tickets_created_at')
        batch_op.drop_index('ix_tickets_contact_id')
        batch_op.drop_index('ix_tickets_channel_id_thread_key')
        batch_op.drop_index('ix_tickets_channel_id_created_at')
        batch_op.drop_index('ix_tickets_category_id_created_at')
        batch_op.drop_index('ix_tickets_assignee_id_status_next_due_at')

    op.drop_table('tickets')
    op.drop_table('canned_responses')
    op.drop_table('department_memberships')
    op.drop_table('categories')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_received_at')

    op.drop_table('webhook_deliveries')
    op.drop_table('sla_policies')
    op.drop_table('departments')
    op.drop_table('closing_days')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_ticket_id')
        batch_op.drop_index('ix_audit_log_at')
        batch_op.drop_index('ix_audit_log_actor_id_at')
        batch_op.drop_index('ix_audit_log_action_at')

    op.drop_table('audit_log')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.drop_index('ix_routing_rules_position')

    op.drop_table('routing_rules')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_ip_at')
        batch_op.drop_index('ix_login_attempts_email_at')

    op.drop_table('login_attempts')
    op.drop_table('contacts')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channels_platform'))

    op.drop_table('channels')
    op.drop_table('calendars')
    op.drop_table('app_state')
