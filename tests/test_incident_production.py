"""The incident listeners as production runs them: ``bot.runtime.serve`` with the default
asynchronous ack (process_before_response=False), over HTTP and over Socket Mode; the
success path and the refusal path each time."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.config import Settings
from bot.runtime import serve
from handlers.ids import Action, IncidentBlock
from handlers.refs import Ref, ref
from slackfake import FakeSlack
from slackfake import requests as sr
from tests import seed
from tests.harness import SIGNING_SECRET, Harness, free_port
from tests.seed import add_interview_id

ANA, OUTSIDER = "U0ANA", "U0ZED"


async def until(found: Callable[[], Any], timeout: float = 10.0) -> Any:  # noqa: ASYNC109
    """What ``found()`` returns once it is truthy: the listener runs after the ack."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := found()):
        assert loop.time() < deadline, "the listener did not act in time"
        await asyncio.sleep(0.02)
    return value


@pytest.fixture
async def interview_id(harness: Harness) -> int:
    for user_id in (ANA, OUTSIDER):
        harness.fake.add_user(user_id)
    candidate = await seed.add_candidate(harness.bot, fake=harness.fake, stage="system_design")
    assert candidate.id is not None
    return await add_interview_id(
        harness.bot, candidate.id, stage_key="system_design", panel=(ANA,)
    )


@pytest.fixture(params=["http", "socket"])
async def production(
    request: pytest.FixtureRequest, settings: Settings, fake_slack: FakeSlack
) -> AsyncIterator[Callable[[dict[str, Any]], Any]]:
    """The production bot running; a function that delivers one interaction payload."""
    port = free_port()
    socket_mode = request.param == "socket"
    running_settings = replace(
        settings,
        host="127.0.0.1",
        port=port,
        app_token=fake_slack.app_token if socket_mode else None,
        signing_secret=None if socket_mode else SIGNING_SECRET,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(serve(running_settings, stop))
    session = aiohttp.ClientSession()

    async def deliver(payload: dict[str, Any]) -> Any:
        if socket_mode:
            return await fake_slack.send_envelope("interactive", payload, timeout=10)
        body = urlencode({"payload": json.dumps(payload)})
        headers = sr.signed_headers(
            body, SIGNING_SECRET, content_type="application/x-www-form-urlencoded"
        )
        async with session.post(
            f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers
        ) as response:
            assert response.status == 200
            return await response.text()

    try:
        if socket_mode:
            await fake_slack.wait_connected(timeout=10)
        else:
            await until(lambda: _healthy(port), timeout=10)
        yield deliver
    finally:
        await session.close()
        stop.set()
        await asyncio.wait_for(running, timeout=15)


def _healthy(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def test_start_and_refusal_under_the_asynchronous_ack(
    production: Callable[[dict[str, Any]], Any], fake_slack: FakeSlack, interview_id: int
) -> None:
    value = ref(Ref.INTERVIEW, interview_id)
    # Refused: someone off the panel is told why, by the response_url.
    await production(
        sr.block_actions_payload(
            user_id=OUTSIDER,
            action_id=Action.START_INCIDENT,
            value=value,
            trigger_id=fake_slack.new_trigger_id(),
            response_url=fake_slack.response_url(),
        )
    )
    refusal = await until(lambda: fake_slack.calls_to("response_url"))
    assert "Only the interviewers" in refusal[-1].args["text"]

    # Success: the modal opens, and its submission posts the run in the DM.
    await production(
        sr.block_actions_payload(
            user_id=ANA,
            action_id=Action.START_INCIDENT,
            value=value,
            trigger_id=fake_slack.new_trigger_id(),
            response_url=fake_slack.response_url(),
        )
    )
    [opened] = await until(lambda: fake_slack.calls_to("views.open"))
    view = opened.response["view"]
    values = {IncidentBlock.SCENARIO: sr.select_value(IncidentBlock.SCENARIO, "ctr_drop")}
    await production(sr.view_submission_payload(user_id=ANA, view=view, values=values))
    posted = await until(
        lambda: [
            call
            for call in fake_slack.calls_to("chat.postMessage")
            if call.args["text"].startswith("Incident: ")
        ]
    )
    assert "Recommendations: CTR down 30%" in json.dumps(posted[0].args["blocks"])
    run_value = next(
        element["value"]
        for block in posted[0].args["blocks"]
        for element in [block.get("accessory", {})]
        if element.get("type") == "button"
    )

    async def click(user_id: str, action_id: str) -> None:
        await production(
            sr.block_actions_payload(
                user_id=user_id,
                action_id=action_id,
                value=run_value,
                trigger_id=fake_slack.new_trigger_id(),
                response_url=fake_slack.response_url(),
            )
        )

    # Reveal: the modal, then the evidence and its chart in the DM.
    await click(ANA, f"{Action.INCIDENT_REVEAL}:ctr_dashboard")
    reveal = (await until(lambda: fake_slack.calls_to("views.open")[1:]))[0].response["view"]
    asked = {IncidentBlock.ASKED: sr.radio_value(IncidentBlock.ASKED, "asked")}
    await production(sr.view_submission_payload(user_id=ANA, view=reveal, values=asked))
    # Complete once files.completeUploadExternal has named it (the process's insights job
    # may upload its own charts meanwhile).
    title = "Recommendation CTR per day"
    [chart] = await until(lambda: [f for f in fake_slack.files.values() if f.title == title])
    assert chart.content.startswith(b"\x89PNG")

    # Another interviewer's click is refused; the root cause stops the clock; then a
    # note is refused because the clock has stopped.
    for user_id, action_id, said in (
        (OUTSIDER, Action.INCIDENT_HYPOTHESIS, "another interviewer's"),
        (ANA, Action.INCIDENT_ROOT_CAUSE, "Root cause found at"),
        (ANA, Action.INCIDENT_NOTE, "clock of this run has stopped"),
    ):
        before = len(fake_slack.calls_to("response_url"))
        await click(user_id, action_id)
        answer = (await until(lambda n=before: fake_slack.calls_to("response_url")[n:]))[0]
        assert said in json.dumps(answer.args)
