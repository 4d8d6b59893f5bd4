"""A local fake of Slack's Web API for tests: records every call and answers like Slack.

Point ``AsyncWebClient(base_url=fake.api_url)`` (or ``SLACK_API_URL``) at a started
:class:`FakeSlack`. It accepts requests exactly as slack_sdk encodes them (JSON bodies for
chat.* and views.*, query strings for GET methods and for POSTs sent with ``params``, form
bodies), answers with Slack's response shapes, and rejects what Slack rejects: bad tokens,
Block Kit over Slack's limits, expired triggers, channels the bot is not in.

World rules worth knowing when writing a test:

* Channels: until a test calls :meth:`FakeSlack.add_channel`, every channel id is accepted
  as a public channel the bot is in, so simple tests need no set-up. Once any channel has
  been added, only added channels exist: an unknown id is ``channel_not_found``, a public
  channel the bot is not in answers ``not_in_channel`` until ``conversations.join``, and a
  private one the bot is not in is invisible (``channel_not_found``) and cannot be joined.
  A channel's members (``conversations.members``, paged by cursor as Slack pages them) are
  every user the fake knows that is not deactivated, until :meth:`FakeSlack.set_members`
  or ``add_channel(members=…)`` names them.
* DMs: ``conversations.open`` gives each user one stable ``D…`` id; posting to that id, or
  to the user's ``U…`` id (Slack opens the DM itself), always works.
* Messages: ``chat.update`` and ``chat.getPermalink`` need a message the fake knows, posted
  through it or seeded with :meth:`FakeSlack.add_message`.
* Triggers: ``views.open``/``views.push`` accept only trigger ids from
  :meth:`FakeSlack.new_trigger_id`, once each, within 3 seconds of issue by ``clock``
  (``invalid_trigger_id``, ``exchanged_trigger_id``, ``expired_trigger_id`` otherwise). Being
  strict catches a handler that opens a modal with the wrong or a stale trigger.

All state changes happen in synchronous code between awaits, so concurrent requests on one
event loop cannot interleave inside a check-then-update.
"""

import asyncio
import base64
import json
import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from . import blockkit
from .socket_mode import SocketModeServer

APP_ID = "A0TEST"
BOT_ID = "B0TEST"
TEAM_DOMAIN = "fake-workspace"
TEAM_NAME = "Fake Workspace"
# views.open/views.push: a trigger_id "expires in 3 seconds" (docs: interactivity/handling).
TRIGGER_LIFETIME = 3.0
# Arguments Slack takes as JSON-encoded strings in form or query encoding; decoded so that a
# test sees the same Python objects whichever encoding the client used. ``users`` (of
# conversations.open) is a comma-separated list, not JSON, so it stays a string.
JSON_STRING_ARGS = ("blocks", "attachments", "view")

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    """One request the fake received, in arrival order."""

    method: str  # e.g. "chat.postMessage", or "response_url" for posts to a response_url
    args: dict[str, Any]  # merged query/form/JSON arguments, JSON-string fields decoded
    token: str | None  # from "Authorization: Bearer …" or the token argument
    # What the fake answered. For response_url posts Slack's wire answer is plain text ("ok",
    # or the error code with HTTP 400); this holds the same verdict as a dict with details.
    response: dict[str, Any]
    # When the request arrived, by ``time.monotonic()`` (not ``clock``): latency measurements
    # compare it with the moment the app was sent the request that caused the call.
    at: float = field(default_factory=time.monotonic)
    # The response_url posted to (None for Web API methods): whose command it answers.
    url: str | None = None


@dataclass
class _Failure:
    error: str
    times: int
    when: Callable[[dict[str, Any]], bool] | None
    status: int
    headers: dict[str, str]


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool
    is_member: bool
    # The channel's people; None: every user the fake knows (see the module docstring).
    members: list[str] | None = None

    def info(self) -> dict[str, Any]:
        """The conversation object of conversations.info / conversations.join."""
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": False,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": self.is_member,
            "created": 1_700_000_000,
            "creator": "U0CREATOR",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }


