"""*Nudge*: a hiring manager or admin asks a late interviewer for their scorecard.

A nudge is a reminder (``SCORECARD_ASKED``) due at once, so it goes out the way every DM
of the loop does: at most once, in the recipient's working hours, dropped if the scorecard
arrives first. At most one a day per person and interview: the day is in the reminder's
dedupe key, and the database refuses a second row with the same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import permissions
from bot.context import BotContext
from bot.errors import Conflict, NotFound, PermissionDenied
from bot.reminder_rules import ReminderKind, dedupe_key
from storage import audit
from storage import reminders as store
from storage.models import Candidate, Interview, InterviewStatus
from storage.scorecards import missing_scorecards


@dataclass(frozen=True)
class Nudged:
    candidate: Candidate
    interview: Interview
    sent: tuple[str, ...]  # nudged now
    already: tuple[str, ...]  # nudged earlier today: nothing more is sent


def nudge_key(interview_id: int, user_id: str, day: date) -> str:
    return f"{dedupe_key(ReminderKind.SCORECARD_ASKED, 'interview', interview_id, user_id)}:{day}"


async def nudge(
    session: AsyncSession,
    bot: BotContext,
    *,
    actor_id: str,
    interview_id: int,
    user_id: str | None,
    now: datetime,
) -> Nudged:
    """Nudge ``user_id`` (or every interviewer whose scorecard is missing) about the
    interview's scorecard."""
    interview = await session.get(Interview, interview_id)
    candidate = await session.get(Candidate, interview.candidate_id) if interview else None
    if interview is None or candidate is None:
        raise NotFound("That interview no longer exists.")
    allowed = permissions.may_manage_interview(
        bot.settings.hiring_admins,
        actor_id,
        hiring_manager_id=candidate.hiring_manager_id,
        scheduled_by=interview.created_by,
    )
    if not allowed:
        raise PermissionDenied("Only the candidate's hiring manager and admins can nudge.")
    if interview.status != InterviewStatus.SCHEDULED:
        raise Conflict("That interview was cancelled: nobody owes a scorecard for it.")
    missing = [user for _, user in await missing_scorecards(session, [interview_id])]
    targets = missing if user_id is None else [u for u in missing if u == user_id]
    if not targets:
        raise Conflict("Every scorecard of that interview is in: there is nobody to nudge.")
    day = now.astimezone(bot.settings.timezone).date()
    sent: list[str] = []
    already: list[str] = []
    for target in targets:
        row = {
            "kind": ReminderKind.SCORECARD_ASKED,
            "recipient_id": target,
            "candidate_id": candidate.id,
            "interview_id": interview_id,
            "due_at": now,
            "dedupe_key": nudge_key(interview_id, target, day),
            "created_at": now,
        }
        (sent if await store.plan_once(session, row) else already).append(target)
    if sent:
        await audit.record_event(
            session,
            actor_id=actor_id,
            candidate_id=candidate.id,
            action="scorecard_nudged",
            detail={"interview_id": interview_id, "nudged": sent},
            at=now,
        )
    return Nudged(candidate, interview, tuple(sent), tuple(already))
