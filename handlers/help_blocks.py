"""The usage message of ``/mlops-candidate``."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.ids import COMMAND
from handlers.mrkdwn import escape


def help_text(usages: Sequence[tuple[str, str]], *, unknown: str | None = None) -> str:
    """Plain-text fallback of the help, for notifications and screen readers."""
    lines = [f"Unknown subcommand `{escape(unknown)}`." if unknown is not None else ""]
    lines += [f"{COMMAND} {usage}: {summary}" for usage, summary in usages]
    return "\n".join(line for line in lines if line)


def help_blocks(usages: Sequence[tuple[str, str]], *, unknown: str | None = None) -> list[dict]:
    """``usages`` pairs each subcommand's usage with a one-line summary, in menu order."""
    blocks: list[dict] = []
    if unknown is not None:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f":warning: Unknown subcommand `{escape(unknown)}`. I know these:",
                },
            }
        )
    lines = "\n".join(f"`{COMMAND} {usage}`  {summary}" for usage, summary in usages)
    blocks.append(
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*MLOps hiring bot*: the interview loop in Slack\n{lines}",
            },
        }
    )
    return blocks
