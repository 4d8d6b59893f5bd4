"""Whose App Home a committed change touched, waiting to be republished.

A listener names the people whose desk its change moved; the process's home publisher
(``handlers.home.HomePublisher``) republishes each of them once the requests of the moment
have been answered. Twenty scorecards for one hiring manager in a second publish her tab
once, and no one's modal waits for anyone's tab: the tab is a view of the database, so
publishing it late loses nothing (it is also rebuilt whenever it is opened).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable


class HomeChanges:
    """The people waiting for a republish, in the order they were named, and when the
    process last received a request (the publisher holds back while requests arrive)."""

    def __init__(self) -> None:
        self._pending: dict[str, None] = {}
        self.ready = asyncio.Event()
        self._last_request = 0.0

    def touched(self, user_ids: Iterable[str]) -> None:
        for user_id in user_ids:
            self._pending[user_id] = None
        if self._pending:
            self.ready.set()

    def take(self) -> list[str]:
        """Everyone waiting, now no longer waiting."""
        taken = list(self._pending)
        self._pending.clear()
        self.ready.clear()
        return taken

    def request_seen(self) -> None:
        self._last_request = time.monotonic()

    def quiet_for(self) -> float:
        """Seconds since the last request arrived."""
        return time.monotonic() - self._last_request
