"""The incident modals: pick a scenario and start the clock, reveal an inject (asked for
or handed over), and log a hypothesis or a note; and reading their submissions back.

Pure. Scenario texts are team-edited: escaped where mrkdwn shows them, clipped where
plain text has a limit (options clip themselves).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.incident_runs import MAX_STATEMENT, SCENARIO, STATEMENT, RunState, StartOffer
from bot.incident_scenarios import Inject, Scenario
from handlers.block_kit import Block, context, input_block, option, plain, section
from handlers.ids import IncidentBlock, View
from handlers.modals import ViewMetadata, errors_by_block
from handlers.mrkdwn import date_token, escape, escape_clipped
from storage.models import IncidentEventKind, row_id

ASKED = "asked"
HANDED_OVER = "handed_over"
_TEXT_LIMIT = 2900
_LABELS = {
    IncidentEventKind.HYPOTHESIS: ("Hypothesis", "What did the candidate put forward?"),
    IncidentEventKind.NOTE: ("Note", "Your note"),
}


class StartMetadata(ViewMetadata):
    interview_id: int


class RevealMetadata(ViewMetadata):
    run_id: int
    inject_id: str


class StatementMetadata(ViewMetadata):
    run_id: int
    kind: IncidentEventKind


def start_modal(offer: StartOffer) -> dict[str, Any]:
    """The choice of scenario, the suggestion first; fixed when the panel already runs one."""
    blocks: list[Block] = [
        section(
            f"*{escape_clipped(offer.candidate.name, 200)}* · {escape(offer.stage.title)} "
            f"interview on {date_token(offer.interview.starts_at)}"
        )
    ]
    if offer.panel_key is not None:
        blocks.append(
            section(
                f"Your panel already runs *{escape(offer.suggested.title)}*: the candidate "
                "hears one scenario, so yours is the same."
            )
        )
    else:
        options = [_scenario_option(scenario) for scenario in offer.choices]
        blocks.append(
            input_block(
                IncidentBlock.SCENARIO,
                "Scenario",
                {
                    "type": "static_select",
                    "action_id": IncidentBlock.SCENARIO,
                    "options": options,
                    "initial_option": _scenario_option(offer.suggested),
                },
                hint="Suggested: the one least recently used.",
            )
        )
        if offer.previous_key is not None and offer.previous_key not in {
            scenario.key for scenario in offer.choices
        }:
            blocks.append(context("Not offered: the scenario the previous candidate had."))
    blocks.append(context("Starting shows you the brief to read out, and starts the clock."))
    metadata = StartMetadata(interview_id=row_id(offer.interview)).encode()
    return _modal(View.START_INCIDENT, "Start incident", "Start the clock", metadata, blocks)


def read_scenario(values: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The scenario picked; None when there was nothing to pick."""
    chosen = values.get(IncidentBlock.SCENARIO, {}).get(IncidentBlock.SCENARIO, {})
    picked = (chosen.get("selected_option") or {}).get("value")
    return str(picked) if picked else None


def reveal_modal(state: RunState, inject: Inject) -> dict[str, Any]:
    asked = option("They asked for it", ASKED)
    blocks = [
        section(
            f"*{escape(inject.label)}*\n_Reveal when:_ {escape_clipped(inject.ask, _TEXT_LIMIT)}"
        ),
        input_block(
            IncidentBlock.ASKED,
            "How did it come up?",
            {
                "type": "radio_buttons",
                "action_id": IncidentBlock.ASKED,
                "options": [asked, option("I handed it over", HANDED_OVER)],
                "initial_option": asked,
            },
        ),
        context("The evidence is posted in this DM for you to share; the time is logged."),
    ]
    metadata = RevealMetadata(run_id=state.run_id, inject_id=inject.id).encode()
    return _modal(View.INCIDENT_REVEAL, "Reveal evidence", "Reveal", metadata, blocks)


def answer_key_modal(state: RunState) -> dict[str, Any]:
    """The root cause and what strong and weak investigations look like: in a modal, not
    in the DM that the interviewer screen-shares."""
    scenario = state.scenario
    blocks = [
        section(f"*{escape(scenario.title)}*"),
        section(f"*Root cause*\n{escape_clipped(scenario.root_cause, _TEXT_LIMIT)}"),
        section(_signs("Strong investigations", scenario.strong_signs)),
        section(_signs("Weak investigations", scenario.weak_signs)),
    ]
    return {
        "type": "modal",
        "title": plain("Answer key"),
        "close": plain("Close"),
        "blocks": blocks,
    }


def _signs(title: str, signs: tuple[str, ...]) -> str:
    budget = (_TEXT_LIMIT - len(title)) // max(1, len(signs)) - 4
    return f"*{title}*\n" + "\n".join(f"• {escape_clipped(sign, budget)}" for sign in signs)


def read_asked(values: Mapping[str, Mapping[str, Any]]) -> bool:
    chosen = values.get(IncidentBlock.ASKED, {}).get(IncidentBlock.ASKED, {})
    return (chosen.get("selected_option") or {}).get("value") != HANDED_OVER


def statement_modal(state: RunState, kind: IncidentEventKind) -> dict[str, Any]:
    title, label = _LABELS[kind]
    blocks = [
        input_block(
            IncidentBlock.TEXT,
            label,
            {
                "type": "plain_text_input",
                "action_id": IncidentBlock.TEXT,
                "multiline": True,
                "max_length": MAX_STATEMENT,
            },
        ),
        context(f"Logged with the time since the start of *{escape(state.scenario.title)}*."),
    ]
    metadata = StatementMetadata(run_id=state.run_id, kind=kind).encode()
    return _modal(View.INCIDENT_STATEMENT, title, "Log it", metadata, blocks)


def read_statement(values: Mapping[str, Mapping[str, Any]]) -> str | None:
    value = values.get(IncidentBlock.TEXT, {}).get(IncidentBlock.TEXT, {}).get("value")
    return str(value) if value is not None else None


def incident_field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    """``response_action: errors`` of an InvalidInput from `bot.incident_runs`."""
    blocks = {SCENARIO: IncidentBlock.SCENARIO, STATEMENT: IncidentBlock.TEXT}
    return errors_by_block(fields, blocks, IncidentBlock.TEXT)


def _scenario_option(scenario: Scenario) -> dict[str, Any]:
    return option(scenario.title, scenario.key)


def _modal(
    callback_id: View, title: str, submit: str, metadata: str, blocks: list[Block]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "submit": plain(submit),
        "close": plain("Cancel"),
        "private_metadata": metadata,
        "blocks": blocks,
    }
