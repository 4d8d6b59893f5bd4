"""A fake Slack for tests: Web API over HTTP, Socket Mode over WebSocket, Block Kit limits."""

from .blockkit import message_errors, view_errors
from .server import Call, FakeSlack

__all__ = ["Call", "FakeSlack", "message_errors", "view_errors"]
