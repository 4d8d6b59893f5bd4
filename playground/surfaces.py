"""What each person sees besides channel messages: their open modals (a stack, as in
Slack), their ephemeral messages, and every refusal from the fake, read from the calls the
fake recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playground.relay import Relay
from slackfake import Call, FakeSlack

# Kept per list: a long session stays light to poll.
KEPT = 50


@dataclass
class Ephemeral:
    id: int
    channel_id: str | None
    text: str
    blocks: list[dict[str, Any]]
    at: float
    source: str | None = None  # the response_url that posted it, for replace_original


@dataclass
class Violation:
    """Something Slack would have refused, or a request the bot did not answer in time."""

    id: int
    where: str
    error: str
    details: list[str]
    at: float


@dataclass
class Surfaces:
    fake: FakeSlack
    relay: Relay
    now: Callable[[], float]
    modals: dict[str, list[str]] = field(default_factory=dict)  # user -> view ids, top last
    ephemerals: dict[str, list[Ephemeral]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    _read: int = 0
    _serial: int = 0

    def refresh(self) -> None:
        """Take in the calls the fake recorded since the last refresh."""
        calls = self.fake.calls[self._read :]
        self._read += len(calls)
        for call in calls:
            self._take(call)

    def violation(self, where: str, error: str, details: list[str] | None = None) -> None:
        self._serial += 1
        self.violations.append(Violation(self._serial, where, error, details or [], self.now()))
        del self.violations[:-KEPT]

    def open_modal(self, user_id: str, view_id: str, *, push: bool) -> None:
        stack = self.modals.setdefault(user_id, []) if push else []
        stack.append(view_id)
        self.modals[user_id] = stack

    def close_modal(self, user_id: str, *, everything: bool = False) -> None:
        stack = self.modals.get(user_id, [])
        del stack[0 if everything else -1 :]

    def ephemeral(
        self,
        user_id: str,
        channel_id: str | None,
        text: str,
        blocks: list[dict[str, Any]] | None,
        source: str | None = None,
    ) -> None:
        self._serial += 1
        shown = self.ephemerals.setdefault(user_id, [])
        shown.append(Ephemeral(self._serial, channel_id, text, blocks or [], self.now(), source))
        del shown[:-KEPT]

    def _take(self, call: Call) -> None:
        if not call.response.get("ok"):
            self._refused(call)
            return
        if call.method in ("views.open", "views.push"):
            origin = self.relay.triggers.get(str(call.args.get("trigger_id")))
            if origin is not None:
                view_id = call.response["view"]["id"]
                self.open_modal(origin.user_id, view_id, push=call.method == "views.push")
        elif call.method == "chat.postEphemeral":
            self.ephemeral(
                str(call.args.get("user")),
                str(call.args.get("channel")),
                str(call.args.get("text") or ""),
                call.args.get("blocks"),
            )
        elif call.method == "response_url":
            self._responded(call)

    def _responded(self, call: Call) -> None:
        origin = self.relay.response_urls.get(call.url or "")
        if origin is None:
            return
        shown = self.ephemerals.get(origin.user_id, [])
        if call.args.get("delete_original") or call.args.get("replace_original"):
            shown[:] = [e for e in shown if e.source != call.url]
        if call.args.get("delete_original"):
            return
        self.ephemeral(
            origin.user_id,
            origin.channel_id,
            str(call.args.get("text") or ""),
            call.args.get("blocks"),
            source=call.url,
        )

    def _refused(self, call: Call) -> None:
        metadata = call.response.get("response_metadata") or {}
        details = [str(m) for m in metadata.get("messages") or call.response.get("errors", [])]
        self.violation(call.method, str(call.response.get("error")), details)
