"""An incident run driven as Slack does: signed requests in, the fake Web API out. Each
shipped scenario end to end: start, reveal in any order, hypotheses, notes, root cause,
the scorecard prefilled from the timeline, and the panel's timelines in the summary."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.incident_scenarios import Scenario
from bot.kits import load_kits
from handlers.ids import Action, IncidentBlock, ScheduleBlock, ScorecardBlock
from handlers.incident_modal import ASKED, HANDED_OVER
from handlers.interview_modal import STAGE_LENGTH
from handlers.refs import Ref, ref
from slackfake import message_errors, view_errors
from slackfake import requests as sr
from storage.db import transaction
from storage.models import Candidate, IncidentRun
from tests import seed
from tests.flows import click, open_scorecard, scorecard_values, submit_view
from tests.harness import Harness
from tests.kit_samples import PING, PING_ESCAPED
from tests.seed import add_interview_id

ANA, BEN = "U0ANA", "U0BEN"
OUTSIDER = "U0ZED"
SHIPPED = [
    "ctr_drop",
    "feature_store_latency",
    "training_serving_skew",
]
PNG_MAGIC = b"\x89PNG"


class Run:
    """One interviewer driving a run from their DM."""

    def __init__(self, harness: Harness, user_id: str, interview_id: int) -> None:
        self.harness = harness
        self.user_id = user_id
        self.interview_id = interview_id
        self.run_id: int | None = None

    @property
    def value(self) -> str:
        assert self.run_id is not None
        return ref(Ref.INCIDENT, self.run_id)

    async def open_start(self) -> dict[str, Any]:
        reply, view = await click(
            self.harness,
            Action.START_INCIDENT,
            user_id=self.user_id,
            value=ref(Ref.INTERVIEW, self.interview_id),
        )
        assert reply.status == 200 and view is not None
        return view

    async def start(self, scenario_key: str | None) -> dict[str, Any]:
        """Start the run with this scenario; the run message posted in the DM."""
        view = await self.open_start()
        values = {}
        if scenario_key is not None:
            values = {IncidentBlock.SCENARIO: sr.select_value(IncidentBlock.SCENARIO, scenario_key)}
        reply = await submit_view(self.harness, self.user_id, view, values)
        assert (reply.status, reply.text) == (200, "")
        message = self.dms()[-1]
        assert message["text"].startswith("Incident: ")
        async with self.harness.bot.sessions() as session:
            run = await session.get(IncidentRun, self._run_id_from(message))
        assert run is not None and run.interviewer_id == self.user_id
        self.run_id = run.id
        return message

    async def reveal(self, inject_id: str, *, asked: bool) -> dict[str, Any]:
        before = len(self.dms())
        reply, view = await click(
            self.harness,
            f"{Action.INCIDENT_REVEAL}:{inject_id}",  # type: ignore[arg-type]
            user_id=self.user_id,
            value=self.value,
        )
        assert reply.status == 200 and view is not None
        choice = ASKED if asked else HANDED_OVER
        values = {IncidentBlock.ASKED: sr.radio_value(IncidentBlock.ASKED, choice)}
        reply = await submit_view(self.harness, self.user_id, view, values)
        assert (reply.status, reply.text) == (200, "")
        [evidence] = self.dms()[before:]
        return evidence

    async def say(self, action: Action, text: str) -> Any:
        """*Hypothesis* or *Note*: the modal, submitted; the reply to the submission."""
        reply, view = await click(self.harness, action, user_id=self.user_id, value=self.value)
        assert reply.status == 200 and view is not None
        values = {IncidentBlock.TEXT: sr.text_value(IncidentBlock.TEXT, text)}
        return await submit_view(self.harness, self.user_id, view, values)

    async def root_cause(self) -> dict[str, Any]:
        reply = await self.harness.action(
            Action.INCIDENT_ROOT_CAUSE, user_id=self.user_id, value=self.value
        )
        assert reply.status == 200
        return self.harness.fake.calls_to("response_url")[-1].args

    def dms(self) -> list[dict[str, Any]]:
        fake = self.harness.fake
        return [
            call.args
            for call in fake.calls_to("chat.postMessage")
            if fake.dm_user(call.args.get("channel", "")) == self.user_id
        ]

    def _run_id_from(self, message: dict[str, Any]) -> int:
        values = {
            element.get("value")
            for element in _elements(message["blocks"])
            if str(element.get("action_id", "")).startswith("incident_")
        }
        [value] = values
        return int(str(value).partition(":")[2])


def dm_channel(harness: Harness, user_id: str) -> str | None:
    """The DM channel Slack opened for the bot and ``user_id``."""
    return harness.fake.dm_channel(user_id)


def _elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The buttons of a message, in order."""
    found = []
    for block in blocks:
        found += block.get("elements", [])
        if "accessory" in block:
            found.append(block["accessory"])
    return [element for element in found if element.get("type") == "button"]


