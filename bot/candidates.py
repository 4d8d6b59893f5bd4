"""Candidates: registering one from the intake form, finding one, and the card's bookkeeping.

No Slack here: the form arrives as a plain ``CandidateForm``, errors are the typed ones of
``bot.errors`` and their messages hold no text a user typed, so any surface can show them
without escaping.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import permissions
from bot.config import ConfigError, is_mail_address, parse_working_hours
from bot.context import BotContext
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.kits import Kits
from storage import candidates as store
from storage.audit import record_event
from storage.db import transaction
from storage.models import CLOSED_STATUSES, Candidate

logger = logging.getLogger(__name__)

NAME_MAX = 100
PROFILE_URL_MAX = 500
SOURCE_MAX = 200
NOTES_MAX = 3000
EMAIL_MAX = 254
OTHER_LOCATION = "other"
"""The location key of a candidate outside the salary table's regions."""
OTHER_LOCATION_NAME = "Other"

AUDIT_CREATED = "candidate_created"

_ID_QUERY = re.compile(r"#?(\d{1,9})")


@dataclass(frozen=True)
class CandidateForm:
    """What the New candidate modal collected, as typed: anything may be missing."""

    name: str | None = None
    level: str | None = None
    location: str | None = None
    profile_url: str | None = None
    source: str | None = None
    hiring_manager_id: str | None = None
    notes: str | None = None
    email: str | None = None
    timezone: str | None = None
    hours: str | None = None


@dataclass(frozen=True)
class Registration:
    candidate: Candidate
    # False when the same modal had been submitted before (a double click, a retry).
    created: bool


class DuplicateCandidate(InvalidInput):
    """An open candidate already has this name or profile link; ``existing`` is that one,
    so that the surface can link to its thread."""

    def __init__(self, field: str, existing: Candidate) -> None:
        what = "name" if field == "name" else "profile link"
        super().__init__({field: f"Candidate #{existing.id} already has this {what}."})
        self.field = field
        self.existing = existing


class AmbiguousCandidate(Conflict):
    """Several open candidates match a name; ``matches`` are they, by id."""

    def __init__(self, matches: Sequence[Candidate]) -> None:
        numbers = ", ".join(f"#{candidate.id}" for candidate in matches)
        super().__init__(
            f"Several candidates match that name ({numbers}). Use the full name or the "
            "number shown on the card, e.g. `#12`; `/mlops-candidate find` lists them."
        )
        self.matches = tuple(matches)


CASEFOLD_GROWTH = 3
"""Case folding turns one character into at most three ("ΐ" into "ΐ"): a name key
can be three times as long as the name (``storage.models.Candidate.name_key``)."""


def normalise_name(text: str) -> str:
    """The duplicate and search key of a name: case and runs of spaces do not count."""
    return " ".join(text.split()).casefold()


