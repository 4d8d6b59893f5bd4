"""candidate keys sized for case folding; retention marks

Revision ID: 0005
Revises: 0008
Create Date: 2026-12-07 02:10:00
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0005'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_candidate = sa.table(
    'candidate',
    sa.column('id', sa.Integer()),
    sa.column('profile_url_key', sa.String()),
)


def upgrade() -> None:
    # The profile key becomes a digest of what it held (see bot.candidates.profile_key).
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_candidate.c.id, _candidate.c.profile_url_key).where(
            _candidate.c.profile_url_key.is_not(None)
        )
    ).all()
    for candidate_id, key in rows:
        digest = hashlib.sha256(key.encode()).hexdigest()
        connection.execute(
            _candidate.update()
            .where(_candidate.c.id == candidate_id)
            .values(profile_url_key=digest)
        )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.alter_column(
            'name_key', existing_type=sa.String(length=100), type_=sa.String(length=300)
        )
        batch_op.alter_column(
            'profile_url_key', existing_type=sa.String(length=500), type_=sa.String(length=64)
        )
        batch_op.add_column(
            sa.Column('retention_warned_at', storage.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column('keep_until', storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Digests cannot be turned back into links: the keys are left empty, so duplicate
    # links are not caught for candidates added before the downgrade.
    op.execute(_candidate.update().values(profile_url_key=None))
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_column('keep_until')
        batch_op.drop_column('retention_warned_at')
        batch_op.alter_column(
            'profile_url_key', existing_type=sa.String(length=64), type_=sa.String(length=500)
        )
        batch_op.alter_column(
            'name_key', existing_type=sa.String(length=300), type_=sa.String(length=100)
        )