def _texts(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


@pytest.fixture
async def panel(make_harness: Any) -> tuple[Harness, Candidate, int]:
    """A candidate in the system-design stage and their interview with Ana and Ben."""
    harness = await make_harness()
    for user_id in (ANA, BEN, OUTSIDER):
        harness.fake.add_user(user_id)
    candidate = await seed.add_candidate(harness.bot, fake=harness.fake, stage="system_design")
    assert candidate.id is not None
    interview_id = await add_interview_id(
        harness.bot, candidate.id, stage_key="system_design", panel=(ANA, BEN)
    )
    return harness, candidate, interview_id


@pytest.mark.parametrize("scenario_key", SHIPPED)
async def test_each_shipped_scenario_runs_end_to_end(
    panel: tuple[Harness, Candidate, int], scenario_key: str
) -> None:
    harness, candidate, interview_id = panel
    clock = harness.bot.clock
    scenario = harness.bot.kits.incident(scenario_key)
    assert isinstance(scenario, Scenario)
    ana = Run(harness, ANA, interview_id)

    # Start: the brief to read out, the clock, one Reveal per inject, the three buttons.
    message = await ana.start(scenario_key)
    assert not message_errors(message["blocks"])
    shown = _texts(message["blocks"])
    assert scenario.brief.split()[0] in shown and "Clock started <!date^" in shown
    actions = [element["action_id"] for element in _elements(message["blocks"])]
    assert actions == [
        *(f"{Action.INCIDENT_REVEAL}:{inject.id}" for inject in scenario.injects),
        Action.INCIDENT_HYPOTHESIS,
        Action.INCIDENT_NOTE,
        Action.INCIDENT_ANSWER_KEY,
        Action.INCIDENT_ROOT_CAUSE,
    ]
    # The DM is screen-shared: the answer key is only in a modal.
    root_cause_start = " ".join(scenario.root_cause.split()[:6])
    assert root_cause_start not in shown
    _, answer_key = await click(harness, Action.INCIDENT_ANSWER_KEY, user_id=ANA, value=ana.value)
    assert answer_key is not None and not view_errors(answer_key)
    assert root_cause_start in _texts(answer_key["blocks"])
    assert scenario.weak_signs[0].split()[0] in _texts(answer_key["blocks"])

    # Reveal in reverse order; the first is handed over, the rest asked for.
    clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]
    hypothesis_reply = await ana.say(Action.INCIDENT_HYPOTHESIS, f"Upstream data {PING}")
    assert (hypothesis_reply.status, hypothesis_reply.text) == (200, "")
    assert ana.dms()[-1]["text"] == f"`3:00` :bulb: *Hypothesis:* Upstream data {PING_ESCAPED}"
    uploads_before = len(harness.fake.files)
    order = list(reversed(scenario.injects))
    for index, inject in enumerate(order):
        clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
        evidence = await ana.reveal(inject.id, asked=index > 0)
        assert not message_errors(evidence["blocks"])
        lead = evidence["blocks"][0]["text"]["text"]
        elapsed = 3 + 2 * (index + 1)
        assert lead.startswith(f"`{elapsed}:00` ")
        assert ("handed over" in lead) == (index == 0)
    charts = [inject for inject in order if inject.chart is not None]
    uploads = list(harness.fake.files.values())[uploads_before:]
    assert [(u.title, u.channel) for u in uploads] == [
        (inject.chart.title, dm_channel(harness, ANA)) for inject in charts if inject.chart
    ]
    assert all(upload.content.startswith(PNG_MAGIC) for upload in uploads)

    await ana.say(Action.INCIDENT_NOTE, "Segmented by platform before guessing.")
    clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    await ana.say(Action.INCIDENT_HYPOTHESIS, "The upstream change broke one feature.")

    # Root cause found: the clock stops, the run message loses its buttons.
    stopped = await ana.root_cause()
    found_at = 3 + 2 * len(order) + 5
    assert stopped["replace_original"] is True
    assert f"Root cause found at `{found_at}:00`" in _texts(stopped["blocks"])
    assert [e["action_id"] for e in _elements(stopped["blocks"])] == [Action.SUBMIT_SCORECARD]
    # Nothing more is logged once the clock has stopped.
    await harness.action(Action.INCIDENT_NOTE, user_id=ANA, value=ana.value)
    refusal = harness.fake.calls_to("response_url")[-1].args
    assert "clock of this run has stopped" in refusal["text"]

    # The scorecard opens with the timeline and starts from it as evidence.
    view = await open_scorecard(harness, ANA, interview_id)
    assert not view_errors(view)
    lead = _texts(view["blocks"][:4])
    assert "Your incident run" in lead and "First hypothesis: `3:00`" in lead
    assert f"Root cause: found at `{found_at}:00`" in lead
    [evidence_input] = [b for b in view["blocks"] if b.get("block_id") == ScorecardBlock.EVIDENCE]
    prefilled = evidence_input["element"]["initial_value"]
    asked = [inject.label for inject in order[1:]]
    assert prefilled.splitlines()[:5] == [
        f"Incident: {scenario.title}",
        "Time to first hypothesis: 3:00",
        f"Asked for ({len(asked)}): {', '.join(asked)}",
        f"Handed over (1): {order[0].label}",
        f"Root cause: found at {found_at}:00",
    ]
    assert f"- 3:00 Upstream data {PING}" in prefilled
    assert "Segmented by platform before guessing." in prefilled

    # Ana submits from it; Ben submits without a run; the summary shows the timelines.
    values = scorecard_values(harness.bot.kits, "system_design", evidence=prefilled)
    reply = await submit_view(harness, ANA, view, values)
    assert (reply.status, reply.text) == (200, "")
    ben_view = await open_scorecard(harness, BEN, interview_id)
    assert "Your incident run" not in _texts(ben_view["blocks"])
    reply = await submit_view(
        harness, BEN, ben_view, scorecard_values(harness.bot.kits, "system_design")
    )
    assert (reply.status, reply.text) == (200, "")
    # The thread says the panel is complete, never what anyone rated or said.
    thread = [
        call.args
        for call in harness.fake.calls_to("chat.postMessage")
        if call.args.get("thread_ts") == candidate.thread_ts
    ]
    assert "Panel complete" in _texts(thread[-1])
    assert "Root cause" not in _texts(thread) and "Upstream data" not in _texts(thread)
    # The hiring manager's summary DM: the timelines side by side, figures only.
    [summary_dm] = [
        args
        for args in (call.args for call in harness.fake.calls_to("chat.postMessage"))
        if harness.fake.dm_user(args.get("channel", "")) == seed.HIRING_MANAGER
    ]
    assert not message_errors(summary_dm["blocks"])
    [columns] = [b["fields"] for b in summary_dm["blocks"] if "fields" in b]
    [column] = columns
    assert column["text"].startswith(f"*<@{ANA}>*")
    assert f"Root cause: found at `{found_at}:00`" in column["text"]
    assert "Upstream data" not in _texts(summary_dm)
    # *View summary*, for Ana who has submitted: the same, with what the candidate said.
    _, shown = await click(
        harness, Action.VIEW_SUMMARY, user_id=ANA, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert shown is not None and not view_errors(shown)
    [columns] = [b["fields"] for b in shown["blocks"] if "fields" in b]
    assert f"Upstream data {PING_ESCAPED}" in columns[0]["text"]


@pytest.mark.parametrize(("stage_key", "offered"), [("system_design", True), ("technical", False)])
async def test_the_kit_dm_of_the_system_design_stage_has_start_incident(
    panel: tuple[Harness, Candidate, int], stage_key: str, offered: bool
) -> None:
    """Scheduled through the modal: each interviewer's kit DM has *Start incident* for a
    stage with scenarios, and only then."""
    harness, candidate, _ = panel
    _, view = await click(
        harness,
        Action.SCHEDULE_INTERVIEW,
        user_id=seed.HIRING_MANAGER,
        value=ref(Ref.CANDIDATE, candidate.id or 0),
    )
    assert view is not None
    values = {
        ScheduleBlock.STAGE: sr.select_value(ScheduleBlock.STAGE, stage_key),
        ScheduleBlock.INTERVIEWERS: sr.users_value(ScheduleBlock.INTERVIEWERS, [ANA]),
        ScheduleBlock.STARTS_AT: sr.datetime_value(
            ScheduleBlock.STARTS_AT, harness.bot.clock.now() + timedelta(days=1)
        ),
        ScheduleBlock.DURATION: sr.select_value(ScheduleBlock.DURATION, STAGE_LENGTH),
        ScheduleBlock.VIDEO_LINK: sr.url_value(ScheduleBlock.VIDEO_LINK, None),
    }
    reply = await submit_view(harness, seed.HIRING_MANAGER, view, values)
    assert (reply.status, reply.text) == (200, "")
    [kit] = [
        call.args
        for call in harness.fake.calls_to("chat.postMessage")
        if harness.fake.dm_user(call.args.get("channel", "")) == ANA
    ]
    buttons = [element["action_id"] for element in _elements(kit["blocks"])]
    assert buttons == [
        Action.SUBMIT_SCORECARD,
        Action.TAKE_NOTES,
        *([Action.START_INCIDENT] if offered else []),
    ]


async def test_the_next_candidate_is_not_offered_the_previous_scenario(
    panel: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = panel
    await Run(harness, ANA, interview_id).start("ctr_drop")
    other = await seed.add_candidate(
        harness.bot, "Sam Roe", fake=harness.fake, stage="system_design"
    )
    assert other.id is not None
    next_interview = await add_interview_id(
        harness.bot, other.id, stage_key="system_design", panel=(ANA, BEN)
    )
    view = await Run(harness, BEN, next_interview).open_start()
    assert not view_errors(view)
    [select] = [b for b in view["blocks"] if b.get("block_id") == IncidentBlock.SCENARIO]
    offered = [option["value"] for option in select["element"]["options"]]
    assert offered == ["feature_store_latency", "training_serving_skew"]
    # Never used before goes first.
    assert select["element"]["initial_option"]["value"] == "feature_store_latency"
    assert "previous candidate" in _texts(view["blocks"])

    # A forged choice of the previous scenario is refused on the form; nothing starts.
    reply = await submit_view(
        harness,
        BEN,
        view,
        {IncidentBlock.SCENARIO: sr.select_value(IncidentBlock.SCENARIO, "ctr_drop")},
    )
    assert reply.json == {
        "response_action": "errors",
        "errors": {IncidentBlock.SCENARIO: "Choose one of the scenarios offered."},
    }
    async with harness.bot.sessions() as session:
        assert await session.get(IncidentRun, 2) is None


async def test_a_second_panelist_runs_the_panels_scenario(
    panel: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = panel
    await Run(harness, ANA, interview_id).start("training_serving_skew")
    ben = Run(harness, BEN, interview_id)
    view = await ben.open_start()
    assert not any(b.get("block_id") == IncidentBlock.SCENARIO for b in view["blocks"])
    assert "already runs" in _texts(view["blocks"])
    message = await ben.start(None)
    assert "precision halves" in message["text"]


async def test_start_twice_points_to_the_run_instead_of_starting_another(
    panel: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = panel
    ana = Run(harness, ANA, interview_id)
    stale = await ana.open_start()
    await ana.start("ctr_drop")
    posts = len(harness.fake.calls_to("chat.postMessage"))
    opened = len(harness.fake.calls_to("views.open"))
    # The kit's button again: no modal, a pointer to the run.
    reply = await harness.action(
        Action.START_INCIDENT, user_id=ANA, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert reply.status == 200
    assert len(harness.fake.calls_to("views.open")) == opened
    assert "already started" in harness.fake.calls_to("response_url")[-1].args["text"]
    # A second modal left open and submitted: refused in place, nothing posted or stored.
    values = {IncidentBlock.SCENARIO: sr.select_value(IncidentBlock.SCENARIO, "ctr_drop")}
    reply = await submit_view(harness, ANA, stale, values)
    assert reply.json["response_action"] == "update"
    assert "already started" in _texts(reply.json["view"])
    assert len(harness.fake.calls_to("chat.postMessage")) == posts
    async with harness.bot.sessions() as session:
        assert await session.get(IncidentRun, 2) is None


async def test_outsiders_and_other_interviewers_cannot_drive_a_run(
    panel: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = panel
    await harness.action(
        Action.START_INCIDENT, user_id=OUTSIDER, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert "Only the interviewers" in harness.fake.calls_to("response_url")[-1].args["text"]
    ana = Run(harness, ANA, interview_id)
    await ana.start("ctr_drop")
    for action in (Action.INCIDENT_HYPOTHESIS, Action.INCIDENT_ROOT_CAUSE):
        await harness.action(action, user_id=BEN, value=ana.value)
        assert "another interviewer's" in harness.fake.calls_to("response_url")[-1].args["text"]
    await harness.action(f"{Action.INCIDENT_REVEAL}:alerts", user_id=BEN, value=ana.value)
    assert "another interviewer's" in harness.fake.calls_to("response_url")[-1].args["text"]
    async with harness.bot.sessions() as session:
        run = await session.get(IncidentRun, ana.run_id)
    assert run is not None and run.root_cause_at is None


async def test_an_empty_or_long_statement_stays_on_the_form(
    panel: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = panel
    ana = Run(harness, ANA, interview_id)
    await ana.start("ctr_drop")
    before = len(ana.dms())
    reply = await ana.say(Action.INCIDENT_HYPOTHESIS, "   ")
    assert reply.json == {
        "response_action": "errors",
        "errors": {IncidentBlock.TEXT: "Write what was said."},
    }
    reply = await ana.say(Action.INCIDENT_NOTE, "x" * 1001)
    assert reply.json["errors"] == {IncidentBlock.TEXT: "At most 1000 characters, please."}
    assert len(ana.dms()) == before


async def test_timelines_follow_the_independence_rule(
    panel: tuple[Harness, Candidate, int],
) -> None:
    """Ben cannot read Ana's run until his own scorecard is in; then View scorecards
    shows both timelines side by side, with what the candidate said."""
    from bot.incident_runs import visible_timelines

    harness, _, interview_id = panel
    ana, ben = Run(harness, ANA, interview_id), Run(harness, BEN, interview_id)
    await ana.start("feature_store_latency")
    await ana.say(Action.INCIDENT_HYPOTHESIS, "Tail latency from the feature fetch")
    await ben.start(None)

    async def readable(user_id: str) -> list[str]:
        async with harness.bot.sessions() as session:
            found = await visible_timelines(
                session, harness.bot, user_id=user_id, interview_id=interview_id
            )
        return [timeline.interviewer_id for timeline in found]

    assert await readable(BEN) == [BEN]
    assert await readable(OUTSIDER) == []
    # The hiring manager oversees: reads both at any time.
    assert await readable(seed.HIRING_MANAGER) == [ANA, BEN]

    view = await open_scorecard(harness, BEN, interview_id)
    reply = await submit_view(
        harness, BEN, view, scorecard_values(harness.bot.kits, "system_design")
    )
    assert (reply.status, reply.text) == (200, "")
    assert await readable(BEN) == [ANA, BEN]

    _, shown = await click(
        harness, Action.VIEW_SCORECARDS, user_id=BEN, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert shown is not None and not view_errors(shown)
    [columns] = [b["fields"] for b in shown["blocks"] if "fields" in b]
    assert [c["text"].split("\n")[0] for c in columns] == [f"*<@{ANA}>*", f"*<@{BEN}>*"]
    assert "Tail latency from the feature fetch" in columns[0]["text"]


async def test_erase_reaches_the_run_and_its_message(
    panel: tuple[Harness, Candidate, int],
) -> None:
    from bot.privacy import erase_candidate

    harness, candidate, interview_id = panel
    ana = Run(harness, ANA, interview_id)
    message = await ana.start("ctr_drop")
    await ana.say(Action.INCIDENT_NOTE, "Asked for the dashboard first.")
    assert candidate.id is not None
    async with transaction(harness.bot.sessions) as session:
        erasure = await erase_candidate(session, harness.bot, seed.HIRING_MANAGER, candidate.id)
    channel = dm_channel(harness, ANA)
    run_ts = [
        call.response["ts"]
        for call in harness.fake.calls_to("chat.postMessage")
        if call.args is message
    ]
    assert (channel, run_ts[0]) in erasure.direct_messages
    async with harness.bot.sessions() as session:
        assert await session.get(IncidentRun, ana.run_id) is None


async def test_a_teams_scenario_with_a_mistake_stops_the_harness_bot(
    tmp_path: Any, make_harness: Any
) -> None:
    import shutil

    from bot.kits import KitError, default_prompts_dir

    prompts = tmp_path / "prompts"
    shutil.copytree(default_prompts_dir(), prompts, ignore=shutil.ignore_patterns("*.py"))
    broken = (prompts / "incidents" / "ctr_drop.toml").read_text(encoding="utf-8")
    (prompts / "incidents" / "ctr_drop.toml").write_text(
        broken.replace('label = "Alerts that fired"', 'label = ""'), encoding="utf-8"
    )
    with pytest.raises(KitError, match=r"^incidents/ctr_drop.toml: scenario 'ctr_drop', "):
        load_kits(prompts)
    with pytest.raises(KitError, match=r"field injects\[1\]\.label: empty text$"):
        await make_harness(prompts_dir=prompts)
