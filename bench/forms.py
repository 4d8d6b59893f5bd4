"""Filling in a modal the bot opened, as a person would: every required input answered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.procs import BenchError
from slackfake import requests as sr


def filled(view: Mapping[str, Any], choice: int, text: str) -> dict[str, dict[str, Any]]:
    """``view.state.values`` with the ``choice``-th option (wrapping round) of each select
    or radio group and ``text`` in each text input; optional inputs are left empty."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input" or block.get("optional"):
            continue
        element = block["element"]
        action_id, kind = element["action_id"], element["type"]
        if kind in ("static_select", "radio_buttons"):
            options = element["options"]
            option = options[choice % len(options)]
            state = sr.select_value if kind == "static_select" else sr.radio_value
            values[block["block_id"]] = state(action_id, option["value"], option["text"]["text"])
        elif kind == "checkboxes":
            values[block["block_id"]] = sr.checkboxes_value(action_id, [])
        elif kind == "plain_text_input":
            values[block["block_id"]] = sr.text_value(action_id, text)
        else:
            raise BenchError(f"no way to fill in a required {kind} ({block['block_id']})")
    return values
