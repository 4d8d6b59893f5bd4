"""``python -m bot`` as an operator runs it: real processes, real signals."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
import sys
from pathlib import Path

import aiohttp
import pytest
from cryptography.fernet import Fernet

from bot.kits import default_prompts_dir
from bot.secret_box import SecretBox
from slackfake import FakeSlack
from tests.bot_process import clean_env, run_bot
from tests.harness import HIRING_CHANNEL, SIGNING_SECRET, free_port
from tests.kit_samples import MINIMAL_STAGE

REPO = Path(__file__).resolve().parent.parent


async def test_empty_environment_names_the_bot_token_in_one_line(tmp_path: Path) -> None:
    code, _, err = await run_bot([], tmp_path, clean_env())
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "SLACK_BOT_TOKEN" in lines[0] and "Traceback" not in err


async def test_malformed_digest_time_names_the_variable(tmp_path: Path) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        HIRING_CHANNEL_ID=HIRING_CHANNEL,
        DIGEST_TIME="25:00",
    )
    code, _, err = await run_bot([], tmp_path, env)
    assert code == 2
    assert err.strip().count("\n") == 0 and "DIGEST_TIME" in err


async def test_migrate_creates_the_default_sqlite_database(tmp_path: Path) -> None:
    code, _, err = await run_bot(["migrate"], tmp_path, clean_env())
    assert code == 0, err
    database = tmp_path / "data" / "hiring.db"
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert {"candidate", "interview", "scorecard", "reminder", "alembic_version"} <= tables
    assert journal == "wal"


@pytest.fixture(scope="module")
def plain_check(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, str]:
    """``python -m bot check`` with nothing set, in an empty folder: one run, read by every
    test about that case."""
    return asyncio.run(run_bot(["check"], tmp_path_factory.mktemp("plain"), clean_env()))


def test_check_validates_the_shipped_kits(plain_check: tuple[int, str, str]) -> None:
    code, out, err = plain_check
    assert code == 0, err
    assert out.startswith("ok: ")


async def test_check_loads_neither_the_database_models_nor_the_web_server(
    tmp_path: Path,
) -> None:
    """``check`` is run by hand and at every deploy: it answers in a fraction of a second
    because it loads what it checks, not the whole bot (with no database yet, not even the
    database models)."""
    unused = ("storage.models", "aiohttp", "bot.retention", "bot.context", "slack_bolt")
    probe = (
        "import sys; from bot.__main__ import main; code = main(['check']); "
        f"print(code, [m for m in {unused!r} if m in sys.modules])"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        probe,
        cwd=tmp_path,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert out.decode().strip().splitlines()[-1] == "0 []", err.decode()


async def test_check_reads_prompts_dir_and_names_a_bad_file(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(
        default_prompts_dir(), prompts, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    (prompts / "stages" / "take_home.toml").write_text(MINIMAL_STAGE, encoding="utf-8")
    code, out, err = await run_bot(["check"], tmp_path, clean_env(PROMPTS_DIR=str(prompts)))
    assert code == 0, err
    assert out.splitlines()[0] == (
        "ok: 4 stages (screening, technical, take_home, system_design), 3 incident scenarios "
        "(ctr_drop, feature_store_latency, training_serving_skew)"
    )

    technical = prompts / "stages" / "technical.toml"
    technical.write_text(
        technical.read_text(encoding="utf-8").replace(
            'id = "autoscaling"\nname', 'id = "k8s_serving"\nname'
        ),
        encoding="utf-8",
    )
    code, out, err = await run_bot(["check"], tmp_path, clean_env(PROMPTS_DIR=str(prompts)))
    assert (code, out) == (2, "")
    assert err == (
        "error: stages/technical.toml: competencies[3].id: duplicate competency id 'k8s_serving'\n"
    )


async def test_check_names_the_file_scenario_and_field_of_a_bad_incident(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(
        default_prompts_dir(), prompts, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    scenario = prompts / "incidents" / "feature_store_latency.toml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace(
            "values = [31, 30, 32, 31, 30, 31, 32, 55, 57, 58, 58, 57, 58, 59]",
            "values = [31, 30, 32]",
        ),
        encoding="utf-8",
    )
    code, out, err = await run_bot(["check"], tmp_path, clean_env(PROMPTS_DIR=str(prompts)))
    assert (code, out) == (2, "")
    assert err == (
        "error: incidents/feature_store_latency.toml: scenario 'feature_store_latency', "
        "field injects[0].chart.series[0].values: 3 values for 14 x labels\n"
    )


async def test_check_says_in_one_line_that_closed_candidates_are_kept(
    tmp_path: Path, plain_check: tuple[int, str, str]
) -> None:
    code, out, err = plain_check
    assert code == 0, err
    (line,) = [line for line in out.splitlines() if line.startswith("retention:")]
    assert "RETENTION_DAYS is not set" in line and "kept" in line
    code, out, _ = await run_bot(["check"], tmp_path, clean_env(RETENTION_DAYS="365"))
    assert "erased 365 days after they close" in out


async def test_check_refuses_a_malformed_retention_in_one_line(tmp_path: Path) -> None:
    for bad in ("0", "ninety"):
        code, out, err = await run_bot(["check"], tmp_path, clean_env(RETENTION_DAYS=bad))
        assert code == 2 and "retention" not in out
        assert err == (
            f"error: RETENTION_DAYS={bad!r} is malformed: expected a whole number from 1 to 3650\n"
        )


def _slack_env(fake: FakeSlack) -> dict[str, str]:
    return clean_env(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        HIRING_CHANNEL_ID=HIRING_CHANNEL,
    )


async def test_check_warns_when_the_hiring_channel_is_public(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel(HIRING_CHANNEL, name="hiring", is_private=False)
    code, out, err = await run_bot(["check"], tmp_path, _slack_env(fake_slack))
    assert code == 0, err
    (line,) = [line for line in out.splitlines() if line.startswith("warning:")]
    assert f"{HIRING_CHANNEL} (#hiring) is public" in line and "whole workspace" in line
    assert fake_slack.calls_to("conversations.info")[0].args["channel"] == HIRING_CHANNEL


async def test_check_passes_a_private_hiring_channel(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.add_channel(HIRING_CHANNEL, is_private=True)
    code, out, err = await run_bot(["check"], tmp_path, _slack_env(fake_slack))
    assert code == 0, err
    assert f"ok: the hiring channel {HIRING_CHANNEL} is private" in out.splitlines()
    assert "warning" not in out


async def test_check_warns_about_delivery_wording_and_still_passes(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(
        default_prompts_dir(), prompts, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    design = prompts / "stages" / "system_design.toml"
    design.write_text(
        design.read_text(encoding="utf-8").replace(
            'name = "Incident communication"', 'name = "Calm communication"'
        ),
        encoding="utf-8",
    )
    code, out, err = await run_bot(["check"], tmp_path, clean_env(PROMPTS_DIR=str(prompts)))
    assert code == 0 and out.startswith("ok: ")
    assert err == (
        "warning: stages/system_design.toml: competencies[3].name: judges delivery ('calm'); "
        "reword it to judge the structure and content of the answer\n"
    )


async def test_a_bad_kit_stops_start_up_in_one_line(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(
        default_prompts_dir(), prompts, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    (prompts / "stages" / "take_home.toml").write_text(
        MINIMAL_STAGE.replace('title = "Take-home review"', 'titel = "Take-home review"'),
        encoding="utf-8",
    )
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        HIRING_CHANNEL_ID=HIRING_CHANNEL,
        PROMPTS_DIR=str(prompts),
    )
    code, _, err = await run_bot([], tmp_path, env)
    assert code == 2
    assert err == "error: stages/take_home.toml: unknown field 'titel'\n"
    assert not (tmp_path / "data").exists(), "stopped before touching the database"


async def test_http_mode_serves_healthz_and_stops_cleanly_on_sigterm(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """Also: a team's kit that judges delivery starts, with the warning in the log."""
    port = free_port()
    prompts = tmp_path / "prompts"
    shutil.copytree(
        default_prompts_dir(), prompts, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    design = prompts / "stages" / "system_design.toml"
    design.write_text(
        design.read_text(encoding="utf-8").replace(
            'name = "Incident communication"', 'name = "Calm communication"'
        ),
        encoding="utf-8",
    )
    (tmp_path / ".env").write_text(
        f"PROMPTS_DIR={prompts}\n"
        f"SLACK_BOT_TOKEN={fake_slack.bot_token}\n"
        f"SLACK_SIGNING_SECRET={SIGNING_SECRET}\n"
        f"SLACK_API_URL={fake_slack.api_url}\n"
        f"HIRING_CHANNEL_ID={HIRING_CHANNEL}\n"
        f"HOST=127.0.0.1\nPORT={port}\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        status = await _wait_for_health(f"http://127.0.0.1:{port}/healthz", process)
        assert status == 200
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, err.decode()
        assert "stopped" in err.decode() and "Traceback" not in err.decode()
        # The fake's hiring channel is public: start-up says so, in one line.
        (warning,) = [line for line in err.decode().splitlines() if "is public" in line]
        assert "WARNING" in warning and "whole workspace" in warning
        assert (
            "kit: stages/system_design.toml: competencies[3].name: judges delivery ('calm')"
            in err.decode()
        )
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _wait_for_health(url: str, process: asyncio.subprocess.Process) -> int:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            if process.returncode is not None:
                _, err = await process.communicate()
                raise AssertionError(f"bot exited early: {err.decode()}")
            try:
                async with session.get(url) as response:
                    return response.status
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise AssertionError("bot never answered /healthz")


async def test_check_says_when_connected_calendars_need_a_secret_key(
    tmp_path: Path, migrated_template: Path
) -> None:
    # Where the process finds its default database (migrating it is tested above).
    (tmp_path / "data").mkdir()
    shutil.copyfile(migrated_template, tmp_path / "data" / "hiring.db")
    key, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    secret = SecretBox([key]).seal('{"url": "https://calendar.example.com/secret-feed"}')
    with sqlite3.connect(tmp_path / "data" / "hiring.db") as connection:
        connection.execute(
            "INSERT INTO calendar_connection VALUES (?, ?, ?, ?, ?)",
            ("U0ANA", "ics", secret, "feed", "2026-11-30 10:00:00.000000"),
        )

    code, out, err = await run_bot(["check"], tmp_path, clean_env())
    assert (code, out) == (2, "")
    assert err.startswith("error: SECRET_KEY is not set: 1 connected calendar(s)")
    assert err.count("\n") == 1
    code, _, err = await run_bot(["check"], tmp_path, clean_env(SECRET_KEY=other))
    assert code == 2 and "SECRET_KEY does not open 1 of 1" in err
    code, out, err = await run_bot(["check"], tmp_path, clean_env(SECRET_KEY=f"{other},{key}"))
    assert code == 0, err
    assert "secret-feed" not in out + err
    # Start-up stops on the same line.
    slack = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    code, _, err = await run_bot([], tmp_path, clean_env(HIRING_CHANNEL_ID=HIRING_CHANNEL, **slack))
    # (after the migrations' own log lines)
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("error: SECRET_KEY is not set")


async def test_check_names_a_bad_email_template(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(
        default_prompts_dir(), prompts, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    emails = prompts / "candidate_email.toml"
    emails.write_text(
        emails.read_text(encoding="utf-8").replace("$candidate_name,", "$candidate,", 1),
        encoding="utf-8",
    )
    code, out, err = await run_bot(["check"], tmp_path, clean_env(PROMPTS_DIR=str(prompts)))
    assert (code, out) == (2, "")
    assert err.startswith("error: candidate_email.toml: invitation.body: unknown placeholder")
    assert "$candidate" in err and err.count("\n") == 1
