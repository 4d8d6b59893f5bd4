"""What the modal flows share: typed ``private_metadata``, a notice shown in place of a form,
and the answer to a submission the domain refused (the one way a modal says no)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError
from slack_bolt.async_app import AsyncAck

from bot.errors import DomainError, InvalidInput, NotFound
from handlers.block_kit import section
from handlers.modal_parts import plain


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
