"""Button values that point at a record: ``"candidate:12"``, ``"interview:7"``.

One action id can be reached from several places (the card, a DM) that know different
records; the value says which kind it carries.
"""

from __future__ import annotations

from enum import StrEnum

from bot.errors import NotFound


class Ref(StrEnum):
    CANDIDATE = "candidate"
    INTERVIEW = "interview"
    DEBRIEF = "debrief"
    SCORECARD = "scorecard"
    INCIDENT = "incident"


def ref(kind: Ref, record_id: int) -> str:
    return f"{kind}:{record_id}"


def parse_ref(value: str | None) -> tuple[Ref, int]:
    """The kind and id in a button value; NotFound for anything we did not write."""
    kind, _, raw_id = (value or "").partition(":")
    if kind not in Ref.__members__.values() or not raw_id.isdigit():
        raise NotFound("That button no longer points at anything. Please reopen the message.")
    return Ref(kind), int(raw_id)


def ref_id(value: str | None, kind: Ref) -> int:
    """The id in a button value that must point at a ``kind``; NotFound otherwise."""
    found, record_id = parse_ref(value)
    if found != kind:
        raise NotFound(f"That button no longer points at a {kind}. Please reopen the message.")
    return record_id
