"""The interview kits in prompts/: the shipped content, the lookups, and every schema error."""

import shutil
from pathlib import Path

import pytest

import prompts
from bot.kits import (
    KitError,
    Kits,
    UnknownStageError,
    check_kits,
    default_prompts_dir,
    load_kits,
)
from tests.kit_samples import MINIMAL_STAGE, RUBRIC, STAGE_HEAD

SHIPPED = load_kits(default_prompts_dir())
DASH = "\N{EN DASH}"  # the seed writes ranges with it; ruff flags the literal
SEED_RED_FLAGS = {
    "accuracy_only_monitoring",
    "no_drift_experience",
    "cicd_needs_googling",
    "dismisses_feature_stores",
}
# The seed's table, row by row: (region, mid low, mid high, senior low, senior high).
SEED_SALARIES = [
    ("USA (Bay Area / NYC)", "USD", "$", 150_000, 180_000, 180_000, 230_000),
    ("USA (other markets)", "USD", "$", 130_000, 160_000, 160_000, 200_000),
    ("UK (London)", "GBP", "£", 75_000, 95_000, 95_000, 140_000),
    ("UK (other)", "GBP", "£", 60_000, 80_000, 80_000, 110_000),
    ("Germany / Netherlands", "EUR", "€", 75_000, 95_000, 95_000, 130_000),
    ("Remote (US-paying companies)", "USD", "$", 140_000, 165_000, 165_000, 205_000),
]


