"""What the modal forms share: typed ``private_metadata``, reading a picked moment back,
field errors placed under their inputs, the hint under free text, a notice shown in place
of a form, and the answer to a submission the domain refused (the one way a modal says no).
The blocks themselves are ``handlers.block_kit``'s."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError
from slack_bolt.async_app import AsyncAck

from bot.errors import DomainError, InvalidInput, NotFound
from handlers.block_kit import plain, section

# What nobody should write down about a candidate, said under every free-text field: what
# is not recorded cannot sway a decision, nor be read back in a dispute.
NOT_TO_RECORD = (
    "Leave out salary history (unlawful to ask in many US states) and protected "
    "characteristics: age, family plans, health, religion, origin and the like."
)


def fair_hint(purpose: str) -> str:
    """A free-text field's hint: what it is for, then what not to record."""
    return f"{purpose} {NOT_TO_RECORD}"


def errors_by_block(
    fields: Mapping[str, str], blocks: Mapping[str, str], fallback: str
) -> dict[str, str]:
    """``response_action: errors`` from an InvalidInput's fields: each message under the
    block ``blocks`` names for its field. A field without one lands on ``fallback``, so
    that no error is ever dropped silently; two on one block are joined."""
    errors: dict[str, str] = {}
    for field, message in fields.items():
        block = blocks.get(field, fallback)
        errors[block] = f"{errors[block]} {message}" if block in errors else message
    return errors


def picked_moment(epoch: Any) -> datetime | None:
    """A datetimepicker's ``selected_date_time`` (Unix seconds) as an aware UTC datetime;
    None when nothing, or nothing sensible, was picked."""
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class ViewMetadata(BaseModel):
    """A modal's context as a pydantic model: encoded into the view when it opens, parsed
    back in one place when it is submitted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def encode(self) -> str:
        return self.model_dump_json()

    @classmethod
    def decode(cls, raw: str | None) -> Self:
        """NotFound for metadata we did not write, such as that of an older version."""
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError:
            raise NotFound("This form is out of date. Please close it and open it again.") from None


def notice_modal(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something, such as why a submission was refused."""
    return {
        "type": "modal",
        "title": plain(title),
        "close": plain("Close"),
        "blocks": [section(text)],
    }


FieldErrors = Callable[[Mapping[str, str]], dict[str, str]]


async def refuse_submission(
    ack: AsyncAck, error: DomainError, *, title: str, field_errors: FieldErrors | None = None
) -> None:
    """The one way a modal's submission is refused: bad input stays on the form as field
    errors; any other refusal (outside the team, not yours to change, gone, out of date)
    replaces the form with a notice saying why, mentions and all (closing it would leave
    the user without the reason; a field error is plain text). A form without fields to
    correct shows bad input as a notice too."""
    if isinstance(error, InvalidInput) and field_errors is not None:
        await ack(response_action="errors", errors=field_errors(error.fields))
    else:
        await ack(response_action="update", view=notice_modal(title, error.message))


Submission = Callable[..., Awaitable[None]]


def form_submission(
    *, title: str, field_errors: FieldErrors | None = None
) -> Callable[[Submission], Submission]:
    """A modal submission's listener that says no by raising: a DomainError raised before it
    acks is answered with ``refuse_submission``; one raised after (the form is closed)
    goes on to the error handler, as a button's does. Bolt reads the listener's own
    parameters through ``functools.wraps``."""

    def wrap(listener: Submission) -> Submission:
        @functools.wraps(listener)
        async def refusing(**arguments: Any) -> None:
            ack: AsyncAck = arguments["ack"]
            try:
                await listener(**arguments)
            except DomainError as refused:
                if ack.response is not None:
                    raise
                await refuse_submission(ack, refused, title=title, field_errors=field_errors)

        return refusing

    return wrap
