"""Interview kits: the schema of the files in `prompts/`, their loader and lookups.

A team edits these files by hand, so every problem ends in a `KitError` whose one line
names the file, the field and the problem; start-up and `python -m bot check` show it.
The limits keep every text small enough for the Slack surfaces that show it.

What a kit asks interviewers to rate is also read for wording that judges how an answer is
delivered rather than what it contains (`DELIVERY_PHRASES`): such a kit still loads, with
one warning line per field naming the file and the field.
"""

import re
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.incident_scenarios import Scenario, load_scenarios
from bot.prompt_files import (
    FieldProblem,
    Id,
    KitError,
    PromptModel,
    describe,
    field_path,
    load_file,
    require_unique,
    text_constraints,
)

STAGES_DIR = "stages"
QUALITIES_FILE = "qualities.toml"
SALARY_FILE = "salary.toml"

MAX_TEXT = 1500
MAX_ANCHOR = 300  # "what a 1 / a 4 looks like": a sentence, shown as a hint in the scorecard
MAX_NAME = 60
MAX_OPTION = 75  # the text of a Slack option (select, checkbox)
MAX_SHORT_TITLE = 24  # a modal title allows 24 characters
MAX_DURATION_MINUTES = 480
MAX_FOLLOW_UPS = 8
MAX_COMPETENCIES = 8
MAX_RED_FLAGS = 8
MAX_QUALITIES = 8
MAX_REGIONS = 20
LEVEL_KEYS = ("mid", "senior")  # the fields of SalaryRegion that hold the bands

# Wording that rates delivery (fluency, poise, speed) rather than the structure and content
# of an answer: it penalises a non-native speaker or a nervous candidate. A short list of
# the usual phrasings, each also with a common ending ("calm" finds "calmly", "hesitat"
# finds "hesitates"), but not inside another word ("accentuate" is no accent).
DELIVERY_PHRASES = (
    "articulate",
    "fluent",
    "native speaker",
    "accent",
    "eloquent",
    "well-spoken",
    "confiden",
    "calm",
    "nervous",
    "hesitat",
    "clearly and briefly",
    "concise",
    "polished",
)
_ENDINGS = "(?:s|es|ed|ing|ly|e|ion|ant|ance|ce|t|tly|ness)?"
_DELIVERY = re.compile(
    r"\b(?:" + "|".join(map(re.escape, DELIVERY_PHRASES)) + f"){_ENDINGS}\\b",
    re.IGNORECASE,
)

_CURRENCY = re.compile(r"[A-Z]{3}")


class UnknownStageError(LookupError):
    """A stage key no stage file defines, such as a stored key whose file was removed."""

    def __init__(self, key: str, known: Iterable[str]) -> None:
        self.key = key
        super().__init__(f"unknown stage {key!r} (stages: {', '.join(known)})")


