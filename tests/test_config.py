"""Settings: every bad value stops start-up with one line naming it."""

from __future__ import annotations

from datetime import time

import pytest
from cryptography.fernet import Fernet

from bot.config import (
    ConfigError,
    load_settings,
    log_level,
    parse_working_days,
    parse_working_hours,
)

KEY, OLD_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
BASE = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_SIGNING_SECRET": "secret",
    "HIRING_CHANNEL_ID": "C0HIRING",
}


def test_defaults_follow_the_design_table() -> None:
    settings = load_settings(BASE)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite+aiosqlite:///./data/hiring.db"
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)
    assert str(settings.timezone) == "UTC"
    assert settings.digest_time == time(9, 0)
    assert settings.working_days == frozenset(range(5))
    assert settings.working_hours.start == time(9) and settings.working_hours.end == time(18)
    assert settings.feedback_due_hours == 24
    assert settings.hiring_admins == frozenset()
    assert settings.retention_days is None  # closed candidates are kept
    assert not settings.socket_mode


def test_every_setting_is_read() -> None:
    settings = load_settings(
        BASE
        | {
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "HIRING_ADMINS": "U0A1, U0A2",
            "DATABASE_URL": "postgresql+asyncpg://u@h/db",
            "HOST": "127.0.0.1",
            "PORT": "8080",
            "TIMEZONE": "Europe/Berlin",
            "DIGEST_TIME": "08:30",
            "WORKING_DAYS": "sun-thu",
            "WORKING_HOURS": "00:00-24:00",
            "FEEDBACK_DUE_HOURS": "48",
            "RETENTION_DAYS": "730",
        }
    )
    assert settings.socket_mode
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.hiring_admins == {"U0A1", "U0A2"}
    assert settings.port == 8080
    assert str(settings.timezone) == "Europe/Berlin"
    assert settings.digest_time == time(8, 30)
    assert settings.working_days == {6, 0, 1, 2, 3}
    assert settings.working_hours.contains(time(23, 59))
    assert settings.feedback_due_hours == 48
    assert settings.retention_days == 730


@pytest.mark.parametrize(
    ("overrides", "named", "expected"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN", "xoxb-"),
        ({"SLACK_BOT_TOKEN": "xapp-wrong"}, "SLACK_BOT_TOKEN", "xoxb-"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN", "xapp-"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET", "HTTP mode"),
        ({"HIRING_CHANNEL_ID": ""}, "HIRING_CHANNEL_ID", "channel ID"),
        ({"HIRING_CHANNEL_ID": "#hiring"}, "HIRING_CHANNEL_ID", "channel ID"),
        ({"HIRING_ADMINS": "U0A1,alice"}, "HIRING_ADMINS", "user IDs"),
        ({"DIGEST_TIME": "25:00"}, "DIGEST_TIME", "HH:MM"),
        ({"DIGEST_TIME": "9am"}, "DIGEST_TIME", "HH:MM"),
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE", "IANA"),
        ({"WORKING_DAYS": "mon-fry"}, "WORKING_DAYS", "mon-fri"),
        ({"WORKING_HOURS": "18:00-09:00"}, "WORKING_HOURS", "HH:MM-HH:MM"),
        ({"WORKING_HOURS": "nine to five"}, "WORKING_HOURS", "HH:MM-HH:MM"),
        ({"PORT": "http"}, "PORT", "whole number"),
        ({"PORT": "70000"}, "PORT", "whole number"),
        ({"FEEDBACK_DUE_HOURS": "0"}, "FEEDBACK_DUE_HOURS", "whole number"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL", "http(s) URL"),
        ({"PROMPTS_DIR": "/no/such/folder"}, "PROMPTS_DIR", "directory"),
        ({"RETENTION_DAYS": "0"}, "RETENTION_DAYS", "whole number from 1 to 3650"),
        ({"RETENTION_DAYS": "90d"}, "RETENTION_DAYS", "whole number"),
        ({"RETENTION_DAYS": "10000"}, "RETENTION_DAYS", "whole number"),
        ({"SECRET_KEY": "hunter2"}, "SECRET_KEY", "Fernet key"),
        ({"SECRET_KEY": f"{KEY},short"}, "SECRET_KEY", "Fernet key"),
        ({"SMTP_URL": "mail.example.com:587"}, "SMTP_URL", "smtp://"),
        ({"SMTP_URL": "https://u:pw@mail.example.com"}, "SMTP_URL", "smtp://"),
        ({"SMTP_URL": "smtp://mail.example.com:port"}, "SMTP_URL", "smtp://"),
        ({"SMTP_URL": "smtp://mail.example.com"}, "MAIL_FROM", "required with SMTP_URL"),
        (
            {"SMTP_URL": "smtp://mail.example.com", "MAIL_FROM": "hiring"},
            "MAIL_FROM",
            "email address",
        ),
        ({"MAIL_FROM": "not an address"}, "MAIL_FROM", "email address"),
    ],
)
def test_bad_setting_is_named_in_one_line(
    overrides: dict[str, str], named: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(BASE | overrides)
    message = str(caught.value)
    assert named in message and expected in message
    assert "\n" not in message


def test_secrets_are_parsed_and_never_repeated() -> None:
    settings = load_settings(
        BASE
        | {
            "SECRET_KEY": f"{KEY}, {OLD_KEY}",
            "SMTP_URL": "smtps://hiring%40example.com:p%40ss@mail.example.com",
            "MAIL_FROM": "hiring@example.com",
        }
    )
    assert settings.secret_keys == (KEY, OLD_KEY)
    assert settings.smtp is not None
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.use_tls) == (
        "mail.example.com",
        465,
        True,
    )
    assert (settings.smtp.username, settings.smtp.password) == ("hiring@example.com", "p@ss")
    assert KEY not in repr(settings) and "p@ss" not in repr(settings)
    with pytest.raises(ConfigError) as caught:
        load_settings(BASE | {"SMTP_URL": "smtp://u:secret-pw@[bad", "MAIL_FROM": "a@b.co"})
    assert "secret-pw" not in str(caught.value)


def test_socket_mode_needs_no_signing_secret() -> None:
    env = BASE | {"SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "xapp-1"}
    assert load_settings(env).socket_mode


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("mon-sun", set(range(7))),
        ("mon,wed,fri", {0, 2, 4}),
        ("sat", {5}),
    ],
)
def test_working_days(text: str, days: set[int]) -> None:
    assert parse_working_days(text) == days


