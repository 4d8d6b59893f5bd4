"""The pure builders of intake: the modal, reading it back, the card, small texts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.candidates import CandidateForm
from bot.kits import Kits
from bot.next_step import NextStep
from handlers.block_kit import HEADER_LIMIT
from handlers.candidate_card import card_blocks, card_not_posted_text, duplicate_text
from handlers.candidate_form import field_errors, new_candidate_modal, read_new_candidate
from handlers.ids import IntakeBlock, View
from handlers.mrkdwn import date_token, escape_clipped
from slackfake.blockkit import message_errors, view_errors
from storage.models import Candidate, CandidateStatus
from tests.flows import intake_values

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _candidate(**fields: object) -> Candidate:
    values: dict[str, object] = {
        "id": 12,
        "name": "Jane Doe",
        "name_key": "jane doe",
        "level": "senior",
        "location": "uk_london",
        "hiring_manager_id": "U0HM",
        "created_by": "U0ANA",
        "stage_key": "screening",
        "status": CandidateStatus.ACTIVE,
        "stage_entered_at": NOW,
        "last_activity_at": NOW,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Candidate(**(values | fields))


# --------------------------------------------------------------------- the modal


def test_the_modal_is_one_slack_accepts_and_offers_the_salary_table(kits: Kits) -> None:
    view = new_candidate_modal(kits.salary, name="Jane", hiring_manager_id="U0HM")
    assert view_errors(view) == []
    assert view["callback_id"] == View.NEW_CANDIDATE
    blocks = {block["block_id"]: block for block in view["blocks"]}
    assert list(blocks) == list(IntakeBlock)
    levels = [o["value"] for o in blocks[IntakeBlock.LEVEL]["element"]["options"]]
    assert levels == ["mid", "senior"]
    locations = [o["value"] for o in blocks[IntakeBlock.LOCATION]["element"]["options"]]
    assert locations == [region.key for region in kits.salary.regions] + ["other"]
    optional = {block_id for block_id, block in blocks.items() if block["optional"]}
    assert optional == {
        IntakeBlock.PROFILE_URL,
        IntakeBlock.SOURCE,
        IntakeBlock.NOTES,
        IntakeBlock.EMAIL,
        IntakeBlock.TIMEZONE,
        IntakeBlock.HOURS,
    }
    assert blocks[IntakeBlock.NAME]["element"]["max_length"] == 100


def test_a_submission_reads_back_into_the_form() -> None:
    values = intake_values(
        "Jane", profile_url="https://x.io/j", source="Referral", notes="Good", location="de_nl"
    )
    assert read_new_candidate(values) == CandidateForm(
        name="Jane",
        level="senior",
        location="de_nl",
        profile_url="https://x.io/j",
        source="Referral",
        hiring_manager_id="U0HM",
        notes="Good",
    )


def test_missing_inputs_read_as_none() -> None:
    assert read_new_candidate({}) == CandidateForm()
    values = intake_values(None, level=None, location=None, hiring_manager=None)
    assert read_new_candidate(values) == CandidateForm()


def test_field_errors_land_on_their_blocks_and_unknown_fields_on_the_name() -> None:
    assert field_errors({"level": "Choose.", "profile_url": "Bad."}) == {
        IntakeBlock.LEVEL: "Choose.",
        IntakeBlock.PROFILE_URL: "Bad.",
    }
    assert field_errors({"name": "Empty.", "elsewhere": "Odd."}) == {
        IntakeBlock.NAME: "Empty. Odd."
    }


# --------------------------------------------------------------------- the card


def test_the_card_is_one_slack_accepts(kits: Kits) -> None:
    blocks = card_blocks(_candidate(notes="n"), kits, NextStep("Schedule the Screening interview"))
    assert message_errors(blocks) == []
    assert [b["type"] for b in blocks] == ["header", "section", "section", "actions", "context"]
    assert len(blocks[1]["fields"]) <= 10
    assert "Candidate #12" in blocks[-1]["elements"][0]["text"]
    assert "<!date^" in blocks[-1]["elements"][0]["text"]


def test_the_longest_name_and_level_fit_the_header(kits: Kits) -> None:
    blocks = card_blocks(_candidate(name="W" * 100, level="senior"), kits, NextStep("x"))
    assert message_errors(blocks) == []
    assert len(blocks[0]["text"]["text"]) <= HEADER_LIMIT


def test_a_level_no_table_knows_is_cut_to_fit_the_header(kits: Kits) -> None:
    blocks = card_blocks(_candidate(name="W" * 100, level="L" * 80), kits, NextStep("x"))
    assert len(blocks[0]["text"]["text"]) == HEADER_LIMIT
    assert blocks[0]["text"]["text"].endswith("…")


def test_long_notes_full_of_markup_are_clipped_to_fit(kits: Kits) -> None:
    blocks = card_blocks(_candidate(notes="<&>" * 1000), kits, NextStep("x"))
    assert message_errors(blocks) == []
    notes = blocks[2]["text"]["text"]
    assert notes.endswith("…") and "<" not in notes.removeprefix("*Notes*\n")


def test_a_closed_candidate_has_no_buttons(kits: Kits) -> None:
    blocks = card_blocks(_candidate(status=CandidateStatus.HIRED), kits, NextStep("Hired"))
    assert "actions" not in [b["type"] for b in blocks]
    fields = " ".join(f["text"] for f in blocks[1]["fields"])
    assert "Hired" in fields


def test_the_next_step_is_escaped(kits: Kits) -> None:
    blocks = card_blocks(_candidate(), kits, NextStep("Schedule <!channel> & co"))
    fields = " ".join(f["text"] for f in blocks[1]["fields"])
    assert "Schedule &lt;!channel&gt; &amp; co" in fields


def test_texts_about_a_candidate_escape_the_name() -> None:
    eve = _candidate(name="<!channel> Eve", permalink="https://slack/p1")
    assert duplicate_text(eve).startswith("&lt;!channel&gt; Eve is already an open candidate (#12)")
    assert "https://slack/p1" in duplicate_text(eve)
    assert "not posted yet" in duplicate_text(_candidate())
    for error in ("channel_not_found", "not_in_channel", "is_archived"):
        text = card_not_posted_text(eve, "C0HIRING", error, "UBOT")
        assert "&lt;!channel&gt; Eve" in text and "<!channel>" not in text


# --------------------------------------------------------------------- small texts


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("a<b", 10, "a&lt;b"),
        ("abcdef", 4, "abc…"),
        ("ab&cd", 5, "ab…"),  # "ab&am" would cut the entity in two
        ("ab&cd", 8, "ab&amp;…"),
    ],
)
def test_escape_clipped(text: str, limit: int, expected: str) -> None:
    assert escape_clipped(text, limit) == expected
    assert len(escape_clipped(text, limit)) <= limit


def test_date_token_shows_each_reader_their_own_time() -> None:
    assert date_token(NOW) == (
        "<!date^1796032800^{date_short_pretty} at {time}|Mon 30 Nov 2026 10:00 UTC>"
    )


def test_a_meeting_in_the_next_step_is_shown_in_each_readers_time_zone(kits: Kits) -> None:
    at = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    blocks = card_blocks(_candidate(), kits, NextStep("Screening <b> interview", at))
    [field] = [f["text"] for f in blocks[1]["fields"] if f["text"].startswith("*Next step*")]
    assert field == f"*Next step*\nScreening &lt;b&gt; interview on {date_token(at)}"
