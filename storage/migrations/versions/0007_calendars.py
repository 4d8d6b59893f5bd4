"""calendars: connections, candidate email and hours, invitation sequences

Revision ID: 0007
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0007'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'calendar_connection',
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('secret', sa.String(length=4000), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('connected_at', storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('user_id'),
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hours', sa.String(length=11), nullable=True))
    for table in ('interview', 'debrief'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('ics_sequence', sa.Integer(), nullable=False, server_default='0')
            )


def downgrade() -> None:
    for table in ('debrief', 'interview'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('ics_sequence')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_column('hours')
        batch_op.drop_column('timezone')
        batch_op.drop_column('email')
    op.drop_table('calendar_connection')
