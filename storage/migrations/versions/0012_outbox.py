"""outbox: every message the bot sends to Slack, queued in the transaction that causes it

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-07 04:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0012'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'outbox_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=True),
        sa.Column('lane', sa.String(length=40), nullable=False),
        sa.Column('target', sa.String(length=40), nullable=False),
        sa.Column('parent_key', sa.String(length=200), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('lease_until', storage.types.UTCDateTime(), nullable=True),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('sent_channel', sa.String(length=40), nullable=True),
        sa.Column('sent_ts', sa.String(length=32), nullable=True),
        sa.Column('file_id', sa.String(length=40), nullable=True),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('sent_at', storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_outbox_message_candidate_id', 'outbox_message', ['candidate_id'], unique=False
    )
    op.create_index(
        'ix_outbox_message_status_lane', 'outbox_message', ['status', 'lane', 'id'], unique=False
    )
    op.create_index(
        'ix_outbox_message_key_status', 'outbox_message', ['key', 'status'], unique=False
    )
    op.create_table(
        'outbox_mention',
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['outbox_message.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('message_id', 'candidate_id'),
    )
    op.create_index(
        'ix_outbox_mention_candidate_id', 'outbox_mention', ['candidate_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_outbox_mention_candidate_id', table_name='outbox_mention')
    op.drop_table('outbox_mention')
    op.drop_index('ix_outbox_message_key_status', table_name='outbox_message')
    op.drop_index('ix_outbox_message_status_lane', table_name='outbox_message')
    op.drop_index('ix_outbox_message_candidate_id', table_name='outbox_message')
    op.drop_table('outbox_message')