def profile_key(url: str) -> str:
    """The duplicate key of a profile link: ``https://www.LinkedIn.com/in/jane/`` and
    ``http://linkedin.com/in/jane`` are the same person. A digest of the normalised link,
    so the key has one size (64) whatever the link holds; it is only ever compared."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    normalised = f"{host}{parts.path.rstrip('/')}".casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()


def is_closed(candidate: Candidate) -> bool:
    return candidate.status in CLOSED_STATUSES


def level_name(kits: Kits, candidate: Candidate) -> str:
    level = kits.salary.level(candidate.level)
    return level.name if level else candidate.level


def location_name(kits: Kits, candidate: Candidate) -> str:
    region = kits.salary.region(candidate.location)
    return region.name if region else OTHER_LOCATION_NAME


def days_in_stage(candidate: Candidate, now: datetime) -> int:
    return max(0, (now - candidate.stage_entered_at).days)


def creation_refused(admins: Set[str]) -> str:
    """Why a user may not add candidates, naming who to ask."""
    who = ", ".join(f"<@{admin}>" for admin in sorted(admins))
    return (
        "Only the hiring admins and the hiring managers of existing candidates can add "
        f"candidates. Ask {who} to add this one, or to add you to `HIRING_ADMINS`."
    )


SALARY_REFUSED = (
    "The salary benchmarks are for hiring managers and admins: interviewers who see a "
    "number are anchored by it."
)


async def may_read_salary(bot: BotContext, user_id: str) -> bool:
    admins = bot.settings.hiring_admins
    if permissions.is_admin(admins, user_id):
        return True
    async with bot.sessions() as session:
        is_manager = await store.manages_any(session, user_id)
    return permissions.may_read_salary(admins, user_id, is_hiring_manager=is_manager)


async def may_create(session: AsyncSession, admins: Set[str], user_id: str) -> bool:
    # The query only decides for a restricted team's non-admins: it sits before the ack
    # of `new`, where every millisecond under load counts (BENCHMARKS.md).
    needs_lookup = bool(admins) and user_id not in admins
    is_manager = needs_lookup and await store.manages_any(session, user_id)
    return permissions.may_create_candidate(admins, user_id, is_hiring_manager=is_manager)


def clean_form(form: CandidateForm, kits: Kits) -> Candidate:
    """A new candidate row from the form, or InvalidInput naming every bad field."""
    errors: dict[str, str] = {}
    name = " ".join((form.name or "").split())
    if not name:
        errors["name"] = "Enter the candidate's full name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"At most {NAME_MAX} characters; this name has {len(name)}."
    # An empty key is no level, no region and no user: the checks below refuse it.
    level = form.level or ""
    if kits.salary.level(level) is None:
        errors["level"] = "Choose a level."
    location = form.location or ""
    if location != OTHER_LOCATION and kits.salary.region(location) is None:
        errors["location"] = "Choose a location, or Other."
    profile_url = (form.profile_url or "").strip() or None
    if profile_url is not None and (problem := url_problem(profile_url)):
        errors["profile_url"] = problem
    source = (form.source or "").strip() or None
    if source is not None and len(source) > SOURCE_MAX:
        errors["source"] = f"At most {SOURCE_MAX} characters; this has {len(source)}."
    notes = (form.notes or "").strip() or None
    if notes is not None and len(notes) > NOTES_MAX:
        errors["notes"] = f"At most {NOTES_MAX} characters; these have {len(notes)}."
    hiring_manager_id = form.hiring_manager_id or ""
    if not hiring_manager_id:
        errors["hiring_manager"] = "Choose the hiring manager."
    email, timezone, hours = _contact(form, errors)
    if errors:
        raise InvalidInput(errors)
    return Candidate(
        name=name,
        name_key=normalise_name(name),
        level=level,
        location=location,
        profile_url=profile_url,
        profile_url_key=profile_key(profile_url) if profile_url else None,
        source=source,
        notes=notes,
        email=email,
        timezone=timezone,
        hours=hours,
        hiring_manager_id=hiring_manager_id,
        stage_key=kits.first_stage.key,
    )


def _contact(
    form: CandidateForm, errors: dict[str, str]
) -> tuple[str | None, str | None, str | None]:
    """The optional email, time zone and hours for invitations and *Find a time*; a
    problem with one is added to ``errors``."""
    email = (form.email or "").strip() or None
    if email is not None and (len(email) > EMAIL_MAX or not is_mail_address(email)):
        errors["email"] = "Enter an email address like jane@example.com, or leave it empty."
    timezone = (form.timezone or "").strip() or None
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = "Enter a time zone like Europe/Berlin or America/New_York."
    hours = (form.hours or "").strip() or None
    if hours is not None:
        try:
            parse_working_hours(hours, "hours")
        except ConfigError:
            errors["hours"] = "Enter hours like 09:00-17:00, or leave them empty."
        if timezone is None and "timezone" not in errors:
            errors["timezone"] = "Hours need the time zone they are in."
    return email, timezone, hours


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a web link the bot can show safely, or None."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "Enter a web address starting with http:// or https://, or leave it empty."
    # Slack reads "<", ">" and "|" as the edges of a link; a profile URL never needs them.
    if any(char.isspace() or char in "<>|" for char in url):
        return "A web address cannot contain spaces or the characters < > |."
    if len(url) > PROFILE_URL_MAX:
        return f"At most {PROFILE_URL_MAX} characters; this link has {len(url)}."
    return None


async def register_candidate(
    bot: BotContext,
    form: CandidateForm,
    *,
    created_by: str,
    view_id: str,
    announce: Callable[[AsyncSession, Candidate], Awaitable[None]] | None = None,
) -> Registration:
    """Create the candidate the intake modal ``view_id`` describes, once; ``announce``
    queues the messages that present them, in the same transaction.

    A view submitted again (a double click, Slack's retry) answers with the candidate it
    created the first time, also when the two submissions race each other.
    """
    try:
        async with transaction(bot.sessions) as session:
            registration = await _register(
                session, bot, form, created_by=created_by, view_id=view_id
            )
            if registration.created and announce is not None:
                await announce(session, registration.candidate)
            return registration
    except IntegrityError:
        # The only unique column we write is intake_view_id: the other submission won.
        async with bot.sessions() as session:
            existing = await store.by_intake_view(session, view_id)
        if existing is None:
            raise
        logger.info("intake view submitted twice; candidate %s kept", existing.id)
        return Registration(existing, created=False)


async def _register(
    session: AsyncSession, bot: BotContext, form: CandidateForm, *, created_by: str, view_id: str
) -> Registration:
    existing = await store.by_intake_view(session, view_id)
    if existing is not None:
        return Registration(existing, created=False)
    admins = bot.settings.hiring_admins
    if not await may_create(session, admins, created_by):
        raise PermissionDenied(creation_refused(admins))
    candidate = clean_form(form, bot.kits)
    duplicate = await store.open_with_name_key(session, candidate.name_key)
    field = "name"
    if duplicate is None and candidate.profile_url_key is not None:
        duplicate = await store.open_with_profile_key(session, candidate.profile_url_key)
        field = "profile_url"
    if duplicate is not None and duplicate.intake_view_id == view_id:
        # The same view, committed since our first look: the race of a double submission.
        return Registration(duplicate, created=False)
    if duplicate is not None:
        # Detached as loaded: the rollback that follows the error must not expire it.
        session.expunge(duplicate)
        raise DuplicateCandidate(field, duplicate)
    now = bot.clock.now()
    candidate.created_by = created_by
    candidate.intake_view_id = view_id
    candidate.stage_entered_at = candidate.last_activity_at = now
    candidate.created_at = candidate.updated_at = now
    session.add(candidate)
    await session.flush()
    await record_event(
        session,
        actor_id=created_by,
        candidate_id=candidate.id,
        action=AUDIT_CREATED,
        detail={},
        at=now,
    )
    return Registration(candidate, created=True)


async def get_candidate(
    session: AsyncSession, candidate_id: int, *, lock: bool = False
) -> Candidate:
    """With ``lock``, read afresh and locked until the transaction ends (``store.lock``)."""
    candidate = await (store.lock if lock else store.get)(session, candidate_id)
    if candidate is None:
        raise NotFound(f"Candidate #{candidate_id} no longer exists.")
    return candidate


async def resolve_candidate(session: AsyncSession, text: str) -> Candidate:
    """The candidate a command names: ``#12``/``12`` (any status), or a name among the open
    ones: an exact match first, else the only one whose name contains the text."""
    query = text.strip()
    if not query:
        raise NotFound("Which candidate? Give a name, or a number such as `#12`.")
    if match := _ID_QUERY.fullmatch(query):
        return await get_candidate(session, int(match[1]))
    key = normalise_name(query)
    matches = await store.open_whose_name_contains(session, key)
    exact = [candidate for candidate in matches if candidate.name_key == key]
    for found in (exact, matches):
        if len(found) == 1:
            return found[0]
    if not matches:
        raise NotFound(
            "No open candidate has that name. `/mlops-candidate list` shows them all, "
            "`/mlops-candidate find` searches closed ones too."
        )
    raise AmbiguousCandidate(exact or matches)


async def find_candidates(session: AsyncSession, text: str) -> Sequence[Candidate]:
    """Every candidate, closed ones too, whose name contains ``text`` (case ignored);
    none for a blank text."""
    key = normalise_name(text)
    return await store.whose_name_contains(session, key) if key else []


@dataclass(frozen=True)
class PipelineGroup:
    """Candidates under one heading of the list: a stage's title, or "Closed"."""

    title: str
    candidates: tuple[Candidate, ...]


CLOSED_GROUP = "Closed"


def group_by_stage(candidates: Sequence[Candidate], kits: Kits) -> list[PipelineGroup]:
    """Open candidates by stage in the loop's order (stages no kit defines any more after
    them), then the closed ones; empty groups are left out, and each keeps the given order."""
    order = {stage.key: index for index, stage in enumerate(kits.stages)}
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        key = CLOSED_GROUP if is_closed(candidate) else candidate.stage_key
        groups.setdefault(key, []).append(candidate)

    def rank(key: str) -> tuple[int, str]:
        if key == CLOSED_GROUP:
            return (len(order) + 1, key)
        return (order.get(key, len(order)), key)

    return [
        PipelineGroup(
            CLOSED_GROUP if key == CLOSED_GROUP else kits.stage_title(members[0].stage_key),
            tuple(members),
        )
        for key, members in sorted(groups.items(), key=lambda item: rank(item[0]))
    ]


async def pipeline(
    session: AsyncSession, kits: Kits, *, include_closed: bool
) -> list[PipelineGroup]:
    return group_by_stage(await store.pipeline(session, include_closed=include_closed), kits)
