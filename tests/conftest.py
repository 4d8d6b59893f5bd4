"""Fixtures: a migrated database per test, a fake Slack, a clock, and the harness."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.config import Settings, load_settings
from bot.context import BotContext
from bot.kits import Kits, default_prompts_dir, load_kits
from bot.slack_client import build_client
from handlers.slack_notifier import SlackNotifier
from slackfake import FakeSlack
from storage.db import session_factory
from storage.migrate import upgrade
from tests.calendar_servers import HOW_TO_GET, FeedServer, Radicale, SmtpSink
from tests.engines import Engines
from tests.flows import add_people
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, SIGNING_SECRET, Harness
from tests.pgcluster import HOW_TO_ENABLE, PostgresCluster, find_bin_dir

# A Monday, mid-morning UTC: inside default working hours.
START = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# The database every test's database is created from, migrated once per session.
PG_TEMPLATE = "migrated"
# The database the tests use, one after the other, emptied before each (one per cluster,
# so one per pytest-xdist worker).
PG_TESTS = "tests"
# No connection left over from the test before, and every table but Alembic's emptied,
# ids starting from 1 again: a fresh database in a few milliseconds where copying one takes
# 200 ms. Only the tables that were written to are truncated (a table never written to has
# no page, and truncating one costs ~5 ms: 24 tables took 120 ms of every test), and only the
# sequences that were used are restarted (an insert that failed took a number but wrote no
# row); what is left is as TRUNCATE ... RESTART IDENTITY of every table leaves it.
PG_EMPTY = """
DO $$
DECLARE
    written text;
    used record;
BEGIN
    PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid();
    SELECT string_agg(format('%I', relname), ', ') INTO written FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
        AND relname <> 'alembic_version' AND pg_relation_size(oid) > 0;
    IF written IS NOT NULL THEN
        EXECUTE 'TRUNCATE ' || written || ' CASCADE';
    END IF;
    FOR used IN SELECT sequencename FROM pg_sequences
        WHERE schemaname = 'public' AND last_value IS NOT NULL
    LOOP
        EXECUTE format('ALTER SEQUENCE public.%I RESTART', used.sequencename);
    END LOOP;
END
$$
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=(SQLITE, POSTGRESQL),
        default=SQLITE,
        help="database of the `database_url` fixture: a SQLite file per test (default), or a "
        "database per test on a throwaway PostgreSQL cluster started for the session",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgresql: needs PostgreSQL; runs in the `pytest --db=postgresql` pass"
    )
    config.addinivalue_line(
        "markers",
        "both_databases: runs on SQLite and again in the `pytest --db=postgresql` pass (SQL "
        "whose behaviour can differ by dialect: queries, claims, locks, cascades, migrations)",
    )


# Each pass's longest modules (bot processes, a browser, long flows), longest first, as
# measured (a module's seconds on one worker): pytest-xdist hands out modules in collection
# order (pyproject.toml: --no-loadscope-reorder), and one of these handed out last keeps a
# worker busy for half a minute while the others idle. The rest follow, each under 7 s.
LONGEST_FIRST = {
    SQLITE: (
        "test_main.py",  # 45 s
        "test_bench_smoke.py",
        "test_playground_browser.py",
        "test_debrief.py",
        "test_decision_flow.py",
        "test_insights.py",
        "test_edit_candidate.py",
        "test_scorecard_flow.py",
        "test_reminders.py",
        "test_production_path.py",
        "test_schedule.py",
        "test_outbox_flows.py",
        "test_independence.py",
        "test_evidence_flow.py",
        "test_debrief_pack.py",
        "test_home_refresh.py",
        "test_incident_flow.py",
        "test_hiring_team.py",
        "test_playground.py",
        "test_intake.py",
        "test_digest.py",
        "test_clipping_properties.py",
        "test_process_settings.py",
        "test_home.py",
        "test_incident_blocks.py",  # 7 s
    ),
    POSTGRESQL: (
        "test_insights.py",  # 45 s
        "test_replicas.py",
        "test_reminders.py",
        "test_digest.py",
        "test_home_refresh.py",
        "test_listing.py",
        "test_candidates.py",
        "test_home.py",
        "test_evidence_flow.py",
        "test_scorecards.py",  # 9 s
    ),
}


