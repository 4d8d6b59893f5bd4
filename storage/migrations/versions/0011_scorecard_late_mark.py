"""scorecard late mark: a scorecard submitted after a decision closed its stage

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-07 03:12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, never batch mode: on SQLite batch mode copies the table and drops the
# old one, and the drop cascades to every scorecard's ratings and history.


def upgrade() -> None:
    # Existing scorecards were all submitted while their stage was open: not late.
    op.add_column(
        'scorecard', sa.Column('late', sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    op.drop_column('scorecard', 'late')
