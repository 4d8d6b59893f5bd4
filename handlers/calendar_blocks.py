"""App Home's calendar section and the Connect calendar modal: pure builders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.calendars import MAX_PASSWORD, MAX_USERNAME, CalendarField, CalendarForm
from handlers.block_kit import actions, button, context, divider, input_block, plain, section
from handlers.ids import Action, CalendarBlock, View
from handlers.modals import errors_by_block
from handlers.mrkdwn import escape
from storage.models import CalendarConnection

Block = dict[str, Any]

FIELD_BLOCKS: Mapping[str, CalendarBlock] = {
    CalendarField.ICS_URL: CalendarBlock.ICS_URL,
    CalendarField.CALDAV_URL: CalendarBlock.CALDAV_URL,
    CalendarField.CALDAV_USERNAME: CalendarBlock.CALDAV_USERNAME,
    CalendarField.CALDAV_PASSWORD: CalendarBlock.CALDAV_PASSWORD,
}

HOW_TO = (
    "*Google Calendar*: Settings → your calendar → _Secret address in iCal format_.\n"
    "*Outlook*: Settings → Calendar → Shared calendars → _Publish a calendar_ → ICS link.\n"
    "*Apple Calendar / iCloud*: share the calendar as _Public Calendar_ and copy the link, "
    "or use CalDAV with an app-specific password.\n"
    "The address is stored encrypted and never shown again; only you can remove it."
)


def calendar_section(connection: CalendarConnection | None, note: str | None = None) -> list[Block]:
    """Home's "Your calendar": what is connected and the buttons to change it."""
    if connection is None:
        text = (
            "*Your calendar*\nNot connected. Connect it so that *Find a time* knows when you "
            "are busy, and interviews land in it by themselves."
        )
        buttons = [button("Connect calendar", Action.CONNECT_CALENDAR, "connect", style="primary")]
    else:
        text = f"*Your calendar*\nConnected: {escape(connection.label)}"
        buttons = [
            button("Replace", Action.CONNECT_CALENDAR, "replace"),
            button("Disconnect", Action.DISCONNECT_CALENDAR, "disconnect"),
        ]
    if note:
        text += f"\n{note}"
    return [section(text), actions(*buttons)]


def read_note(problem: str | None, busy_count: int) -> str:
    """What the first read of a newly connected calendar found."""
    if problem is None:
        return f":white_check_mark: Read it: {busy_count} busy times in the next 7 days."
    return (
        f":warning: Calendar unavailable: {escape(problem)}. Scheduling still works; "
        "check the address and connect it again."
    )


def connect_modal() -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": View.CONNECT_CALENDAR,
        "title": plain("Connect calendar"),
        "submit": plain("Connect"),
        "close": plain("Cancel"),
        "blocks": [
            section(HOW_TO),
            input_block(
                CalendarBlock.ICS_URL,
                "Secret iCal address",
                {
                    "type": "url_text_input",
                    "action_id": CalendarBlock.ICS_URL,
                    "placeholder": plain("https://… or webcal://…"),
                },
                optional=True,
            ),
            divider(),
            context("Or a CalDAV calendar (read and written):"),
            input_block(
                CalendarBlock.CALDAV_URL,
                "CalDAV calendar URL",
                {
                    "type": "url_text_input",
                    "action_id": CalendarBlock.CALDAV_URL,
                    "placeholder": plain("https://caldav.example.com/calendars/me/work/"),
                },
                optional=True,
            ),
            input_block(
                CalendarBlock.CALDAV_USERNAME,
                "User",
                {
                    "type": "plain_text_input",
                    "action_id": CalendarBlock.CALDAV_USERNAME,
                    "max_length": MAX_USERNAME,
                },
                optional=True,
            ),
            input_block(
                CalendarBlock.CALDAV_PASSWORD,
                "App password",
                {
                    "type": "plain_text_input",
                    "action_id": CalendarBlock.CALDAV_PASSWORD,
                    "max_length": MAX_PASSWORD,
                },
                optional=True,
                hint="An app-specific password, not your main one.",
            ),
        ],
    }


def read_connect_form(values: Mapping[str, Mapping[str, Any]]) -> CalendarForm:
    def value(block: CalendarBlock) -> str | None:
        return (values.get(block, {}).get(block) or {}).get("value")

    return CalendarForm(
        ics_url=value(CalendarBlock.ICS_URL),
        caldav_url=value(CalendarBlock.CALDAV_URL),
        caldav_username=value(CalendarBlock.CALDAV_USERNAME),
        caldav_password=value(CalendarBlock.CALDAV_PASSWORD),
    )


def field_errors(fields: Mapping[str, str]) -> dict[str, str]:
    return errors_by_block(fields, FIELD_BLOCKS, CalendarBlock.ICS_URL)
