"""The Socket Mode side of the fake: the WebSocket that ``apps.connections.open`` points at.

Like Slack, the server greets each connection with a ``hello`` message, then sends envelopes
and expects the app to acknowledge each one by sending back its ``envelope_id`` (and, for
commands and submissions, the ack's response payload).
"""

import asyncio
import json
import secrets
import uuid
from typing import Any

from aiohttp import WSMsgType, web

# Envelope types Slack uses, and which of them accept a response payload in the ack: a slash
# command's ack may carry a message, a view submission's a response_action, a block suggestion's
# its options; events and other interactions are acknowledged with the envelope_id alone.
ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
_INTERACTIONS_WITH_RESPONSE = ("view_submission", "block_suggestion")


class SocketModeServer:
    """WebSocket endpoint plus the test-facing calls that drive it."""

    def __init__(self, *, app_id: str) -> None:
        self._app_id = app_id
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def new_url(self, base_url: str) -> str:
        """A connection URL shaped like Slack's ``wss://…/link/?ticket=…&app_id=…``."""
        return f"{base_url}/socket/link/?ticket={uuid.uuid4()}&app_id={self._app_id}"

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        # aiohttp answers the client's pings itself, which is what slack_sdk's keep-alive needs.
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json(self._hello())
        self._connected.set()
        try:
            async for message in socket:
                if message.type is WSMsgType.TEXT:
                    self._on_ack(message.data)
        finally:
            self._sockets.remove(socket)
            if not self._sockets:
                self._connected.clear()
        return socket

    # The timeout parameters (ASYNC109) keep each test's waiting bounded in one call.
    async def wait_connected(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once a client holds an open connection (it has been sent ``hello``)."""
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def send_envelope(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Send one envelope to the newest connection and return the app's ack message."""
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(
                f"envelope_type must be one of {ENVELOPE_TYPES}, not {envelope_type!r}"
            )
        if not self._sockets:
            raise RuntimeError("no Socket Mode client is connected to the fake")
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type == "slash_commands"
            or payload.get("type") in _INTERACTIONS_WITH_RESPONSE,
        }
        if envelope_type == "events_api":
            envelope |= {"retry_attempt": 0, "retry_reason": ""}
        ack: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = ack
        try:
            await self._sockets[-1].send_json(envelope)
            return await asyncio.wait_for(ack, timeout)
        finally:
            del self._pending[envelope_id]

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()

    def _on_ack(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        envelope_id = str(message.get("envelope_id")) if isinstance(message, dict) else ""
        ack = self._pending.get(envelope_id)
        if ack is not None and not ack.done():
            ack.set_result(message)

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._sockets),
            "debug_info": {
                "host": f"applink-fake-{secrets.token_hex(4)}",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self._app_id},
        }