class SlackError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": …}`` plus ``extra``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.body: dict[str, Any] = {"ok": False, "error": error, **extra}


@dataclass
class _Reply:
    body: dict[str, Any]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class UploadedFile:
    """A file uploaded through files.getUploadURLExternal and its upload URL."""

    file_id: str
    filename: str
    content: bytes
    title: str | None = None
    channel: str | None = None


class FakeSlack:
    """Slack's Web API and Socket Mode on 127.0.0.1, with a small world a test can shape."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-test-token",
        bot_user_id: str = "UBOT",
        team_id: str = "T0TEST",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        self.clock = clock
        self.calls: list[Call] = []
        self._base_url: str | None = None
        self._runner: web.AppRunner | None = None
        self._socket_mode = SocketModeServer(app_id=APP_ID)
        self._failures: dict[str, list[_Failure]] = {}
        self._rates: dict[str, float] = {}
        self._latencies: dict[str, float] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, _Channel] = {}
        # Members set for channels of the default world, which are made up on each call.
        self._member_lists: dict[str, list[str]] = {}
        self._dms: dict[str, str] = {}  # user ids ("U1" or "U1,U2") -> D/G id
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._triggers: dict[str, float] = {}  # trigger id -> issue time
        self._exchanged: set[str] = set()
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}  # user id -> view id
        self.files: dict[str, UploadedFile] = {}
        self._peers: set[tuple[str, int]] = set()
        self._last_ts_us = 0
        self._serial = 0
        self._methods: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.delete": self._chat_delete,
            "conversations.replies": self._conversations_replies,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "views.open": self._views_open,
            # A push needs a fresh trigger and a valid modal just like an open; the fake keeps
            # no modal stack, so the two answer alike.
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "conversations.join": self._conversations_join,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "users.info": self._users_info,
            "apps.connections.open": self._apps_connections_open,
        }
        self.add_user(bot_user_id, name="hiring-bot", real_name="Hiring Bot", is_bot=True)

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a port the OS picks, so parallel runs never collide."""
        app = web.Application(middlewares=[self._count_connection])
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response_url/{path:.*}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket/link/", self._socket_mode.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self._base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        await self._socket_mode.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("FakeSlack is not started")
        return self._base_url

    @property
    def api_url(self) -> str:
        """The value for SLACK_API_URL / AsyncWebClient(base_url=…); ends with a slash."""
        return f"{self.base_url}/api/"

    # ----------------------------------------------------------------- recorded calls

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def clear(self) -> None:
        """Forget the recorded calls (world state and queued failures stay)."""
        self.calls.clear()

    async def wait_for_calls(
        self,
        method: str | tuple[str, ...],
        count: int = 1,
        *,
        where: Callable[[Call], bool] = bool,
        since: int = 0,
        within: float = 5.0,
    ) -> list[Call]:
        """The calls of ``method`` (or of any of several) from the ``since``-th on that match
        ``where``, once ``count`` of them arrived or ``within`` seconds passed: for an app
        that calls Slack after it has answered."""
        methods = (method,) if isinstance(method, str) else method
        deadline = time.monotonic() + within
        while True:
            calls = [c for c in self.calls[since:] if c.method in methods and where(c)]
            if len(calls) >= count or time.monotonic() > deadline:
                return calls
            await asyncio.sleep(0.01)

    @property
    def connections(self) -> int:
        """TCP connections clients opened to the fake so far (Web API, response_url,
        Socket Mode): each one costs a handshake, and against Slack a TLS handshake too."""
        return len(self._peers)

    # ----------------------------------------------------------------- world state

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "UTC",
        tz_offset: int = 0,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
    ) -> None:
        name = name or user_id.lower()
        real_name = real_name or name
        self._users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "real_name": real_name,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": tz_offset,
            "is_admin": False,
            "is_owner": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": name,
                "display_name_normalized": name,
                "team": self.team_id,
            },
        }
        if email is not None:
            # Slack includes it only for apps with users:read.email, as ours has.
            self._users[user_id]["profile"]["email"] = email

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str = "hiring",
        is_private: bool = False,
        is_member: bool = True,
        members: list[str] | None = None,
    ) -> None:
        """Add a channel; from then on only added channels exist (see the module docstring).
        ``members`` are its people (conversations.members); None: every user the fake knows."""
        self._channels[channel_id] = _Channel(channel_id, name, is_private, is_member, members)

    def set_members(self, channel_id: str, members: list[str]) -> None:
        """Who is in a channel from now on, as conversations.members lists them. Sets the
        members of the channel the default world makes up without adding it."""
        channel = self._channel(channel_id)
        if channel is None:
            raise KeyError(channel_id)
        channel.members = list(members)
        self._member_lists[channel_id] = channel.members

    def remove_member(self, channel_id: str, user_id: str) -> None:
        """``user_id`` leaves the channel (the user stays known to the fake)."""
        channel = self._channel(channel_id)
        if channel is None:
            raise KeyError(channel_id)
        members = channel.members
        if members is None:
            members = [uid for uid, user in self._users.items() if not user["deleted"]]
        self.set_members(channel_id, [member for member in members if member != user_id])

    def add_message(
        self,
        channel: str,
        *,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """Seed a bot message, as if posted earlier, for chat.update/getPermalink; return its ts."""
        ts = self._next_ts()
        self._store_message(channel, ts, {"text": text, "blocks": blocks, "thread_ts": thread_ts})
        return ts

    def new_trigger_id(self) -> str:
        """A trigger id as Slack puts in interactive payloads, valid for 3 s by ``clock``."""
        self._serial += 1
        trigger_id = f"{10_000_000_000 + self._serial}.{int(self.clock())}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = self.clock()
        return trigger_id

    def response_url(self) -> str:
        """A fresh response_url on the fake; posts to it are recorded as method "response_url"."""
        self._serial += 1
        path = f"commands/{self.team_id}/{self._serial}/{secrets.token_hex(12)}"
        return f"{self.base_url}/response_url/{path}"

    # ----------------------------------------------------------------- what a client shows

    def view(self, view_id: str) -> dict[str, Any] | None:
        """The view stored under ``view_id`` as Slack holds it now, or None."""
        return self._views.get(view_id)

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home last published for ``user_id``, or None."""
        return self._views.get(self._home_views.get(user_id, ""))

    def dm_channel(self, user_id: str) -> str | None:
        """The id of the bot's DM with ``user_id`` once one exists."""
        return self._dms.get(user_id)

    def open_dm(self, user_id: str) -> str:
        """The bot's DM with ``user_id``, opened as conversations.open would."""
        return str(self._conversations_open({"users": user_id})["channel"]["id"])

    def user(self, user_id: str) -> dict[str, Any] | None:
        return self._users.get(user_id)

    def accept_view(
        self, view: Any, *, kind: str = "modal", view_id: str | None = None
    ) -> dict[str, Any]:
        """Store a view an app returned in an acknowledgement (``response_action`` update or
        push), checked as views.update / views.push check theirs; raises :class:`SlackError`
        with Slack's answer when Slack would refuse it."""
        return self._new_view(_checked_view(view, kind), view_id=view_id)

    # ----------------------------------------------------------------- failure modes

    def fail(
        self,
        method: str,
        error: str,
        *,
        times: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` whose ``when(args)`` holds with ``error``.

        Queued failures apply after authentication, so a bad token still gets invalid_auth.
        A ``when`` that raises KeyError for a call lacking the argument counts as no match.
        """
        self._failures.setdefault(method, []).append(
            _Failure(error, times, when, status, dict(headers or {}))
        )

    def rate_limit(self, method: str, per_channel_per_second: float) -> None:
        """Throttle ``method`` per channel like Slack's chat.postMessage (about 1 per second).

        Over the rate the fake answers HTTP 429, ``Retry-After`` in whole seconds (at least 1)
        and ``{"ok": false, "error": "ratelimited"}``. A bucket holds one request, refilled at
        the given rate by ``clock``.
        """
        if per_channel_per_second <= 0:
            raise ValueError("per_channel_per_second must be positive")
        self._rates[method] = per_channel_per_second

    def latency(self, method: str, seconds: float) -> None:
        """Answer ``method`` only after ``seconds``, as Slack across the internet does.

        Other requests are served meanwhile, so concurrent callers overlap as they would.
        """
        self._latencies[method] = seconds

    # ----------------------------------------------------------------- Socket Mode

    # The timeout parameters (ASYNC109) keep each test's waiting bounded in one call.
    async def wait_connected(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once a Socket Mode client is connected and has been sent ``hello``."""
        await self._socket_mode.wait_connected(timeout)

    async def send_envelope(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Send a Socket Mode envelope ("slash_commands", "interactive", "events_api") and
        return the ack the app sends back: ``{"envelope_id": …, "payload": …}``."""
        return await self._socket_mode.send_envelope(envelope_type, payload, timeout=timeout)

    # ----------------------------------------------------------------- HTTP handlers

    @web.middleware
    async def _count_connection(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        # A client's address and port name its connection for as long as it is open.
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer is not None:
            self._peers.add((str(peer[0]), int(peer[1])))
        response: web.StreamResponse = await handler(request)
        return response

    async def _api(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        method = request.match_info["method"]
        try:
            args, token = await _read_args(request)
        except SlackError as error:
            args, token, reply = {}, None, _Reply(error.body)
        else:
            reply = self._answer(method, args, token)
        self.calls.append(Call(method, args, token, reply.body, arrived))
        if method in self._latencies:
            await asyncio.sleep(self._latencies[method])
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> _Reply:
        handler = self._methods.get(method)
        if handler is None:
            return _Reply({"ok": False, "error": "unknown_method", "req_method": method})
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            return _Reply({"ok": False, "error": "not_authed"})
        if token != expected:
            return _Reply({"ok": False, "error": "invalid_auth"})
        reply = self._queued_failure(method, args) or self._throttle(method, args)
        if reply is not None:
            return reply
        try:
            return _Reply({"ok": True, **handler(args)})
        except SlackError as error:
            return _Reply(error.body)

    async def _response_url(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            verdict = self._response_url_verdict(payload)
        else:
            payload, verdict = {}, {"ok": False, "error": "invalid_payload"}
        url = f"{self.base_url}/response_url/{request.match_info['path']}"
        self.calls.append(Call("response_url", payload, None, verdict, arrived, url))
        if verdict["ok"]:
            return web.Response(text="ok")
        return web.Response(text=verdict["error"], status=400)

    def _response_url_verdict(self, payload: dict[str, Any]) -> dict[str, Any]:
        if payload.get("delete_original"):
            return {"ok": True}
        try:
            _check_message_content(payload, total=False)
        except SlackError as error:
            return error.body
        return {"ok": True}

    # ----------------------------------------------------------------- gatekeeping

    def _queued_failure(self, method: str, args: dict[str, Any]) -> _Reply | None:
        queue = self._failures.get(method, [])
        for failure in queue:
            if failure.when is not None:
                try:
                    if not failure.when(args):
                        continue
                except KeyError:
                    continue
            failure.times -= 1
            if failure.times <= 0:
                queue.remove(failure)
            return _Reply({"ok": False, "error": failure.error}, failure.status, failure.headers)
        return None

    def _throttle(self, method: str, args: dict[str, Any]) -> _Reply | None:
        rate = self._rates.get(method)
        if rate is None:
            return None
        now = self.clock()
        bucket = self._buckets.setdefault((method, str(args.get("channel"))), _Bucket(1.0, now))
        bucket.tokens = min(1.0, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        retry_after = max(1, math.ceil((1.0 - bucket.tokens) / rate))
        return _Reply({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(retry_after)})

    # ----------------------------------------------------------------- methods

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": self._users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable_channel(args.get("channel"))
        _check_message_content(args)
        ts = self._next_ts()
        return {"channel": channel, "ts": ts, "message": self._store_message(channel, ts, args)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self._postable_channel(args.get("channel"))
        if not args.get("user"):
            raise SlackError("user_not_found")
        _check_message_content(args)
        return {"message_ts": self._next_ts()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        message = self._known_message(channel, ts)
        _check_message_content(args)
        message["text"] = args.get("text", "")
        if args.get("blocks") is not None:
            message["blocks"] = args["blocks"]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"channel": channel, "ts": ts, "text": message["text"], "message": message}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel") or ""), str(args.get("message_ts") or "")
        message = self._known_message(channel, ts)
        permalink = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != ts:
            permalink += f"?thread_ts={thread_ts}&cid={channel}"
        return {"channel": channel, "permalink": permalink}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        self._known_message(channel, ts)
        del self._messages[(channel, ts)]
        return {"channel": channel, "ts": ts}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        if (channel, ts) not in self._messages:
            raise SlackError("thread_not_found")
        thread = [
            message
            for (where, message_ts), message in self._messages.items()
            if where == channel and (message_ts == ts or message.get("thread_ts") == ts)
        ]
        return {"messages": sorted(thread, key=lambda m: m["ts"]), "has_more": False}

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """The messages still standing in ``channel`` (deleted ones are gone), oldest first."""
        found = [m for (where, _), m in self._messages.items() if where == channel]
        return sorted(found, key=lambda m: m["ts"])

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not str(args.get("length") or "").isdigit():
            raise _invalid_arguments(["missing required field: filename or length"])
        self._serial += 1
        file_id = f"F{self._serial:010d}"
        self.files[file_id] = UploadedFile(file_id, str(args["filename"]), b"")
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self.files.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="unknown upload")
        upload.content = await request.read()
        return web.Response(text=f"OK - {len(upload.content)}")

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = args.get("files")
        if isinstance(entries, str):
            entries = json.loads(entries)
        if not isinstance(entries, list) or not entries:
            raise _invalid_arguments(["missing required field: files"])
        channel = args.get("channel_id")
        completed = []
        for entry in entries:
            upload = self.files.get(str(entry.get("id")))
            if upload is None:
                raise SlackError("file_not_found")
            upload.title = entry.get("title") or upload.filename
            if channel:
                upload.channel = self._postable_channel(channel)
            completed.append({"id": upload.file_id, "title": upload.title, "name": upload.filename})
        return {"files": completed}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger_id = self._usable_trigger(args.get("trigger_id"))
        view = self._new_view(_checked_view(args.get("view"), "modal"))
        self._exchanged.add(trigger_id)
        return {"view": view}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        current = self._views.get(str(args.get("view_id") or ""))
        if current is None and args.get("external_id"):
            current = next(
                (v for v in self._views.values() if v["external_id"] == args["external_id"]), None
            )
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = _checked_view(args.get("view"), current["type"])
        return {"view": self._new_view(view, view_id=current["id"])}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = args.get("user_id")
        if not user_id:
            raise _invalid_arguments(["missing required field: user_id"])
        current = self._views.get(self._home_views.get(user_id, ""))
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view_id = current["id"] if current is not None else None
        stored = self._new_view(_checked_view(args.get("view"), "home"), view_id=view_id)
        self._home_views[user_id] = stored["id"]
        return {"view": stored}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            if args["channel"] not in self._dms.values():
                raise SlackError("channel_not_found")
            return {"no_op": True, "already_open": True, "channel": {"id": args["channel"]}}
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        for user_id in users:
            if user_id[0] not in "UW":
                raise SlackError("user_not_found")
            if self._users.get(user_id, {}).get("deleted"):
                raise SlackError("user_disabled")
        key = ",".join(sorted(users))
        if key in self._dms:
            return {"no_op": True, "already_open": True, "channel": {"id": self._dms[key]}}
        self._dms[key] = self._open_dm(key)
        return {"channel": {"id": self._dms[key]}}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(args.get("channel") or "")
        if channel_id in self._dms.values():
            raise SlackError("method_not_supported_for_channel_type")
        channel = self._channel(channel_id)
        if channel is None:
            raise SlackError("channel_not_found")
        if channel.is_private:
            # Slack answers this even for a private channel the bot cannot see: a bot joins
            # private channels only by being invited.
            raise SlackError("method_not_supported_for_channel_type")
        if channel.is_member:
            return {
                "channel": channel.info(),
                "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]},
            }
        channel.is_member = True
        return {"channel": channel.info()}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(args.get("channel") or "")
        for users, dm_id in self._dms.items():
            if dm_id == channel_id:
                return {
                    "channel": {"id": dm_id, "is_im": "," not in users, "user": users.split(",")[0]}
                }
        channel = self._channel(channel_id)
        if channel is None or (channel.is_private and not channel.is_member):
            raise SlackError("channel_not_found")
        return {"channel": channel.info()}

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        """One page of members, as Slack pages them: ``limit`` (default 100, at most 1,000)
        and an opaque ``next_cursor``, empty on the last page."""
        channel = self._channel(str(args.get("channel") or ""))
        if channel is None or (channel.is_private and not channel.is_member):
            raise SlackError("channel_not_found")
        members = channel.members
        if members is None:
            members = [uid for uid, user in self._users.items() if not user["deleted"]]
        try:
            limit = min(int(args.get("limit") or 100), 1000)
        except ValueError:
            raise SlackError("invalid_limit") from None
        start = 0
        if args.get("cursor"):
            start = _decode_cursor(str(args["cursor"]))
        page = members[start : start + max(limit, 1)]
        following = start + len(page)
        next_cursor = _encode_cursor(following) if following < len(members) else ""
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(str(args.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self._socket_mode.new_url("ws" + self.base_url.removeprefix("http"))}

    # ----------------------------------------------------------------- helpers

    def _channel(self, channel_id: str) -> _Channel | None:
        if channel_id in self._channels:
            return self._channels[channel_id]
        if not self._channels and channel_id:
            # No channel added: every id is a public channel the bot is in (see module docstring).
            return _Channel(
                channel_id,
                channel_id.lower(),
                is_private=False,
                is_member=True,
                members=self._member_lists.get(channel_id),
            )
        return None

    def _postable_channel(self, raw: Any) -> str:
        """The channel a message to ``raw`` lands in, or the error Slack gives for it."""
        channel_id = str(raw or "")
        if channel_id[:1] in ("U", "W"):
            if channel_id not in self._dms:
                self._dms[channel_id] = self._open_dm(channel_id)
            return self._dms[channel_id]
        if channel_id in self._dms.values():
            return channel_id
        channel = self._channel(channel_id)
        if channel is None or (channel.is_private and not channel.is_member):
            raise SlackError("channel_not_found")
        if not channel.is_member:
            raise SlackError("not_in_channel")
        return channel.id

    def _open_dm(self, users: str) -> str:
        self._serial += 1
        return f"{'G' if ',' in users else 'D'}{self._serial:010d}"

    def _known_message(self, channel: str, ts: str) -> dict[str, Any]:
        if channel not in self._dms.values() and self._channel(channel) is None:
            raise SlackError("channel_not_found")
        message = self._messages.get((channel, ts))
        if message is None:
            raise SlackError("message_not_found")
        return message

    def _store_message(self, channel: str, ts: str, args: Mapping[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
            "text": args.get("text", ""),
            "ts": ts,
        }
        for optional in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(optional) is not None:
                message[optional] = args[optional]
        self._messages[(channel, ts)] = message
        return message

    def _usable_trigger(self, trigger_id: Any) -> str:
        issued = self._triggers.get(str(trigger_id))
        if issued is None:
            raise SlackError("invalid_trigger_id")
        if trigger_id in self._exchanged:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - issued > TRIGGER_LIFETIME:
            raise SlackError("expired_trigger_id")
        return str(trigger_id)

    def _new_view(self, view: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        """Store ``view`` under ``view_id`` (a new V… id if None) with a fresh hash."""
        if view_id is None:
            self._serial += 1
            view_id = f"V{self._serial:010d}"
        external_id = view.get("external_id") or ""
        if external_id and any(
            v["external_id"] == external_id and v["id"] != view_id for v in self._views.values()
        ):
            raise SlackError("duplicate_external_id")
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "title": view.get("title"),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": external_id,
            "state": {"values": {}},
            "hash": f"{int(self.clock())}.{secrets.token_hex(4)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": APP_ID,
            "app_installed_team_id": self.team_id,
            "bot_id": BOT_ID,
        }
        self._views[view_id] = stored
        return stored

    def _next_ts(self) -> str:
        """A message ts like Slack's ("1732800000.000100"), strictly increasing."""
        self._last_ts_us = max(self._last_ts_us + 1, int(self.clock() * 1_000_000))
        seconds, micros = divmod(self._last_ts_us, 1_000_000)
        return f"{seconds}.{micros:06d}"


async def _read_args(request: web.Request) -> tuple[dict[str, Any], str | None]:
    """Arguments and token of a Web API request, however slack_sdk encoded them."""
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args.update(body)
        else:
            args.update((await request.post()).items())
    token = args.pop("token", None)
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        token = authorization.removeprefix("Bearer ")
    _decode_json_strings(args)
    return args, token


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"member:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        kind, _, offset = base64.b64decode(cursor, validate=True).decode().partition(":")
        if kind == "member" and offset.isdigit():
            return int(offset)
    except (ValueError, UnicodeDecodeError):
        pass
    raise SlackError("invalid_cursor")


def _decode_json_strings(args: dict[str, Any]) -> None:
    for name in JSON_STRING_ARGS:
        if isinstance(args.get(name), str):
            try:
                args[name] = json.loads(args[name])
            except ValueError:
                continue  # left as a string: the validators answer it as Slack would


def _check_message_content(args: Mapping[str, Any], *, total: bool = True) -> None:
    """Slack's checks of a message's text and blocks, shared by chat.* and response_url;
    ``total`` adds msg_blocks_too_long, which Slack applies to chat.* (a response_url takes
    the same blocks: slackapi/bolt-js#2867)."""
    text, blocks = args.get("text"), args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    if isinstance(text, str) and len(text) > blockkit.MAX_MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    if blocks is None:
        return
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    errors = blockkit.message_errors(blocks)
    if errors:
        raise SlackError(
            "invalid_blocks",
            errors=errors,
            response_metadata={"messages": [f"[ERROR] {error}" for error in errors]},
        )
    if total and blockkit.blocks_text_length(blocks) > blockkit.MAX_BLOCKS_TEXT:
        raise SlackError("msg_blocks_too_long")


def _checked_view(view: Any, kind: str) -> dict[str, Any]:
    """``view`` if Slack would accept it where a ``kind`` view is expected."""
    errors = blockkit.view_errors(view)
    if not errors and view["type"] != kind:
        errors = [f"view type must be {kind} [json-pointer:/view/type]"]
    if errors:
        raise _invalid_arguments(errors)
    checked: dict[str, Any] = view
    return checked


def _invalid_arguments(errors: list[str]) -> SlackError:
    # views.* report validation failures as invalid_arguments, details only in messages.
    return SlackError(
        "invalid_arguments",
        response_metadata={"messages": [f"[ERROR] {error}" for error in errors]},
    )
