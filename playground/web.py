"""The page and its JSON API: the state one person sees, and what they do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.config import WorkingHours
from playground.clock import PlaygroundClock, next_working_morning
from playground.people import (
    CHANNEL_MEMBERS,
    HIRING_CHANNEL,
    HIRING_CHANNEL_NAME,
    PEOPLE,
    person,
)
from playground.relay import Delivery, Relay
from playground.surfaces import Surfaces
from slackfake import FakeSlack, SlackError

STATIC = Path(__file__).parent / "static"
# The longest jump the clock control offers: a week shows every reminder and digest.
MAX_ADVANCE = timedelta(days=7)


class Playground:
    """The fake, the relay to the bot and what each person sees, behind the page's API."""

    def __init__(
        self,
        fake: FakeSlack,
        relay: Relay,
        clock: PlaygroundClock,
        run_due_jobs: Callable[[], None],
        *,
        working_days: frozenset[int],
        working_hours: WorkingHours,
    ) -> None:
        self.fake = fake
        self.relay = relay
        self.clock = clock
        self.surfaces = Surfaces(fake, relay, clock.timestamp)
        self.run_due_jobs = run_due_jobs
        self._working = (working_days, working_hours)

    # ------------------------------------------------------------ what a person sees

    def state(self, user_id: str) -> dict[str, Any]:
        self.surfaces.refresh()
        dm = self.fake.dm_channel(user_id)
        member = user_id in CHANNEL_MEMBERS
        modals = [self.fake.view(v) for v in self.surfaces.modals.get(user_id, [])]
        return {
            "now": self.clock.timestamp(),
            "offset_hours": self.clock.offset.total_seconds() / 3600,
            "me": user_id,
            "people": [asdict(p) for p in PEOPLE],
            "users": {
                uid: {"name": u["real_name"], "tz": u["tz"]}
                for uid in [p.id for p in PEOPLE] + [self.fake.bot_user_id]
                if (u := self.fake.user(uid))
            },
            "bot_user_id": self.fake.bot_user_id,
            # For a developer's own scripts: the Web API the bot talks to.
            "slack_api_url": self.fake.api_url,
            "channel": {
                "id": HIRING_CHANNEL,
                "name": HIRING_CHANNEL_NAME,
                "member": member,
            },
            "messages": {
                # A private channel: what a non-member's client never receives.
                HIRING_CHANNEL: self.fake.messages_in(HIRING_CHANNEL) if member else [],
                "dm": self.fake.messages_in(dm) if dm else [],
            },
            "dm_id": dm,
            "home": self.fake.home_view(user_id),
            "modals": [m for m in modals if m is not None],
            "ephemerals": [asdict(e) for e in self.surfaces.ephemerals.get(user_id, [])],
            "violations": [asdict(v) for v in self.surfaces.violations],
        }

    # ------------------------------------------------------------ what a person does

    async def command(self, user_id: str, text: str, channel_id: str) -> dict[str, Any]:
        delivery = await self.relay.command(user_id, text, channel_id)
        if self._answered(delivery, "/mlops-candidate") and delivery.ack.get("text"):
            # An ack with a body is the ephemeral answer itself, as Slack shows it.
            ack = delivery.ack
            self.surfaces.ephemeral(user_id, channel_id, ack["text"], ack.get("blocks"))
        return {"status": delivery.status}

    async def action(
        self,
        user_id: str,
        element: dict[str, Any],
        block_id: str,
        *,
        channel_id: str | None,
        ts: str | None,
        view_id: str | None,
        values: dict[str, Any] | None,
    ) -> dict[str, Any]:
        message = None
        if channel_id and ts:
            message = next((m for m in self.fake.messages_in(channel_id) if m["ts"] == ts), None)
        view = None
        if view_id:
            stored = self.fake.view(view_id)
            view = dict(stored or {}) | {"state": {"values": values or {}}}
        delivery = await self.relay.action(
            user_id, element, block_id, message=message, channel_id=channel_id, view=view
        )
        self._answered(delivery, f"button {element.get('action_id')}")
        return {"status": delivery.status}

    async def submit(self, user_id: str, view_id: str, values: dict[str, Any]) -> dict[str, Any]:
        view = self.fake.view(view_id)
        if view is None:
            return {"status": 404, "errors": {}}
        delivery = await self.relay.submit(user_id, view, values)
        if not self._answered(delivery, f"modal {view.get('callback_id')}"):
            return {"status": delivery.status, "errors": {}}
        ack = delivery.ack
        action = ack.get("response_action")
        if action == "errors":
            return {"status": delivery.status, "errors": ack.get("errors", {})}
        try:
            if action == "update":
                self.fake.accept_view(ack.get("view"), view_id=view_id)
            elif action == "push":
                pushed = self.fake.accept_view(ack.get("view"))
                self.surfaces.open_modal(user_id, pushed["id"], push=True)
            else:
                self.surfaces.close_modal(user_id, everything=action == "clear")
        except SlackError as error:
            body = error.body
            details = (body.get("response_metadata") or {}).get("messages", [])
            where = f"view_submission response_action={action}"
            self.surfaces.violation(where, body["error"], details)
        return {"status": delivery.status, "errors": {}}

    async def close(
        self, user_id: str, view_id: str, values: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        view = self.fake.view(view_id)
        self.surfaces.close_modal(user_id)
        if view is not None and view.get("notify_on_close"):
            closed = await self.relay.closed(user_id, view, values or {})
            self._answered(closed, "view_closed")
        return {"status": 200}

    async def home(self, user_id: str) -> dict[str, Any]:
        delivery = await self.relay.home_opened(user_id)
        self._answered(delivery, "app_home_opened")
        return {"status": delivery.status}

    async def next_morning(self, user_id: str) -> dict[str, Any]:
        """To the start of ``user_id``'s next working day, in their own zone."""
        user = self.fake.user(user_id) or {}
        zone = ZoneInfo(user.get("tz") or "UTC")
        now = self.clock.now()
        target = next_working_morning(now, zone, *self._working)
        return await self.advance((target - now).total_seconds() / 3600)

    async def advance(self, hours: float) -> dict[str, Any]:
        delta = timedelta(hours=hours)
        if not timedelta(0) < delta <= MAX_ADVANCE:
            raise web.HTTPBadRequest(text="hours must be more than 0 and at most a week")
        self.clock.advance(delta)
        self.run_due_jobs()
        return {"now": self.clock.timestamp()}

    def _answered(self, delivery: Delivery, what: str) -> bool:
        """True for a 2xx; anything else is shown on the page as Slack would show it."""
        if 200 <= delivery.status < 300:
            return True
        error = "the app did not respond" if delivery.status == 404 else f"HTTP {delivery.status}"
        self.surfaces.violation(what, error, [str(delivery.body)[:300]])
        return False


PLAYGROUND = web.AppKey("playground", Playground)


def _known_user(raw: Any) -> str:
    user_id = str(raw or "")
    if person(user_id) is None:
        raise web.HTTPBadRequest(text="unknown user")
    return user_id


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def _state(request: web.Request) -> web.Response:
    # The page's first look, before anyone is chosen, is the hiring manager's.
    user_id = _known_user(request.query.get("user") or PEOPLE[0].id)
    return web.json_response(request.app[PLAYGROUND].state(user_id))


async def _do(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="expected JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    what = request.match_info["what"]
    if what == "clock":
        return web.json_response(await playground.advance(float(body.get("hours") or 0)))
    user_id = _known_user(body.get("user"))
    if what == "morning":
        result = await playground.next_morning(user_id)
    elif what == "command":
        result = await playground.command(
            user_id, str(body.get("text") or ""), str(body.get("channel") or HIRING_CHANNEL)
        )
    elif what == "action":
        result = await playground.action(
            user_id,
            dict(body.get("element") or {}),
            str(body.get("block_id") or ""),
            channel_id=body.get("channel"),
            ts=body.get("ts"),
            view_id=body.get("view_id"),
            values=body.get("values"),
        )
    elif what == "submit":
        result = await playground.submit(
            user_id, str(body.get("view_id")), dict(body.get("values") or {})
        )
    elif what == "close":
        result = await playground.close(
            user_id, str(body.get("view_id")), dict(body.get("values") or {})
        )
    elif what == "home":
        result = await playground.home(user_id)
    else:
        raise web.HTTPNotFound()
    return web.json_response(result)


def build_page_app(playground: Playground) -> web.Application:
    app = web.Application()
    app[PLAYGROUND] = playground
    app.router.add_get("/", _index)
    app.router.add_get("/api/state", _state)
    app.router.add_post("/api/{what}", _do)
    app.router.add_static("/static/", STATIC)
    return app
