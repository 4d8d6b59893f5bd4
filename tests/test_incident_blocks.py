"""The incident builders with any text a person can type or a team can write: escaped,
clipped, and always accepted by the fake's Block Kit validator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.incident_runs import MAX_STATEMENT, Logged, Revealed, RunState, StartOffer
from bot.incident_scenarios import (
    MAX_ASK,
    MAX_BRIEF,
    MAX_EVIDENCE,
    MAX_INJECTS,
    MAX_LABEL,
    MAX_SIGNS,
    MAX_TITLE,
    Inject,
    InjectKind,
    Scenario,
)
from bot.incident_timeline import Entry, Timeline, clock_text
from bot.kits import default_prompts_dir, load_kits
from bot.scorecards import MAX_EVIDENCE as MAX_SCORECARD_EVIDENCE
from handlers.block_kit import FIELD_LIMIT, MESSAGE_TEXT_LIMIT, text_length
from handlers.incident_blocks import entry_text, evidence_message, run_message, stopped_message
from handlers.incident_modal import (
    answer_key_modal,
    reveal_modal,
    start_modal,
    statement_modal,
)
from handlers.incident_timeline_blocks import (
    MESSAGE_BUDGET,
    own_timeline_blocks,
    panel_timelines_blocks,
    timeline_evidence,
)
from slackfake import message_errors, view_errors
from storage.models import Candidate, IncidentEventKind, IncidentRun, Interview

KITS = load_kits(default_prompts_dir())
START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
# Characters that Slack treats specially, emoji, combining marks, right-to-left text.
SPECIAL = ["&", "<", ">", "*", "_", "~", "`", "|", "@", "!", "\u0301", "\u05d0", "😀", "a", " "]
TRICKY = st.text(
    alphabet=st.sampled_from([*SPECIAL, "\n"]) | st.characters(exclude_categories=("Cs",)),
    min_size=1,
)


def text_of(max_size: int) -> st.SearchStrategy[str]:
    """Any text up to ``max_size``, often the longest allowed and swollen by escaping."""
    longest = st.sampled_from(["&", "<>", "😀", "a\u0301", "\u05d0 "]).map(
        lambda piece: (piece * max_size)[:max_size]
    )
    return (TRICKY.map(lambda text: text[:max_size]) | longest).filter(
        lambda text: text.strip() != ""
    )


def _candidate(name: str) -> Candidate:
    return Candidate(
        id=1,
        name=name,
        name_key=name.lower(),
        level="senior",
        location="us",
        hiring_manager_id="U0HM",
        created_by="U0HM",
        stage_key="system_design",
        stage_entered_at=START,
        last_activity_at=START,
        created_at=START,
        updated_at=START,
    )


def _interview() -> Interview:
    return Interview(
        id=7,
        candidate_id=1,
        stage_key="system_design",
        starts_at=START,
        duration_minutes=60,
        created_by="U0HM",
        created_at=START,
        updated_at=START,
    )


def _state(scenario: Scenario, name: str = "Jane Doe") -> RunState:
    run = IncidentRun(
        id=3,
        interview_id=7,
        candidate_id=1,
        stage_key="system_design",
        interviewer_id="U0ANA",
        scenario_key=scenario.key,
        started_at=START,
    )
    return RunState(run, scenario, _candidate(name), _interview(), KITS.stage("system_design"))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A team's scenario with texts at any length up to the schema's limits."""
    count = draw(st.integers(1, MAX_INJECTS))
    injects = tuple(
        Inject(
            id=f"inject_{index}",
            kind=draw(st.sampled_from(list(InjectKind))),
            label=draw(text_of(MAX_LABEL)).strip() or "x",
            ask=draw(text_of(MAX_ASK)),
            text=draw(text_of(MAX_EVIDENCE)),
        )
        for index in range(count)
    )
    return Scenario(
        key="team_own",
        title=draw(text_of(MAX_TITLE)),
        brief=draw(text_of(MAX_BRIEF)),
        root_cause=draw(text_of(MAX_BRIEF)),
        strong_signs=tuple(draw(st.lists(text_of(MAX_ASK), min_size=1, max_size=MAX_SIGNS))),
        weak_signs=tuple(draw(st.lists(text_of(MAX_ASK), min_size=1, max_size=MAX_SIGNS))),
        injects=injects,
    )


