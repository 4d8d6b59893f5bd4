"""Incident scenarios: the schema of `prompts/incidents/*.toml` and their loader.

One file holds one scenario of the system-design stage run as a live incident: the brief
read out to the candidate, the injects (evidence handed over when the candidate asks the
right question), the root cause, and what strong and weak investigations look like.
Charts are numbers in the file, drawn by `bot.charts`, so a team writes a scenario
without image files. A mistake is a `KitError` naming the file, the scenario and the field.
"""

from collections.abc import Collection, Sequence
from enum import StrEnum
from math import isfinite
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, Field, Strict, ValidationError, model_validator

from bot.charts import ChartData, ChartStyle, Series
from bot.prompt_files import (
    FieldProblem,
    Id,
    KitError,
    PromptModel,
    field_path,
    first_problem,
    read_toml,
    require_unique,
    text_constraints,
)

INCIDENTS_DIR = "incidents"

MAX_INJECTS = 8  # one button each in the run message
MAX_SIGNS = 8
MAX_SERIES = 6
MAX_POINTS = 120
MAX_BRIEF = 1500
MAX_EVIDENCE = 2500  # shown in one section, with its label, below Slack's 3,000
MAX_ASK = 300
MAX_LABEL = 40  # an inject's button text (Slack allows 75)
MAX_TITLE = 60
MAX_AXIS = 40


class InjectKind(StrEnum):
    DASHBOARD = "dashboard"
    ALERT = "alert"
    LOG = "log"
    DATA_QUALITY = "data_quality"
    UPSTREAM_CHANGE = "upstream_change"


def _finite(value: Any) -> Any:
    # TOML has inf and nan; a chart cannot draw them, and true/false is no number either.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    if not isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    return float(value)


Number = Annotated[float, BeforeValidator(_finite)]
Title = Annotated[str, text_constraints(MAX_TITLE)]
AxisText = Annotated[str, text_constraints(MAX_AXIS)]
XLabel = Annotated[str, text_constraints(20)]
Label = Annotated[str, text_constraints(MAX_LABEL)]
Ask = Annotated[str, text_constraints(MAX_ASK)]
Brief = Annotated[str, text_constraints(MAX_BRIEF)]
Evidence = Annotated[str, text_constraints(MAX_EVIDENCE)]
Sign = Annotated[str, text_constraints(MAX_ASK)]


class ChartSeries(PromptModel):
    name: AxisText
    values: tuple[Number, ...] = Field(min_length=2, max_length=MAX_POINTS)


class ChartMark(PromptModel):
    """A vertical line at one x label: a deploy, a migration, an upstream change."""

    x: XLabel
    label: AxisText


class Chart(PromptModel):
    """A chart of evidence: one value per x label in every series."""

    title: Title
    x_label: AxisText
    y_label: AxisText
    style: ChartStyle = ChartStyle.LINE
    x: tuple[XLabel, ...] = Field(min_length=2, max_length=MAX_POINTS)
    series: tuple[ChartSeries, ...] = Field(min_length=1, max_length=MAX_SERIES)
    mark: ChartMark | None = None

    @model_validator(mode="after")
    def _matching_lengths(self) -> Self:
        for index, series in enumerate(self.series):
            if len(series.values) != len(self.x):
                problem = f"{len(series.values)} values for {len(self.x)} x labels"
                raise FieldProblem(("series", index, "values"), problem)
        if self.mark is not None and self.mark.x not in self.x:
            raise FieldProblem(("mark", "x"), f"{self.mark.x!r} is not one of the x labels")
        return self

    def data(self) -> ChartData:
        return ChartData(
            title=self.title,
            x_label=self.x_label,
            y_label=self.y_label,
            style=self.style,
            x=self.x,
            series=tuple(Series(s.name, s.values) for s in self.series),
            mark_x=self.mark.x if self.mark else None,
            mark_label=self.mark.label if self.mark else None,
        )


class Inject(PromptModel):
    """One piece of evidence, revealed when the candidate asks what ``ask`` says."""

    id: Id
    kind: InjectKind
    label: Label
    ask: Ask
    text: Evidence
    chart: Chart | None = None


class Scenario(PromptModel):
    """One incident: a file in `prompts/incidents/`."""

    key: Id
    stage: Annotated[Id, Strict()] = "system_design"
    title: Title
    brief: Brief
    root_cause: Brief
    strong_signs: tuple[Sign, ...] = Field(min_length=1, max_length=MAX_SIGNS)
    weak_signs: tuple[Sign, ...] = Field(min_length=1, max_length=MAX_SIGNS)
    injects: tuple[Inject, ...] = Field(min_length=1, max_length=MAX_INJECTS)

    @model_validator(mode="after")
    def _unique_injects(self) -> Self:
        require_unique(("injects",), "inject", [inject.id for inject in self.injects])
        return self

    def inject(self, inject_id: str) -> Inject | None:
        return next((inject for inject in self.injects if inject.id == inject_id), None)


def load_scenarios(directory: Path, stage_keys: Collection[str]) -> tuple[Scenario, ...]:
    """Every scenario in ``directory/incidents`` (none is fine), checked against the
    stages there are; the first problem raises KitError."""
    paths = sorted(path for path in (directory / INCIDENTS_DIR).glob("*.toml") if path.is_file())
    found: dict[str, str] = {}
    scenarios = []
    for path in paths:
        file = path.relative_to(directory).as_posix()
        scenario = _load_scenario(file, read_toml(directory, file))
        if scenario.key in found:
            problem = f"key {scenario.key!r} is already used in {found[scenario.key]}"
            raise KitError(file, problem, _where(scenario.key, ("key",)))
        if scenario.stage not in stage_keys:
            problem = f"unknown stage {scenario.stage!r} (stages: {', '.join(stage_keys)})"
            raise KitError(file, problem, _where(scenario.key, ("stage",)))
        found[scenario.key] = file
        scenarios.append(scenario)
    return tuple(scenarios)


def _load_scenario(file: str, data: dict[str, Any]) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        loc, problem = first_problem(exc)
        key = data.get("key")
        named = key if isinstance(key, str) and key.strip() else Path(file).stem
        raise KitError(file, problem, _where(named, loc)) from exc


def _where(scenario: str, loc: Sequence[str | int]) -> str:
    """``scenario 'ctr_drop', field injects[1].ask``: the scenario named even when the
    error is in the file's own key."""
    path = field_path(loc)
    return f"scenario {scenario!r}, field {path}" if path else f"scenario {scenario!r}"
