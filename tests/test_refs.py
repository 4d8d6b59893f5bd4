from __future__ import annotations

import pytest

from bot.errors import NotFound
from handlers.refs import Ref, parse_ref, ref


def test_round_trip() -> None:
    assert parse_ref(ref(Ref.INTERVIEW, 7)) == (Ref.INTERVIEW, 7)
    assert ref(Ref.CANDIDATE, 12) == "candidate:12"


@pytest.mark.parametrize("value", [None, "", "candidate", "candidate:", "robot:1", "candidate:x1"])
def test_values_we_did_not_write_are_not_found(value: str | None) -> None:
    with pytest.raises(NotFound):
        parse_ref(value)
