"""Kits for tests: the shipped ones loaded once, a minimal custom stage as a team would
write it in TOML, one at every schema limit, and user text that must come out escaped."""

from __future__ import annotations

from bot.kits import Competency, Quality, Question, RedFlag, Stage, default_prompts_dir, load_kits

KITS = load_kits(default_prompts_dir())
# Mentions and an ampersand, as someone might type them: shown, they must be escaped.
PING = "<!channel> & <@U0123>"
PING_ESCAPED = "&lt;!channel&gt; &amp; &lt;@U0123&gt;"

# A custom stage file, in parts that tests leave out one at a time.
STAGE_HEAD = """
key = "take_home"
order = 25
title = "Take-home review"
short_title = "Take-home"
duration_minutes = 45
goal = "Review the candidate's take-home pipeline with them."
"""
QUESTION = """
[[questions]]
id = "walkthrough"
prompt = "Walk me through your pipeline."
strong_answer = "Explains each choice and its trade-off."
"""
RUBRIC = """
[[competencies]]
id = "pipeline_design"
name = "Pipeline design"
one = "Cannot explain their own choices."
four = "Every choice is deliberate and justified."

[[red_flags]]
id = "copied_solution"
text = "Cannot explain code they submitted"
suggests = "the work is not their own"
"""
MINIMAL_STAGE = STAGE_HEAD + QUESTION + RUBRIC


def huge_stage() -> Stage:
    """A long custom stage at every schema limit, its text swollen by escaping."""
    long = ("Fast & <reliable> " * 100)[:1500]
    return Stage(
        key="marathon",
        order=50,
        title="M" * 60,
        short_title="Marathon",
        duration_minutes=480,
        goal=long,
        questions=tuple(
            Question(
                id=f"q{n}",
                section=f"Part {n // 10}",
                prompt=long,
                strong_answer=long,
                follow_ups=(long,) * 8,
            )
            for n in range(60)
        ),
        competencies=tuple(
            Competency(id=f"c{n}", name="&" * 60, one="<" * 300, four=">" * 300) for n in range(8)
        ),
        red_flags=tuple(RedFlag(id=f"r{n}", text="&" * 75, suggests="<" * 75) for n in range(8)),
    )


def huge_qualities() -> tuple[Quality, ...]:
    return tuple(
        Quality(id=f"q{n}", name="<" * 60, description="&" * 1500, one="&" * 300, four="&" * 300)
        for n in range(8)
    )
