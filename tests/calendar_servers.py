"""Real servers for the calendar tests, each on a free port of 127.0.0.1 in a temp folder:
Radicale (CalDAV), an HTTP server of iCal feeds (one that hangs, one that answers
garbage), and an aiosmtpd SMTP server that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from pathlib import Path
from typing import Any

from aiohttp import web
from caldav import aio as caldav
from icalendar import Calendar

from tests.harness import free_port

HOW_TO_GET = "pip install radicale aiosmtpd (both in the project's dev extras: make test)"
CALDAV_PASSWORD = "app-password-for-tests"
USERS = ("ana", "ben", "cy", "dee")
FIXTURES = Path(__file__).parent / "calendars"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def one_per_uid(text: str) -> list[str]:
    """A calendar file as CalDAV stores it: one resource per UID, time zones with each."""
    calendar = Calendar.from_ical(text)
    zones = calendar.walk("VTIMEZONE")
    by_uid: dict[str, list[Any]] = {}
    for event in calendar.walk("VEVENT"):
        by_uid.setdefault(str(event["UID"]), []).append(event)
    resources = []
    for events in by_uid.values():
        resource = Calendar()
        resource.add("prodid", "-//tests//EN")
        resource.add("version", "2.0")
        for component in (*zones, *events):
            resource.add_component(component)
        resources.append(resource.to_ical().decode())
    return resources


class Radicale:
    """A Radicale server with users ``USERS`` (plain htpasswd, one password)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calendar_url(self, user: str, name: str) -> str:
        return f"{self.url}/{user}/{name}/"

    def start(self) -> None:
        users = self.folder / "users"
        users.write_text("".join(f"{user}:{CALDAV_PASSWORD}\n" for user in USERS))
        config = self.folder / "config"
        config.write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {users}\n"
            # No pause after a refused password: a test of one need not wait.
            "htpasswd_encryption = plain\ndelay = 0\n"
            f"[storage]\nfilesystem_folder = {self.folder / 'collections'}\n"
            "[logging]\nlevel = warning\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("radicale exited at start")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)  # waiting for a process to listen, not for a clock
        raise RuntimeError("radicale did not start listening within 20 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _client(self, user: str) -> caldav.AsyncDAVClient:
        return caldav.AsyncDAVClient(
            url=f"{self.url}/{user}/",
            username=user,
            password=CALDAV_PASSWORD,
            auth_type="basic",
            timeout=10,
        )

    async def make_calendar(self, user: str, name: str, *events: str) -> str:
        """A new calendar of ``user`` holding ``events`` (VCALENDAR texts); its URL."""
        async with self._client(user) as client:
            principal = await client.get_principal()
            calendar = await principal.make_calendar(name=name, cal_id=name)
            for text in events:
                for event in one_per_uid(text):
                    await calendar.save_event(event)
        return self.calendar_url(user, name)

    async def events(self, user: str, name: str) -> list[str]:
        async with self._client(user) as client:
            calendar = caldav.Calendar(client=client, url=self.calendar_url(user, name))
            return [str(event.data) for event in await calendar.get_events()]


@dataclass
class FeedServer:
    """Serves ``feeds[name]`` at ``/name.ics``; ``/hang.ics`` never answers and
    ``/garbage.ics`` answers something that is no calendar."""

    feeds: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    base_url: str = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{name}.ics", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, name: str) -> str:
        # The token stands for the secret part of a real feed address.
        return f"{self.base_url}/{name}.ics?token=s3cr3t-{name}-feed-token"

    async def _serve(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.requests.append(name)
        if name == "hang":
            await self._release.wait()
            return web.Response(status=504)
        if name == "garbage":
            return web.Response(text="<html>Sign in to see this calendar</html>")
        if name not in self.feeds:
            return web.Response(status=404)
        return web.Response(text=self.feeds[name], content_type="text/calendar")


class SmtpSink:
    """aiosmtpd on a free port; ``messages`` are what it received, parsed."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def attachment(message: Message, content_type: str = "text/calendar") -> str:
    for part in message.walk():
        if part.get_content_type() == content_type:
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError(f"no {content_type} part")


def body(message: Message) -> str:
    return attachment(message, "text/plain")
