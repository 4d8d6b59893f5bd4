"""Requests as Slack sends them to an app, signed with Slack's v0 scheme.

Three encodings, as Slack uses them: a slash command is a form body; an interaction
(block_actions, view_submission, view_closed) is a form body with one field, ``payload``,
holding JSON; an Events API callback is a JSON body. The ``*_payload`` functions build the
dicts (what Socket Mode envelopes carry); the others encode them for HTTP.

A modal submission in a test reads::

    body = view_submission(
        user_id="U_HM",
        view=opened_view,  # e.g. fake.calls_to("views.open")[-1].response["view"]
        values={"name": text_value("name", "Jane"), "level": select_value("level", "senior")},
    )
    status, ack = await post(session, url, body, SIGNING_SECRET)

The state helpers (``text_value``, ``select_value``, …) each return ``{action_id: state}``
for one input element, in the shape of Slack's ``view.state.values[block_id]``.
"""

import json
import secrets
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
API_APP_ID = "A0TEST"
TEAM_DOMAIN = "fake-workspace"
# Slack still sends the deprecated verification token in every payload; bolt ignores it.
VERIFICATION_TOKEN = "legacy-verification-token"

Option = str | tuple[str, str]  # a value, or (value, text)


# --------------------------------------------------------------------- signing and sending


def signed_headers(
    body: str, secret: str, *, timestamp: int | None = None, content_type: str
) -> dict[str, str]:
    """Headers of a request Slack signs: timestamp, v0 signature and content type."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    if signature is None:
        raise ValueError("slack_sdk produced no signature")
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


async def post(
    session: aiohttp.ClientSession,
    url: str,
    body: str,
    secret: str,
    *,
    content_type: str | None = None,
    timestamp: int | None = None,
    retry_num: int | None = None,
) -> tuple[int, dict[str, Any] | str]:
    """POST a signed ``body`` to the app; return the status and the JSON or text answer.

    ``content_type`` defaults to JSON for a body starting with "{" and to form otherwise.
    ``retry_num`` adds the headers of Slack's redelivery of an event the app did not ack.
    """
    if content_type is None:
        content_type = JSON if body.lstrip().startswith("{") else FORM
    headers = signed_headers(body, secret, timestamp=timestamp, content_type=content_type)
    if retry_num is not None:
        headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
    async with session.post(url, data=body.encode(), headers=headers) as response:
        text = await response.text()
        if text and response.content_type == JSON:
            return response.status, json.loads(text)
        return response.status, text


# --------------------------------------------------------------------- slash commands


def slash_command_payload(
    text: str,
    *,
    user_id: str = "U_HM",
    command: str = "/mlops-candidate",
    channel_id: str = "C_HIRING",
    trigger_id: str,
    response_url: str,
    team_id: str = "T0TEST",
    user_name: str | None = None,
    channel_name: str = "hiring",
) -> dict[str, str]:
    """The fields of a slash command, in the order Slack sends them."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def slash_command(
    text: str,
    *,
    user_id: str = "U_HM",
    command: str = "/mlops-candidate",
    channel_id: str = "C_HIRING",
    trigger_id: str,
    response_url: str,
    team_id: str = "T0TEST",
    user_name: str | None = None,
    channel_name: str = "hiring",
) -> str:
    """A slash command's form body (application/x-www-form-urlencoded)."""
    return urlencode(
        slash_command_payload(
            text,
            user_id=user_id,
            command=command,
            channel_id=channel_id,
            trigger_id=trigger_id,
            response_url=response_url,
            team_id=team_id,
            user_name=user_name,
            channel_name=channel_name,
        )
    )


# --------------------------------------------------------------------- interactions


