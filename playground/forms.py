"""Filling a modal as a person would: each input answered, or left at what the bot put
there. Used by ``--demo`` to play the loop through the same modals the page shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Values = dict[str, dict[str, dict[str, Any]]]


def fill(view: Mapping[str, Any], answers: Mapping[str, Any]) -> Values:
    """``view.state.values`` for ``view``: an answer is looked up by the input's block id,
    then by its action id; an input without one keeps its initial value."""
    values: Values = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id, action_id = block.get("block_id", ""), element["action_id"]
        answer = answers.get(block_id, answers.get(action_id))
        values[block_id] = {action_id: _state(element, answer)}
    return values


def _option(element: Mapping[str, Any], value: Any) -> dict[str, Any] | None:
    options: list[dict[str, Any]] = element.get("options", [])
    for option in options:
        if option["value"] == str(value):
            return option
    raise ValueError(f"{element['action_id']} has no option {value!r}")


def _state(element: Mapping[str, Any], answer: Any) -> dict[str, Any]:
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind in ("static_select", "radio_buttons"):
        chosen = _option(element, answer) if answer is not None else None
        state["selected_option"] = chosen or element.get("initial_option")
    elif kind == "checkboxes":
        picked = [_option(element, v) for v in answer] if answer is not None else None
        state["selected_options"] = picked or element.get("initial_options", [])
    elif kind == "users_select":
        state["selected_user"] = answer or element.get("initial_user")
    elif kind == "multi_users_select":
        state["selected_users"] = list(answer or element.get("initial_users", []))
    elif kind == "datetimepicker":
        state["selected_date_time"] = answer or element.get("initial_date_time")
    else:
        value = answer if answer is not None else element.get("initial_value")
        state["value"] = None if value is None else str(value)
    return state
