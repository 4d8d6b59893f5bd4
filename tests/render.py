"""Block Kit as a person reads it, in plain text: for assertions on what a surface says,
and for showing a digest or a Home tab in a note. Links show their label, mentions and
channels their id, date tokens their fallback text."""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def mrkdwn_text(text: str) -> str:
    def token(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return target
        return label if label is not None else target

    shown = _TOKEN.sub(token, text)
    return shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: dict[str, Any] | None) -> str:
    return mrkdwn_text(obj["text"]) if obj else ""


def _element(element: dict[str, Any]) -> str:
    if element.get("type") == "button":
        return f"[{element['text']['text']}]"
    return _text(element) if "text" in element else f"[{element.get('type')}]"


def render_blocks(blocks: list[dict[str, Any]]) -> str:
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
