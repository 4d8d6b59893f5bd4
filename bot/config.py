"""Settings read from the environment, validated once at start-up.

Every setting of DESIGN.md's table is parsed here; a bad one raises ``ConfigError``
whose message is the single line shown to the operator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/hiring.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Each URL scheme users write, and the async driver it runs on: the one we ship for each
# database. A sync driver named in the URL (SQLAlchemy's ordinary form) is swapped for it.
DATABASE_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
DATABASE_URL_FORMS = (
    "sqlite:///path/to/file.db, postgresql://user:password@host:5432/db or postgres://…, "
    "optionally with a driver (+aiosqlite, +asyncpg, +psycopg)"
)


class ConfigError(Exception):
    """A setting is missing or malformed; ``str()`` names it and what is expected."""


@dataclass(frozen=True)
class WorkingHours:
    start: time
    # ``None`` stands for 24:00, the end of the day, which ``datetime.time`` cannot hold.
    end: time | None

    def contains(self, moment: time) -> bool:
        return moment >= self.start and (self.end is None or moment < self.end)


@dataclass(frozen=True)
class SmtpSettings:
    """Where candidate emails go out: ``SMTP_URL`` taken apart, and ``MAIL_FROM``."""

    host: str
    port: int
    # Implicit TLS from the first byte (smtps://); otherwise STARTTLS when offered.
    use_tls: bool
    username: str | None
    password: str | None
    mail_from: str

    def __repr__(self) -> str:
        # The password must never reach a log line through a repr.
        return f"SmtpSettings(host={self.host!r}, port={self.port}, use_tls={self.use_tls})"


@dataclass(frozen=True)
class Settings:
    bot_token: str
    hiring_channel_id: str
    signing_secret: str | None = None
    app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    hiring_admins: frozenset[str] = frozenset()
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "0.0.0.0"
    port: int = 3000
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    digest_time: time = time(9, 0)
    working_days: frozenset[int] = frozenset(range(5))
    working_hours: WorkingHours = WorkingHours(time(9, 0), time(18, 0))
    feedback_due_hours: int = 24
    prompts_dir: Path | None = None
    # How often each replica sends what is due, and how long its claim on a reminder lasts:
    # small, since a crash can make a reminder go out twice within it, but long enough for
    # one batch to be sent through Slack's rate limits.
    reminder_sweep: timedelta = timedelta(seconds=20)
    reminder_lease: timedelta = timedelta(seconds=60)
    # Closed candidates are erased this many days after closing; None keeps them.
    retention_days: int | None = None
    # Fernet keys, the first encrypting: stored calendar addresses and passwords.
    secret_keys: tuple[str, ...] = field(default=(), repr=False)
    smtp: SmtpSettings | None = None

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


def _required(env: Mapping[str, str], name: str, expected: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set: expected {expected}")
    return value


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _token(env: Mapping[str, str], name: str, prefix: str) -> str | None:
    value = _optional(env, name)
    if value is not None and not value.startswith(prefix):
        raise ConfigError(f"{name} is malformed: expected a token starting with {prefix}")
    return value


def _clock_time(name: str, value: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(f"{name}={value!r} is malformed: expected HH:MM between 00:00 and 23:59")
    return time(int(match[1]), int(match[2]))


def parse_working_days(value: str, name: str = "WORKING_DAYS") -> frozenset[int]:
    """``mon-fri``, ``sun-thu`` or ``mon,wed,fri`` to weekday numbers (Monday is 0)."""
    expected = "day names like mon-fri, sun-thu or mon,wed,fri"
    days: set[int] = set()
    for part in value.lower().split(","):
        ends = [p.strip() for p in part.split("-")]
        if len(ends) > 2 or any(end not in DAY_NAMES for end in ends):
            raise ConfigError(f"{name}={value!r} is malformed: expected {expected}")
        first, last = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        # A range may wrap the week's end, as sun-thu does.
        span = (last - first) % 7
        days.update((first + offset) % 7 for offset in range(span + 1))
    return frozenset(days)


def parse_working_hours(value: str, name: str = "WORKING_HOURS") -> WorkingHours:
    expected = "HH:MM-HH:MM with the start before the end, e.g. 09:00-18:00 or 00:00-24:00"
    parts = value.split("-")
    if len(parts) != 2:
        raise ConfigError(f"{name}={value!r} is malformed: expected {expected}")
    start_text, end_text = (p.strip() for p in parts)
    try:
        start = _clock_time(name, start_text)
        end = None if end_text == "24:00" else _clock_time(name, end_text)
    except ConfigError:
        raise ConfigError(f"{name}={value!r} is malformed: expected {expected}") from None
    if end is not None and end <= start:
        raise ConfigError(f"{name}={value!r} is malformed: expected {expected}")
    return WorkingHours(start, end)


def _positive_int(env: Mapping[str, str], name: str, default: int, upper: int) -> int:
    raw = _optional(env, name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= upper:
        raise ConfigError(f"{name}={raw!r} is malformed: expected a whole number from 1 to {upper}")
    return int(raw)


def _timezone(env: Mapping[str, str]) -> ZoneInfo:
    raw = _optional(env, "TIMEZONE") or "UTC"
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"TIMEZONE={raw!r} is unknown: expected an IANA zone like Europe/Berlin"
        ) from None


def _channel_id(env: Mapping[str, str]) -> str:
    value = _required(env, "HIRING_CHANNEL_ID", "a channel ID like C0123456789")
    if not re.fullmatch(r"[CG][A-Z0-9]{2,}", value):
        raise ConfigError(
            f"HIRING_CHANNEL_ID={value!r} is malformed: expected a channel ID like C0123456789"
        )
    return value


def _admins(env: Mapping[str, str]) -> frozenset[str]:
    raw = _optional(env, "HIRING_ADMINS") or ""
    admins = frozenset(part.strip() for part in raw.split(",") if part.strip())
    bad = sorted(a for a in admins if not re.fullmatch(r"[UW][A-Z0-9]+", a))
    if bad:
        raise ConfigError(
            f"HIRING_ADMINS has {bad[0]!r}: expected comma-separated user IDs like U0123456789"
        )
    return admins


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = _optional(env, name) or default
    if not re.match(r"https?://", value):
        raise ConfigError(f"{name}={value!r} is malformed: expected an http(s) URL")
    return value if value.endswith("/") else value + "/"


def database_url(raw: str) -> str:
    """``raw`` as SQLAlchemy's async engine takes it: the driver we ship for its database.

    PostgreSQL runs on asyncpg whatever driver the URL names; libpq's ``sslmode`` becomes
    asyncpg's ``ssl``, which takes the same values. The message of a bad URL shows its
    scheme and parameters only, never its password.
    """
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise ConfigError(f"DATABASE_URL is malformed: expected {DATABASE_URL_FORMS}") from None
    driver = DATABASE_DRIVERS.get(url.drivername)
    if driver is None:
        raise ConfigError(
            f"DATABASE_URL names {url.drivername!r}, which the bot cannot use: "
            f"expected {DATABASE_URL_FORMS}"
        )
    if driver == "postgresql+asyncpg":
        url = _asyncpg_query(url)
    return url.set(drivername=driver).render_as_string(hide_password=False)


def _asyncpg_query(url: URL) -> URL:
    query = dict(url.query)
    if "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    unknown = sorted(set(query) - {"ssl"})
    if unknown:
        raise ConfigError(
            f"DATABASE_URL has the parameter {unknown[0]!r}, which the bot cannot use: "
            "expected none, or sslmode (disable, allow, prefer, require, verify-ca, verify-full)"
        )
    return url.set(query=query)


def log_level(env: Mapping[str, str]) -> str:
    raw = _optional(env, "LOG_LEVEL") or "INFO"
    if raw.upper() not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL={raw!r} is malformed: expected {', '.join(LOG_LEVELS)}")
    return raw.upper()


def database_url_setting(env: Mapping[str, str]) -> str:
    return database_url(_optional(env, "DATABASE_URL") or DEFAULT_DATABASE_URL)


def _prompts_dir(env: Mapping[str, str]) -> Path | None:
    raw = _optional(env, "PROMPTS_DIR")
    if raw is None:
        return None
    path = Path(raw)
    if not path.is_dir():
        raise ConfigError(f"PROMPTS_DIR={raw!r} is not a directory: expected a folder of kits")
    return path


def parse_retention_days(env: Mapping[str, str]) -> int | None:
    """``RETENTION_DAYS``: None when unset (candidates are kept), else 1 to 3650 days."""
    if _optional(env, "RETENTION_DAYS") is None:
        return None
    return _positive_int(env, "RETENTION_DAYS", 0, 3650)


_FERNET_KEY = re.compile(r"[A-Za-z0-9_-]{43}=")
SECRET_KEY_EXPECTED = (
    "expected a Fernet key (44 characters of url-safe base64), e.g. from "
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    "; several, comma-separated, the first encrypting, to rotate"
)
_MAIL_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


def parse_secret_keys(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = _optional(env, "SECRET_KEY") or ""
    keys = tuple(part.strip() for part in raw.split(",") if part.strip())
    if any(not _FERNET_KEY.fullmatch(key) for key in keys):
        # The value is a secret: the line names the setting, never what it holds.
        raise ConfigError(f"SECRET_KEY is malformed: {SECRET_KEY_EXPECTED}")
    return keys


def is_mail_address(value: str) -> bool:
    return bool(_MAIL_ADDRESS.fullmatch(value))


def parse_smtp(env: Mapping[str, str]) -> SmtpSettings | None:
    """``SMTP_URL`` (``smtp://user:password@host:587`` or ``smtps://…:465``) and
    ``MAIL_FROM``; None when SMTP_URL is unset."""
    raw = _optional(env, "SMTP_URL")
    mail_from = _optional(env, "MAIL_FROM")
    if raw is None:
        if mail_from is not None and not is_mail_address(mail_from):
            raise ConfigError(f"MAIL_FROM={mail_from!r} is malformed: expected an email address")
        return None
    expected = "expected smtp://[user:password@]host[:port] or smtps://…"
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ConfigError(f"SMTP_URL is malformed: {expected}") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        # Credentials may sit in the URL: the line never repeats it.
        raise ConfigError(f"SMTP_URL is malformed: {expected}")
    if mail_from is None:
        raise ConfigError(
            "MAIL_FROM is not set: expected the sender address of candidate emails, "
            "required with SMTP_URL"
        )
    if not is_mail_address(mail_from):
        raise ConfigError(f"MAIL_FROM={mail_from!r} is malformed: expected an email address")
    use_tls = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname,
        port=port or (465 if use_tls else 587),
        use_tls=use_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        mail_from=mail_from,
    )


def load_settings(env: Mapping[str, str]) -> Settings:
    """Parse and validate every setting; raise ``ConfigError`` on the first bad one."""
    bot_token = _token(env, "SLACK_BOT_TOKEN", "xoxb-")
    if bot_token is None:
        raise ConfigError("SLACK_BOT_TOKEN is not set: expected a bot token starting with xoxb-")
    app_token = _token(env, "SLACK_APP_TOKEN", "xapp-")
    signing_secret = _optional(env, "SLACK_SIGNING_SECRET")
    if app_token is None and signing_secret is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: expected the app's signing secret "
            "(required in HTTP mode, i.e. when SLACK_APP_TOKEN is not set)"
        )
    port = _positive_int(env, "PORT", 3000, 65535)
    working_hours_raw = _optional(env, "WORKING_HOURS")
    working_days_raw = _optional(env, "WORKING_DAYS")
    digest_raw = _optional(env, "DIGEST_TIME")
    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        slack_api_url=_url(env, "SLACK_API_URL", DEFAULT_SLACK_API_URL),
        hiring_channel_id=_channel_id(env),
        hiring_admins=_admins(env),
        database_url=database_url_setting(env),
        host=_optional(env, "HOST") or "0.0.0.0",
        port=port,
        timezone=_timezone(env),
        digest_time=_clock_time("DIGEST_TIME", digest_raw) if digest_raw else time(9, 0),
        working_days=parse_working_days(working_days_raw)
        if working_days_raw
        else Settings.working_days,
        working_hours=(
            parse_working_hours(working_hours_raw) if working_hours_raw else Settings.working_hours
        ),
        feedback_due_hours=_positive_int(env, "FEEDBACK_DUE_HOURS", 24, 24 * 30),
        prompts_dir=_prompts_dir(env),
        reminder_sweep=timedelta(seconds=_positive_int(env, "REMINDER_SWEEP_SECONDS", 20, 30)),
        reminder_lease=timedelta(seconds=_positive_int(env, "REMINDER_LEASE_SECONDS", 60, 3600)),
        retention_days=parse_retention_days(env),
        secret_keys=parse_secret_keys(env),
        smtp=parse_smtp(env),
    )
