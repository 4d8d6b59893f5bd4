"""Typed ``private_metadata``: a modal's context as a pydantic model, encoded into the view
when it opens and parsed back, in one place, when it is submitted."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.errors import NotFound


class ViewMetadata(BaseModel):
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