def block_actions_payload(
    *,
    user_id: str,
    action_id: str,
    value: str | None = None,
    block_id: str | None = None,
    trigger_id: str,
    container: dict[str, Any] | None = None,
    channel_id: str | None = None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
    selected_option: Option | dict[str, Any] | None = None,
    team_id: str = "T0TEST",
) -> dict[str, Any]:
    """A click on a button (``value``) or a choice in a static select (``selected_option``).

    Pass the ``message`` (as chat.postMessage returned it, with ``channel_id``) or the
    ``view`` that holds the element; the ``container`` is derived from it unless given.
    """
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id or action_id,
        "action_ts": _now_ts(),
    }
    if selected_option is not None:
        option = selected_option if isinstance(selected_option, dict) else _option(selected_option)
        action |= {"type": "static_select", "selected_option": option}
    else:
        action["type"] = "button"
        if value is not None:
            action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": view.get("state", {}).get("values", {}) if view else {}},
        "actions": [action],
    }
    if container is None and view is not None:
        container = {"type": "view", "view_id": view.get("id")}
    elif container is None and message is not None:
        container = {
            "type": "message",
            "message_ts": message.get("ts"),
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
    optional = {
        "container": container,
        "channel": {"id": channel_id, "name": "hiring"} if channel_id else None,
        "message": message,
        "view": view,
        "response_url": response_url,
    }
    payload |= {key: item for key, item in optional.items() if item is not None}
    return payload


def block_actions(
    *,
    user_id: str,
    action_id: str,
    value: str | None = None,
    block_id: str | None = None,
    trigger_id: str,
    container: dict[str, Any] | None = None,
    channel_id: str | None = None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
    selected_option: Option | dict[str, Any] | None = None,
    team_id: str = "T0TEST",
) -> str:
    """A block_actions interaction's form body (``payload=<json>``)."""
    return _interaction_body(
        block_actions_payload(
            user_id=user_id,
            action_id=action_id,
            value=value,
            block_id=block_id,
            trigger_id=trigger_id,
            container=container,
            channel_id=channel_id,
            message=message,
            view=view,
            response_url=response_url,
            selected_option=selected_option,
            team_id=team_id,
        )
    )


def view_submission_payload(
    *,
    user_id: str,
    values: Mapping[str, Mapping[str, Any]],
    callback_id: str | None = None,
    private_metadata: str | None = None,
    view_id: str | None = None,
    trigger_id: str | None = None,
    hash: str | None = None,
    view: Mapping[str, Any] | None = None,
    team_id: str = "T0TEST",
) -> dict[str, Any]:
    """A modal submitted with ``values`` ({block_id: {action_id: state}}).

    ``view`` is the view the app opened (e.g. from the fake's views.open answer); its id,
    callback_id, private_metadata, hash and blocks are used unless given explicitly. Without
    it, ``callback_id`` is required. ``trigger_id`` defaults to a well-formed id that the fake
    did not issue: pass ``fake.new_trigger_id()`` if the app pushes a view from the submission.
    """
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or _unissued_trigger_id(),
        "view": _submitted_view(
            view,
            team_id=team_id,
            callback_id=callback_id,
            private_metadata=private_metadata,
            view_id=view_id,
            hash=hash,
            values=values,
        ),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_submission(
    *,
    user_id: str,
    values: Mapping[str, Mapping[str, Any]],
    callback_id: str | None = None,
    private_metadata: str | None = None,
    view_id: str | None = None,
    trigger_id: str | None = None,
    hash: str | None = None,
    view: Mapping[str, Any] | None = None,
    team_id: str = "T0TEST",
) -> str:
    """A view_submission interaction's form body (``payload=<json>``)."""
    return _interaction_body(
        view_submission_payload(
            user_id=user_id,
            values=values,
            callback_id=callback_id,
            private_metadata=private_metadata,
            view_id=view_id,
            trigger_id=trigger_id,
            hash=hash,
            view=view,
            team_id=team_id,
        )
    )


def view_closed_payload(
    *,
    user_id: str,
    callback_id: str | None = None,
    private_metadata: str | None = None,
    view_id: str | None = None,
    view: Mapping[str, Any] | None = None,
    is_cleared: bool = False,
    team_id: str = "T0TEST",
    values: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """A modal closed by the user (sent only for views opened with notify_on_close). As in
    Slack, the view carries its state: ``values`` is what the inputs held when it closed."""
    return {
        "type": "view_closed",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "view": _submitted_view(
            view,
            team_id=team_id,
            callback_id=callback_id,
            private_metadata=private_metadata,
            view_id=view_id,
            hash=None,
            values=values or {},
        ),
        "is_cleared": is_cleared,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(
    *,
    user_id: str,
    callback_id: str | None = None,
    private_metadata: str | None = None,
    view_id: str | None = None,
    view: Mapping[str, Any] | None = None,
    is_cleared: bool = False,
    team_id: str = "T0TEST",
    values: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """A view_closed interaction's form body (``payload=<json>``)."""
    return _interaction_body(
        view_closed_payload(
            user_id=user_id,
            callback_id=callback_id,
            private_metadata=private_metadata,
            view_id=view_id,
            view=view,
            is_cleared=is_cleared,
            team_id=team_id,
            values=values,
        )
    )


# --------------------------------------------------------------------- Events API


def event_callback_payload(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str = "T0TEST",
    bot_user_id: str = "UBOT",
) -> dict[str, Any]:
    """An Events API callback wrapping ``event`` (e.g. {"type": "app_home_opened", …})."""
    event_id = event_id or f"Ev{secrets.token_hex(5).upper()}"
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_hex(16)}",
    }


def event_callback(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str = "T0TEST",
    bot_user_id: str = "UBOT",
) -> str:
    """An Events API callback's JSON body."""
    return json.dumps(
        event_callback_payload(event, event_id=event_id, team_id=team_id, bot_user_id=bot_user_id)
    )


def url_verification(challenge: str) -> str:
    """The JSON body Slack sends once to check a new Request URL."""
    return json.dumps(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    )


# --------------------------------------------------------------------- state values


def text_value(action_id: str, value: str | None) -> dict[str, Any]:
    """State of a plain_text_input (value None when left empty)."""
    return {action_id: {"type": "plain_text_input", "value": value}}


def url_value(action_id: str, value: str | None) -> dict[str, Any]:
    """State of a url_text_input."""
    return {action_id: {"type": "url_text_input", "value": value}}


def number_value(action_id: str, value: float | str | None) -> dict[str, Any]:
    """State of a number_input: Slack sends the number as a string."""
    return {action_id: {"type": "number_input", "value": None if value is None else str(value)}}


def select_value(action_id: str, value: str | None, text: str | None = None) -> dict[str, Any]:
    """State of a static_select; ``text`` defaults to ``value``."""
    option = None if value is None else _option((value, text or value))
    return {action_id: {"type": "static_select", "selected_option": option}}


def radio_value(action_id: str, value: str | None, text: str | None = None) -> dict[str, Any]:
    """State of radio_buttons; ``text`` defaults to ``value``."""
    option = None if value is None else _option((value, text or value))
    return {action_id: {"type": "radio_buttons", "selected_option": option}}


def checkboxes_value(action_id: str, options: Iterable[Option]) -> dict[str, Any]:
    """State of checkboxes: each option a value, or (value, text)."""
    return {action_id: {"type": "checkboxes", "selected_options": [_option(o) for o in options]}}


def user_value(action_id: str, user_id: str | None) -> dict[str, Any]:
    """State of a users_select."""
    return {action_id: {"type": "users_select", "selected_user": user_id}}


def users_value(action_id: str, user_ids: Iterable[str]) -> dict[str, Any]:
    """State of a multi_users_select."""
    return {action_id: {"type": "multi_users_select", "selected_users": list(user_ids)}}


def datetime_value(action_id: str, when: datetime | int | None) -> dict[str, Any]:
    """State of a datetimepicker: Slack sends Unix seconds; a datetime must be aware."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("datetime_value needs an aware datetime: a picker's value is UTC")
        when = int(when.timestamp())
    return {action_id: {"type": "datetimepicker", "selected_date_time": when}}


# --------------------------------------------------------------------- internals


def _interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _option(option: Option) -> dict[str, Any]:
    value, text = (option, option) if isinstance(option, str) else option
    return {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}


def _user(user_id: str, team_id: str) -> dict[str, str]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _submitted_view(
    view: Mapping[str, Any] | None,
    *,
    team_id: str,
    callback_id: str | None,
    private_metadata: str | None,
    view_id: str | None,
    hash: str | None,
    values: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    base = dict(view or {})
    callback_id = callback_id if callback_id is not None else base.get("callback_id")
    if callback_id is None:
        raise ValueError("give callback_id, or the view the app opened")
    view_id = view_id or base.get("id") or "V0TESTVIEW"
    return base | {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": base.get("blocks", []),
        "private_metadata": (
            private_metadata if private_metadata is not None else base.get("private_metadata", "")
        ),
        "callback_id": callback_id,
        "state": {"values": {block: dict(actions) for block, actions in values.items()}},
        "hash": hash or base.get("hash") or f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": base.get("title") or {"type": "plain_text", "text": "Modal"},
        "root_view_id": base.get("root_view_id") or view_id,
        "previous_view_id": base.get("previous_view_id"),
        "app_id": API_APP_ID,
        "external_id": base.get("external_id", ""),
        "app_installed_team_id": team_id,
        "bot_id": base.get("bot_id", "B0TEST"),
    }


def _unissued_trigger_id() -> str:
    return f"{secrets.randbelow(10**10)}.{int(time.time())}.{secrets.token_hex(16)}"


def _now_ts() -> str:
    return f"{time.time():.6f}"
