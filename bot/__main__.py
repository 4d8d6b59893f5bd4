"""``python -m bot``: run the bot, or one of its maintenance commands.

Each command imports what it needs when it runs: a setting that stops start-up is said in
a fraction of a second, not after the whole bot (the database models, the calendar clients,
every listener) has been imported.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from dotenv import find_dotenv, load_dotenv

from bot.config import (
    ConfigError,
    database_url_setting,
    load_settings,
    log_level,
    parse_retention_days,
    parse_secret_keys,
    parse_smtp,
)
from bot.kits import check_kits, default_prompts_dir
from bot.logs import configure_logging
from bot.prompt_files import KitError

EXIT_CONFIG = 2

logger = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="MLOps hiring bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="apply database migrations and exit")
    commands.add_parser(
        "check",
        help="validate the interview kits, incident scenarios, email templates and calendar "
        "secrets, say the retention, check the hiring channel, and exit",
    )
    playground = commands.add_parser(
        "playground", help="try the bot in a local Slack-like page, no Slack app needed"
    )
    playground.add_argument(
        "--demo", action="store_true", help="start with three candidates at different stages"
    )
    playground.add_argument(
        "--port", type=int, default=3000, help="the page's port, or the next free one (0: any)"
    )
    digest = commands.add_parser("digest", help="show today's digest")
    digest.add_argument(
        "--print",
        action="store_true",
        required=True,
        help="print it as text without posting (/mlops-candidate digest posts it)",
    )
    return parser


def _migrate() -> None:
    from storage.migrate import upgrade

    upgrade(database_url_setting(os.environ))


def _check() -> None:
    from pathlib import Path

    from bot.candidate_email import load_candidate_emails

    directory = os.environ.get("PROMPTS_DIR", "").strip()
    folder = Path(directory) if directory else None
    kits, warnings = check_kits(folder or default_prompts_dir())
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    load_candidate_emails(folder)
    keys = parse_secret_keys(os.environ)
    smtp = parse_smtp(os.environ)
    _check_secrets(database_url_setting(os.environ), keys)
    incidents = f"{len(kits.incidents)} incident scenarios"
    if kits.incidents:
        incidents += f" ({', '.join(s.key for s in kits.incidents)})"
    print(f"ok: {len(kits.stages)} stages ({', '.join(s.key for s in kits.stages)}), {incidents}")
    print(
        f"ok: candidate emails {'by ' + smtp.host if smtp else 'forwarded by the hiring manager'}"
    )
    print(_retention_summary(parse_retention_days(os.environ)))
    if not os.environ.get("SLACK_BOT_TOKEN", "").strip():
        print("note: SLACK_BOT_TOKEN is not set, so the hiring channel was not checked")
        return
    from bot.runtime import check_hiring_channel

    print(asyncio.run(check_hiring_channel(load_settings(os.environ))))


def _retention_summary(days: int | None) -> str:
    """The one line ``check`` prints (here, not in ``bot.retention``: that module loads the
    database models and the candidate services, which ``check`` has no use for)."""
    if days is None:
        return (
            "retention: RETENTION_DAYS is not set, so closed candidates are kept until someone "
            "erases them (/mlops-candidate erase)"
        )
    return (
        f"retention: closed candidates are erased {days} days after they close; their "
        "hiring manager is told 7 days before"
    )


def _check_secrets(database_url: str, keys: tuple[str, ...]) -> None:
    """ConfigError when calendars are connected and SECRET_KEY cannot read them."""
    from bot.secret_check import problem_with, stored_secrets

    secrets = stored_secrets(database_url)
    problem = problem_with(secrets or [], keys)
    if problem is not None:
        raise ConfigError(problem)


def _digest() -> None:
    settings = load_settings(os.environ)
    from bot.runtime import print_digest

    asyncio.run(print_digest(settings))


def _run() -> None:
    settings = load_settings(os.environ)
    from bot.candidate_email import load_candidate_emails
    from bot.runtime import serve
    from storage.migrate import upgrade

    # Kits are checked before anything starts, so a bad file stops start-up at once.
    _, warnings = check_kits(settings.prompts_dir or default_prompts_dir())
    for warning in warnings:
        logger.warning("kit: %s", warning)
    load_candidate_emails(settings.prompts_dir)
    upgrade(settings.database_url)
    _check_secrets(settings.database_url, settings.secret_keys)
    asyncio.run(serve(settings))


def _playground(args: argparse.Namespace) -> None:
    # Imported here: the playground and its fake Slack are no part of ``python -m bot``,
    # and the container image ships without them.
    try:
        from playground.main import main as run_playground
    except ImportError as missing:
        raise ConfigError(
            "the playground is not installed here: run `make run` in a clone of the repository"
        ) from missing

    run_playground(os.environ, port=args.port, seed_demo=args.demo)


def main(argv: list[str] | None = None) -> int:
    # The .env of the folder the bot is started from, not of the installed package.
    load_dotenv(find_dotenv(usecwd=True), override=False)
    args = _parser().parse_args(argv)
    actions = {"migrate": _migrate, "check": _check, "digest": _digest}
    try:
        configure_logging(log_level(os.environ))
        if args.command == "playground":
            _playground(args)
        else:
            actions.get(args.command, _run)()
    except (ConfigError, KitError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


if __name__ == "__main__":
    sys.exit(main())
