"""Who is in the playground's workspace, and the settings the bot runs with there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slackfake import FakeSlack

HIRING_CHANNEL = "C0PGHIRING"
HIRING_CHANNEL_NAME = "hiring-mlops"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    tz: str

    @property
    def handle(self) -> str:
        return self.name.split()[0].lower()


HIRING_MANAGER = Person("U0PGMAYA", "Maya Chen", "Hiring manager", "Europe/Berlin")
INTERVIEWERS = (
    Person("U0PGRAVI", "Ravi Patel", "Interviewer", "Asia/Kolkata"),
    Person("U0PGANA", "Ana Souza", "Interviewer", "America/Sao_Paulo"),
    Person("U0PGSAM", "Sam Okafor", "Interviewer", "America/Los_Angeles"),
)
OUTSIDER = Person("U0PGNOAH", "Noah Fischer", "Not on the hiring team", "Europe/London")
PEOPLE = (HIRING_MANAGER, *INTERVIEWERS, OUTSIDER)
# Who is in the private hiring channel, and so reads its threads.
CHANNEL_MEMBERS = frozenset(p.id for p in (HIRING_MANAGER, *INTERVIEWERS))


def person(user_id: str) -> Person | None:
    return next((p for p in PEOPLE if p.id == user_id), None)


def populate(fake: FakeSlack) -> None:
    """The hiring channel (private, the bot invited) and the people, each with their zone
    as Slack reports it."""
    fake.add_channel(HIRING_CHANNEL, name=HIRING_CHANNEL_NAME, is_private=True)
    now = datetime.now(UTC)
    for p in PEOPLE:
        offset = now.astimezone(ZoneInfo(p.tz)).utcoffset()
        seconds = int(offset.total_seconds()) if offset is not None else 0
        fake.add_user(p.id, name=p.handle, real_name=p.name, tz=p.tz, tz_offset=seconds)
        # Everyone can talk to the app from its Messages tab, before it ever wrote to them.
        fake.open_dm(p.id)


def bot_environment(
    environ: Mapping[str, str],
    fake: FakeSlack,
    *,
    signing_secret: str,
    port: int,
    database_url: str,
) -> dict[str, str]:
    """The environment ``load_settings`` reads in the playground: the user's own non-Slack
    settings (digest time, working hours…) kept, the Slack ones pointed at the fake."""
    kept = {
        key: value
        for key, value in environ.items()
        if not key.startswith("SLACK_") and key not in ("DATABASE_URL", "HOST", "PORT")
    }
    return kept | {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": signing_secret,
        "SLACK_API_URL": fake.api_url,
        "HIRING_CHANNEL_ID": HIRING_CHANNEL,
        "HIRING_ADMINS": HIRING_MANAGER.id,
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        # Due reminders go out within seconds of a jump of the clock.
        "REMINDER_SWEEP_SECONDS": "2",
    }
