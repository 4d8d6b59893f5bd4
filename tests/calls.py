"""What the bot said to Slack, read back from the fake's recorded calls: the posts in a
candidate's thread, each person's DMs, the texts and buttons of a payload, blocks rendered as
a person reads them, and the shared assertions on them. Driving the bot is
``tests/harness.py`` and ``tests/flows.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slackfake import FakeSlack
from slackfake.server import Call
from storage.models import Candidate
from tests.harness import HIRING_CHANNEL, Reply

# ----------------------------------------------------------------------- where it went


def thread_calls(fake: FakeSlack, candidate: Candidate) -> list[Call]:
    """chat.postMessage calls in the candidate's thread in the hiring channel."""
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if call.args.get("channel") == HIRING_CHANNEL
        and call.args.get("thread_ts") == candidate.thread_ts
    ]


def thread_posts(fake: FakeSlack, candidate: Candidate) -> list[dict[str, Any]]:
    """What was posted in the candidate's thread (each call's arguments), in order."""
    return [call.args for call in thread_calls(fake, candidate)]


def dms(fake: FakeSlack) -> dict[str, list[Call]]:
    """chat.postMessage calls in DMs, by the user whose DM with the bot it is: posted to
    the user's id, or to the DM conversation Slack opened for them."""
    by_user: dict[str, list[Call]] = {}
    for call in fake.calls_to("chat.postMessage"):
        user = fake.dm_user(str(call.args.get("channel", "")))
        if user is not None:
            by_user.setdefault(user, []).append(call)
    return by_user


def dms_to(fake: FakeSlack, user_id: str) -> list[dict[str, Any]]:
    """What was posted in ``user_id``'s DMs with the bot (each call's arguments)."""
    return [call.args for call in dms(fake).get(user_id, [])]


def reminder_posts(fake: FakeSlack, user_id: str | None = None) -> list[dict[str, Any]]:
    """What was posted to people's user ids (as the sweep sends reminders), in order; only
    to ``user_id`` when given."""
    return [
        call.args
        for call in fake.calls_to("chat.postMessage")
        if call.args["channel"].startswith("U") and user_id in (None, call.args["channel"])
    ]


def reminder_texts(fake: FakeSlack, user_id: str) -> list[str]:
    """The texts of what was posted to ``user_id``'s id, in order."""
    return [args["text"] for args in reminder_posts(fake, user_id)]


def reminder_dms(fake: FakeSlack, user_id: str, words: str) -> list[dict[str, Any]]:
    """Reminders to ``user_id`` that say ``words``."""
    return [args for args in reminder_posts(fake, user_id) if words in args["text"]]


def updates_of(fake: FakeSlack, channel: str, ts: str | None) -> list[Call]:
    """chat.update calls of one message."""
    return [
        call
        for call in fake.calls_to("chat.update")
        if call.args.get("channel") == channel and call.args.get("ts") == ts
    ]


# ----------------------------------------------------------------------- what it said


def texts(value: Any, kinds: tuple[str, ...] = ("mrkdwn", "plain_text")) -> Iterator[str]:
    """The texts of ``kinds`` anywhere in a payload (blocks, a view, a message), in order."""
    if isinstance(value, dict):
        if value.get("type") in kinds:
            yield value["text"]
        for child in value.values():
            yield from texts(child, kinds)
    elif isinstance(value, list):
        for child in value:
            yield from texts(child, kinds)


def mrkdwn_texts(value: Any) -> Iterator[str]:
    """The texts Slack parses for mentions and links: these must be escaped."""
    return texts(value, ("mrkdwn",))


def all_text(value: Any) -> str:
    """Every text of a payload, mrkdwn or plain, one per line."""
    return "\n".join(texts(value))


def mrkdwn_text(value: Any) -> str:
    """Every mrkdwn text of a payload, one per line."""
    return "\n".join(mrkdwn_texts(value))


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The elements of the top-level actions blocks, in order."""
    return [e for block in blocks if block["type"] == "actions" for e in block["elements"]]


def next_step_of(card: Call) -> str:
    """The *Next step* field of a candidate card's post or update."""
    [field] = [f["text"] for f in card.args["blocks"][1]["fields"] if "*Next step*" in f["text"]]
    return field.removeprefix("*Next step*\n")


# ----------------------------------------------------------------------- as people read it

_TOKEN = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def _as_read(text: str) -> str:
    def token(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return target
        return label if label is not None else target

    shown = _TOKEN.sub(token, text)
    return shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: dict[str, Any] | None) -> str:
    return _as_read(obj["text"]) if obj else ""


def _element(element: dict[str, Any]) -> str:
    if element.get("type") == "button":
        return f"[{element['text']['text']}]"
    return _text(element) if "text" in element else f"[{element.get('type')}]"


def render_blocks(blocks: list[dict[str, Any]]) -> str:
    """Blocks as a person reads them, in plain text, a line a block: links show their label,
    mentions and channels their id, date tokens their fallback text."""
    lines: list[str] = []
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            lines.append(f"# {block['text']['text']}")
        elif kind == "divider":
            lines.append("---")
        elif kind == "section":
            text = _text(block.get("text"))
            text += "".join(f"\n{_text(field)}" for field in block.get("fields", []))
            if "accessory" in block:
                text += f"  {_element(block['accessory'])}"
            lines.append(text)
        elif kind == "context":
            lines.append("  " + " ".join(_element(e) for e in block["elements"]))
        elif kind == "actions":
            lines.append(" ".join(_element(e) for e in block["elements"]))
        else:
            lines.append(f"[{kind}]")
    return "\n".join(lines)


# ----------------------------------------------------------------------- assertions


def errors_of(reply: Reply) -> dict[str, str]:
    """The field errors a modal submission was answered with; fails if it was not."""
    assert reply.status == 200
    assert reply.json["response_action"] == "errors", reply.text
    return reply.json["errors"]


def assert_closed(reply: Reply) -> None:
    """The submission was accepted: Slack closes the modal on an empty 200."""
    assert (reply.status, reply.text) == (200, ""), reply.text
