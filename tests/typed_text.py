"""Text as people type it, for the property tests of everything that shows it: Hypothesis
strategies for what a form or a kit file accepts (``typed``, ``web_links``, ``kit_texts``)
and its worst case (``amps``, ``WORST_KIT``), rows holding it, and the assertions that it
reached Slack valid, within Slack's limits, escaped and cut only between whole units."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bot.candidates import PROFILE_URL_MAX
from bot.kits import MAX_ANCHOR, MAX_NAME, MAX_TEXT, Stage
from bot.scorecards import ScorecardContent
from handlers.mrkdwn import ELLIPSIS
from slackfake.blockkit import (
    MAX_BLOCKS_TEXT,
    MAX_MESSAGE_TEXT,
    blocks_text_length,
    message_errors,
    view_errors,
)
from storage.models import Candidate, Debrief, Interview
from tests.calls import mrkdwn_texts
from tests.conftest import START
from tests.kit_samples import KITS

PROPERTY = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# What a person could type to ping or impersonate: none may reach Slack unescaped.
INJECTIONS = ("<!channel>", "<!here>", "<@U0EVIL>", "<#C0EVIL>", "<!subteam^S0EVIL>")
PIECES = [
    *INJECTIONS,
    "&",
    "&&&&&",
    "<",
    ">",
    "&amp;",
    "<https://evil.example|click>",
    "<!date^1^{date}|x>",
    "*",
    "_",
    "~",
    "`",
    "```",
    "|",
    "\n",
    " ",
    "Zoë",
    "e\N{COMBINING ACUTE ACCENT}\N{COMBINING DOT ABOVE}",
    "\N{THUMBS UP SIGN}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}",
    "\N{MAN}\N{ZERO WIDTH JOINER}\N{WOMAN}\N{ZERO WIDTH JOINER}\N{GIRL}",
    "\N{REGIONAL INDICATOR SYMBOL LETTER F}\N{REGIONAL INDICATOR SYMBOL LETTER R}",
    "שלום",
    "مرحبا",
    "\N{RIGHT-TO-LEFT MARK}",
    "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}",
]
# The worst case of each text, always tried first: the longest a form takes, all `&`,
# which escaping makes five times longer.
LINK = "https://a.io/" + "&" * (PROFILE_URL_MAX - len("https://a.io/"))


def amps(length: int) -> str:
    return "&" * length


USERS = ("U0ANA", "U0BEN", "U0CAT", "U0DAN", "U0EVE")
UNIT = re.compile(r"&(?:amp|lt|gt);|<[^<>]*>")


def typed(max_size: int, *, min_size: int = 1) -> st.SearchStrategy[str]:
    """Text a person could type, up to ``max_size`` characters: a few pieces (tricky or
    random) repeated, so that long texts, the longest the form takes among them, are as
    likely as short ones."""
    piece = st.one_of(st.sampled_from(PIECES), st.text(max_size=6))
    return st.builds(
        lambda parts, repeat: ("".join(parts) * repeat)[:max_size],
        st.lists(piece, min_size=1, max_size=5),
        st.one_of(st.just(max_size), st.integers(1, max_size)),
    ).filter(lambda text: len(text) >= min_size)


def web_links(max_size: int = PROFILE_URL_MAX) -> st.SearchStrategy[str]:
    """Addresses the forms accept: http(s), a host, no spaces nor `<>|`, `&` in plenty."""
    path = st.text(alphabet="&&&?=/%#abc-._~:;+,", max_size=8)
    return st.builds(
        lambda host, part, repeat: f"https://{host}.io/{part * repeat}"[:max_size],
        st.text(alphabet="abcdefghij", min_size=1, max_size=12),
        path,
        st.one_of(st.just(max_size), st.integers(1, max_size)),
    )


def assert_safe_mrkdwn(text: str) -> None:
    """Nothing typed pings, and nothing was cut in two: every `&` starts an entity, every
    `<` opens a token that closes, and a clip never leaves a dangling joiner."""
    for injection in INJECTIONS:
        assert injection not in text
    rest = UNIT.sub("", text)
    assert "&" not in rest and "<" not in rest and ">" not in rest, text[:200]
    assert f"\N{ZERO WIDTH JOINER}{ELLIPSIS}" not in text


def assert_message(text: str, blocks: list[dict[str, Any]], *, posted: bool = True) -> None:
    """``posted``: sent with chat.postMessage or chat.update, which also refuse more than
    ``MAX_BLOCKS_TEXT`` in all (a command's answer is not: Slack takes it in full)."""
    assert message_errors(blocks) == []
    assert not posted or blocks_text_length(blocks) <= MAX_BLOCKS_TEXT
    assert 0 < len(text) <= MAX_MESSAGE_TEXT
    for shown in (text, *mrkdwn_texts(blocks)):
        assert_safe_mrkdwn(shown)


def assert_view(view: dict[str, Any]) -> None:
    assert view_errors(view) == []
    for shown in mrkdwn_texts(view):
        assert_safe_mrkdwn(shown)


def candidate(name: str, **kwargs: Any) -> Candidate:
    fields: dict[str, Any] = dict(
        id=7,
        name=name,
        level="senior",
        location="uk_london",
        hiring_manager_id="U0HM",
        created_by="U0HM",
        stage_key="technical",
        status="active",
        created_at=START,
        stage_entered_at=START,
        last_activity_at=START,
    )
    return Candidate(**(fields | kwargs))


def interview(video_link: str | None = None, **kwargs: Any) -> Interview:
    fields: dict[str, Any] = dict(
        id=3,
        candidate_id=7,
        stage_key="technical",
        starts_at=START,
        duration_minutes=90,
        video_link=video_link,
        created_by="U0HM",
    )
    return Interview(**(fields | kwargs))


def debrief_row(video_link: str | None) -> Debrief:
    return Debrief(
        id=5,
        candidate_id=7,
        stage_key="technical",
        starts_at=START,
        video_link=video_link,
        created_by="U0HM",
    )


def scorecard(evidence: str, note: str | None, interviewer_id: str = "U0ANA") -> ScorecardContent:
    stage = KITS.stage("technical")
    return ScorecardContent(
        id=1,
        interview_id=3,
        interviewer_id=interviewer_id,
        overall=4,
        competencies={c.id: 4 if interviewer_id == "U0ANA" else 1 for c in stage.competencies},
        qualities={q.id: 3 for q in KITS.qualities},
        red_flags=tuple(flag.id for flag in stage.red_flags),
        evidence=evidence,
        private_note=note,
        submitted_at=START,
        updated_at=START,
    )


# Team-edited kits: every text at the most a kit file accepts, or less.
kit_texts = st.fixed_dictionaries(
    {
        "title": typed(MAX_NAME),
        "goal": typed(MAX_TEXT),
        "prompt": typed(MAX_TEXT),
        "answer": typed(MAX_TEXT),
        "anchor": typed(MAX_ANCHOR),
        "name": typed(MAX_NAME),
    }
)

WORST_KIT = {
    "title": amps(MAX_NAME),
    "goal": amps(MAX_TEXT),
    "prompt": amps(MAX_TEXT),
    "answer": amps(MAX_TEXT),
    "anchor": amps(MAX_ANCHOR),
    "name": amps(MAX_NAME),
}


def edited_stage(texts: dict[str, str]) -> Stage:
    """The Technical stage with every text replaced by what a team might write."""
    stage = KITS.stage("technical")
    return stage.model_copy(
        update={
            "title": texts["title"],
            "goal": texts["goal"],
            "questions": tuple(
                q.model_copy(
                    update={
                        "prompt": texts["prompt"],
                        "strong_answer": texts["answer"],
                        "follow_ups": (texts["prompt"],) * 3,
                        "section": texts["name"] if q.section else None,
                    }
                )
                for q in stage.questions
            ),
            "competencies": tuple(
                c.model_copy(update={"name": texts["name"], "one": texts["anchor"]})
                for c in stage.competencies
            ),
            "red_flags": tuple(
                f.model_copy(update={"text": texts["prompt"], "suggests": texts["anchor"]})
                for f in stage.red_flags
            ),
        }
    )
