"""The usage message of ``/mlops-candidate``."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.block_kit import Block, section
from handlers.ids import COMMAND
from handlers.mrkdwn import escape_clipped

# An unknown subcommand is echoed back this far: enough to recognise a typo.
UNKNOWN_SHOWN = 80


def help_text(usages: Sequence[tuple[str, str]], *, unknown: str | None = None) -> str:
    """Plain-text fallback of the help, for notifications and screen readers."""
    lines = [f"Unknown subcommand `{_shown(unknown)}`." if unknown is not None else ""]
    lines += [f"{COMMAND} {usage}: {summary}" for usage, summary in usages]
    return "\n".join(line for line in lines if line)


def help_blocks(usages: Sequence[tuple[str, str]], *, unknown: str | None = None) -> list[Block]:
    """``usages`` pairs each subcommand's usage with a one-line summary, in menu order."""
    blocks: list[Block] = []
    if unknown is not None:
        blocks.append(section(f":warning: Unknown subcommand `{_shown(unknown)}`. I know these:"))
    lines = "\n".join(f"`{COMMAND} {usage}`  {summary}" for usage, summary in usages)
    blocks.append(section(f"*MLOps hiring bot*: the interview loop in Slack\n{lines}"))
    return blocks


def _shown(unknown: str) -> str:
    # A backtick would end the code span the word is shown in.
    return escape_clipped(unknown.replace("`", "'"), UNKNOWN_SHOWN)