def test_working_hours_window() -> None:
    hours = parse_working_hours("09:00-18:00")
    assert hours.contains(time(9)) and hours.contains(time(17, 59))
    assert not hours.contains(time(18)) and not hours.contains(time(8, 59))


@pytest.mark.parametrize(
    ("written", "runs_on"),
    [
        ("sqlite:///./data/hiring.db", "sqlite+aiosqlite:///./data/hiring.db"),
        ("sqlite+aiosqlite:////srv/hiring.db", "sqlite+aiosqlite:////srv/hiring.db"),
        ("postgresql://bot:pw@db:5432/hiring", "postgresql+asyncpg://bot:pw@db:5432/hiring"),
        ("postgres://bot:pw@db/hiring", "postgresql+asyncpg://bot:pw@db/hiring"),
        ("postgresql+asyncpg://bot@db/hiring", "postgresql+asyncpg://bot@db/hiring"),
        ("postgresql+psycopg://bot:pw@db/hiring", "postgresql+asyncpg://bot:pw@db/hiring"),
        (
            "postgres://bot:pw@db/hiring?sslmode=require",
            "postgresql+asyncpg://bot:pw@db/hiring?ssl=require",
        ),
    ],
)
def test_database_url_as_users_write_it_runs_on_the_driver_we_ship(
    written: str, runs_on: str
) -> None:
    assert load_settings(BASE | {"DATABASE_URL": written}).database_url == runs_on


@pytest.mark.parametrize(
    "written",
    [
        "mysql://bot:hunter2@db/hiring",
        "postgresql+pg8000://bot:hunter2@db/hiring",
        "hiring.db",
        "postgres://bot:hunter2@db/hiring?application_name=bot",
    ],
)
def test_a_database_url_the_bot_cannot_use_is_named_without_its_password(written: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(BASE | {"DATABASE_URL": written})
    message = str(raised.value)
    assert message.startswith("DATABASE_URL ") and "\n" not in message
    assert "sqlite:///" in message or "sslmode" in message
    assert "hunter2" not in message


def test_log_level_names_the_levels_it_takes() -> None:
    assert log_level({"LOG_LEVEL": "debug"}) == "DEBUG"
    assert log_level({}) == "INFO"
    with pytest.raises(ConfigError, match="LOG_LEVEL='LOUD' is malformed: expected DEBUG, INFO"):
        log_level({"LOG_LEVEL": "LOUD"})
