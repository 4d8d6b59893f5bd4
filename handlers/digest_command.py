"""``/mlops-candidate digest``: post the digest in the hiring channel now."""

from __future__ import annotations

from bot.digest import may_post_digest, post_digest_now
from handlers.command_call import CommandCall
from handlers.slack_notifier import SlackNotifier


async def run_digest(call: CommandCall) -> None:
    bot = call.bot
    channel = bot.settings.hiring_channel_id
    if not await may_post_digest(bot, call.user_id):
        admins = ", ".join(f"<@{user}>" for user in sorted(bot.settings.hiring_admins))
        ask = f" Ask {admins}." if admins else " Ask a hiring manager."
        await call.ephemeral(
            "Only hiring managers and admins can post the digest on demand; it is posted "
            f"in <#{channel}> every working morning.{ask}"
        )
        return
    # Building it reads the whole pipeline: acknowledge first. A channel that refuses it
    # is shown to the admins (App Home) like every message Slack refuses.
    await call.ephemeral(f"Posting the digest in <#{channel}>…")
    await post_digest_now(bot, SlackNotifier(call.client, bot.clock))
