"""The process's logging: ``LOG_LEVEL`` for what we write, never a library's payloads.

Below INFO, libraries write what passes through them: SQL parameters and result rows
(SQLAlchemy, aiosqlite, asyncpg), Web API request and response bodies and Socket Mode
envelopes (slack_sdk), ack bodies (bolt). Those carry candidate data, so none of it reaches
a handler at any ``LOG_LEVEL``. It is a filter on the handlers, not logger levels alone,
because bolt copies the root logger's level onto each of its loggers.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The least severe record each payload-carrying library may log. SQLAlchemy's engine logs
# each statement at INFO and, below, each row it reads.
PAYLOAD_FLOORS = {
    "sqlalchemy.engine": logging.WARNING,
    "aiosqlite": logging.INFO,
    "asyncpg": logging.INFO,
    "slack_sdk": logging.INFO,
    "slack_bolt": logging.INFO,
}


def _floor(name: str) -> int:
    for prefix, floor in PAYLOAD_FLOORS.items():
        if name == prefix or name.startswith(prefix + "."):
            return floor
    return logging.NOTSET


class NoPayloads(logging.Filter):
    """Drops the records of PAYLOAD_FLOORS's libraries below their floor."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= _floor(record.name)


def configure_logging(level: str) -> None:
    """Log to stderr at ``level`` (already validated), payloads kept out."""
    logging.basicConfig(level=level, format=FORMAT)
    for handler in logging.getLogger().handlers:
        handler.addFilter(NoPayloads())
    # Levels too, so that the libraries that honour them do not build the records at all.
    for name, floor in PAYLOAD_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
    # Alembic announces each of its plugins at INFO on every start.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
