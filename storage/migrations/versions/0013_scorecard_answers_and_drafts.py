"""scorecard answers (notes per question) and the interviewer's drafts

Revision ID: 0013
Revises: 0005
Create Date: 2026-12-07 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0013'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Two new tables only: existing scorecards are not touched and simply have no answers.
def upgrade() -> None:
    op.create_table(
        'scorecard_answer',
        sa.Column('scorecard_id', sa.Integer(), nullable=False),
        sa.Column('question_key', sa.String(length=80), nullable=False),
        sa.Column('competency_key', sa.String(length=40), nullable=True),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('not_asked', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('notes', sa.String(length=3000), nullable=True),
        sa.ForeignKeyConstraint(['scorecard_id'], ['scorecard.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('scorecard_id', 'question_key'),
    )
    op.create_table(
        'scorecard_draft',
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.String(length=32), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('updated_at', storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('interview_id', 'author_id'),
    )


def downgrade() -> None:
    op.drop_table('scorecard_draft')
    op.drop_table('scorecard_answer')
