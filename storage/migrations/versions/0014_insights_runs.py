"""insights runs: each weekly or monthly insights DM sent once per person

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'insights_run',
        sa.Column('period', sa.String(length=20), nullable=False),
        sa.Column('recipient_id', sa.String(length=32), nullable=False),
        sa.Column('started_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('sent_at', storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('period', 'recipient_id'),
    )


def downgrade() -> None:
    op.drop_table('insights_run')
