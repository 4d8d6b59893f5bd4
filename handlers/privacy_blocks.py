"""Messages and the confirmation modal of exporting and erasing a candidate's data."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.block_kit import Block, plain, section
from handlers.ids import View
from handlers.mrkdwn import escape
from handlers.refs import Ref, ref
from storage.models import Candidate, row_id


def erase_modal(candidate: Candidate) -> Block:
    candidate_id = row_id(candidate)
    warning = (
        f":warning: This deletes *{escape(candidate.name)}* (#{candidate_id}) for good: the "
        "candidate, every interview, scorecard, decision, debrief and reminder, and the "
        "bot's messages about them in the hiring channel and in interviewers' DMs.\n"
        "Export the data first (`/mlops-candidate export`) if anyone needs a copy."
    )
    return {
        "type": "modal",
        "callback_id": View.ERASE_CANDIDATE,
        "private_metadata": ref(Ref.CANDIDATE, candidate_id),
        "title": plain("Erase candidate"),
        "submit": plain("Erase for good"),
        "close": plain("Keep"),
        "blocks": [section(warning)],
    }


def export_comment(candidate: Candidate) -> str:
    return (
        f"Everything the hiring bot holds about *{escape(candidate.name)}* (#{candidate.id}). "
        "It is personal data: keep it only as long as you need it."
    )


def erased_text(candidate_id: int, records: int, deleted: int, failures: Sequence[str]) -> str:
    text = (
        f":wastebasket: Candidate #{candidate_id} is erased: {records} records deleted, "
        f"and {deleted} of the bot's Slack messages about them."
    )
    if failures:
        errors = ", ".join(sorted(set(failures)))
        text += f" {len(failures)} message(s) could not be deleted ({errors}); delete them by hand."
    return text
