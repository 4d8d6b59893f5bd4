"""Correcting a candidate's details: a misspelt name, a new level after the technical
interview, another hiring manager, location, profile link, source or notes.

The hiring manager and admins may; every change is audited with who, when, and each field's
old and new value, and the history of the candidate (interviews, scorecards, decisions)
stays as it was. No Slack here: the surfaces refresh what shows the candidate.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.candidates import CandidateForm, DuplicateCandidate, clean_form, get_candidate
from bot.context import BotContext
from bot.errors import Conflict, PermissionDenied
from bot.permissions import may_edit_candidate
from bot.reminder_rules import ReminderKind
from storage import candidates as store
from storage import reminders as reminder_store
from storage.audit import record_event
from storage.db import transaction
from storage.models import Candidate

AUDIT_EDITED = "candidate_edited"
# The intake form's fields, as the candidate row names them.
EDITABLE = (
    "name",
    "level",
    "location",
    "profile_url",
    "source",
    "hiring_manager_id",
    "notes",
    "email",
    "timezone",
    "hours",
)
# Reminders addressed to the candidate's hiring manager follow a change of manager.
HIRING_MANAGER_KINDS = (
    ReminderKind.ESCALATION,
    ReminderKind.DEBRIEF_DECISION,
    ReminderKind.DEBRIEF_PENDING,
)
STALE_FORM = (
    "Someone changed this candidate's details since you opened the form, so nothing was "
    "saved. Close it and press *Edit* again to see their change."
)


@dataclass(frozen=True)
class Edited:
    candidate: Candidate
    # Field name to (old, new), for the fields that changed; empty when nothing did.
    changes: dict[str, tuple[Any, Any]]

    @property
    def previous_hiring_manager(self) -> str | None:
        change = self.changes.get("hiring_manager_id")
        return str(change[0]) if change else None


def details_digest(candidate: Candidate) -> str:
    """A fingerprint of the editable fields: the form carries the one it was opened with,
    so that a submission over someone else's newer change is refused, not applied."""
    values = json.dumps([getattr(candidate, name) for name in EDITABLE], ensure_ascii=False)
    return hashlib.sha256(values.encode()).hexdigest()[:32]


def form_of(candidate: Candidate) -> CandidateForm:
    """The candidate's current details, to prefill the form."""
    return CandidateForm(**{name: getattr(candidate, name) for name in EDITABLE})


def _refuse_unless_allowed(bot: BotContext, actor_id: str, candidate: Candidate) -> None:
    if not may_edit_candidate(
        bot.settings.hiring_admins, actor_id, hiring_manager_id=candidate.hiring_manager_id
    ):
        raise PermissionDenied(
            f"Only the hiring manager <@{candidate.hiring_manager_id}> or a hiring admin can "
            "edit this candidate's details."
        )


async def candidate_to_edit(
    session: AsyncSession, bot: BotContext, actor_id: str, candidate_id: int
) -> Candidate:
    candidate = await get_candidate(session, candidate_id)
    _refuse_unless_allowed(bot, actor_id, candidate)
    return candidate


async def edit_candidate(
    bot: BotContext,
    form: CandidateForm,
    *,
    actor_id: str,
    candidate_id: int,
    seen_digest: str,
    announce: Callable[[AsyncSession, Edited], Awaitable[None]] | None = None,
) -> Edited:
    """Apply the form to the candidate in one transaction: InvalidInput (naming each bad
    field, or a duplicate name or link of another open candidate), PermissionDenied, or
    Conflict when the details changed since the form opened; nothing is saved then.
    ``announce`` queues the messages that tell of a change, in the same transaction."""
    async with transaction(bot.sessions) as session:
        candidate = await get_candidate(session, candidate_id)
        _refuse_unless_allowed(bot, actor_id, candidate)
        if details_digest(candidate) != seen_digest:
            raise Conflict(STALE_FORM)
        cleaned = clean_form(form, bot.kits)
        await _refuse_duplicates(session, candidate, cleaned)
        changes = {
            name: (getattr(candidate, name), getattr(cleaned, name))
            for name in EDITABLE
            if getattr(candidate, name) != getattr(cleaned, name)
        }
        if not changes:
            return Edited(candidate, {})
        now = bot.clock.now()
        for name in (*EDITABLE, "name_key", "profile_url_key"):
            setattr(candidate, name, getattr(cleaned, name))
        candidate.updated_at = now
        session.add(candidate)
        if "hiring_manager_id" in changes:
            old, new = changes["hiring_manager_id"]
            await reminder_store.reassign(
                session,
                candidate_id=candidate_id,
                kinds=HIRING_MANAGER_KINDS,
                old_recipient=old,
                new_recipient=new,
            )
        await record_event(
            session,
            actor_id=actor_id,
            candidate_id=candidate_id,
            action=AUDIT_EDITED,
            detail={name: {"old": old, "new": new} for name, (old, new) in changes.items()},
            at=now,
        )
        edited = Edited(candidate, changes)
        if announce is not None:
            await announce(session, edited)
    return edited


async def _refuse_duplicates(
    session: AsyncSession, candidate: Candidate, cleaned: Candidate
) -> None:
    """Another open candidate with the new name or link: the same error as at intake."""
    if cleaned.name_key != candidate.name_key:
        other = await store.open_with_name_key(session, cleaned.name_key, excluding=candidate.id)
        if other is not None:
            session.expunge(other)
            raise DuplicateCandidate("name", other)
    key = cleaned.profile_url_key
    if key is not None and key != candidate.profile_url_key:
        other = await store.open_with_profile_key(session, key, excluding=candidate.id)
        if other is not None:
            session.expunge(other)
            raise DuplicateCandidate("profile_url", other)
