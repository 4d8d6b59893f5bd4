"""Scorecards driven as Slack does: the buttons, the modal, the thread, View scorecards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot import reminder_planning
from bot.reminder_rules import ReminderKind
from bot.scorecards import NOT_ASSESSED
from handlers.ids import Action, ScorecardBlock, View
from handlers.refs import Ref, ref
from handlers.scorecard_modal import ScorecardMetadata, rating_block_id
from slackfake import requests as sr
from storage.db import transaction
from storage.models import (
    Candidate,
    Interview,
    RatingKind,
    Reminder,
    Scorecard,
    ScorecardRating,
    row_id,
)
from storage.reminders import OPEN_STATUSES
from tests import seed
from tests.calls import dms_to, mrkdwn_text, thread_posts
from tests.conftest import START
from tests.flows import (
    add_candidate,
    click,
    decide,
    open_scorecard,
    schedule,
    scorecard_values,
    submit_scorecard,
    submit_view,
)
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness
from tests.kit_samples import PING, PING_ESCAPED
from tests.probes import counted_statements
from tests.seed import PANEL, add_interview_id

ANA, BEN, CAT = PANEL
ADMIN = "U0ADM"
OUTSIDER = "U0ZED"


@pytest.fixture
async def technical(make_harness: Any) -> tuple[Harness, Candidate]:
    """A candidate in the Technical stage, with their card in the hiring channel: rows
    written straight, since what is tested here starts after intake and the decision that
    advanced them (driven through Slack in test_intake and test_decision_flow)."""
    harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    for user_id in (*PANEL, ADMIN, OUTSIDER):
        harness.fake.add_user(user_id)
    candidate = await seed.add_candidate(harness.bot, fake=harness.fake, stage="technical")
    return harness, candidate


@pytest.fixture
async def loop(technical: tuple[Harness, Candidate]) -> tuple[Harness, Candidate, int]:
    """And a technical interview with Ana, Ben and Cat that ended an hour ago."""
    harness, candidate = technical
    assert candidate.id is not None
    return harness, candidate, await add_interview_id(harness.bot, candidate.id)


async def scorecards(harness: Harness) -> list[Scorecard]:
    async with harness.bot.sessions() as session:
        return list((await session.exec(select(Scorecard))).all())


async def rating_count(harness: Harness) -> int:
    async with harness.bot.sessions() as session:
        return (await session.exec(select(func.count()).select_from(ScorecardRating))).one()


# ----------------------------------------------------------------------------- end to end


async def schedule_technical(harness: Harness, candidate: Candidate) -> int:
    """The hiring manager schedules the technical interview with the panel through the
    Schedule interview modal; it started three hours ago. Its id."""
    starts_at = START - timedelta(hours=3)
    interview = await schedule(
        harness, candidate, stage="technical", interviewers=PANEL, starts_at=starts_at
    )
    return row_id(interview)


def dm_buttons(harness: Harness) -> dict[str, str]:
    """The value of the Submit scorecard button in each interviewer's DM."""
    fake = harness.fake
    return {
        str(fake.dm_user(call.args["channel"])): element["value"]
        for call in fake.calls_to("chat.postMessage")
        if fake.dm_user(call.args["channel"])
        for block in call.args["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == Action.SUBMIT_SCORECARD
    }


ANA_CARD: dict[str, Any] = {
    "competencies": {"k8s_serving": 4, "autoscaling": 4, "feature_consistency": NOT_ASSESSED},
    "qualities": {"systems_thinking": 4},
    "overall": 4,
    "red_flags": ["accuracy_only_monitoring"],
    "evidence": "Ana's evidence: sized replicas from p99.",
    "private_note": "Ana's private note",
}
BEN_CARD: dict[str, Any] = {
    "competencies": {
        "k8s_serving": 2,
        "autoscaling": 3,
        "ml_monitoring": 1,
        "feature_consistency": NOT_ASSESSED,
    },
    "qualities": {"systems_thinking": 3},
    "overall": 3,
    "evidence": "Ben's evidence.",
}
CAT_CARD: dict[str, Any] = {
    "competencies": {
        "k8s_serving": 1,
        "autoscaling": NOT_ASSESSED,
        "feature_consistency": NOT_ASSESSED,
    },
    "overall": 1,
    "red_flags": ["accuracy_only_monitoring", "rollback_is_retraining"],
    "evidence": "Cat's evidence.",
}


@pytest.fixture
async def panel_in(technical: tuple[Harness, Candidate]) -> tuple[Harness, Candidate, int]:
    """The technical interview scheduled through Slack, and Ana's, Ben's and Cat's
    scorecards submitted from the buttons of their DMs."""
    harness, candidate = technical
    interview_id = await schedule_technical(harness, candidate)
    harness.fake.clear()
    for user_id, card in ((ANA, ANA_CARD), (BEN, BEN_CARD), (CAT, CAT_CARD)):
        await submit_scorecard(harness, user_id, interview_id, **card)
    return harness, candidate, interview_id


async def test_each_interviewer_scores_from_their_dm_and_the_thread_counts_it(
    technical: tuple[Harness, Candidate],
) -> None:
    harness, candidate = technical
    interview_id = await schedule_technical(harness, candidate)
    buttons = dm_buttons(harness)
    assert buttons == {user_id: ref(Ref.INTERVIEW, interview_id) for user_id in PANEL}
    _, view = await click(harness, Action.SUBMIT_SCORECARD, user_id=ANA, value=buttons[ANA])
    assert view is not None
    assert ScorecardMetadata.decode(view["private_metadata"]).interview_id == interview_id
    assert view["callback_id"] == View.SCORECARD and view["title"]["text"] == "Technical"
    harness.fake.clear()

    reply = await submit_view(harness, ANA, view, scorecard_values(harness.bot.kits, **ANA_CARD))

    assert reply.status == 200 and reply.text == ""
    (progress,) = thread_posts(harness.fake, candidate)
    assert progress["text"] == f"<@{ANA}> submitted the *Technical* scorecard (1 of 3)"
    assert progress["channel"] == HIRING_CHANNEL


async def test_the_last_scorecard_asks_for_the_decision_without_saying_what_the_cards_say(
    panel_in: tuple[Harness, Candidate, int],
) -> None:
    harness, candidate, _ = panel_in
    # The card counts them: its next step asks for the decision now.
    card = harness.fake.calls_to("chat.update")[-1].args
    assert card["ts"] == candidate.thread_ts
    assert "Technical scorecards all in: record a decision" in str(card["blocks"])
    posts = thread_posts(harness.fake, candidate)
    assert [post["text"] for post in posts[:3]] == [
        f"<@{user}> submitted the *Technical* scorecard ({n} of 3)"
        for n, user in enumerate(PANEL, start=1)
    ]
    assert len(posts) == 4
    complete = posts[3]
    assert complete["text"].startswith(f"<@{HIRING_MANAGER}> all 3 scorecards")
    note = mrkdwn_text(complete["blocks"])
    assert f"(<@{ANA}>, <@{BEN}>, <@{CAT}>)" in note and "records a decision" in note
    # The thread says who and what next, never what: a later interviewer reads it too.
    for figure in ("mean", "Strong yes", "Red flags", "Disagreements", "Split", "assessed"):
        assert figure not in note


async def test_the_panel_complete_note_leads_to_the_summary_scorecards_decision_and_debrief(
    panel_in: tuple[Harness, Candidate, int],
) -> None:
    harness, candidate, interview_id = panel_in
    complete = thread_posts(harness.fake, candidate)[3]
    summary_buttons = {
        element["action_id"]: element["value"]
        for block in complete["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }
    assert summary_buttons == {
        Action.VIEW_SUMMARY: ref(Ref.INTERVIEW, interview_id),
        Action.VIEW_SCORECARDS: ref(Ref.INTERVIEW, interview_id),
        Action.RECORD_DECISION: ref(Ref.CANDIDATE, row_id(candidate)),
        Action.SCHEDULE_DEBRIEF: ref(Ref.CANDIDATE, row_id(candidate)),
    }


async def test_the_hiring_manager_gets_the_panels_figures_by_dm(
    panel_in: tuple[Harness, Candidate, int],
) -> None:
    harness, _, _ = panel_in
    (dm,) = dms_to(harness.fake, HIRING_MANAGER)
    text = mrkdwn_text(dm["blocks"])
    # One line at the top: the split, and every competency 2 or more apart (3 beside 1 too).
    assert mrkdwn_text(dm["blocks"][1:2]) == (
        ":scales: *Split 2 : 1* (yes : no) · Serving on Kubernetes under a latency budget "
        "4 / 2 / 1, Monitoring for ML services 3 / 3 / 1"
    )
    assert (
        "Serving on Kubernetes under a latency budget: mean *2.3* · spread 3 · scores 4, 2, 1"
        in text
    )
    # Not assessed is left out of the figures and named, not counted as a low score.
    assert (
        f"Autoscaling and capacity: scores *4, 3* · spread 1 · _not assessed by <@{CAT}>_" in text
    )
    assert "ML lifecycle: tracking, versioning, rollback: mean *3.0* · spread 0" in text
    assert (
        "Feature consistency between training and serving: _not assessed by "
        f"<@{ANA}>, <@{BEN}>, <@{CAT}>_" in text
    )
    assert (
        "Nobody on the panel assessed:* *Feature consistency between training and serving*" in text
    )
    assert "Systems thinking under uncertainty: scores *4, 3* · spread 1" in text
    assert (
        "Strong yes *1* · Yes *1* · No *0* · Strong no *1*  "
        "(mean *2.7* · spread 3 · scores 4, 3, 1)" in text
    )
    assert f'Can\'t describe monitoring beyond "we tracked accuracy": <@{ANA}>, <@{CAT}>' in text
    assert f'No rollback plan beyond "retrain and redeploy": <@{CAT}>' in text
    assert (
        f"Serving on Kubernetes under a latency budget: <@{ANA}> 4, <@{BEN}> 2, <@{CAT}> 1" in text
    )
    assert f"Monitoring for ML services: <@{ANA}> 3, <@{CAT}> 3, <@{BEN}> 1" in text
    assert "*Collaborative translation between ML and infrastructure*, *Production mindset" in text


async def test_what_interviewers_wrote_is_stored_and_never_posted(
    panel_in: tuple[Harness, Candidate, int],
) -> None:
    harness, _, _ = panel_in
    posted = str(harness.fake.calls_to("chat.postMessage"))
    for written in ("sized replicas", "Ben's evidence", "Cat's evidence", "Ana's private note"):
        assert written not in posted
    stored = await scorecards(harness)
    assert sorted(card.interviewer_id for card in stored) == sorted(PANEL)


async def test_deciding_after_the_panel_starts_the_next_stage(
    panel_in: tuple[Harness, Candidate, int],
) -> None:
    harness, candidate, _ = panel_in

    assert (await decide(harness, row_id(candidate), "advance")).text == ""

    texts = [post["text"] for post in thread_posts(harness.fake, candidate)[4:]]
    assert texts[0].endswith("*Advance to System design: production incident*")
    assert texts[1].startswith("System design: production incident question set")


async def test_not_attended_interviewers_are_not_counted(make_harness: Any) -> None:
    harness = await make_harness()
    candidate = await add_candidate(harness)
    assert candidate.id is not None
    interview_id = await add_interview_id(
        harness.bot, candidate.id, stage_key="screening", not_attended=[CAT]
    )
    harness.fake.clear()
    await submit_scorecard(harness, ANA, interview_id, stage_key="screening")
    await submit_scorecard(harness, BEN, interview_id, stage_key="screening")
    posts = thread_posts(harness.fake, candidate)
    assert [post["text"] for post in posts[:2]] == [
        f"<@{ANA}> submitted the *Screening* scorecard (1 of 2)",
        f"<@{BEN}> submitted the *Screening* scorecard (2 of 2)",
    ]
    assert "Panel complete" in str(posts[2]["blocks"])


async def test_the_same_view_submitted_twice_stores_one_scorecard(
    loop: tuple[Harness, Candidate, int],
) -> None:
    harness, candidate, interview_id = loop
    view = await open_scorecard(harness, ANA, interview_id)
    values = scorecard_values(harness.bot.kits)
    for _ in range(2):
        reply = await submit_view(harness, ANA, view, values)
        assert reply.status == 200 and reply.text == ""
    assert len(await scorecards(harness)) == 1
    assert len(thread_posts(harness.fake, candidate)) == 1


async def test_not_assessed_is_kept_reopened_and_shown_as_such(
    loop: tuple[Harness, Candidate, int],
) -> None:
    """An interviewer who never reached autoscaling says so instead of inventing a score.
    The form's ratings, scored and not, are stored in one statement."""
    harness, _, interview_id = loop
    with counted_statements(harness.bot) as statements:
        await submit_scorecard(
            harness, ANA, interview_id, competencies={"autoscaling": NOT_ASSESSED}, score=4
        )
    inserts = [sql for sql, _ in statements if sql.startswith("INSERT INTO scorecard_rating")]
    assert len(inserts) == 1, inserts
    async with harness.bot.sessions() as session:
        stored = {
            (rating.kind, rating.key): rating.score
            for rating in (await session.exec(select(ScorecardRating))).all()
        }
    assert stored == {
        (RatingKind.COMPETENCY, "ml_lifecycle"): 4,
        (RatingKind.COMPETENCY, "feature_consistency"): 4,
        (RatingKind.COMPETENCY, "k8s_serving"): 4,
        (RatingKind.COMPETENCY, "autoscaling"): None,
        (RatingKind.COMPETENCY, "ml_monitoring"): 4,
    } | {(RatingKind.QUALITY, q.id): None for q in harness.bot.kits.qualities}
    view = await open_scorecard(harness, ANA, interview_id)
    autoscaling = next(
        block
        for block in view["blocks"]
        if block.get("block_id") == rating_block_id(RatingKind.COMPETENCY, "autoscaling")
    )
    assert autoscaling["element"]["initial_option"]["value"] == NOT_ASSESSED
    assert autoscaling["element"]["initial_option"] in autoscaling["element"]["options"]
    _, shown = await click(
        harness, Action.VIEW_SCORECARDS, user_id=ANA, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert shown is not None
    text = mrkdwn_text(shown["blocks"])
    assert "Autoscaling and capacity: *Not assessed*" in text
    assert "Serving on Kubernetes under a latency budget: *4 · Exceptional*" in text
    # Changing it later is one more edit in the history, "not assessed → 3".
    await submit_scorecard(harness, ANA, interview_id, competencies={"autoscaling": 3}, score=4)
    _, shown = await click(
        harness, Action.VIEW_SCORECARDS, user_id=ANA, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert shown is not None
    assert "Autoscaling and capacity not assessed → 3" in mrkdwn_text(shown["blocks"])


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("values", "block", "message"),
    [
        (
            {"competencies": {"autoscaling": None}},
            "scorecard_competency:autoscaling",
            "1 to 4, or Not assessed",
        ),
        # A forged value (a quality's "not observed" on a competency) is no choice at all.
        (
            {"competencies": {"autoscaling": "not_observed"}},
            "scorecard_competency:autoscaling",
            "1 to 4, or Not assessed",
        ),
        (
            {"qualities": {"production_mindset": None}},
            "scorecard_quality:production_mindset",
            "Not observed",
        ),
        ({"overall": None}, ScorecardBlock.OVERALL, "overall recommendation"),
        ({"evidence": None}, ScorecardBlock.EVIDENCE, "Write the evidence"),
        ({"evidence": "   \n  "}, ScorecardBlock.EVIDENCE, "Write the evidence"),
        ({"evidence": "x" * 3001}, ScorecardBlock.EVIDENCE, "Keep the evidence to 3,000"),
        ({"private_note": "n" * 3001}, ScorecardBlock.PRIVATE_NOTE, "Keep the note to 3,000"),
    ],
)
async def test_each_validation_error_is_shown_and_nothing_is_stored(
    loop: tuple[Harness, Candidate, int], values: dict[str, Any], block: str, message: str
) -> None:
    harness, candidate, interview_id = loop
    view = await open_scorecard(harness, ANA, interview_id)
    reply = await submit_view(harness, ANA, view, scorecard_values(harness.bot.kits, **values))
    assert reply.status == 200
    assert reply.json["response_action"] == "errors"
    assert list(reply.json["errors"]) == [block]
    assert message in reply.json["errors"][block]
    assert await scorecards(harness) == []
    assert await rating_count(harness) == 0
    assert thread_posts(harness.fake, candidate) == []


async def test_an_invalid_edit_keeps_what_was_submitted(
    loop: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = loop
    await submit_scorecard(harness, ANA, interview_id, evidence="First version.")
    view = await open_scorecard(harness, ANA, interview_id)
    reply = await submit_view(harness, ANA, view, scorecard_values(harness.bot.kits, evidence=" "))
    assert reply.json["response_action"] == "errors"
    (card,) = await scorecards(harness)
    assert card.evidence == "First version."


# ----------------------------------------------------------------------------- who may submit


async def test_a_non_interviewer_gets_an_explanation_and_no_form(
    loop: tuple[Harness, Candidate, int],
) -> None:
    harness, candidate, interview_id = loop
    for value, explanation in (
        (ref(Ref.INTERVIEW, interview_id), "Only the interviewers of this interview"),
        (ref(Ref.CANDIDATE, candidate.id or 0), "You are not an interviewer of this candidate"),
    ):
        harness.fake.clear()
        reply, view = await click(harness, Action.SUBMIT_SCORECARD, user_id=OUTSIDER, value=value)
        assert reply.status == 200 and view is None
        (answer,) = harness.fake.calls_to("response_url")
        assert answer.args["response_type"] == "ephemeral"
        assert explanation in answer.args["text"]
    assert await scorecards(harness) == []


async def test_a_non_interviewer_submitting_anyway_stores_nothing(
    loop: tuple[Harness, Candidate, int],
) -> None:
    harness, candidate, interview_id = loop
    view = await open_scorecard(harness, ANA, interview_id)
    reply = await submit_view(harness, OUTSIDER, view, scorecard_values(harness.bot.kits))
    assert reply.json["response_action"] == "update"
    assert "Only the interviewers" in mrkdwn_text(reply.json["view"]["blocks"])
    assert await scorecards(harness) == []
    assert thread_posts(harness.fake, candidate) == []


@pytest.mark.parametrize("user_id", [HIRING_MANAGER, ADMIN])
async def test_the_hiring_manager_and_admins_write_one_only_on_the_panel(
    loop: tuple[Harness, Candidate, int], user_id: str
) -> None:
    harness, candidate, interview_id = loop
    assert candidate.id is not None
    reply, view = await click(
        harness, Action.SUBMIT_SCORECARD, user_id=user_id, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert reply.status == 200 and view is None
    assert "add yourself to the panel" in harness.fake.calls_to("response_url")[-1].args["text"]
    on_panel = await add_interview_id(harness.bot, candidate.id, panel=[user_id])
    await submit_scorecard(harness, user_id, on_panel)
    assert {(c.interviewer_id, c.interview_id) for c in await scorecards(harness)} == {
        (user_id, on_panel)
    }


# ----------------------------------------------------------------------------- other ways in


async def test_the_card_button_opens_the_only_interview_directly(
    loop: tuple[Harness, Candidate, int],
) -> None:
    harness, candidate, _ = loop
    _, view = await click(
        harness, Action.SUBMIT_SCORECARD, user_id=ANA, value=ref(Ref.CANDIDATE, candidate.id or 0)
    )
    assert view is not None and view["callback_id"] == View.SCORECARD


async def test_several_interviews_ask_which_first(loop: tuple[Harness, Candidate, int]) -> None:
    harness, candidate, interview_id = loop
    assert candidate.id is not None
    # A second technical interview, a day before the first.
    earlier = await add_interview_id(
        harness.bot, candidate.id, panel=[ANA], starts_at=START - timedelta(days=1)
    )
    _, view = await click(
        harness, Action.SUBMIT_SCORECARD, user_id=ANA, value=ref(Ref.CANDIDATE, candidate.id)
    )
    assert view is not None and view["callback_id"] == View.SCORECARD_CHOICE
    options = view["blocks"][0]["element"]["options"]
    assert [option["value"] for option in options] == [str(interview_id), str(earlier)]
    chosen = {ScorecardBlock.INTERVIEW: sr.select_value(ScorecardBlock.INTERVIEW, str(earlier))}
    reply = await submit_view(harness, ANA, view, chosen)
    assert reply.json["response_action"] == "update"
    scorecard = reply.json["view"] | {"id": view["id"]}
    assert scorecard["callback_id"] == View.SCORECARD
    submitted = await submit_view(harness, ANA, scorecard, scorecard_values(harness.bot.kits))
    assert submitted.text == ""
    (card,) = await scorecards(harness)
    assert card.interview_id == earlier


async def test_the_choice_shows_times_in_the_readers_zone(
    loop: tuple[Harness, Candidate, int],
) -> None:
    """An option cannot hold a date token: the time is the reader's, from users.info."""
    harness, candidate, _ = loop
    assert candidate.id is not None
    harness.fake.add_user(ANA, tz="Asia/Kolkata", tz_offset=19800)
    earlier = await add_interview_id(
        harness.bot, candidate.id, panel=[ANA], starts_at=START - timedelta(days=1)
    )
    _, view = await click(
        harness, Action.SUBMIT_SCORECARD, user_id=ANA, value=ref(Ref.CANDIDATE, candidate.id)
    )
    assert view is not None
    texts = [option["text"]["text"] for option in view["blocks"][0]["element"]["options"]]
    local = (START - timedelta(days=1)).astimezone(ZoneInfo("Asia/Kolkata"))
    assert texts[1].startswith(f"{local:%a %d %b %Y %H:%M} IST · ")
    assert "UTC" not in " ".join(texts)
    assert [option["value"] for option in view["blocks"][0]["element"]["options"]][1] == str(
        earlier
    )


async def test_the_command_opens_the_scorecard(loop: tuple[Harness, Candidate, int]) -> None:
    harness, _, _ = loop
    reply = await harness.command("scorecard jane doe", user_id=BEN)
    assert reply.status == 200 and reply.text == ""
    (opened,) = harness.fake.calls_to("views.open")
    assert opened.response["ok"] and opened.args["view"]["callback_id"] == View.SCORECARD
    unknown = await harness.command("scorecard nobody", user_id=BEN)
    assert "No open candidate has that name" in unknown.json["text"]
    assert len(harness.fake.calls_to("views.open")) == 1


# ----------------------------------------------------------------------------- editing


async def test_editing_before_and_after_a_decision(loop: tuple[Harness, Candidate, int]) -> None:
    harness, candidate, interview_id = loop
    assert candidate.id is not None
    await submit_scorecard(harness, ANA, interview_id, evidence=f"First {PING}", overall=2)
    view = await open_scorecard(harness, ANA, interview_id)
    assert view["submit"]["text"] == "Save changes"
    fields = {block.get("block_id"): block for block in view["blocks"]}
    assert fields[ScorecardBlock.EVIDENCE]["element"]["initial_value"] == f"First {PING}"
    assert fields[ScorecardBlock.OVERALL]["element"]["initial_option"]["value"] == "2"
    k8s = fields[rating_block_id(RatingKind.COMPETENCY, "k8s_serving")]
    assert k8s["element"]["initial_option"]["value"] == "3"
    harness.fake.clear()
    reply = await submit_view(
        harness, ANA, view, scorecard_values(harness.bot.kits, overall=4, evidence="Second")
    )
    assert reply.text == ""
    (card,) = await scorecards(harness)
    assert (card.overall, card.evidence) == (4, "Second")
    assert thread_posts(harness.fake, candidate) == []  # an edit is not announced

    await decide(harness, candidate.id, "advance")
    read_only = await open_scorecard(harness, ANA, interview_id)
    assert read_only["submit"] is None
    assert not [block for block in read_only["blocks"] if block["type"] == "input"]
    assert "read-only" in mrkdwn_text(read_only["blocks"]) and "Second" in mrkdwn_text(
        read_only["blocks"]
    )
    # A form opened before the decision and submitted after it changes nothing.
    late = await submit_view(harness, ANA, view, scorecard_values(harness.bot.kits, overall=1))
    assert late.json["response_action"] == "update"
    assert "read-only" in mrkdwn_text(late.json["view"]["blocks"])
    (card,) = await scorecards(harness)
    assert card.overall == 4
    # Someone who never submitted still can: the scorecard is taken, marked late, and the
    # hiring manager is told (no "panel complete" note: the decision is taken).
    harness.fake.clear()
    _, view = await click(
        harness, Action.SUBMIT_SCORECARD, user_id=BEN, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert view is not None and "marked late" in mrkdwn_text(view["blocks"])
    reply = await submit_view(
        harness, BEN, view, scorecard_values(harness.bot.kits, overall=1, evidence="Ben, late.")
    )
    assert (reply.status, reply.text) == (200, "")
    stored = {card.interviewer_id: card.late for card in await scorecards(harness)}
    assert stored == {ANA: False, BEN: True}
    (note,) = thread_posts(harness.fake, candidate)
    assert note["text"] == (
        f"<@{BEN}> submitted the *Technical* scorecard late, after the decision (2 of 3)"
    )
    (told,) = dms_to(harness.fake, HIRING_MANAGER)
    assert told["text"] == (
        f"<@{BEN}> submitted a *Technical* scorecard for *Jane Doe* after the decision"
    )
    assert [e["action_id"] for e in told["blocks"][-1]["elements"]] == [Action.VIEW_SCORECARDS]
    assert "Panel complete" not in str(harness.fake.calls_to("chat.postMessage"))
    shown, _ = await view_scorecards(harness, HIRING_MANAGER, interview_id)
    assert shown is not None
    assert "late: submitted after the decision" in mrkdwn_text(shown["blocks"])


# ----------------------------------------------------------------------------- view scorecards


async def view_scorecards(
    harness: Harness, user_id: str, interview_id: int
) -> tuple[dict[str, Any] | None, str]:
    """The modal opened, or None and the ephemeral answer."""
    before = len(harness.fake.calls_to("response_url"))
    _, view = await click(
        harness, Action.VIEW_SCORECARDS, user_id=user_id, value=ref(Ref.INTERVIEW, interview_id)
    )
    answers = harness.fake.calls_to("response_url")[before:]
    return view, answers[0].args["text"] if answers else ""


@pytest.fixture
async def two_in(loop: tuple[Harness, Candidate, int]) -> tuple[Harness, int]:
    harness, _, interview_id = loop
    for user_id in (ANA, BEN):
        await submit_scorecard(
            harness,
            user_id,
            interview_id,
            evidence=f"evidence of {user_id} {PING}",
            private_note=f"note of {user_id}",
        )
    return harness, interview_id


async def test_an_interviewer_sees_the_others_only_after_submitting(
    two_in: tuple[Harness, int],
) -> None:
    harness, interview_id = two_in
    view, answer = await view_scorecards(harness, CAT, interview_id)
    assert view is None and "Submit your own scorecard first" in answer
    view, _ = await view_scorecards(harness, ANA, interview_id)
    assert view is not None
    text = mrkdwn_text(view["blocks"])
    assert f"evidence of {ANA}" in text and f"evidence of {BEN}" in text
    assert PING_ESCAPED in text and PING not in text
    assert f"note of {ANA}" in text and f"note of {BEN}" not in text
    assert "2 of 3 expected scorecards in" in text


@pytest.mark.parametrize("user_id", [HIRING_MANAGER, ADMIN])
async def test_the_hiring_manager_and_admins_see_everything(
    two_in: tuple[Harness, int], user_id: str
) -> None:
    harness, interview_id = two_in
    view, _ = await view_scorecards(harness, user_id, interview_id)
    assert view is not None
    text = mrkdwn_text(view["blocks"])
    assert f"note of {ANA}" in text and f"note of {BEN}" in text


async def test_anyone_else_gets_an_explanation(two_in: tuple[Harness, int]) -> None:
    harness, interview_id = two_in
    view, answer = await view_scorecards(harness, OUTSIDER, interview_id)
    assert view is None and "Only the interviewers of this interview" in answer


# ----------------------------------------------------------------------------- reminders


async def open_reminders(harness: Harness) -> set[tuple[str, str]]:
    """(kind, recipient) of the reminders still to be sent."""
    async with harness.bot.sessions() as session:
        rows = (await session.exec(select(Reminder))).all()
    return {(row.kind, row.recipient_id) for row in rows if row.status in OPEN_STATUSES}


async def test_scorecards_and_decisions_settle_their_reminders(
    technical: tuple[Harness, Candidate],
) -> None:
    harness, candidate = technical
    interview_id = await add_interview_id(harness.bot, candidate.id or 0)
    # Planned as scheduling plans them (its hook into bot.reminder_planning).
    async with transaction(harness.bot.sessions) as session:
        interview = await session.get(Interview, interview_id)
        assert interview is not None
        await reminder_planning.interview_planned(
            session,
            interview,
            PANEL,
            hiring_manager_id=HIRING_MANAGER,
            feedback_due_hours=24,
            now=START,
        )
    nudges = {(ReminderKind.SCORECARD_NUDGE.value, user) for user in PANEL}
    assert nudges <= await open_reminders(harness)

    await submit_scorecard(harness, ANA, interview_id)
    left = await open_reminders(harness)
    assert not {kind for kind, user in left if user == ANA}
    assert (ReminderKind.SCORECARD_NUDGE, BEN) in left

    await submit_scorecard(harness, BEN, interview_id)
    await submit_scorecard(harness, CAT, interview_id)
    assert await open_reminders(harness) == {(ReminderKind.DEBRIEF_PENDING, HIRING_MANAGER)}

    await decide(harness, candidate.id or 0, "reject", "No production depth")
    assert await open_reminders(harness) == set()


async def test_the_last_owed_scorecard_excused_brings_the_summary(
    loop: tuple[Harness, Candidate, int],
) -> None:
    harness, candidate, interview_id = loop
    await submit_scorecard(harness, ANA, interview_id)
    await submit_scorecard(harness, BEN, interview_id)
    assert "Panel complete" not in str(thread_posts(harness.fake, candidate))
    await harness.action(Action.NOT_ATTENDED, user_id=CAT, value=ref(Ref.INTERVIEW, interview_id))
    summary = thread_posts(harness.fake, candidate)[-1]
    assert summary["text"].startswith(f"<@{HIRING_MANAGER}> all 2 scorecards")
    # Once only: marking again is refused and posts nothing more.
    await harness.action(Action.NOT_ATTENDED, user_id=CAT, value=ref(Ref.INTERVIEW, interview_id))
    assert str(thread_posts(harness.fake, candidate)).count("Panel complete") == 1
