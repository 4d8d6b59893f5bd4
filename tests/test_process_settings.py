"""``python -m bot`` with the settings users write: DATABASE_URL in each form users
write it, on SQLite and on PostgreSQL; a bad one, or a bad LOG_LEVEL, is one line and
exit status 2; and a clean shutdown that closes what it opened."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from bench.procs import free_port, spawn
from bot.config import database_url
from slackfake import FakeSlack
from slackfake import requests as sr
from storage.db import create_engine, ping
from tests.harness import HIRING_CHANNEL, SIGNING_SECRET
from tests.pgcluster import PostgresCluster

EXIT_CONFIG = 2
BASE = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "HIRING_CHANNEL_ID": HIRING_CHANNEL,
}


def run_once(workdir: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run ``python -m bot args`` to its end: its exit status and everything it wrote."""
    process = spawn("once", ["-m", "bot", *args], env, 0, workdir)
    return process.process.wait(60), process.log.read_text()


@pytest.mark.parametrize(
    ("command", "setting", "value", "named"),
    [
        ((), "DATABASE_URL", "mysql://bot:hunter2@db/hiring", "DATABASE_URL names 'mysql'"),
        (("migrate",), "DATABASE_URL", "./hiring.db", "DATABASE_URL is malformed"),
        ((), "LOG_LEVEL", "LOUD", "LOG_LEVEL='LOUD' is malformed"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(
    tmp_path: Path, command: tuple[str, ...], setting: str, value: str, named: str
) -> None:
    code, output = run_once(tmp_path, BASE | {setting: value}, *command)
    assert code == EXIT_CONFIG
    assert output.strip().count("\n") == 0, output
    assert named in output and "hunter2" not in output


async def test_plain_sqlite_url_serves_and_shuts_down_cleanly(tmp_path: Path) -> None:
    """SQLAlchemy's ordinary form; the one Web API session is closed on SIGTERM."""
    async with FakeSlack() as fake:
        port = free_port()
        env = BASE | {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": "sqlite:///./data/hiring.db",
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        bot = spawn("bot", ["-m", "bot"], env, port, tmp_path)
        try:
            await bot.wait_ready("/healthz")
            # bolt's first request calls auth.test, through the session.
            body = sr.slash_command("help", trigger_id="t", response_url=fake.response_url())
            async with aiohttp.ClientSession() as session:
                status, _ = await sr.post(session, bot.events_url, body, SIGNING_SECRET)
        finally:
            # Off the event loop: the fake Slack on it answers the bot on its way out.
            await asyncio.to_thread(bot.stop)
    assert status == 200 and fake.calls_to("auth.test")
    assert (tmp_path / "data" / "hiring.db").is_file()
    log = bot.log.read_text()
    assert bot.process.returncode == 0, log
    assert "Unclosed" not in log and "Traceback" not in log, log


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "driver", ["postgresql", "postgres", "postgresql+psycopg", "postgresql+asyncpg"]
)
async def test_every_postgresql_form_connects(
    postgres_cluster: PostgresCluster, driver: str
) -> None:
    written = postgres_cluster.url("postgres", driver=driver) + "?sslmode=disable"
    engine = create_engine(database_url(written))
    try:
        assert await ping(engine)
    finally:
        await engine.dispose()


@pytest.mark.postgresql
def test_migrate_takes_the_heroku_form(postgres_cluster: PostgresCluster, tmp_path: Path) -> None:
    postgres_cluster.execute("CREATE DATABASE heroku_form")
    url = postgres_cluster.url("heroku_form", driver="postgres")
    code, output = run_once(tmp_path, BASE | {"DATABASE_URL": url}, "migrate")
    assert code == 0, output
