"""``/mlops-candidate list [all]``, ``find NAME`` and ``salary [region] [level]``."""

from __future__ import annotations

from bot.candidates import SALARY_REFUSED, find_candidates, may_read_salary, pipeline
from bot.salary_lookup import parse_salary_query
from handlers.candidate_thread import post_pending_cards
from handlers.command_call import CommandCall
from handlers.ids import COMMAND
from handlers.listing_blocks import (
    find_blocks,
    find_text,
    pipeline_blocks,
    pipeline_text,
    salary_blocks,
    salary_text,
)
from storage.db import transaction


async def run_list(call: CommandCall) -> None:
    bot = call.bot
    option = call.args.strip().lower()
    if option not in ("", "all"):
        await call.ephemeral(f"`{COMMAND} list` shows open candidates, `list all` everyone.")
        return
    include_closed = option == "all"
    async with bot.sessions() as session:
        groups = await pipeline(session, bot.kits, include_closed=include_closed)
    blocks = pipeline_blocks(groups, bot.kits, bot.clock.now(), include_closed=include_closed)
    await call.ephemeral(pipeline_text(groups), blocks)
    # After the answer: cards the channel refused earlier get another chance now.
    async with transaction(bot.sessions) as session:
        await post_pending_cards(session, bot)


async def run_find(call: CommandCall) -> None:
    bot = call.bot
    if not call.args.strip():
        await call.ephemeral(f"Give part of a name: `{COMMAND} find jane`.")
        return
    async with bot.sessions() as session:
        found = await find_candidates(session, call.args)
    blocks = find_blocks(call.args, found, bot.kits, bot.clock.now())
    await call.ephemeral(find_text(call.args, found), blocks)


async def run_salary(call: CommandCall) -> None:
    bot = call.bot
    if not await may_read_salary(bot, call.user_id):
        await call.ephemeral(SALARY_REFUSED)
        return
    salary = bot.kits.salary
    query = parse_salary_query(salary, call.args)
    await call.ephemeral(salary_text(salary, query), salary_blocks(salary, query))
