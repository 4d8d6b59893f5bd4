"""The candidate service: keys, finding a candidate by what a command says, the rules."""

from __future__ import annotations

import json

import pytest

from bot.candidates import (
    CASEFOLD_GROWTH,
    NAME_MAX,
    PROFILE_URL_MAX,
    AmbiguousCandidate,
    get_candidate,
    is_closed,
    normalise_name,
    profile_key,
    resolve_candidate,
)
from bot.errors import NotFound
from bot.kits import Kits
from bot.next_step import next_step
from bot.permissions import may_create_candidate
from handlers.ids import IntakeBlock
from storage.models import Candidate, CandidateStatus
from tests.harness import Harness
from tests.intake_helpers import add_candidate, all_candidates, submit_intake

# Its SQL can behave differently by dialect: it runs on PostgreSQL too.
pytestmark = pytest.mark.both_databases


def test_names_compare_without_case_or_extra_spaces() -> None:
    assert normalise_name("  Jane \t  DOE ") == normalise_name("jane doe") == "jane doe"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/jane/",
        "http://linkedin.com/in/jane",
        "https://LinkedIn.com/in/Jane?trk=feed#top",
    ],
)
def test_profile_links_to_the_same_page_share_a_key(url: str) -> None:
    assert profile_key(url) == profile_key("linkedin.com/in/jane".join(("https://", "")))
    assert profile_key(url) != profile_key("https://linkedin.com/in/janet")


def test_case_folding_grows_a_character_to_at_most_three() -> None:
    # The name key's column is sized by this bound: checked over every code point.
    growth = max(len(chr(point).casefold()) for point in range(0x110000))
    assert growth == CASEFOLD_GROWTH == 3
    name_key = Candidate.__table__.c.name_key  # type: ignore[attr-defined]
    assert name_key.type.length == NAME_MAX * CASEFOLD_GROWTH
    assert Candidate.__table__.c.profile_url_key.type.length == len(profile_key("https://x.y"))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("admins", "user", "manager", "allowed"),
    [
        (frozenset(), "U0ANY", False, True),
        (frozenset({"U0ADMIN"}), "U0ADMIN", False, True),
        (frozenset({"U0ADMIN"}), "U0HANA", True, True),
        (frozenset({"U0ADMIN"}), "U0ANY", False, False),
    ],
)
def test_who_may_create_a_candidate(
    admins: frozenset[str], user: str, manager: bool, allowed: bool
) -> None:
    assert may_create_candidate(admins, user, is_hiring_manager=manager) is allowed


@pytest.mark.parametrize(
    ("status", "closed", "step"),
    [
        (CandidateStatus.ACTIVE, False, "Schedule the Screening interview"),
        (CandidateStatus.ON_HOLD, False, "On hold"),
        (CandidateStatus.OFFER, False, "Offer made"),
        (CandidateStatus.HIRED, True, "Hired"),
        (CandidateStatus.REJECTED, True, "Closed"),
        (CandidateStatus.WITHDRAWN, True, "Closed"),
    ],
)
def test_status_decides_closed_and_the_next_step(
    kits: Kits, status: CandidateStatus, closed: bool, step: str
) -> None:
    candidate = Candidate(status=status, stage_key="screening")
    assert is_closed(candidate) is closed
    assert next_step(candidate, kits).text.startswith(step)


def test_a_stage_no_kit_defines_any_more_still_has_a_next_step(kits: Kits) -> None:
    candidate = Candidate(status=CandidateStatus.ACTIVE, stage_key="take_home")
    assert next_step(candidate, kits).text == "Schedule the take_home interview"


async def _set_status(harness: Harness, candidate: Candidate, status: CandidateStatus) -> None:
    async with harness.bot.sessions() as session, session.begin():
        candidate.status = status
        session.add(candidate)


