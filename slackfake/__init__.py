"""A fake Slack: Web API over HTTP, Socket Mode over WebSocket, Block Kit limits.

The test suite drives the bot against it, and so does the local playground
(``python -m bot playground``): one fake, so the playground refuses what the tests refuse.
"""

from .blockkit import message_errors, view_errors
from .server import Call, FakeSlack, SlackError

__all__ = ["Call", "FakeSlack", "SlackError", "message_errors", "view_errors"]
