"""Whether the stored calendar secrets can be read with the SECRET_KEY set: asked by
``python -m bot check`` and at start-up, so a missing or wrong key is one clear line."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.config import SECRET_KEY_EXPECTED
from bot.secret_box import SecretBox, SecretsUnavailable


def problem_with(secrets: Sequence[str], keys: Sequence[str]) -> str | None:
    if not secrets:
        return None
    if not keys:
        return (
            f"SECRET_KEY is not set: {len(secrets)} connected calendar(s) are stored "
            f"encrypted and cannot be read without it; {SECRET_KEY_EXPECTED}"
        )
    box = SecretBox(keys)
    unreadable = 0
    for secret in secrets:
        try:
            box.open(secret)
        except SecretsUnavailable:
            unreadable += 1
    if unreadable:
        return (
            f"SECRET_KEY does not open {unreadable} of {len(secrets)} stored calendar "
            "secret(s): set the key they were stored with (after a new one, comma-separated, "
            "to rotate)"
        )
    return None


def stored_secrets(database_url: str) -> list[str] | None:
    """The stored ciphertexts; None when there is no database to ask (yet)."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return None
    return asyncio.run(_read_secrets(database_url))


async def _read_secrets(database_url: str) -> list[str] | None:
    # Imported here: where there is no database yet (a first ``check``), the database
    # models are not loaded at all.
    from storage import calendars as store
    from storage.db import create_engine, session_factory

    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return await store.all_secrets(session)
    except DBAPIError:
        # Not migrated yet, or not reachable: start-up and `migrate` report the database.
        return None
    finally:
        await engine.dispose()
