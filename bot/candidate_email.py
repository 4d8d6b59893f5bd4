"""The candidate's invitation emails: wording from ``prompts/candidate_email.toml`` (a team
edits it; checked at start-up like the kits), rendered for one interview, and sent over
SMTP with the ``.ics`` attached."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path
from string import Template
from typing import Annotated
from zoneinfo import ZoneInfo

import aiosmtplib
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from bot.config import SmtpSettings
from bot.kits import default_prompts_dir
from bot.prompt_files import load_file

logger = logging.getLogger(__name__)

EMAIL_FILE = "candidate_email.toml"
PLACEHOLDERS = frozenset(
    {"candidate_name", "stage", "when", "timezone", "duration", "video_link", "interviewers"}
)
SEND_TIMEOUT_SECONDS = 15.0


class EmailKind(StrEnum):
    INVITATION = "invitation"
    UPDATE = "update"
    CANCELLATION = "cancellation"


def _template(text: str) -> str:
    template = Template(text)
    if not template.is_valid():
        raise ValueError("a $ that starts no placeholder: write $$ for a dollar sign")
    unknown = sorted(set(template.get_identifiers()) - PLACEHOLDERS)
    if unknown:
        known = ", ".join(f"${name}" for name in sorted(PLACEHOLDERS))
        raise ValueError(f"unknown placeholder ${unknown[0]} (known: {known})")
    return text


TemplateText = Annotated[
    str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=5000)
]
Subject = Annotated[
    str,
    StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_template),
]
Body = Annotated[TemplateText, AfterValidator(_template)]


class EmailTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: Subject
    body: Body


class CandidateEmails(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    invitation: EmailTemplate
    update: EmailTemplate
    cancellation: EmailTemplate

    def template(self, kind: EmailKind) -> EmailTemplate:
        template: EmailTemplate = getattr(self, kind.value)
        return template


def load_candidate_emails(directory: Path | None) -> CandidateEmails:
    """The team's templates; the shipped ones for a prompts folder copied before this
    file existed."""
    folder = directory or default_prompts_dir()
    if not (folder / EMAIL_FILE).exists():
        folder = default_prompts_dir()
    return load_file(folder, EMAIL_FILE, CandidateEmails)


@dataclass(frozen=True)
class EmailFacts:
    candidate_name: str
    stage: str
    starts_at: datetime
    duration_minutes: int
    zone: ZoneInfo
    video_link: str | None
    interviewers: tuple[str, ...]


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


def render(templates: CandidateEmails, kind: EmailKind, facts: EmailFacts) -> RenderedEmail:
    local = facts.starts_at.astimezone(facts.zone)
    values = {
        "candidate_name": facts.candidate_name,
        "stage": facts.stage,
        "when": f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}",
        "timezone": str(facts.zone.key),
        "duration": str(facts.duration_minutes),
        "video_link": facts.video_link or "a link will follow",
        "interviewers": ", ".join(facts.interviewers) or "the hiring team",
    }
    template = templates.template(kind)
    # A subject is one line whatever a name holds.
    subject = " ".join(Template(template.subject).substitute(values).split())
    return RenderedEmail(subject, Template(template.body).substitute(values).strip() + "\n")


def build_message(
    email: RenderedEmail, *, to: str, mail_from: str, ics: str, method: str
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = mail_from
    message["To"] = to
    message.set_content(email.body)
    message.add_attachment(
        ics, subtype="calendar", filename="invitation.ics", params={"method": method}
    )
    return message


class MailNotSent(Exception):
    """The SMTP server could not be reached or refused the message; ``str()`` says which."""


async def send(smtp: SmtpSettings, message: EmailMessage) -> None:
    try:
        await aiosmtplib.send(
            message,
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password,
            use_tls=smtp.use_tls,
            timeout=SEND_TIMEOUT_SECONDS,
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        raise MailNotSent(type(error).__name__) from None
