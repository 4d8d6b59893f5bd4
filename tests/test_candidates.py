"""The candidate service: keys, finding a candidate by what a command says, the rules."""

from __future__ import annotations

import pytest

from bot.candidates import (
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
from storage.models import Candidate, CandidateStatus
from tests.harness import Harness
from tests.intake_helpers import add_candidate


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
    assert profile_key(url) == "linkedin.com/in/jane"


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