async def test_resolve_by_number_or_name(harness: Harness) -> None:
    jane = await add_candidate(harness, "Jane Doe")
    janet = await add_candidate(harness, "Janet Smith")
    async with harness.bot.sessions() as session:
        assert (await resolve_candidate(session, f"#{jane.id}")).id == jane.id
        assert (await resolve_candidate(session, f" {janet.id} ")).id == janet.id
        assert (await resolve_candidate(session, "JANE   doe")).id == jane.id
        assert (await resolve_candidate(session, "smith")).id == janet.id
        with pytest.raises(AmbiguousCandidate) as ambiguous:
            await resolve_candidate(session, "jan")
        assert {c.id for c in ambiguous.value.matches} == {jane.id, janet.id}
        assert f"#{jane.id}" in ambiguous.value.message and "Jane" not in ambiguous.value.message


async def test_an_exact_name_wins_over_longer_names_containing_it(harness: Harness) -> None:
    jane = await add_candidate(harness, "Jane Doe")
    await add_candidate(harness, "Jane Doerty")
    async with harness.bot.sessions() as session:
        assert (await resolve_candidate(session, "jane doe")).id == jane.id


async def test_closed_candidates_are_found_by_number_only(harness: Harness) -> None:
    jane = await add_candidate(harness, "Jane Doe")
    await _set_status(harness, jane, CandidateStatus.REJECTED)
    async with harness.bot.sessions() as session:
        assert (await resolve_candidate(session, f"#{jane.id}")).id == jane.id
        with pytest.raises(NotFound) as missing:
            await resolve_candidate(session, "Jane Doe")
        assert "No open candidate" in missing.value.message


@pytest.mark.parametrize("text", ["", "  ", "#999", "nobody", "100%", "_"])
async def test_what_matches_nothing_is_not_found(harness: Harness, text: str) -> None:
    await add_candidate(harness, "Jane Doe")
    async with harness.bot.sessions() as session:
        with pytest.raises(NotFound):
            await resolve_candidate(session, text)


async def test_get_candidate_of_an_unknown_id_is_not_found(harness: Harness) -> None:
    async with harness.bot.sessions() as session:
        with pytest.raises(NotFound, match="#42"):
            await get_candidate(session, 42)


# The worst case of the normalisation, stored where lengths are enforced: PostgreSQL (the
# `--db=postgresql` pass runs these against it).
LONGEST_NAME = "ß" * 50 + "ΐ" * 50  # 100 characters; its key has 250
LONGEST_LINK = "https://example.com/" + "ΐ" * 480  # 500 characters: 1,420 once case-folded


async def test_the_longest_names_and_links_are_stored_and_found(harness: Harness) -> None:
    assert len(LONGEST_NAME) == NAME_MAX and len(normalise_name(LONGEST_NAME)) == 250
    assert len(LONGEST_LINK) == PROFILE_URL_MAX
    jane = await add_candidate(harness, LONGEST_NAME, profile_url=LONGEST_LINK)
    assert jane.name == LONGEST_NAME and jane.profile_url == LONGEST_LINK
    async with harness.bot.sessions() as session:
        assert (await resolve_candidate(session, "SS" * 50)).id == jane.id
    # The same person again is caught by name, and by link under another name.
    again = await submit_intake(harness, LONGEST_NAME)
    assert "already an open candidate" in json.dumps(again.json["errors"])
    same_link = LONGEST_LINK.replace("https://", "http://www.")
    again = await submit_intake(harness, "Someone Else", profile_url=same_link)
    assert IntakeBlock.PROFILE_URL in again.json["errors"]
    assert [c.id for c in await all_candidates(harness)] == [jane.id]


async def test_a_hundred_character_name_with_sharp_s_is_stored(harness: Harness) -> None:
    name = "Straße " + "ß" * 93  # 100 characters; the key has 194
    assert len(name) == NAME_MAX
    jane = await add_candidate(harness, name)
    assert jane.name_key == normalise_name(name) and len(jane.name_key) == 194
