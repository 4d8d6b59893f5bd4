"""Independent feedback without loopholes, driven as Slack does: signed requests in, the
fake Web API out. Each test is one way round the rule that was open before, and now shut:
nobody reads another's ratings or evidence of a candidate while their own scorecard for
that candidate is owed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.debrief_summary_reads import summary_so_far
from handlers.ids import Action, ScheduleBlock, View
from handlers.refs import Ref, ref
from storage.db import transaction
from storage.models import (
    Candidate,
    Interview,
    InterviewInterviewer,
    Scorecard,
    ScorecardRead,
    ScorecardRevision,
)
from storage.privacy import candidate_records, delete_candidate
from tests.conftest import START
from tests.harness import HIRING_CHANNEL, HIRING_MANAGER, Harness
from tests.intake_helpers import add_candidate
from tests.loop_rows import PANEL, add_interview
from tests.scorecard_helpers import (
    click,
    open_scorecard,
    reschedule,
    schedule_values,
    scorecard_values,
    submit_scorecard,
    submit_view,
    view_as,
)

ANA, BEN, CAT = PANEL
ADMIN = "U0ADM"
RECRUITER = "U0REC"
LATER_INTERVIEWER = "U0LAT"
OUTSIDER = "U0ZED"
# The seeded interviews started here (loop_rows.add_interview): over an hour ago.
BEGAN = START - timedelta(hours=2, minutes=30)
FIGURES = ("mean", "spread", "Strong yes", "Red flags", "Disagreements", "4 from")


@pytest.fixture
async def harness(make_harness: Any) -> Harness:
    built: Harness = await make_harness(hiring_admins=frozenset({ADMIN}))
    for user_id in (*PANEL, ADMIN, RECRUITER, LATER_INTERVIEWER, OUTSIDER):
        built.fake.add_user(user_id)
    return built


@pytest.fixture
async def candidate(harness: Harness) -> Candidate:
    """Added through the intake form, so that its card and thread exist."""
    return await add_candidate(harness, user_id=ADMIN)


async def screening(harness: Harness, candidate: Candidate, panel: tuple[str, ...] = PANEL) -> int:
    assert candidate.id is not None
    return await add_interview(harness.bot, candidate.id, stage_key="screening", panel=panel)


async def submit(harness: Harness, user_id: str, interview_id: int, **values: Any) -> None:
    await submit_scorecard(harness, user_id, interview_id, stage_key="screening", **values)


def thread_posts(harness: Harness, candidate: Candidate) -> list[dict[str, Any]]:
    return [
        call.args
        for call in harness.fake.calls_to("chat.postMessage")
        if call.args.get("thread_ts") == candidate.thread_ts
    ]


def text_of(value: Any) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(node["text"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return "\n".join(found)


async def rows(harness: Harness, model: Any) -> list[Any]:
    async with harness.bot.sessions() as session:
        return list((await session.exec(select(model))).all())


async def panel_of(harness: Harness, interview_id: int) -> set[str]:
    async with harness.bot.sessions() as session:
        found = await session.exec(
            select(InterviewInterviewer.user_id).where(
                col(InterviewInterviewer.interview_id) == interview_id
            )
        )
        return set(found.all())


# ----------------------------------------------------------------------- a. the panel


async def test_whoever_scheduled_may_move_an_interview_but_not_join_its_panel(
    harness: Harness, candidate: Candidate
) -> None:
    # The recruiter schedules the screening with Ana and Ben; both submit.
    reply, view = await click(
        harness,
        Action.SCHEDULE_INTERVIEW,
        user_id=RECRUITER,
        value=ref(Ref.CANDIDATE, candidate.id or 0),
    )
    assert view is not None and view["callback_id"] == View.SCHEDULE_INTERVIEW
    values = schedule_values("screening", (ANA, BEN), BEGAN)
    assert (await submit_view(harness, RECRUITER, view, values)).text == ""
    (interview,) = await rows(harness, Interview)
    assert interview.created_by == RECRUITER
    await submit(harness, ANA, interview.id)
    await submit(harness, BEN, interview.id)

    # Adding themselves to read everyone's evidence is refused, on the form.
    reply = await reschedule(
        harness,
        interview.id,
        user_id=RECRUITER,
        stage="screening",
        interviewers=(ANA, BEN, RECRUITER),
        starts_at=BEGAN,
    )
    assert reply.json["response_action"] == "errors"
    assert (
        "Only the candidate's hiring manager or a hiring admin can change who interviews"
        in (reply.json["errors"][ScheduleBlock.INTERVIEWERS])
    )
    assert await panel_of(harness, interview.id) == {ANA, BEN}
    view_, answer = await view_as(harness, Action.VIEW_SCORECARDS, RECRUITER, interview.id)
    assert view_ is None and "Only the interviewers of this interview" in answer
    # Moving it stays theirs to do.
    later = BEGAN + timedelta(hours=1)
    reply = await reschedule(
        harness,
        interview.id,
        user_id=RECRUITER,
        stage="screening",
        interviewers=(ANA, BEN),
        starts_at=later,
    )
    assert reply.text == ""
    (moved,) = await rows(harness, Interview)
    assert moved.starts_at == later


async def test_a_scorecard_by_someone_taken_off_the_panel_leaves_the_count_and_summary(
    harness: Harness, candidate: Candidate
) -> None:
    interview_id = await screening(harness, candidate)
    await submit(harness, ANA, interview_id)
    await submit(harness, BEN, interview_id)
    await submit(harness, CAT, interview_id, score=1, overall=1, evidence="Cat's evidence.")

    reply = await reschedule(
        harness,
        interview_id,
        user_id=HIRING_MANAGER,
        stage="screening",
        interviewers=(ANA, BEN),
        starts_at=BEGAN,
    )
    assert reply.text == ""

    summary, _ = await view_as(harness, Action.VIEW_SUMMARY, HIRING_MANAGER, interview_id)
    assert summary is not None and summary["title"]["text"] == "Debrief summary"
    text = text_of(summary["blocks"])
    assert "2 of 2 expected scorecards in" in text
    assert "Strong yes *0* · Yes *2* · No *0* · Strong no *0*" in text and f"<@{CAT}>" not in text
    cards, _ = await view_as(harness, Action.VIEW_SCORECARDS, HIRING_MANAGER, interview_id)
    assert cards is not None and "Cat's evidence" not in text_of(cards["blocks"])
    # Kept, not deleted: put back on the panel, it would count again.
    assert {card.interviewer_id for card in await rows(harness, Scorecard)} == set(PANEL)
    # Off the panel, Cat reads nothing any more.
    refused, answer = await view_as(harness, Action.VIEW_SUMMARY, CAT, interview_id)
    assert refused is None and "Only the interviewers of this interview" in answer


# ----------------------------------------------------------------------- b. interviewers first


@pytest.mark.parametrize("overseer", [HIRING_MANAGER, ADMIN])
async def test_on_a_panel_the_hiring_manager_and_admins_read_only_after_their_own(
    harness: Harness, candidate: Candidate, overseer: str
) -> None:
    interview_id = await screening(harness, candidate, panel=(ANA, overseer))
    await submit(harness, ANA, interview_id)

    for action in (Action.VIEW_SCORECARDS, Action.VIEW_SUMMARY):
        view, answer = await view_as(harness, action, overseer, interview_id)
        assert view is None and "Submit your own scorecard first" in answer
    # The debrief pack applies the same rule.
    async with harness.bot.sessions() as session:
        pack = await summary_so_far(
            session, harness.bot, user_id=overseer, interview_id=interview_id
        )
    assert (pack.summary, pack.ratings_hidden, pack.owes_scorecard) == (None, True, True)

    await submit(harness, overseer, interview_id)
    view, _ = await view_as(harness, Action.VIEW_SCORECARDS, overseer, interview_id)
    assert view is not None and f"<@{ANA}>" in text_of(view["blocks"])


async def test_owing_a_later_interview_closes_the_earlier_ones_too(
    harness: Harness, candidate: Candidate
) -> None:
    assert candidate.id is not None
    screened = await screening(harness, candidate, panel=(ANA,))
    await submit(harness, ANA, screened)
    technical = await add_interview(
        harness.bot,
        candidate.id,
        stage_key="technical",
        panel=(HIRING_MANAGER, BEN),
        starts_at=START + timedelta(days=1),
    )
    view, answer = await view_as(harness, Action.VIEW_SUMMARY, HIRING_MANAGER, screened)
    assert view is None and "your *Technical* interview with this candidate first" in answer
    assert technical


# ----------------------------------------------------------------------- c. did not attend


async def test_an_interviewer_who_did_not_attend_can_neither_submit_nor_read(
    harness: Harness, candidate: Candidate
) -> None:
    interview_id = await screening(harness, candidate)
    await submit(harness, ANA, interview_id)
    stale = await open_scorecard(harness, CAT, interview_id)
    reply = await harness.action(
        Action.NOT_ATTENDED, user_id=CAT, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert reply.status == 200

    _, view = await click(
        harness, Action.SUBMIT_SCORECARD, user_id=CAT, value=ref(Ref.INTERVIEW, interview_id)
    )
    assert view is None
    told = harness.fake.calls_to("response_url")[-1].args
    assert told["response_type"] == "ephemeral"
    assert "You marked this interview as not attended" in told["text"]
    # A form opened before clicking is refused on submission, with the same reason.
    late = await submit_view(
        harness, CAT, stale, scorecard_values(harness.bot.kits, "screening", overall=4)
    )
    assert late.json["response_action"] == "update"
    assert "marked this interview as not attended" in text_of(late.json["view"]["blocks"])
    assert {card.interviewer_id for card in await rows(harness, Scorecard)} == {ANA}
    for action in (Action.VIEW_SCORECARDS, Action.VIEW_SUMMARY):
        view, answer = await view_as(harness, action, CAT, interview_id)
        assert view is None and "marked this interview as not attended" in answer


async def test_someone_whose_scorecard_is_in_cannot_mark_it_not_attended(
    harness: Harness, candidate: Candidate
) -> None:
    interview_id = await screening(harness, candidate)
    await submit(harness, ANA, interview_id)
    await harness.action(Action.NOT_ATTENDED, user_id=ANA, value=ref(Ref.INTERVIEW, interview_id))
    told = harness.fake.calls_to("response_url")[-1].args
    assert "Your scorecard for this interview is in" in told["text"]
    assert await panel_of(harness, interview_id) == set(PANEL)


# ----------------------------------------------------------------------- d. the thread


async def test_the_thread_says_who_and_what_next_and_each_reader_is_checked(
    harness: Harness, candidate: Candidate
) -> None:
    assert candidate.id is not None
    interview_id = await screening(harness, candidate)
    # A Technical interviewer, for later: they read the thread too.
    await add_interview(
        harness.bot,
        candidate.id,
        stage_key="technical",
        panel=(LATER_INTERVIEWER,),
        starts_at=START + timedelta(days=2),
    )
    harness.fake.clear()
    for user_id, score in ((ANA, 4), (BEN, 2), (CAT, 1)):
        await submit(harness, user_id, interview_id, score=score, overall=score)

    posts = thread_posts(harness, candidate)
    assert [post["channel"] for post in posts] == [HIRING_CHANNEL] * 4
    complete = posts[-1]
    assert complete["text"] == (
        f"<@{HIRING_MANAGER}> all 3 scorecards of the *Screening* interview are in: "
        "the panel is complete"
    )
    thread = text_of([post.get("blocks") for post in posts]) + str(posts)
    assert "records a decision" in thread
    for figure in FIGURES:
        assert figure not in thread
    for reader in (LATER_INTERVIEWER, OUTSIDER):
        view, answer = await view_as(harness, Action.VIEW_SUMMARY, reader, interview_id)
        assert view is None and answer
    view, _ = await view_as(harness, Action.VIEW_SUMMARY, ANA, interview_id)
    assert view is not None
    assert "Strong yes *1* · Yes *0* · No *1* · Strong no *1*" in text_of(view["blocks"])


# ----------------------------------------------------------------------- e. edit history


async def test_an_edit_after_reading_the_others_is_kept_and_shown(
    harness: Harness, candidate: Candidate
) -> None:
    interview_id = await screening(harness, candidate)
    # A placeholder: "." and a 4.
    await submit(harness, ANA, interview_id, score=4, overall=4, evidence=".")
    await submit(harness, BEN, interview_id, score=2, overall=2)
    # Ben changes his mind before reading anyone's: an edit, not "after reading".
    await submit(harness, BEN, interview_id, score=2, overall=1)
    await submit(harness, CAT, interview_id, score=2, overall=2)
    view, _ = await view_as(harness, Action.VIEW_SCORECARDS, ANA, interview_id)
    assert view is not None
    # Then edits to match.
    await submit(harness, ANA, interview_id, score=2, overall=2, evidence="Weak on rollbacks.")

    revisions = {
        (r.changed_by, r.after_reading_others): r for r in await rows(harness, ScorecardRevision)
    }
    assert set(revisions) == {(BEN, False), (ANA, True)}
    changes = {c["field"]: (c["before"], c["after"]) for c in revisions[ANA, True].changes}
    assert changes["overall"] == (4, 2)
    assert changes["evidence"] == (".", "Weak on rollbacks.")
    assert changes["competency:production_ownership"] == (4, 2)

    cards, _ = await view_as(harness, Action.VIEW_SCORECARDS, HIRING_MANAGER, interview_id)
    assert cards is not None
    text = text_of(cards["blocks"])
    assert text.count(":pencil2: *edited after reading the others*") == 1  # Ana's card only
    assert "after reading the others: Overall 4 → 2" in text
    assert "Overall 2 → 1" in text  # Ben's edit, not flagged
    summary, _ = await view_as(harness, Action.VIEW_SUMMARY, HIRING_MANAGER, interview_id)
    assert summary is not None
    assert f"*Edited after reading the others:* <@{ANA}>" in text_of(summary["blocks"])
    assert {(read.interview_id, read.reader_id) for read in await rows(harness, ScorecardRead)} == {
        (interview_id, ANA),
        (interview_id, HIRING_MANAGER),
    }


# ----------------------------------------------------------------------- rescheduling


async def test_taking_off_the_last_owing_interviewer_completes_the_panel(
    harness: Harness, candidate: Candidate
) -> None:
    interview_id = await screening(harness, candidate)
    await submit(harness, ANA, interview_id)
    await submit(harness, BEN, interview_id)
    harness.fake.clear()

    reply = await reschedule(
        harness,
        interview_id,
        user_id=HIRING_MANAGER,
        stage="screening",
        interviewers=(ANA, BEN),
        starts_at=BEGAN,
    )

    assert reply.text == ""
    complete = [post for post in thread_posts(harness, candidate) if "Panel complete" in str(post)]
    assert len(complete) == 1
    assert complete[0]["text"].startswith(f"<@{HIRING_MANAGER}> all 2 scorecards")


async def test_someone_added_to_a_complete_panel_completes_it_again(
    harness: Harness, candidate: Candidate
) -> None:
    interview_id = await screening(harness, candidate, panel=(ANA,))
    await submit(harness, ANA, interview_id)
    reply = await reschedule(
        harness,
        interview_id,
        user_id=HIRING_MANAGER,
        stage="screening",
        interviewers=(ANA, BEN),
        starts_at=BEGAN,
    )
    assert reply.text == ""
    await submit(harness, BEN, interview_id)
    notes = [p["text"] for p in thread_posts(harness, candidate) if "Panel complete" in str(p)]
    assert [note.split(" of the ")[0] for note in notes] == [
        f"<@{HIRING_MANAGER}> all 1 scorecards",
        f"<@{HIRING_MANAGER}> all 2 scorecards",
    ]


async def test_an_interview_with_scorecards_keeps_its_stage(
    harness: Harness, candidate: Candidate
) -> None:
    interview_id = await screening(harness, candidate)
    await submit(harness, ANA, interview_id)

    reply = await reschedule(
        harness,
        interview_id,
        user_id=HIRING_MANAGER,
        stage="technical",
        interviewers=PANEL,
        starts_at=BEGAN,
    )

    assert reply.json["response_action"] == "errors"
    assert (
        "written against the Screening kit, so it keeps its stage"
        in (reply.json["errors"][ScheduleBlock.STAGE])
    )
    (interview,) = await rows(harness, Interview)
    assert interview.stage_key == "screening"
    # Without scorecards, an interview may still change stage.
    assert candidate.id is not None
    empty = await add_interview(harness.bot, candidate.id, stage_key="screening", panel=(BEN,))
    moved = await reschedule(
        harness,
        empty,
        user_id=HIRING_MANAGER,
        stage="technical",
        interviewers=(BEN,),
        starts_at=BEGAN,
    )
    assert moved.text == ""


async def test_the_history_is_exported_and_erased_with_the_candidate(
    harness: Harness, candidate: Candidate
) -> None:
    assert candidate.id is not None
    interview_id = await screening(harness, candidate)
    await submit(harness, ANA, interview_id)
    await submit(harness, BEN, interview_id)
    await view_as(harness, Action.VIEW_SCORECARDS, ANA, interview_id)
    await submit(harness, ANA, interview_id, overall=1)
    async with harness.bot.sessions() as session:
        document = await candidate_records(session, candidate.id)
    assert [r["after_reading_others"] for r in document["scorecard_revisions"]] == [True]
    assert [r["reader_id"] for r in document["scorecard_reads"]] == [ANA]
    async with transaction(harness.bot.sessions) as session:
        await delete_candidate(session, candidate.id)
    assert await rows(harness, ScorecardRevision) == []
    assert await rows(harness, ScorecardRead) == []
