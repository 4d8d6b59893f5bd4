"""pipeline marks: each seat's scorecard deadline, arrival and owed deadline, each
candidate's stage-ready time, indexed, so that the digest finds them by index (storage.marks);
the windows of time periodic jobs have covered

Revision ID: 0015
Revises: 0005
Create Date: 2026-12-07 04:50:00
"""

import os
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0015'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ALTER TABLE, never batch mode: on SQLite batch mode copies the table and drops the
# old one, and the drop cascades to what references it.

_utc = storage.types.UTCDateTime
_candidate = sa.table(
    'candidate',
    sa.column('id', sa.Integer()),
    sa.column('stage_key', sa.String()),
    sa.column('status', sa.String()),
    sa.column('stage_ready_at', _utc()),
)
_debrief = sa.table(
    'debrief',
    sa.column('candidate_id', sa.Integer()),
    sa.column('stage_key', sa.String()),
    sa.column('starts_at', _utc()),
    sa.column('duration_minutes', sa.Integer()),
    sa.column('status', sa.String()),
)
_interview = sa.table(
    'interview',
    sa.column('id', sa.Integer()),
    sa.column('candidate_id', sa.Integer()),
    sa.column('stage_key', sa.String()),
    sa.column('starts_at', _utc()),
    sa.column('duration_minutes', sa.Integer()),
    sa.column('status', sa.String()),
)
_seat = sa.table(
    'interview_interviewer',
    sa.column('interview_id', sa.Integer()),
    sa.column('user_id', sa.String()),
    sa.column('attended', sa.Boolean()),
    sa.column('scorecard_due_at', _utc()),
    sa.column('scorecard_in_at', _utc()),
    sa.column('owed_due_at', _utc()),
)
_scorecard = sa.table(
    'scorecard',
    sa.column('interview_id', sa.Integer()),
    sa.column('interviewer_id', sa.String()),
    sa.column('submitted_at', _utc()),
)
_decision = sa.table(
    'decision',
    sa.column('candidate_id', sa.Integer()),
    sa.column('stage_key', sa.String()),
    sa.column('decided_at', _utc()),
)


CLOSED = ('hired', 'rejected', 'withdrawn')


def _due_hours() -> int:
    """The deployment's FEEDBACK_DUE_HOURS (the bot's default, 24, when unset or invalid):
    existing interviews get the deadline the bot gave them."""
    try:
        hours = int(os.environ.get('FEEDBACK_DUE_HOURS', '24'))
    except ValueError:
        return 24
    return hours if hours > 0 else 24