@pytest.fixture
def prompts_dir(tmp_path: Path) -> Path:
    """A team's own copy of the shipped prompts, to edit in a test."""
    directory = tmp_path / "prompts"
    shutil.copytree(
        default_prompts_dir(), directory, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return directory


def edit(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(directory: Path) -> str:
    with pytest.raises(KitError) as caught:
        load_kits(directory)
    message = str(caught.value)
    assert "\n" not in message
    return message


# The shipped kits


def test_default_prompts_dir_is_the_shipped_package() -> None:
    assert default_prompts_dir() == Path(prompts.__file__).parent
    assert (default_prompts_dir() / "stages" / "technical.toml").is_file()


def test_shipped_stages_follow_the_seed() -> None:
    summary = [
        (stage.key, stage.title, stage.short_title, stage.duration_minutes)
        for stage in SHIPPED.stages
    ]
    assert summary == [
        ("screening", "Screening", "Screening", 30),
        ("technical", "Technical", "Technical", 90),
        ("system_design", "System design: production incident", "System design", 60),
    ]
    for stage in SHIPPED.stages:
        assert 3 <= len(stage.questions) <= 6
        assert 3 <= len(stage.competencies) <= 5
        assert all(question.follow_ups for question in stage.questions)


def test_shipped_questions_cover_the_seed_scenarios() -> None:
    def prompts_of(key: str) -> str:
        return " ".join(question.prompt for question in SHIPPED.stage(key).questions)

    assert "production ML system you owned" in prompts_of("screening")
    technical = prompts_of("technical")
    for scenario in (
        "team of 5 data scientists",
        "versioning and rollback",
        "training and serving",
    ):
        assert scenario in technical
    assert "100 ms latency requirement at 500 RPS" in technical
    assert "autoscaling" in technical
    assert "monitoring" in technical
    assert {q.section for q in SHIPPED.stage("technical").questions} == {
        "ML lifecycle",
        "Infrastructure",
    }
    assert "dropped 30% over two weeks, with no code changes" in prompts_of("system_design")


def test_every_seed_red_flag_is_asked_somewhere() -> None:
    shipped = {flag.id for stage in SHIPPED.stages for flag in stage.red_flags}
    assert shipped >= SEED_RED_FLAGS
    for stage in SHIPPED.stages:
        assert {flag.id for flag in stage.red_flags} - SEED_RED_FLAGS, "a stage's own red flags"


def test_shipped_qualities_are_the_seeds_three() -> None:
    assert [(quality.id, quality.name) for quality in SHIPPED.qualities] == [
        ("systems_thinking", "Systems thinking under uncertainty"),
        ("ml_infra_translation", "Collaborative translation between ML and infrastructure"),
        ("production_mindset", "Production mindset from day one"),
    ]


def test_salary_table_matches_the_seed_row_by_row() -> None:
    salary = SHIPPED.salary
    assert [(level.key, level.name) for level in salary.levels] == [
        ("mid", f"Mid-level (3{DASH}5 yrs)"),
        ("senior", "Senior (5+ yrs)"),
    ]
    rows = [
        (region.name, region.currency, region.symbol, *region.mid, *region.senior)
        for region in salary.regions
    ]
    assert rows == SEED_SALARIES
    assert f"adds 20{DASH}60%" in salary.note
    assert salary.source == "VAMI Editorial, March 2026"


# Lookups


def test_stage_lookups_follow_the_order() -> None:
    assert SHIPPED.first_stage.key == "screening"
    assert SHIPPED.stage("technical").duration_minutes == 90
    assert SHIPPED.next_stage("screening") == SHIPPED.stage("technical")
    assert SHIPPED.next_stage("technical") == SHIPPED.stage("system_design")
    assert SHIPPED.next_stage("system_design") is None


def test_an_unknown_stage_is_a_clear_domain_error() -> None:
    with pytest.raises(UnknownStageError) as caught:
        SHIPPED.stage("onsite")
    assert (
        str(caught.value) == "unknown stage 'onsite' (stages: screening, technical, system_design)"
    )
    with pytest.raises(UnknownStageError):
        SHIPPED.next_stage("onsite")


def test_salary_band_lookup() -> None:
    assert SHIPPED.salary_band("us_bay_area_nyc", "mid") == (150_000, 180_000, "USD")
    assert SHIPPED.salary_band("uk_london", "senior") == (95_000, 140_000, "GBP")
    assert SHIPPED.salary_band("de_nl", "senior") == (95_000, 130_000, "EUR")
    assert SHIPPED.salary_band("other", "mid") is None
    assert SHIPPED.salary_band("uk_london", "principal") is None


def test_kits_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        SHIPPED.first_stage.title = "Changed"  # type: ignore[misc]


# A team's own prompts


def test_a_fourth_stage_file_is_picked_up_in_order(prompts_dir: Path) -> None:
    (prompts_dir / "stages" / "take_home.toml").write_text(MINIMAL_STAGE, encoding="utf-8")

    kits = load_kits(prompts_dir)

    assert [stage.key for stage in kits.stages] == [
        "screening",
        "technical",
        "take_home",
        "system_design",
    ]
    assert kits.next_stage("technical") == kits.stage("take_home")
    assert kits.next_stage("take_home") == kits.stage("system_design")
    take_home = kits.stage("take_home")
    assert take_home.questions[0].section is None
    assert take_home.questions[0].follow_ups == ()
    # Informing no competency is allowed: a warm-up question suggests no rating.
    assert take_home.questions[0].competency is None
    assert take_home.questions_of("pipeline_design") == ()


def test_every_shipped_question_informs_one_of_its_stage_competencies() -> None:
    for stage in SHIPPED.stages:
        rated = {competency.id for competency in stage.competencies}
        assert {question.competency for question in stage.questions} <= rated
        assert all(question.competency for question in stage.questions), stage.key
    technical = SHIPPED.stage("technical")
    assert [q.id for q in technical.questions_of("ml_lifecycle")] == [
        "experiment_tracking",
        "versioning_rollback",
    ]


def test_texts_are_stripped(prompts_dir: Path) -> None:
    edit(prompts_dir, "stages/screening.toml", 'title = "Screening"', 'title = "  Screening\\n"')
    assert load_kits(prompts_dir).first_stage.title == "Screening"


def test_kits_built_directly_are_sorted_and_checked() -> None:
    reversed_kits = Kits(
        stages=tuple(reversed(SHIPPED.stages)), qualities=SHIPPED.qualities, salary=SHIPPED.salary
    )
    assert reversed_kits.stages == SHIPPED.stages
    with pytest.raises(ValueError, match="duplicate stage key 'screening'"):
        Kits(
            stages=(SHIPPED.first_stage, SHIPPED.first_stage),
            qualities=SHIPPED.qualities,
            salary=SHIPPED.salary,
        )


# Schema errors: one line naming the file, the field and the problem

STAGE_ERRORS = [
    pytest.param(
        "stages/technical.toml",
        'id = "autoscaling"\nname',
        'id = "k8s_serving"\nname',
        "stages/technical.toml: competencies[3].id: duplicate competency id 'k8s_serving'",
        id="duplicate-competency",
    ),
    pytest.param(
        "stages/technical.toml",
        'id = "autoscaling"\ncompetency',
        'id = "k8s_serving"\ncompetency',
        "stages/technical.toml: questions[4].id: duplicate question id 'k8s_serving'",
        id="duplicate-question",
    ),
    pytest.param(
        "stages/screening.toml",
        'id = "what_failed"\n',
        "",
        "stages/screening.toml: questions[2]: missing field 'id'",
        id="missing-question-key",
    ),
    pytest.param(
        "stages/technical.toml",
        'competency = "autoscaling"',
        'competency = "autoscale"',
        "stages/technical.toml: questions[4].competency: question 'autoscaling' informs "
        "competency 'autoscale', which this stage does not rate (its competencies: "
        "ml_lifecycle, feature_consistency, k8s_serving, autoscaling, ml_monitoring)",
        id="unknown-competency",
    ),
    pytest.param(
        "stages/technical.toml",
        'competency = "autoscaling"',
        'competency = "Autoscaling"',
        "stages/technical.toml: questions[4].competency: 'Autoscaling' is not a valid id "
        "(a-z, 0-9 and _, starting with a letter, at most 40 characters)",
        id="malformed-competency",
    ),
    pytest.param(
        "stages/screening.toml",
        'id = "training_only"',
        'id = "no_drift_experience"',
        "stages/screening.toml: red_flags[2].id: duplicate red flag id 'no_drift_experience'",
        id="duplicate-red-flag",
    ),
    pytest.param(
        "stages/screening.toml",
        'title = "Screening"',
        'titel = "Screening"',
        "stages/screening.toml: unknown field 'titel'",
        id="unknown-field",
    ),
    pytest.param(
        "stages/screening.toml",
        'id = "what_failed"',
        'id = "what_failed"\nhint = "x"',
        "stages/screening.toml: questions[2]: unknown field 'hint'",
        id="unknown-nested-field",
    ),
    pytest.param(
        "stages/screening.toml",
        "duration_minutes = 30\n",
        "",
        "stages/screening.toml: missing field 'duration_minutes'",
        id="missing-field",
    ),
    pytest.param(
        "stages/system_design.toml",
        'one = "Stops at a one-off fix; nothing stops it happening again."\n',
        "",
        "stages/system_design.toml: competencies[2]: missing field 'one'",
        id="missing-nested-field",
    ),
    pytest.param(
        "stages/screening.toml",
        "order = 10",
        'order = "10"',
        "stages/screening.toml: order: expected a whole number, found text",
        id="wrong-type-int",
    ),
    pytest.param(
        "stages/screening.toml",
        "duration_minutes = 30",
        "duration_minutes = 30.5",
        "stages/screening.toml: duration_minutes: expected a whole number, found a decimal number",
        id="wrong-type-float",
    ),
    pytest.param(
        "stages/screening.toml",
        'title = "Screening"',
        "title = 1",
        "stages/screening.toml: title: expected text, found a whole number",
        id="wrong-type-text",
    ),
    pytest.param(
        "stages/screening.toml",
        "follow_ups = [\n",
        'follow_ups = "Why?"\nunused = [\n',
        "stages/screening.toml: questions[0]: unknown field 'unused'",
        id="unknown-beats-wrong-type",
    ),
    pytest.param(
        "stages/screening.toml",
        'short_title = "Screening"',
        'short_title = "   "',
        "stages/screening.toml: short_title: empty text",
        id="empty-text",
    ),
    pytest.param(
        "stages/screening.toml",
        "duration_minutes = 30",
        "duration_minutes = 0",
        "stages/screening.toml: duration_minutes: must be more than 0",
        id="zero-duration",
    ),
    pytest.param(
        "stages/screening.toml",
        'id = "what_failed"',
        'id = "What-failed"',
        "stages/screening.toml: questions[2].id: 'What-failed' is not a valid id "
        "(a-z, 0-9 and _, starting with a letter, at most 40 characters)",
        id="id-not-snake-case",
    ),
    pytest.param(
        "stages/screening.toml",
        'id = "what_failed"',
        f'id = "{"a" * 41}"',
        f"stages/screening.toml: questions[2].id: '{'a' * 41}' is not a valid id "
        "(a-z, 0-9 and _, starting with a letter, at most 40 characters)",
        id="id-too-long",
    ),
    pytest.param(
        "stages/screening.toml",
        'short_title = "Screening"',
        f'short_title = "{"S" * 25}"',
        "stages/screening.toml: short_title: 25 characters; at most 24",
        id="short-title-too-long",
    ),
    pytest.param(
        "stages/screening.toml",
        'title = "Screening"',
        f'title = "{"T" * 61}"',
        "stages/screening.toml: title: 61 characters; at most 60",
        id="name-too-long",
    ),
    pytest.param(
        "stages/screening.toml",
        'name = "Learning from failure"',
        f'name = "{"n" * 61}"',
        "stages/screening.toml: competencies[2].name: 61 characters; at most 60",
        id="competency-name-too-long",
    ),
    pytest.param(
        "stages/screening.toml",
        'text = "Has never dealt with data drift or concept shift"',
        f'text = "{"r" * 76}"',
        "stages/screening.toml: red_flags[1].text: 76 characters; at most 75",
        id="red-flag-too-long-for-an-option",
    ),
    pytest.param(
        "stages/screening.toml",
        'prompt = "What was your monitoring set-up for that system?"',
        f'prompt = "{"p" * 1501}"',
        "stages/screening.toml: questions[1].prompt: 1501 characters; at most 1500",
        id="text-too-long",
    ),
    pytest.param(
        "stages/screening.toml",
        "order = 10",
        "order = 10 10",
        "stages/screening.toml: line 10: invalid TOML "
        "(Expected newline or end of document after a statement)",
        id="invalid-toml",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), STAGE_ERRORS)
def test_schema_errors_name_file_field_and_problem(
    prompts_dir: Path, file: str, old: str, new: str, expected: str
) -> None:
    edit(prompts_dir, file, old, new)
    assert load_error(prompts_dir) == expected


def test_too_many_competencies(prompts_dir: Path) -> None:
    extra = "".join(
        f'\n[[competencies]]\nid = "extra_{n}"\nname = "Extra"\none = "x"\nfour = "y"\n'
        for n in range(5)
    )
    with (prompts_dir / "stages" / "screening.toml").open("a", encoding="utf-8") as file:
        file.write(extra)
    assert load_error(prompts_dir) == (
        "stages/screening.toml: competencies: at most 8 allowed, found 9"
    )


def test_too_many_red_flags(prompts_dir: Path) -> None:
    extra = "".join(
        f'\n[[red_flags]]\nid = "extra_{n}"\ntext = "Extra"\nsuggests = "x"\n' for n in range(4)
    )
    with (prompts_dir / "stages" / "screening.toml").open("a", encoding="utf-8") as file:
        file.write(extra)
    assert load_error(prompts_dir) == "stages/screening.toml: red_flags: at most 8 allowed, found 9"


def test_a_stage_needs_questions(prompts_dir: Path) -> None:
    stage = STAGE_HEAD + "questions = []\n" + RUBRIC
    (prompts_dir / "stages" / "take_home.toml").write_text(stage, encoding="utf-8")
    assert load_error(prompts_dir) == "stages/take_home.toml: questions: at least 1 needed, found 0"


def test_duplicate_stage_key_across_files(prompts_dir: Path) -> None:
    stage = MINIMAL_STAGE.replace('key = "take_home"', 'key = "technical"')
    (prompts_dir / "stages" / "x_technical.toml").write_text(stage, encoding="utf-8")
    assert (
        load_error(prompts_dir) == "stages/x_technical.toml: key: duplicate stage key 'technical'"
    )


def test_duplicate_stage_order_across_files(prompts_dir: Path) -> None:
    (prompts_dir / "stages" / "take_home.toml").write_text(
        MINIMAL_STAGE.replace("order = 25", "order = 30"), encoding="utf-8"
    )
    assert load_error(prompts_dir) == (
        "stages/take_home.toml: order: order 30 is already used by stage 'system_design'"
    )


def test_no_stage_files(prompts_dir: Path) -> None:
    for path in (prompts_dir / "stages").iterdir():
        path.unlink()
    assert load_error(prompts_dir) == "stages/: no stage files (*.toml)"


def test_not_a_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert load_error(missing) == f"{missing}: not a directory"


def test_missing_qualities_file(prompts_dir: Path) -> None:
    (prompts_dir / "qualities.toml").unlink()
    assert load_error(prompts_dir) == "qualities.toml: file not found"


def test_duplicate_quality_id(prompts_dir: Path) -> None:
    edit(prompts_dir, "qualities.toml", 'id = "production_mindset"', 'id = "systems_thinking"')
    assert load_error(prompts_dir) == (
        "qualities.toml: qualities[2].id: duplicate quality id 'systems_thinking'"
    )


def test_invalid_utf8(prompts_dir: Path) -> None:
    (prompts_dir / "stages" / "broken.toml").write_bytes(b'key = "\xff"\n')
    assert load_error(prompts_dir) == "stages/broken.toml: not UTF-8 text"


def test_unterminated_toml_string(prompts_dir: Path) -> None:
    (prompts_dir / "stages" / "broken.toml").write_text('key = "open', encoding="utf-8")
    assert load_error(prompts_dir) == (
        "stages/broken.toml: end of file: invalid TOML (Unterminated string)"
    )


SALARY_ERRORS = [
    pytest.param(
        "senior = [160000, 200000]",
        "senior = [200000, 160000]",
        "salary.toml: regions[1].senior: low 200000 is above high 160000",
        id="low-above-high",
    ),
    pytest.param(
        "mid = [130000, 160000]",
        "mid = [130000]",
        "salary.toml: regions[1].mid: expected [low, high]",
        id="not-a-pair",
    ),
    pytest.param(
        "mid = [130000, 160000]",
        'mid = [130000, "160k"]',
        "salary.toml: regions[1].mid[1]: expected a whole number, found text",
        id="not-a-number",
    ),
    pytest.param(
        'currency = "GBP"',
        'currency = "£"',
        "salary.toml: regions[2].currency: '£' is not an ISO 4217 currency code such as 'USD'",
        id="bad-currency",
    ),
    pytest.param(
        'key = "uk_other"',
        'key = "uk_london"',
        "salary.toml: regions[3].key: duplicate region key 'uk_london'",
        id="duplicate-region",
    ),
    pytest.param(
        'key = "senior"',
        'key = "principal"',
        "salary.toml: levels[1].key: level 'principal' is unknown or repeated; "
        "the levels are 'mid' and 'senior'",
        id="unknown-level",
    ),
    pytest.param(
        'source = "VAMI Editorial, March 2026"\n',
        "",
        "salary.toml: missing field 'source'",
        id="missing-source",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), SALARY_ERRORS)
def test_salary_errors(prompts_dir: Path, old: str, new: str, expected: str) -> None:
    edit(prompts_dir, "salary.toml", old, new)
    assert load_error(prompts_dir) == expected


def test_a_missing_level_is_an_error(prompts_dir: Path) -> None:
    edit(prompts_dir, "salary.toml", '[[levels]]\nkey = "senior"\nname = "Senior (5+ yrs)"\n', "")
    assert load_error(prompts_dir) == "salary.toml: levels: missing level 'senior'"


# Fair by design: anchors judge the structure and content of an answer, not its delivery


def test_the_shipped_kits_judge_content_not_delivery() -> None:
    _, warnings = check_kits(default_prompts_dir())
    assert warnings == ()


def test_a_teams_delivery_wording_is_warned_about_one_line_each(prompts_dir: Path) -> None:
    """The wording the shipped kits used to have, put back by a team: the kit still loads,
    and each field that judges delivery gets one line naming the file and the field."""
    edit(
        prompts_dir,
        "stages/screening.toml",
        'four = "Lays out the parts, the data flow and the trade-offs in a logical order, at the '
        'depth the question needs."',
        'four = "Explains the system and its trade-offs clearly and briefly to a non-specialist."',
    )
    edit(
        prompts_dir,
        "stages/system_design.toml",
        'name = "Incident communication"',
        'name = "Calm communication under pressure"',
    )
    edit(
        prompts_dir,
        "qualities.toml",
        'one = "Thinks of failure',
        'one = "Hesitates, is not Fluent; thinks of failure',
    )
    kits, warnings = check_kits(prompts_dir)
    assert kits.stage("screening").competencies[3].four.endswith("to a non-specialist.")
    assert warnings == (
        "stages/screening.toml: competencies[3].four: judges delivery ('clearly and briefly'); "
        "reword it to judge the structure and content of the answer",
        "stages/system_design.toml: competencies[3].name: judges delivery ('calm'); "
        "reword it to judge the structure and content of the answer",
        "qualities.toml: qualities[0].one: judges delivery ('hesitates'); "
        "reword it to judge the structure and content of the answer",
    )
    assert all("\n" not in warning for warning in warnings)


@pytest.mark.parametrize(
    "text",
    [
        "Reads the dashboard and calmly lists hypotheses.",
        "Answers confidently.",
        "Shows no hesitation.",
        "Speaks like a native speaker.",
        "Articulate answers about drift.",
        "Gives a concise, polished answer.",
    ],
)
def test_each_kind_of_delivery_wording_is_found(prompts_dir: Path, text: str) -> None:
    edit(
        prompts_dir,
        "stages/technical.toml",
        'one = "Would watch accuracy only, or only service metrics."',
        f'one = "{text}"',
    )
    _, warnings = check_kits(prompts_dir)
    assert [warning.split(": judges")[0] for warning in warnings] == [
        "stages/technical.toml: competencies[4].one"
    ]


def test_a_word_that_merely_contains_a_phrase_is_not_warned_about(prompts_dir: Path) -> None:
    """A phrase inside another word is not delivery wording: "accentuates" is no accent,
    "unconfident" no "confident", "recalibrates" no "calm"."""
    edit(
        prompts_dir,
        "stages/technical.toml",
        'one = "Would watch accuracy only, or only service metrics."',
        'one = "Accentuates accuracy only; unconfident recalibrates."',
    )
    assert check_kits(prompts_dir)[1] == ()