def _check_currency(value: str) -> str:
    if not _CURRENCY.fullmatch(value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code such as 'USD'")
    return value


def _check_pair(value: Any) -> Any:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError("expected [low, high]")
    return value


def _check_band(band: tuple[int, int]) -> tuple[int, int]:
    low, high = band
    if low > high:
        raise ValueError(f"low {low} is above high {high}")
    return band


Text = Annotated[str, text_constraints(MAX_TEXT)]
Anchor = Annotated[str, text_constraints(MAX_ANCHOR)]
Name = Annotated[str, text_constraints(MAX_NAME)]
OptionText = Annotated[str, text_constraints(MAX_OPTION)]
ShortTitle = Annotated[str, text_constraints(MAX_SHORT_TITLE)]
Symbol = Annotated[str, text_constraints(4)]
Currency = Annotated[str, Strict(), AfterValidator(_check_currency)]
Amount = Annotated[int, Strict(), Field(gt=0)]
Band = Annotated[tuple[Amount, Amount], BeforeValidator(_check_pair), AfterValidator(_check_band)]


class Competency(PromptModel):
    """A skill rated 1-4 on the stage's scorecard, with what a 1 and a 4 look like."""

    id: Id
    name: Name
    one: Anchor
    four: Anchor


class Question(PromptModel):
    """A question to ask, what a strong answer shows, and where to probe further.

    ``id`` is the question's stable key: an interviewer's notes and rating of it are stored
    under it, so rename one only before anyone takes notes on it. ``competency`` names the
    competency of the stage its answers inform: the question's ratings suggest that
    competency's rating on the scorecard. A question may inform none (a warm-up)."""

    id: Id
    competency: Id | None = None
    section: Name | None = None
    prompt: Text
    strong_answer: Text
    follow_ups: tuple[Text, ...] = Field(default=(), max_length=MAX_FOLLOW_UPS)


class RedFlag(PromptModel):
    """Something to listen for, and what it suggests about the candidate."""

    id: Id
    text: OptionText
    suggests: OptionText  # shown as the checkbox option's description, also 75 characters


class Stage(PromptModel):
    """One interview stage: one file in `prompts/stages/`."""

    key: Id
    order: Annotated[int, Strict()]
    title: Name
    short_title: ShortTitle
    duration_minutes: Annotated[int, Strict(), Field(gt=0, le=MAX_DURATION_MINUTES)]
    goal: Text
    questions: tuple[Question, ...] = Field(min_length=1)
    competencies: tuple[Competency, ...] = Field(min_length=1, max_length=MAX_COMPETENCIES)
    red_flags: tuple[RedFlag, ...] = Field(min_length=1, max_length=MAX_RED_FLAGS)

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        require_unique(("questions",), "question", [item.id for item in self.questions])
        require_unique(("competencies",), "competency", [item.id for item in self.competencies])
        require_unique(("red_flags",), "red flag", [item.id for item in self.red_flags])
        known = [competency.id for competency in self.competencies]
        for index, question in enumerate(self.questions):
            if question.competency is not None and question.competency not in known:
                problem = (
                    f"question {question.id!r} informs competency {question.competency!r}, "
                    f"which this stage does not rate (its competencies: {', '.join(known)})"
                )
                raise FieldProblem(("questions", index, "competency"), problem)
        return self

    def questions_of(self, competency_id: str) -> tuple[Question, ...]:
        """The questions whose answers inform this competency, in kit order."""
        return tuple(q for q in self.questions if q.competency == competency_id)


class Quality(PromptModel):
    """A quality the seed says separates great MLOps engineers; rated on every scorecard."""

    id: Id
    name: Name
    description: Text
    one: Anchor
    four: Anchor


class _QualitiesFile(PromptModel):
    # How many and unique ids are checked by Kits, which holds the list.
    qualities: tuple[Quality, ...]


class SalaryLevel(PromptModel):
    key: Id
    name: Name


class SalaryRegion(PromptModel):
    """One row of the salary table: a yearly base band per level, in whole units."""

    key: Id
    name: Name
    currency: Currency
    symbol: Symbol
    mid: Band
    senior: Band

    def band(self, level_key: str) -> tuple[int, int] | None:
        return {"mid": self.mid, "senior": self.senior}.get(level_key)


class SalaryTable(PromptModel):
    """The seed's base salary benchmarks: `prompts/salary.toml`."""

    title: Name
    note: Text
    source: Text
    levels: tuple[SalaryLevel, ...]
    regions: tuple[SalaryRegion, ...] = Field(min_length=1, max_length=MAX_REGIONS)

    @model_validator(mode="after")
    def _consistent_keys(self) -> Self:
        keys = [level.key for level in self.levels]
        for index, key in enumerate(keys):
            if key not in LEVEL_KEYS or key in keys[:index]:
                problem = f"level {key!r} is unknown or repeated; the levels are 'mid' and 'senior'"
                raise FieldProblem(("levels", index, "key"), problem)
        for key in LEVEL_KEYS:
            if key not in keys:
                raise FieldProblem(("levels",), f"missing level {key!r}")
        seen: set[str] = set()
        for index, region in enumerate(self.regions):
            if region.key in seen:
                problem = f"duplicate region key {region.key!r}"
                raise FieldProblem(("regions", index, "key"), problem)
            seen.add(region.key)
        return self

    def region(self, key: str) -> SalaryRegion | None:
        return next((region for region in self.regions if region.key == key), None)

    def level(self, key: str) -> SalaryLevel | None:
        return next((level for level in self.levels if level.key == key), None)

    def band(self, region_key: str, level_key: str) -> tuple[int, int, str] | None:
        """(low, high, ISO currency code), or None for an unknown region or level."""
        region = self.region(region_key)
        band = region.band(level_key) if region else None
        if region is None or band is None:
            return None
        return (*band, region.currency)


class Kits(PromptModel):
    """Everything in a prompts directory, checked; stages sorted by `order`."""

    stages: tuple[Stage, ...] = Field(min_length=1)
    qualities: tuple[Quality, ...] = Field(min_length=1, max_length=MAX_QUALITIES)
    salary: SalaryTable
    # The system-design stage's incident scenarios (`prompts/incidents/`); none is fine.
    incidents: tuple[Scenario, ...] = ()
    # Each stage's file by stage key, relative to the prompts directory: where a team
    # changes a question the insights flag.
    stage_files: dict[str, str] = Field(default_factory=dict)

    @field_validator("stages")
    @classmethod
    def _sorted_stages(cls, stages: tuple[Stage, ...]) -> tuple[Stage, ...]:
        by_key: dict[str, Stage] = {}
        by_order: dict[int, Stage] = {}
        for index, stage in enumerate(stages):
            if stage.key in by_key:
                raise FieldProblem((index, "key"), f"duplicate stage key {stage.key!r}")
            if stage.order in by_order:
                other = by_order[stage.order].key
                problem = f"order {stage.order} is already used by stage {other!r}"
                raise FieldProblem((index, "order"), problem)
            by_key[stage.key] = by_order[stage.order] = stage
        return tuple(sorted(stages, key=lambda stage: stage.order))

    @field_validator("qualities")
    @classmethod
    def _unique_qualities(cls, qualities: tuple[Quality, ...]) -> tuple[Quality, ...]:
        require_unique((), "quality", [quality.id for quality in qualities])
        return qualities

    def stage(self, key: str) -> Stage:
        """The stage with this key; UnknownStageError if no stage file defines it."""
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise UnknownStageError(key, (stage.key for stage in self.stages))

    def stage_title(self, key: str) -> str:
        """The title of the stage with this key, to show; a stage whose file was removed
        while candidates and interviews were in it shows as its key, all there is."""
        try:
            return self.stage(key).title
        except UnknownStageError:
            return key

    @property
    def first_stage(self) -> Stage:
        return self.stages[0]

    def next_stage(self, key: str) -> Stage | None:
        """The stage after `key`, None after the last; UnknownStageError for an unknown key."""
        current = self.stage(key)
        for index, stage in enumerate(self.stages[:-1]):
            if stage is current:
                return self.stages[index + 1]
        return None

    def salary_band(self, region_key: str, level_key: str) -> tuple[int, int, str] | None:
        """(low, high, ISO currency code), or None for a region or level not in the table."""
        return self.salary.band(region_key, level_key)

    def incidents_of(self, stage_key: str) -> tuple[Scenario, ...]:
        """The incident scenarios an interview of this stage can run."""
        return tuple(scenario for scenario in self.incidents if scenario.stage == stage_key)

    def incident(self, key: str) -> Scenario | None:
        return next((scenario for scenario in self.incidents if scenario.key == key), None)


def default_prompts_dir() -> Path:
    """The `prompts/` directory shipped in the package, installed editable or not."""
    # A wheel installs prompts/ as a plain directory, so its resource root is a real
    # path; zip imports are not a deployment we support.
    return Path(str(files("prompts")))


def load_kits(directory: Path) -> Kits:
    """Read and check a prompts directory; the first problem found raises KitError."""
    return check_kits(directory)[0]


def check_kits(directory: Path) -> tuple[Kits, tuple[str, ...]]:
    """`load_kits`, and a warning line for each rated text that judges delivery."""
    if not directory.is_dir():
        raise KitError(str(directory), "not a directory")
    stage_paths = sorted(path for path in (directory / STAGES_DIR).glob("*.toml") if path.is_file())
    if not stage_paths:
        raise KitError(f"{STAGES_DIR}/", "no stage files (*.toml)")
    stage_files = [path.relative_to(directory).as_posix() for path in stage_paths]
    stages = tuple(load_file(directory, file, Stage) for file in stage_files)
    qualities = load_file(directory, QUALITIES_FILE, _QualitiesFile).qualities
    salary = load_file(directory, SALARY_FILE, SalaryTable)
    incidents = load_scenarios(directory, [stage.key for stage in stages])
    warnings = [
        *(
            warning
            for file, stage in zip(stage_files, stages, strict=True)
            for warning in _delivery_warnings(file, _stage_texts(stage))
        ),
        *_delivery_warnings(QUALITIES_FILE, _rated_texts("qualities", qualities)),
    ]
    try:
        kits = Kits(
            stages=stages,
            qualities=qualities,
            salary=salary,
            incidents=incidents,
            stage_files={stage.key: file for file, stage in zip(stage_files, stages, strict=True)},
        )
    except ValidationError as exc:
        # Kits checks across files: stage keys and orders, and the list of qualities.
        loc, problem = describe(exc.errors()[0])
        if loc[0] == "stages":
            raise KitError(stage_files[int(loc[1])], problem, field_path(loc[2:])) from exc
        raise KitError(QUALITIES_FILE, problem, field_path(loc)) from exc
    return kits, tuple(warnings)


def _rated_texts(field: str, items: Sequence[Competency | Quality]) -> Iterable[tuple[str, str]]:
    """(path, text) of what interviewers rate: each item's name and its 1 and 4 anchors."""
    for index, item in enumerate(items):
        for name in ("name", "one", "four"):
            yield f"{field}[{index}].{name}", getattr(item, name)


def _stage_texts(stage: Stage) -> Iterable[tuple[str, str]]:
    yield from _rated_texts("competencies", stage.competencies)
    for index, question in enumerate(stage.questions):
        yield f"questions[{index}].strong_answer", question.strong_answer


def _delivery_warnings(file: str, texts: Iterable[tuple[str, str]]) -> Iterable[str]:
    for path, text in texts:
        found = _DELIVERY.search(text)
        if found is not None:
            yield (
                f"{file}: {path}: judges delivery ({found.group(0).lower()!r}); reword it to "
                "judge the structure and content of the answer"
            )
