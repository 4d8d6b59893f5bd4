"""*Take notes* driven as Slack does: the kit DM's button, the modal, its *Save* and its
close (view_closed with the form's state), the draft only its author sees, across a
restart, and the scorecard that starts from it and keeps the answers per question."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.kits import default_prompts_dir, load_kits
from bot.question_answers import MAX_NOTES, Answer, read_sheet
from bot.question_answers import suggested_ratings as suggested_from_sheet
from handlers.ids import Action, NotesBlock, ScorecardBlock, View
from handlers.interview_notes_blocks import NOT_ASKED, notes_block_id
from handlers.refs import Ref, ref
from handlers.scorecard_modal import FROM_NOTES_NOTE, SUGGESTED_NOTE, rating_block_id
from slackfake import requests as sr
from slackfake.blockkit import view_errors
from storage.models import Candidate, RatingKind, ScorecardAnswer, ScorecardDraft, row_id
from tests import seed
from tests.calls import render_blocks
from tests.flows import (
    click,
    close,
    note,
    open_scorecard,
    scorecard_values,
    submit_view,
    take_notes,
)
from tests.harness import Harness
from tests.seed import PANEL, add_interview_id

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases

ANA, BEN, CAT = PANEL
OUTSIDER = "U0ZED"
K8S_NOTES = "Budgeted p99: 40 ms model, 20 ms features, 15 ms network <ok> & more"


@pytest.fixture
async def loop(make_harness: Any) -> tuple[Harness, Candidate, int]:
    """A candidate in the Technical stage and an interview with Ana, Ben and Cat (rows
    written straight: intake and advancing are driven through Slack elsewhere)."""
    harness = await make_harness()
    for user_id in (*PANEL, OUTSIDER):
        harness.fake.add_user(user_id)
    harness.fake.remove_member("C0HIRING", OUTSIDER)
    candidate = await seed.add_candidate(harness.bot, fake=harness.fake, stage="technical")
    return harness, candidate, await add_interview_id(harness.bot, row_id(candidate))


async def draft(harness: Harness, interview_id: int, user_id: str) -> dict[str, Any] | None:
    async with harness.bot.sessions() as session:
        row = await session.get(ScorecardDraft, (interview_id, user_id))
        return dict(row.answers) if row is not None else None


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    [block] = [block for block in view["blocks"] if block.get("block_id") == block_id]
    return dict(block["element"])


async def test_notes_are_a_draft_of_their_own_kept_on_close_and_across_a_restart(
    loop: tuple[Harness, Candidate, int], make_harness: Any
) -> None:
    harness, _, interview_id = loop
    view = await take_notes(harness, ANA, interview_id)
    assert view_errors(view) == []
    assert view["callback_id"] == View.TAKE_NOTES and view["notify_on_close"] is True
    shown = render_blocks(view["blocks"])
    stage = harness.bot.kits.stage("technical")
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    for number, question in enumerate(stage.questions, start=1):
        assert f"{number}. {question.prompt}" in labels
    assert "Rating of 4 · Serving on Kubernetes under a latency budget" in labels
    assert "Only you see these notes" in shown

    # Closed without Save: what it held is kept, for Ana only.
    values = note("k8s_serving", K8S_NOTES, "4") | note("autoscaling", None, NOT_ASKED)
    reply = await close(harness, ANA, view, values)
    assert reply.status == 200
    assert await draft(harness, interview_id, ANA) == {
        "k8s_serving": {"rating": 4, "not_asked": False, "notes": K8S_NOTES},
        "autoscaling": {"rating": None, "not_asked": True, "notes": None},
    }
    bens = await take_notes(harness, BEN, interview_id)
    assert "initial_value" not in element(bens, notes_block_id(NotesBlock.NOTES, "k8s_serving"))

    # A restart later, Ana continues where she left off; Save keeps what it did not show.
    restarted = await make_harness()
    again = await take_notes(restarted, ANA, interview_id)
    k8s = element(again, notes_block_id(NotesBlock.NOTES, "k8s_serving"))
    assert k8s["initial_value"] == K8S_NOTES
    rating = element(again, notes_block_id(NotesBlock.RATING, "k8s_serving"))
    assert rating["initial_option"]["value"] == "4"
    asked = element(again, notes_block_id(NotesBlock.RATING, "autoscaling"))
    assert asked["initial_option"]["value"] == NOT_ASKED
    reply = await submit_view(
        restarted, ANA, again, note("experiment_tracking", "MLflow, runs linked to registry", "3")
    )
    assert reply.status == 200 and reply.text == ""
    saved = await draft(restarted, interview_id, ANA)
    assert saved is not None and set(saved) == {"k8s_serving", "autoscaling", "experiment_tracking"}
    # Emptying a question removes it; the rest stays.
    await submit_view(restarted, ANA, again, note("autoscaling"))
    saved = await draft(restarted, interview_id, ANA)
    assert saved is not None and set(saved) == {"k8s_serving", "experiment_tracking"}


async def test_notes_refused_to_whoever_is_not_on_the_panel_and_nothing_saved(
    loop: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = loop
    own = await take_notes(harness, ANA, interview_id)
    # The hiring manager is on the team but not on this panel: no modal, told why.
    harness.fake.clear()
    reply, view = await click(
        harness, Action.TAKE_NOTES, user_id="U0HM", value=ref(Ref.INTERVIEW, interview_id)
    )
    assert view is None
    [told] = harness.fake.calls_to("chat.postMessage") + harness.fake.calls_to("response_url")
    assert "interviewers, each for themselves" in str(told.args)
    # Someone outside the team: the team's line.
    harness.fake.clear()
    reply, view = await click(
        harness, Action.TAKE_NOTES, user_id=OUTSIDER, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert view is None
    [told] = harness.fake.calls_to("chat.postMessage") + harness.fake.calls_to("response_url")
    assert "This is for the hiring team" in str(told.args)
    # A form of Ana's, saved or closed by someone else, keeps nothing for anyone.
    reply = await submit_view(harness, OUTSIDER, own, note("k8s_serving", "forged", "1"))
    assert reply.json["response_action"] == "update"
    assert "This is for the hiring team" in str(reply.json["view"])
    await close(harness, OUTSIDER, own, note("k8s_serving", "forged", "1"))
    await close(harness, "U0HM", own, note("k8s_serving", "forged", "1"))
    assert await draft(harness, interview_id, OUTSIDER) is None
    assert await draft(harness, interview_id, "U0HM") is None
    # A stale form (an older version's metadata) closed: nothing saved, nothing raised.
    reply = await harness.post(
        sr.view_closed(
            user_id=ANA, callback_id=View.TAKE_NOTES, private_metadata="old", values=note("x")
        )
    )
    assert reply.status == 200 and await draft(harness, interview_id, ANA) is None


async def test_bad_input_is_named_under_its_question_and_nothing_is_lost(
    loop: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = loop
    view = await take_notes(harness, ANA, interview_id)
    await submit_view(harness, ANA, view, note("k8s_serving", K8S_NOTES, "4"))
    too_long = "x" * (MAX_NOTES + 1)
    reply = await submit_view(harness, ANA, view, note("autoscaling", too_long, "2"))
    assert reply.json == {
        "response_action": "errors",
        "errors": {
            notes_block_id(NotesBlock.NOTES, "autoscaling"): (
                f"Keep a question's notes to {MAX_NOTES:,} characters."
            )
        },
    }
    reply = await submit_view(harness, ANA, view, note("gone_question", "x", "2"))
    assert reply.json["response_action"] == "errors"
    assert "no longer in the kit" in str(reply.json["errors"])
    assert await draft(harness, interview_id, ANA) == {
        "k8s_serving": {"rating": 4, "not_asked": False, "notes": K8S_NOTES}
    }


def initial_choices(view: dict[str, Any]) -> dict[str, str | None]:
    found = {}
    for block in view["blocks"]:
        kind, _, key = str(block.get("block_id", "")).partition(":")
        if kind == ScorecardBlock.COMPETENCY:
            found[key] = (block["element"].get("initial_option") or {}).get("value")
    return found


async def test_the_scorecard_starts_from_the_notes_and_keeps_every_answer(
    loop: tuple[Harness, Candidate, int],
) -> None:
    harness, _, interview_id = loop
    long_note = "Feature store: Feast, point-in-time joins. " * 80  # past the evidence's room
    view = await take_notes(harness, ANA, interview_id)
    values = (
        note("experiment_tracking", "MLflow for five, runs linked to the registry", "3")
        | note("versioning_rollback", "Canary, one-step rollback to last good", "4")
        | note("feature_consistency", long_note[:MAX_NOTES], NOT_ASKED)
        | note("k8s_serving", K8S_NOTES, "2")
    )
    await close(harness, ANA, view, values)

    form = await open_scorecard(harness, ANA, interview_id)
    assert view_errors(form) == []
    shown = render_blocks(form["blocks"])
    assert SUGGESTED_NOTE in shown and FROM_NOTES_NOTE in shown
    # ML lifecycle: 3 and 4 average 3.5, rounded half up; feature consistency's one
    # question was not asked; autoscaling has nothing to go on, so nothing is chosen.
    assert initial_choices(form) == {
        "ml_lifecycle": "4",
        "feature_consistency": "not_assessed",
        "k8s_serving": "2",
        "autoscaling": None,
        "ml_monitoring": None,
    }
    evidence = element(form, ScorecardBlock.EVIDENCE)["initial_value"]
    assert evidence.startswith(
        "How would you design an experiment tracking system for a team of 5 data scientists?"
        "\nMLflow for five"
    )
    assert K8S_NOTES not in evidence and len(evidence) == 3000  # cut, the answers kept whole

    # Ana confirms two suggestions, changes one and rates the rest: the form is hers.
    confirmed = scorecard_values(
        harness.bot.kits,
        competencies={
            "ml_lifecycle": 4,
            "feature_consistency": "not_assessed",
            "k8s_serving": 3,
            "autoscaling": 2,
            "ml_monitoring": "not_assessed",
        },
        evidence=evidence,
    )
    reply = await submit_view(harness, ANA, form, confirmed)
    assert reply.status == 200 and reply.text == "", reply.text
    async with harness.bot.sessions() as session:
        rows = (await session.exec(select(ScorecardAnswer))).all()
    kept = {
        row.question_key: (row.competency_key, row.rating, row.not_asked, row.notes) for row in rows
    }
    assert kept == {
        "experiment_tracking": (
            "ml_lifecycle",
            3,
            False,
            "MLflow for five, runs linked to the registry",
        ),
        "versioning_rollback": ("ml_lifecycle", 4, False, "Canary, one-step rollback to last good"),
        "feature_consistency": ("feature_consistency", None, True, long_note[:MAX_NOTES].strip()),
        "k8s_serving": ("k8s_serving", 2, False, K8S_NOTES),
    }
    # Reopened, the scorecard shows what was submitted, no longer the suggestions.
    again = await open_scorecard(harness, ANA, interview_id)
    assert initial_choices(again)["k8s_serving"] == "3"
    assert SUGGESTED_NOTE not in render_blocks(again["blocks"])
    assert rating_block_id(RatingKind.COMPETENCY, "k8s_serving") in str(again)


def test_suggestions_average_a_competency_s_questions_and_respect_not_asked() -> None:
    stage = load_kits(default_prompts_dir()).stage("technical")
    sheet = {
        # ML lifecycle: 2 and 3 average 2.5, rounded half up.
        "experiment_tracking": Answer(rating=2),
        "versioning_rollback": Answer(rating=3),
        # Only one of its one question, not asked: not assessed.
        "feature_consistency": Answer(not_asked=True, notes="ran out of time"),
        # Notes but no rating: nothing to suggest.
        "k8s_serving": Answer(notes="sized from a load test"),
    }
    assert suggested_from_sheet(stage, sheet) == {"ml_lifecycle": 3, "feature_consistency": None}
    # One of two questions not asked and the other unrated: nothing either way.
    partly = {"experiment_tracking": Answer(not_asked=True)}
    assert suggested_from_sheet(stage, partly) == {}
    # What a draft written by hand or an older version holds is read with care.
    assert read_sheet(
        {
            "a": {"rating": 9, "not_asked": "yes", "notes": "  "},
            "b": "junk",
            "c": {"rating": True, "notes": "kept"},
            "d": {"rating": 4},
        }
    ) == {"c": Answer(notes="kept"), "d": Answer(rating=4)}