@settings(max_examples=40, deadline=None)
@given(scenario=scenarios(), name=text_of(100))
def test_the_run_message_fits_slack_whatever_the_scenario_says(
    scenario: Scenario, name: str
) -> None:
    state = _state(scenario, name)
    _, blocks = run_message(state)
    assert message_errors(blocks) == []
    assert text_length(blocks) <= MESSAGE_TEXT_LIMIT
    for inject in scenario.injects:
        entry = Entry(timedelta(minutes=3), IncidentEventKind.REVEAL, None, inject.label, True)
        _, evidence = evidence_message(Revealed(state, entry, inject))
        assert message_errors(evidence) == []
        assert view_errors(reveal_modal(state, inject)) == []
    stop = Entry(timedelta(minutes=40), IncidentEventKind.ROOT_CAUSE)
    assert message_errors(stopped_message(Logged(state, stop), 7)[1]) == []
    offer = StartOffer(
        _interview(), _candidate(name), state.stage, (scenario,), scenario, None, None
    )
    assert view_errors(start_modal(offer)) == []
    assert view_errors(statement_modal(state, IncidentEventKind.NOTE)) == []
    assert view_errors(answer_key_modal(state)) == []


@given(text=text_of(MAX_STATEMENT))
def test_a_logged_statement_is_escaped_and_fits(text: str) -> None:
    line = entry_text(Entry(timedelta(seconds=65), IncidentEventKind.HYPOTHESIS, text))
    assert line.startswith("`1:05` :bulb: *Hypothesis:* ")
    assert "<" not in line.partition("*Hypothesis:* ")[2]
    assert message_errors([{"type": "section", "text": {"type": "mrkdwn", "text": line}}]) == []


@st.composite
def timelines(draw: st.DrawFn) -> Timeline:
    statements = draw(st.lists(text_of(MAX_STATEMENT), max_size=30))
    kinds = [IncidentEventKind.HYPOTHESIS, IncidentEventKind.NOTE]
    entries = tuple(
        Entry(timedelta(minutes=index), kinds[index % 2], text)
        for index, text in enumerate(statements)
    )
    labels = draw(st.lists(text_of(MAX_LABEL), max_size=MAX_INJECTS, unique=True))
    reveals = tuple(
        Entry(timedelta(seconds=index), IncidentEventKind.REVEAL, None, label, index % 2 == 0)
        for index, label in enumerate(labels)
    )
    return Timeline(
        interviewer_id="U0ANA",
        scenario_key="team_own",
        scenario_title=draw(text_of(MAX_TITLE)),
        started_at=START,
        entries=reveals + entries,
        root_cause_after=draw(st.none() | st.just(timedelta(minutes=41, seconds=5))),
        unrevealed=(),
    )


@settings(max_examples=60, deadline=None)
@given(panel=st.lists(timelines(), min_size=1, max_size=12))
def test_timelines_fit_the_scorecard_and_the_summary(panel: list[Timeline]) -> None:
    for with_text in (True, False):
        blocks = panel_timelines_blocks(panel, with_text=with_text)
        assert message_errors(blocks) == []
        columns = blocks[1]["fields"]
        assert len(columns) == min(len(panel), 10)
        assert all(len(column["text"]) <= FIELD_LIMIT for column in columns)
    in_thread = panel_timelines_blocks(panel, with_text=False, budget=MESSAGE_BUDGET)
    assert text_length(in_thread[1]) <= MESSAGE_BUDGET
    for timeline in panel:
        assert message_errors(own_timeline_blocks(timeline)) == []
        evidence = timeline_evidence(timeline, MAX_SCORECARD_EVIDENCE)
        assert len(evidence) <= MAX_SCORECARD_EVIDENCE


def test_the_thread_summary_leaves_out_what_was_said() -> None:
    timeline = Timeline(
        interviewer_id="U0ANA",
        scenario_key="ctr_drop",
        scenario_title="CTR <down>",
        started_at=START,
        entries=(
            Entry(timedelta(minutes=2), IncidentEventKind.REVEAL, None, "CTR & co", True),
            Entry(timedelta(0), IncidentEventKind.HYPOTHESIS, "<!here> data drift"),
            Entry(timedelta(minutes=5), IncidentEventKind.REVEAL, None, "Alerts", False),
        ),
        root_cause_after=None,
        unrevealed=("Upstream",),
    )
    [_, fields] = panel_timelines_blocks([timeline], with_text=False)
    assert fields["fields"][0]["text"].split("\n") == [
        "*<@U0ANA>*",
        "Scenario: _CTR &lt;down&gt;_",
        "First hypothesis: `0:00`",
        "Asked for (1): CTR &amp; co",
        "Handed over (1): Alerts",
        "Not revealed: Upstream",
        "Root cause: _not found_",
    ]
    [_, with_text] = panel_timelines_blocks([timeline], with_text=True)
    assert "`0:00` &lt;!here&gt; data drift" in with_text["fields"][0]["text"]


def test_the_clock_reads_minutes_and_seconds_then_hours() -> None:
    assert clock_text(timedelta(seconds=5)) == "0:05"
    assert clock_text(timedelta(minutes=59, seconds=59)) == "59:59"
    assert clock_text(timedelta(hours=1, minutes=2, seconds=5)) == "1:02:05"
    assert clock_text(timedelta(seconds=-3)) == "0:00"
