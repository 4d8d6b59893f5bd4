"""Pure builders of the scorecard, summary and decision flows: Slack's limits, escaping,
prefilled values, and reading submitted state back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.debrief_summary import DebriefSummary, summarise
from bot.debrief_summary_reads import SummarySoFar
from bot.decision_evidence import StageEvidence
from bot.decisions import DecisionDraft, DecisionResult
from bot.errors import NotFound
from bot.feedback_access import VisibleScorecards
from bot.kits import Competency, Kits, RedFlag
from bot.next_step import next_step
from bot.scorecard_history import FieldChange, Revision, RevisionKind
from bot.scorecards import (
    EVIDENCE,
    NOT_ASSESSED,
    NOT_OBSERVED,
    OVERALL,
    Progress,
    ScorecardContent,
    ScorecardDraft,
    rating_field,
)
from handlers.debrief_summary_blocks import (
    summary_dm,
    summary_figures_blocks,
    summary_modal,
    verdict_text,
)
from handlers.decision_modal import (
    DecisionMetadata,
    decision_blocks,
    decision_field_errors,
    decision_modal,
    needs_confirmation_modal,
    read_decision,
)
from handlers.ids import Action, DecisionBlock, ScorecardBlock, View
from handlers.scorecard_blocks import (
    panel_complete_blocks,
    panel_complete_text,
    scorecard_progress_blocks,
)
from handlers.scorecard_modal import (
    ScorecardMetadata,
    interview_choice_modal,
    rating_block_id,
    read_chosen_interview,
    read_scorecard_form,
    scorecard_field_errors,
    scorecard_modal,
)
from handlers.scorecard_reading_modal import scorecards_modal
from slackfake import requests as sr
from slackfake.blockkit import message_errors, view_errors
from storage.models import Candidate, Decision, Interview, Outcome, RatingKind
from tests.calls import all_text, mrkdwn_text
from tests.conftest import START
from tests.kit_samples import PING, PING_ESCAPED


def candidate(name: str = "Jane Doe", **kwargs: Any) -> Candidate:
    fields = dict(id=7, name=name, hiring_manager_id="U0HM", stage_key="technical")
    return Candidate(**(fields | {"status": "active"} | kwargs))


def interview(**kwargs: Any) -> Interview:
    fields = dict(id=3, candidate_id=7, stage_key="technical", starts_at=START)
    return Interview(**(fields | kwargs))


def content(interviewer_id: str = "U0ANA", **kwargs: Any) -> ScorecardContent:
    fields: dict[str, Any] = dict(
        id=1,
        interview_id=3,
        interviewer_id=interviewer_id,
        overall=3,
        competencies={"k8s_serving": 4, "autoscaling": 2},
        qualities={"systems_thinking": 3, "production_mindset": None},
        red_flags=("rollback_is_retraining",),
        evidence=f"Said {PING}",
        private_note=None,
        submitted_at=START,
        updated_at=START,
    )
    return ScorecardContent(**(fields | kwargs))


def draft(kits: Kits, **kwargs: Any) -> ScorecardDraft:
    fields: dict[str, Any] = dict(
        interview=interview(),
        candidate=candidate(PING),
        stage=kits.stage("technical"),
        qualities=kits.qualities,
        existing=None,
        read_only=False,
    )
    return ScorecardDraft(**(fields | kwargs))


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


# ----------------------------------------------------------------------------- scorecard modal


def test_the_new_scorecard_modal(kits: Kits) -> None:
    view = scorecard_modal(draft(kits))
    assert view_errors(view) == []
    assert view["callback_id"] == View.SCORECARD
    assert view["title"]["text"] == "Technical"
    assert view["submit"]["text"] == "Submit"
    assert ScorecardMetadata.decode(view["private_metadata"]).interview_id == 3
    fields = inputs(view)
    stage = kits.stage("technical")
    for competency in stage.competencies:
        block = fields[rating_block_id(RatingKind.COMPETENCY, competency.id)]
        element = block["element"]
        assert element["type"] == "radio_buttons"
        assert [o["value"] for o in element["options"]] == ["1", "2", "3", "4", NOT_ASSESSED]
        # The labels describe evidence; Strong no … Strong yes is the recommendation's only.
        assert [o["text"]["text"] for o in element["options"]] == [
            "1 · No evidence",
            "2 · Some evidence",
            "3 · Solid evidence",
            "4 · Exceptional",
            "Not assessed",
        ]
        assert "initial_option" not in element
        assert competency.one in block["hint"]["text"] and competency.four in block["hint"]["text"]
    for quality in kits.qualities:
        element = fields[rating_block_id(RatingKind.QUALITY, quality.id)]["element"]
        assert [o["value"] for o in element["options"]] == ["1", "2", "3", "4", NOT_OBSERVED]
    overall = fields[ScorecardBlock.OVERALL]["element"]["options"]
    assert [o["text"]["text"] for o in overall] == [
        "1 · Strong no",
        "2 · No",
        "3 · Yes",
        "4 · Strong yes",
    ]
    flags = fields[ScorecardBlock.RED_FLAGS]
    assert flags["optional"] and len(flags["element"]["options"]) == len(stage.red_flags)
    assert fields[ScorecardBlock.EVIDENCE]["element"]["max_length"] == 3000
    assert not fields[ScorecardBlock.EVIDENCE]["optional"]
    assert fields[ScorecardBlock.PRIVATE_NOTE]["optional"]
    assert PING_ESCAPED in all_text(view) and PING not in all_text(view)


def test_an_edit_is_prefilled_with_what_was_submitted(kits: Kits) -> None:
    existing = content(private_note="Private", evidence="Plain evidence")
    view = scorecard_modal(draft(kits, existing=existing))
    assert view_errors(view) == []
    assert view["submit"]["text"] == "Save changes"
    fields = inputs(view)

    def initial(kind: RatingKind, key: str) -> str | None:
        element = fields[rating_block_id(kind, key)]["element"]
        chosen = element.get("initial_option")
        # Slack needs the initial option to be one of the options, exactly.
        assert chosen is None or chosen in element["options"]
        return chosen and chosen["value"]

    assert initial(RatingKind.COMPETENCY, "k8s_serving") == "4"
    assert initial(RatingKind.COMPETENCY, "ml_lifecycle") is None
    assert initial(RatingKind.QUALITY, "systems_thinking") == "3"
    assert initial(RatingKind.QUALITY, "production_mindset") == NOT_OBSERVED
    assert initial(RatingKind.QUALITY, "ml_infra_translation") is None
    flags = fields[ScorecardBlock.RED_FLAGS]["element"]
    assert [o["value"] for o in flags["initial_options"]] == ["rollback_is_retraining"]
    assert fields[ScorecardBlock.OVERALL]["element"]["initial_option"]["value"] == "3"
    assert fields[ScorecardBlock.EVIDENCE]["element"]["initial_value"] == "Plain evidence"
    assert fields[ScorecardBlock.PRIVATE_NOTE]["element"]["initial_value"] == "Private"


def test_a_closed_stage_shows_the_scorecard_read_only(kits: Kits) -> None:
    view = scorecard_modal(draft(kits, existing=content(private_note=PING), read_only=True))
    assert view_errors(view) == []
    assert "submit" not in view
    assert inputs(view) == {}
    text = all_text(view)
    assert "read-only" in text
    assert "Serving on Kubernetes under a latency budget: *4 · Exceptional*" in text
    assert "Production mindset from day one: *Not observed*" in text
    assert 'No rollback plan beyond "retrain and redeploy"' in text
    assert text.count(PING_ESCAPED) == 3  # candidate name, evidence, note
    assert PING not in text


def test_a_huge_kit_still_fits_in_a_modal(kits: Kits) -> None:
    long = "x" * 300
    stage = kits.stage("technical").model_copy(
        update={
            "competencies": tuple(
                Competency(id=f"c{i}", name="<&>" * 20, one=long, four=long) for i in range(8)
            ),
            "red_flags": tuple(
                RedFlag(id=f"f{i}", text="t" * 75, suggests="s" * 75) for i in range(8)
            ),
        }
    )
    view = scorecard_modal(draft(kits, stage=stage, existing=content(evidence="&" * 3000)))
    assert view_errors(view) == []
    read_only = scorecard_modal(
        draft(kits, stage=stage, existing=content(evidence="&" * 3000), read_only=True)
    )
    assert view_errors(read_only) == []


def test_reading_the_submitted_state(kits: Kits) -> None:
    values = {
        rating_block_id(RatingKind.COMPETENCY, "k8s_serving"): sr.radio_value(
            ScorecardBlock.COMPETENCY, "4"
        ),
        rating_block_id(RatingKind.COMPETENCY, "autoscaling"): sr.radio_value(
            ScorecardBlock.COMPETENCY, None
        ),
        rating_block_id(RatingKind.COMPETENCY, "ml_monitoring"): sr.radio_value(
            ScorecardBlock.COMPETENCY, "9"
        ),
        rating_block_id(RatingKind.QUALITY, "systems_thinking"): sr.radio_value(
            ScorecardBlock.QUALITY, NOT_OBSERVED
        ),
        rating_block_id(RatingKind.QUALITY, "production_mindset"): sr.radio_value(
            ScorecardBlock.QUALITY, "2"
        ),
        ScorecardBlock.RED_FLAGS: sr.checkboxes_value(
            ScorecardBlock.RED_FLAGS, ["cicd_needs_googling"]
        ),
        ScorecardBlock.OVERALL: sr.radio_value(ScorecardBlock.OVERALL, "1"),
        ScorecardBlock.EVIDENCE: sr.text_value(ScorecardBlock.EVIDENCE, "ev"),
        ScorecardBlock.PRIVATE_NOTE: sr.text_value(ScorecardBlock.PRIVATE_NOTE, None),
    }
    form = read_scorecard_form(values)
    assert form.competencies == {"k8s_serving": 4, "autoscaling": None, "ml_monitoring": None}
    assert form.qualities == {"systems_thinking": NOT_OBSERVED, "production_mindset": 2}
    assert (form.red_flags, form.overall, form.evidence, form.private_note) == (
        ["cicd_needs_googling"],
        1,
        "ev",
        None,
    )
    empty = read_scorecard_form({})
    assert (empty.competencies, empty.overall, empty.evidence) == ({}, None, None)


def test_errors_land_on_their_blocks() -> None:
    errors = scorecard_field_errors(
        {
            rating_field(RatingKind.COMPETENCY, "autoscaling"): "a",
            rating_field(RatingKind.QUALITY, "systems_thinking"): "q",
            OVERALL: "o",
            EVIDENCE: "e",
            "something_else": "s",
        }
    )
    assert errors == {
        "scorecard_competency:autoscaling": "a",
        "scorecard_quality:systems_thinking": "q",
        ScorecardBlock.OVERALL: "o",
        ScorecardBlock.EVIDENCE: "e s",
    }


def test_choosing_among_several_interviews(kits: Kits) -> None:
    earlier = interview(id=2, stage_key="screening", starts_at=START - timedelta(days=3))
    view = interview_choice_modal([interview(), earlier], {s.key: s for s in kits.stages})
    assert view_errors(view) == []
    element = inputs(view)[ScorecardBlock.INTERVIEW]["element"]
    assert [o["text"]["text"] for o in element["options"]] == [
        "Mon 30 Nov 2026 10:00 UTC · Technical",
        "Fri 27 Nov 2026 10:00 UTC · Screening",
    ]
    values = {ScorecardBlock.INTERVIEW: sr.select_value(ScorecardBlock.INTERVIEW, "2")}
    assert read_chosen_interview(values) == 2
    assert read_chosen_interview({}) is None


def test_metadata_we_did_not_write_is_refused() -> None:
    for raw in ("", "{}", '{"interview_id": "x"}', "not json", None):
        with pytest.raises(NotFound):
            ScorecardMetadata.decode(raw)


# ----------------------------------------------------------------------------- view scorecards


def visible(kits: Kits, cards: list[ScorecardContent], *, all_notes: bool) -> VisibleScorecards:
    return VisibleScorecards(
        interview=interview(),
        candidate=candidate(PING),
        progress=Progress(submitted=len(cards), expected=3),
        scorecards=cards,
        all_notes=all_notes,
    )


def test_the_view_scorecards_modal(kits: Kits) -> None:
    cards = [
        content("U0ANA", private_note="For the HM"),
        content("U0BEN", updated_at=START + timedelta(hours=1)),
    ]
    view = scorecards_modal(
        visible(kits, cards, all_notes=True), kits.stage("technical"), kits.qualities
    )
    assert view_errors(view) == []
    assert "submit" not in view
    text = all_text(view)
    assert "<@U0ANA> · Overall: *3 · Yes*" in text and "<@U0BEN>" in text
    assert "2 of 3 expected scorecards in" in text
    assert "For the HM" in text and "edited <!date^" in text
    assert "Private notes are shown only" not in text
    assert PING not in text


def test_a_reader_without_all_notes_is_told_so(kits: Kits) -> None:
    view = scorecards_modal(
        visible(kits, [content()], all_notes=False), kits.stage("technical"), kits.qualities
    )
    assert "Private notes are shown only to the hiring manager and admins." in all_text(view)


def test_long_escaped_evidence_is_split_and_a_crowd_of_cards_stays_within_limits(
    kits: Kits,
) -> None:
    heavy = content(evidence="<" * 3000, private_note="&" * 3000)
    view = scorecards_modal(
        visible(kits, [replace(heavy, interviewer_id=f"U{i}") for i in range(8)], all_notes=True),
        kits.stage("technical"),
        kits.qualities,
    )
    assert view_errors(view) == []
    text = all_text(view)
    assert "more scorecard(s) are too long to show" in text
    # The first card's evidence arrives whole, over several sections.
    assert text.count("&lt;") >= 3000


# ----------------------------------------------------------------------------- thread messages


def test_the_progress_reply_names_who_and_counts_never_what(kits: Kits) -> None:
    blocks = scorecard_progress_blocks("U0ANA", kits.stage("technical"), Progress(2, 3), 3)
    assert message_errors(blocks) == []
    assert blocks[0]["text"]["text"] == "<@U0ANA> submitted the *Technical* scorecard (2 of 3)"
    (view_button,) = blocks[1]["elements"]
    assert (view_button["action_id"], view_button["value"]) == (
        Action.VIEW_SCORECARDS,
        "interview:3",
    )


def test_the_panel_complete_note_names_who_and_what_next_never_what(kits: Kits) -> None:
    blocks = panel_complete_blocks(
        "Technical", ("U0ANA", "U0BEN"), hiring_manager_id="U0HM", candidate_id=7, interview_id=3
    )
    assert message_errors(blocks) == []
    text = all_text(blocks)
    assert panel_complete_text("Technical", 2, "U0HM") in text
    assert "<@U0HM> all 2 scorecards of the *Technical* interview are in" in text
    assert "(<@U0ANA>, <@U0BEN>)" in text and "*Next:* <@U0HM> records a decision" in text
    for figure in ("mean", "Strong yes", "Red flags", "Disagreements", "scores"):
        assert figure not in text
    buttons = {e["action_id"]: e["value"] for e in blocks[2]["elements"]}
    assert buttons == {
        Action.VIEW_SUMMARY: "interview:3",
        Action.VIEW_SCORECARDS: "interview:3",
        Action.RECORD_DECISION: "candidate:7",
        Action.SCHEDULE_DEBRIEF: "candidate:7",
    }


def summary_entry(summary: DebriefSummary | None, *, hidden: bool = False) -> SummarySoFar:
    return SummarySoFar(
        interview(),
        candidate(PING),
        Progress(2, 2),
        summary=summary,
        ratings_hidden=hidden,
        owes_scorecard=False,
    )


def test_the_summary_modal_and_the_hiring_managers_dm(kits: Kits) -> None:
    stage = kits.stage("technical")
    cards = [
        content("U0ANA", overall=4, competencies={"k8s_serving": 4}),
        content("U0BEN", overall=2, competencies={"k8s_serving": 1}, red_flags=()),
    ]
    summary = summarise(stage, kits.qualities, cards, observed_in_loop={"systems_thinking"})
    view = summary_modal(summary_entry(summary), "Technical")
    assert view_errors(view) == []
    text, blocks = summary_dm(summary_entry(summary), "Technical")
    assert message_errors(blocks) == []
    assert text == f"The Technical panel for {PING_ESCAPED} is complete"
    for shown in (all_text(view), all_text(blocks)):
        assert "Strong yes *1* · Yes *0* · No *1* · Strong no *0*" in shown
        # Two scorecards: the scores themselves, no mean.
        assert "(scores *4, 2* · spread 2)" in shown
        assert "Serving on Kubernetes under a latency budget: scores *4, 1* · spread 3" in shown
        assert "mean" not in shown.replace("Mean to one decimal", "")
        assert "Autoscaling and capacity: _not assessed_" in shown
        assert 'No rollback plan beyond "retrain and redeploy": <@U0ANA>' in shown
        assert "Serving on Kubernetes under a latency budget: <@U0ANA> 4, <@U0BEN> 1" in shown
        assert (
            ":scales: *Split 1 : 1* (yes : no) · Serving on Kubernetes under a latency "
            "budget 4 / 1" in shown
        )
        assert "Nobody on the panel assessed:* *ML lifecycle: tracking, versioning" in shown
        assert "*Collaborative translation between ML and infrastructure*" in shown
        assert "Production mindset from day one: _not observed by <@U0ANA>, <@U0BEN>_" in shown
        assert "Said" not in shown  # evidence stays in View scorecards
        assert PING not in mrkdwn_text(view) + mrkdwn_text(blocks)
    buttons = {e["action_id"]: e["value"] for e in blocks[-1]["elements"]}
    assert buttons == {
        Action.RECORD_DECISION: "candidate:7",
        Action.SCHEDULE_DEBRIEF: "candidate:7",
        Action.VIEW_SCORECARDS: "interview:3",
    }
    assert summary.competencies[2].figures is not None
    assert summary.competencies[2].figures.scores == (4, 1)


def test_a_hiring_manager_who_owes_a_scorecard_gets_the_count_only(kits: Kits) -> None:
    _, blocks = summary_dm(summary_entry(None, hidden=True), "Technical")
    assert message_errors(blocks) == []
    text = all_text(blocks)
    assert "All 2 scorecards" in text and "once your own scorecard" in text
    assert "mean" not in text


def test_the_summary_names_who_edited_after_reading_the_others(kits: Kits) -> None:
    edit = Revision(START, "U0ANA", RevisionKind.EDIT, None, True, (FieldChange(OVERALL, 4, 2),))
    cards = [content("U0ANA", revisions=(edit,)), content("U0BEN")]
    summary = summarise(kits.stage("technical"), kits.qualities, cards, observed_in_loop=set())
    assert summary.edited_after_reading == ("U0ANA",)
    text = all_text(summary_modal(summary_entry(summary), "Technical"))
    assert "*Edited after reading the others:* <@U0ANA>" in text


def test_the_summary_escapes_kit_text_and_stays_within_limits(kits: Kits) -> None:
    stage = kits.stage("technical").model_copy(
        update={
            "title": PING,
            "competencies": tuple(
                Competency(id=f"c{i}", name=PING * 2, one="o", four="f") for i in range(8)
            ),
            "red_flags": tuple(RedFlag(id=f"f{i}", text=PING, suggests="s") for i in range(8)),
        }
    )
    cards = [
        content(
            f"U{i}",
            overall=1 + i % 4,
            competencies={f"c{j}": 1 + (i + j) % 4 for j in range(8)},
            red_flags=tuple(f"f{j}" for j in range(8)),
        )
        for i in range(5)
    ]
    summary = summarise(stage, kits.qualities, cards, observed_in_loop=set())
    _, blocks = summary_dm(summary_entry(summary), PING)
    view = summary_modal(summary_entry(summary), PING)
    note = panel_complete_blocks(
        PING, ("U0", "U1"), hiring_manager_id="U0HM", candidate_id=7, interview_id=3
    )
    assert message_errors(blocks) == [] and message_errors(note) == []
    assert view_errors(view) == []
    assert len(blocks) <= 50
    assert PING not in mrkdwn_text(blocks) + mrkdwn_text(view) + mrkdwn_text(note)


# ----------------------------------------------------------------------------- decisions


def decision_draft(kits: Kits, outcomes: tuple[Outcome, ...], **kwargs: Any) -> DecisionDraft:
    fields: dict[str, Any] = dict(
        candidate=candidate(PING),
        stage=kits.stage("technical"),
        next_stage=kits.stage("system_design"),
        outcomes=outcomes,
        unobserved_qualities=kits.qualities[:1],
        evidence=StageEvidence(expected=3, submitted=3, missing=(), yes=2, no=1),
    )
    return DecisionDraft(**(fields | kwargs))


def test_the_decision_modal_offers_what_is_open(kits: Kits) -> None:
    view = decision_modal(
        decision_draft(kits, (Outcome.ADVANCE, Outcome.OFFER, Outcome.HOLD, Outcome.REJECT))
    )
    assert view_errors(view) == []
    assert view["callback_id"] == View.DECISION
    element = inputs(view)[DecisionBlock.OUTCOME]["element"]
    assert [o["text"]["text"] for o in element["options"]] == [
        "Advance to System design: production incident",
        "Make an offer",
        "Put on hold",
        "Reject",
    ]
    assert inputs(view)[DecisionBlock.REASON]["element"]["max_length"] == 3000
    metadata = DecisionMetadata.decode(view["private_metadata"])
    assert metadata == DecisionMetadata(candidate_id=7, stage_key="technical", status="active")
    text = all_text(view)
    assert "Not observed yet in the whole loop:* *Systems thinking under uncertainty*" in text
    assert PING_ESCAPED in text


def test_no_quality_warning_where_no_offer_is_open(kits: Kits) -> None:
    view = decision_modal(decision_draft(kits, (Outcome.HIRED, Outcome.WITHDRAWN)))
    assert "observed" not in all_text(view)


@pytest.mark.parametrize(
    ("outcome", "submit", "says"),
    [
        (Outcome.REJECT, "Reject", "This closes the candidate"),
        (Outcome.OFFER, "Record offer", "Not observed yet in the whole loop"),
        (Outcome.HIRED, "Record hire", "This closes the candidate"),
        (Outcome.WITHDRAWN, "Record withdrawal", "withdrew"),
    ],
)
def test_the_confirmation_step(kits: Kits, outcome: Outcome, submit: str, says: str) -> None:
    view = needs_confirmation_modal(decision_draft(kits, (outcome,)), outcome, "Because")
    assert view_errors(view) == []
    assert (view["callback_id"], view["submit"]["text"]) == (View.DECISION_CONFIRM, submit)
    assert says in all_text(view)
    assert inputs(view)[DecisionBlock.REASON]["element"]["initial_value"] == "Because"
    assert DecisionMetadata.decode(view["private_metadata"]).outcome == outcome


def test_reading_a_decision_and_its_errors() -> None:
    values = {
        DecisionBlock.OUTCOME: sr.radio_value(DecisionBlock.OUTCOME, "hold"),
        DecisionBlock.REASON: sr.text_value(DecisionBlock.REASON, "Wait"),
    }
    assert read_decision(values) == ("hold", "Wait")
    assert read_decision({}) == (None, None)
    assert decision_field_errors({"outcome": "o", "reason": "r"}) == {
        DecisionBlock.OUTCOME: "o",
        DecisionBlock.REASON: "r",
    }


def test_the_decision_in_the_thread_escapes_the_reason(kits: Kits) -> None:
    result = DecisionResult(
        decision=Decision(
            candidate_id=7,
            stage_key="technical",
            outcome=Outcome.ADVANCE,
            reason=PING * 200,
            decided_by="U0HM",
            decided_at=START,
        ),
        candidate=candidate(),
        stage=kits.stage("technical"),
        next_stage=kits.stage("system_design"),
        created=True,
    )
    blocks = decision_blocks(result)
    assert message_errors(blocks) == []
    text = all_text(blocks)
    assert text.startswith(
        "<@U0HM> recorded a decision at the *Technical* stage: "
        "*Advance to System design: production incident*"
    )
    # Split over sections at spaces: the pieces join up again with the space.
    assert text.replace("\n", " ").count(PING_ESCAPED) == 200 and PING not in text


# ----------------------------------------------------------------------------- the card


@pytest.mark.parametrize(
    ("progress", "step"),
    [
        (None, "Technical interview"),
        (Progress(0, 3), "Technical interview"),
        (Progress(2, 3), "Technical scorecards: 2 of 3 in"),
        (Progress(3, 3), "Technical scorecards all in: record a decision"),
    ],
)
def test_the_cards_next_step_counts_scorecards(
    kits: Kits, progress: Progress | None, step: str
) -> None:
    assert next_step(candidate(), kits, interview(), progress).text == step
    on_hold = candidate(status="on_hold")
    assert next_step(on_hold, kits, interview(), progress).text.startswith("On hold")


@pytest.mark.parametrize(
    ("overall", "k8s", "line"),
    [
        ((4, 3, 3), (3, 3, 3), "*Agreed 3 : 0* (yes : no) · no scores 2 or more apart"),
        (
            (2, 1),
            (3, 1),
            "*Agreed 0 : 2* (yes : no) · Serving on Kubernetes under a latency budget 3 / 1",
        ),
        ((3, 2, 4), (4, 3, 3), ":scales: *Split 2 : 1* (yes : no) · no scores 2 or more apart"),
    ],
)
def test_the_verdict_line(
    kits: Kits, overall: tuple[int, ...], k8s: tuple[int, ...], line: str
) -> None:
    """One line at the top of every summary: split or agreed, and every item 2 or more
    apart (a 3 beside a 1 as much as a 4 beside a 2)."""
    stage = kits.stage("technical")
    cards = [
        content(f"U0{index}", overall=score, competencies={"k8s_serving": rating})
        for index, (score, rating) in enumerate(zip(overall, k8s, strict=True))
    ]
    summary = summarise(stage, kits.qualities, cards, observed_in_loop=())
    assert verdict_text(summary) == line
    assert summary_figures_blocks(summary)[0]["text"]["text"] == line