def _longest_first(config: pytest.Config) -> Callable[[pytest.Item], int]:
    longest = LONGEST_FIRST[config.getoption("--db")]

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return longest.index(name) if name in longest else len(longest)

    return rank


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The PostgreSQL pass does not import the modules that cannot hold a test of its own
    (each of its 3 workers would import all 85): the marks below still decide."""
    if config.getoption("--db") != POSTGRESQL or not collection_path.name.startswith("test_"):
        return None
    source = collection_path.read_text(encoding="utf-8")
    marked = "both_databases" in source or "mark.postgresql" in source
    return None if marked else True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_longest_first(config))
    if config.getoption("--db") == SQLITE:
        skip = pytest.mark.skip(reason="needs PostgreSQL: runs with `pytest --db=postgresql`")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(skip)
        return
    # The PostgreSQL pass reruns the modules whose SQL can differ by dialect: the storage
    # behind each feature, what replicas share, and a full loop. Flows that only drive
    # forms over the same queries ran on SQLite, once.
    selected = [
        item for item in items if "postgresql" in item.keywords or "both_databases" in item.keywords
    ]
    deselected = [item for item in items if item not in selected]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
    if find_bin_dir() is not None:
        return
    if os.environ.get("CI"):
        # CI's machine has the binaries: their absence there is a broken machine, not a skip.
        raise pytest.UsageError(f"{HOW_TO_ENABLE}; CI must run this pass")
    for item in items:
        item.add_marker(pytest.mark.skip(reason=HOW_TO_ENABLE))


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real tokens or settings in the developer's shell must never reach a test."""
    names = (
        "SLACK_",
        "HIRING_",
        "DATABASE_URL",
        "HOST",
        "PORT",
        "TIMEZONE",
        "DIGEST_TIME",
        "WORKING_",
        "FEEDBACK_DUE_HOURS",
        "PROMPTS_DIR",
        "RETENTION_DAYS",
        "SECRET_KEY",
        "SMTP_URL",
        "MAIL_FROM",
    )
    for name in list(os.environ):
        if name.startswith(names):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrations run once; each test gets a copy of the resulting file."""
    path = tmp_path_factory.mktemp("template") / "hiring.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A cluster in a temp dir on a free port, with the migrated template database.

    Under pytest-xdist each worker has its own session, so its own cluster: test_outage
    stops its server as a crash would, which must not cut another worker's tests short,
    and a cluster starts in about a second."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(HOW_TO_ENABLE)
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
        cluster.execute(f"CREATE DATABASE {PG_TEMPLATE}")
        upgrade(cluster.url(PG_TEMPLATE))
        cluster.execute(f"CREATE DATABASE {PG_TESTS} TEMPLATE {PG_TEMPLATE}")
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="session")
def sqlite_tests_link(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The name each test's SQLite database has, test after test (one per worker): one URL,
    so that the harness's engine, and the statements it compiled, serve the next test
    (``tests/engines.py``). A symbolic link to the test's own file, which SQLite follows
    when it opens it: the file, its WAL and a connection left open by a test stay that
    test's."""
    return tmp_path_factory.mktemp("database") / "hiring.db"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh migrated database for one test, on the backend chosen by ``--db``."""
    return fresh_database(request, tmp_path)


def fresh_database(request: pytest.FixtureRequest, folder: Path) -> str:
    """What ``database_url`` gives each test: the worker's one URL, on an empty migrated
    database (a new copy in ``folder`` on SQLite). Its earlier databases are left behind."""
    if request.config.getoption("--db") == POSTGRESQL:
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        cluster.execute(PG_EMPTY, database=PG_TESTS)
        return cluster.url(PG_TESTS)
    path = folder / "hiring.db"
    shutil.copyfile(request.getfixturevalue("migrated_template"), path)
    link: Path = request.getfixturevalue("sqlite_tests_link")
    link.unlink(missing_ok=True)
    link.symlink_to(path)
    return f"sqlite+aiosqlite:///{link}"


@pytest.fixture(scope="session")
def kits() -> Kits:
    return load_kits(default_prompts_dir())


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user(HIRING_MANAGER, name="hm", real_name="Hana Manager", tz="Europe/London")
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def settings(fake_slack: FakeSlack, database_url: str) -> Settings:
    return load_settings(
        {
            "SLACK_BOT_TOKEN": fake_slack.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "HIRING_CHANNEL_ID": HIRING_CHANNEL,
            "DATABASE_URL": database_url,
        }
    )


@pytest.fixture(scope="session")
def engines() -> Engines:
    return Engines()


@pytest.fixture
async def make_harness(
    settings: Settings, fake_slack: FakeSlack, clock: FrozenClock, kits: Kits, engines: Engines
) -> AsyncIterator[Callable[..., Any]]:
    """Build a harness; keyword arguments replace settings (e.g. ``hiring_admins``)."""
    started: list[Harness] = []

    async def build(**overrides: Any) -> Harness:
        bot_settings = replace(settings, **overrides)
        prompts = overrides.get("prompts_dir")
        engine = engines.take(bot_settings.database_url)
        bot = BotContext(
            settings=bot_settings,
            engine=engine,
            sessions=session_factory(engine),
            clock=clock,
            kits=load_kits(prompts) if prompts else kits,
        )
        harness = Harness(bot=bot, fake=fake_slack)
        await harness.start()
        started.append(harness)
        return harness

    try:
        yield build
    finally:
        for harness in started:
            await harness.stop()
            await engines.give_back(harness.bot.engine)


@pytest.fixture
async def harness(make_harness: Callable[..., Any]) -> Harness:
    return await make_harness()


@pytest.fixture
def bot(harness: Harness) -> Iterator[BotContext]:
    yield harness.bot


@pytest.fixture
def people(fake_slack: FakeSlack) -> None:
    """The scheduling tests' team in the fake Slack (``tests.flows.add_people``)."""
    add_people(fake_slack)


@pytest.fixture
def notifier(harness: Harness, clock: FrozenClock) -> SlackNotifier:
    """The notifier the sweep sends reminders through, on the harness's fake Slack."""
    return SlackNotifier(build_client(harness.bot.settings), clock)


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    """A real CalDAV server for the session (calendars are named per test)."""
    if importlib.util.find_spec("radicale") is None:
        pytest.skip(f"Radicale is not installed: {HOW_TO_GET}")
    server = Radicale(tmp_path_factory.mktemp("radicale"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    if importlib.util.find_spec("aiosmtpd") is None:
        pytest.skip(f"aiosmtpd is not installed: {HOW_TO_GET}")
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