def upgrade() -> None:
    op.create_table(
        'job_window',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('until', _utc(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.add_column('candidate', sa.Column('stage_ready_at', _utc(), nullable=True))
    op.add_column('interview_interviewer', sa.Column('scorecard_due_at', _utc(), nullable=True))
    op.add_column('interview_interviewer', sa.Column('scorecard_in_at', _utc(), nullable=True))
    op.add_column('interview_interviewer', sa.Column('owed_due_at', _utc(), nullable=True))
    _fill(op.get_bind(), _due_hours())
    op.create_index(
        'ix_candidate_status_ready', 'candidate', ['status', 'stage_ready_at'], unique=False
    )
    op.create_index(
        'ix_candidate_status_activity', 'candidate', ['status', 'last_activity_at'], unique=False
    )
    op.create_index(
        'ix_interview_candidate_status', 'interview', ['candidate_id', 'status'], unique=False
    )
    # The pipeline's first candidates of each stage, in the index's order.
    op.drop_index('ix_candidate_status_stage', table_name='candidate')
    op.create_index(
        'ix_candidate_status_stage',
        'candidate',
        ['status', 'stage_key', 'stage_entered_at'],
        unique=False,
    )
    op.create_index(
        'ix_seat_due_in',
        'interview_interviewer',
        ['scorecard_due_at', 'scorecard_in_at'],
        unique=False,
    )
    op.create_index('ix_seat_owed', 'interview_interviewer', ['owed_due_at'], unique=False)
    op.create_index(
        'ix_seat_user_owed', 'interview_interviewer', ['user_id', 'owed_due_at'], unique=False
    )
    op.create_index(
        'ix_seat_user_due', 'interview_interviewer', ['user_id', 'scorecard_due_at'], unique=False
    )


def _fill(connection: sa.Connection, due_hours: int) -> None:
    """What storage.marks would have kept, computed once for the rows there are."""
    seats = connection.execute(
        sa.select(
            _seat.c.interview_id,
            _seat.c.user_id,
            _seat.c.attended,
            _interview.c.candidate_id,
            _interview.c.stage_key,
            _interview.c.starts_at,
            _interview.c.duration_minutes,
            _interview.c.status,
            _scorecard.c.submitted_at,
            _candidate.c.status.label('candidate_status'),
        )
        .join(_interview, _interview.c.id == _seat.c.interview_id)
        .join(_candidate, _candidate.c.id == _interview.c.candidate_id)
        .outerjoin(
            _scorecard,
            sa.and_(
                _scorecard.c.interview_id == _seat.c.interview_id,
                _scorecard.c.interviewer_id == _seat.c.user_id,
            ),
        )
    ).all()
    updates = []
    # Per (candidate, stage): the seats that owe a scorecard, those whose card is in, the last.
    owed: dict[tuple[int, str], int] = {}
    done: dict[tuple[int, str], int] = {}
    last: dict[tuple[int, str], datetime] = {}
    for seat in seats:
        owes = seat.attended and seat.status == 'scheduled'
        due = (
            seat.starts_at + timedelta(minutes=seat.duration_minutes, hours=due_hours)
            if owes
            else None
        )
        is_open = seat.candidate_status not in CLOSED
        owed_due = due if is_open and seat.submitted_at is None else None
        updates.append(
            {
                'i': seat.interview_id,
                'u': seat.user_id,
                'due': due,
                'in': seat.submitted_at,
                'owed': owed_due,
            }
        )
        if owes:
            key = (seat.candidate_id, seat.stage_key)
            owed[key] = owed.get(key, 0) + 1
            if seat.submitted_at is not None:
                done[key] = done.get(key, 0) + 1
                last[key] = max(last.get(key, seat.submitted_at), seat.submitted_at)
    if updates:
        connection.execute(
            _seat.update()
            .where(_seat.c.interview_id == sa.bindparam('i'), _seat.c.user_id == sa.bindparam('u'))
            .values(
                scorecard_due_at=sa.bindparam('due'),
                scorecard_in_at=sa.bindparam('in'),
                owed_due_at=sa.bindparam('owed'),
            ),
            updates,
        )
    decided: dict[tuple[int, str], datetime] = {
        (row.candidate_id, row.stage_key): row.at
        for row in connection.execute(
            sa.select(
                _decision.c.candidate_id,
                _decision.c.stage_key,
                sa.func.max(_decision.c.decided_at, type_=_utc()).label('at'),
            ).group_by(_decision.c.candidate_id, _decision.c.stage_key)
        )
    }
    # A scheduled debrief sets the time (the latest one's end); else the last scorecard.
    debriefs: dict[tuple[int, str], datetime] = {}
    for row in connection.execute(sa.select(_debrief).where(_debrief.c.status == 'scheduled')):
        key = (row.candidate_id, row.stage_key)
        end = row.starts_at + timedelta(minutes=row.duration_minutes)
        debriefs[key] = max(debriefs.get(key, end), end)
    ready = []
    for candidate_id, stage_key in connection.execute(
        sa.select(_candidate.c.id, _candidate.c.stage_key)
    ):
        key = (candidate_id, stage_key)
        since = debriefs.get(key)
        if since is None and key in last and owed[key] == done[key]:
            since = last[key]
        at = decided.get(key)
        if since is not None and (at is None or at < since):
            ready.append({'c': candidate_id, 'at': since})
    if ready:
        connection.execute(
            _candidate.update()
            .where(_candidate.c.id == sa.bindparam('c'))
            .values(stage_ready_at=sa.bindparam('at')),
            ready,
        )


def downgrade() -> None:
    op.drop_table('job_window')
    op.drop_index('ix_seat_user_due', table_name='interview_interviewer')
    op.drop_index('ix_seat_user_owed', table_name='interview_interviewer')
    op.drop_index('ix_seat_owed', table_name='interview_interviewer')
    op.drop_index('ix_seat_due_in', table_name='interview_interviewer')
    op.drop_index('ix_interview_candidate_status', table_name='interview')
    op.drop_index('ix_candidate_status_ready', table_name='candidate')
    op.drop_index('ix_candidate_status_activity', table_name='candidate')
    op.drop_index('ix_candidate_status_stage', table_name='candidate')
    op.create_index(
        'ix_candidate_status_stage', 'candidate', ['status', 'stage_key'], unique=False
    )
    op.drop_column('interview_interviewer', 'owed_due_at')
    op.drop_column('interview_interviewer', 'scorecard_in_at')
    op.drop_column('interview_interviewer', 'scorecard_due_at')
    op.drop_column('candidate', 'stage_ready_at')
