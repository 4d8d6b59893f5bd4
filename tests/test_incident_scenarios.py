"""Incident scenarios in prompts/incidents/: the shipped ones, and a team's own with
mistakes, each named by file, scenario and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.incident_scenarios import InjectKind
from bot.kits import KitError, default_prompts_dir, load_kits

SHIPPED = load_kits(default_prompts_dir())

OWN = """
key = "disk_full"
stage = "system_design"
title = "Batch scoring silently skipped"
brief = "The nightly batch scores stopped updating on Tuesday."
root_cause = "The job's scratch volume filled up and the job exits 0 on failure."
strong_signs = ["Asks for the job's exit status and logs."]
weak_signs = ["Retrains the model."]

[[injects]]
id = "job_log"
kind = "log"
label = "Job log"
ask = "They ask for the batch job's logs."
text = "No space left on device."

[[injects]]
id = "rows"
kind = "dashboard"
label = "Rows scored per night"
ask = "They ask how many rows were scored."
text = "Rows scored per night."

[injects.chart]
title = "Rows scored"
x_label = "Night"
y_label = "Rows (millions)"
x = ["Sun", "Mon", "Tue", "Wed"]

[[injects.chart.series]]
name = "Rows"
values = [4.1, 4.0, 0, 0]
"""


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    """A copy of the shipped prompts, for a team to add its own scenarios to."""
    copy = tmp_path / "prompts"
    shutil.copytree(
        default_prompts_dir(), copy, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return copy


def write(prompts: Path, text: str, name: str = "disk_full.toml") -> None:
    (prompts / "incidents" / name).write_text(text, encoding="utf-8")


def error_of(prompts: Path) -> str:
    with pytest.raises(KitError) as caught:
        load_kits(prompts)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_three_shipped_scenarios_cover_the_guides_themes() -> None:
    keys = [scenario.key for scenario in SHIPPED.incidents]
    assert keys == ["ctr_drop", "feature_store_latency", "training_serving_skew"]
    assert SHIPPED.incidents_of("system_design") == SHIPPED.incidents
    assert SHIPPED.incidents_of("technical") == ()
    for scenario in SHIPPED.incidents:
        # Each has every kind of evidence: a dashboard, an alert, a log excerpt, a
        # data-quality report and an upstream change; and at least one chart.
        assert {inject.kind for inject in scenario.injects} == set(InjectKind)
        assert any(inject.chart for inject in scenario.injects)
        assert scenario.strong_signs and scenario.weak_signs and scenario.root_cause


def test_a_teams_own_scenario_is_loaded_beside_the_shipped_ones(prompts: Path) -> None:
    write(prompts, OWN)
    kits = load_kits(prompts)
    scenario = kits.incident("disk_full")
    assert scenario is not None and scenario.stage == "system_design"
    rows = scenario.inject("rows")
    assert rows is not None and rows.chart is not None
    assert rows.chart.data().series[0].values == (4.1, 4.0, 0.0, 0.0)


def test_no_incidents_folder_means_no_scenarios(prompts: Path) -> None:
    shutil.rmtree(prompts / "incidents")
    assert load_kits(prompts).incidents == ()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("values = [4.1, 4.0, 0, 0]", "values = [4.1, 4.0, 0]"),
            "incidents/disk_full.toml: scenario 'disk_full', field "
            "injects[1].chart.series[0].values: 3 values for 4 x labels",
        ),
        (
            ('ask = "They ask for the batch job\'s logs."', 'ask = "  "'),
            "incidents/disk_full.toml: scenario 'disk_full', field injects[0].ask: empty text",
        ),
        (
            ('kind = "log"', 'kind = "tweet"'),
            "incidents/disk_full.toml: scenario 'disk_full', field injects[0].kind: Input should "
            "be 'dashboard', 'alert', 'log', 'data_quality' or 'upstream_change'",
        ),
        (
            ('id = "rows"', 'id = "job_log"'),
            "incidents/disk_full.toml: scenario 'disk_full', field injects[1].id: "
            "duplicate inject id 'job_log'",
        ),
        (
            ('stage = "system_design"', 'stage = "systems"'),
            "incidents/disk_full.toml: scenario 'disk_full', field stage: unknown stage "
            "'systems' (stages: screening, system_design, technical)",
        ),
        (
            ("values = [4.1, 4.0, 0, 0]", "values = [4.1, inf, 0, 0]"),
            "incidents/disk_full.toml: scenario 'disk_full', field "
            "injects[1].chart.series[0].values[1]: inf is not a finite number",
        ),
        (
            ("values = [4.1, 4.0, 0, 0]", 'values = [4.1, "4.0", 0, 0]'),
            "incidents/disk_full.toml: scenario 'disk_full', field "
            "injects[1].chart.series[0].values[1]: expected a number",
        ),
        (
            ('root_cause = "', 'root_cuase = "'),
            "incidents/disk_full.toml: scenario 'disk_full': unknown field 'root_cuase'",
        ),
        (
            (
                "values = [4.1, 4.0, 0, 0]\n",
                'values = [4.1, 4.0, 0, 0]\n[injects.chart.mark]\nx = "Thu"\n'
                'label = "Disk alert"\n',
            ),
            "incidents/disk_full.toml: scenario 'disk_full', field injects[1].chart.mark.x: "
            "'Thu' is not one of the x labels",
        ),
        (
            ('key = "disk_full"\n', ""),
            "incidents/disk_full.toml: scenario 'disk_full': missing field 'key'",
        ),
        (
            ('title = "Batch scoring silently skipped"', 'title = "' + "T" * 61 + '"'),
            "incidents/disk_full.toml: scenario 'disk_full', field title: 61 characters; "
            "at most 60",
        ),
    ],
)
def test_a_mistake_names_the_file_the_scenario_and_the_field(
    prompts: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in OWN
    write(prompts, OWN.replace(old, new, 1))
    assert error_of(prompts) == expected


def test_a_key_used_twice_names_both_files(prompts: Path) -> None:
    write(prompts, OWN.replace('key = "disk_full"', 'key = "ctr_drop"'), "zz_copy.toml")
    assert error_of(prompts) == (
        "incidents/zz_copy.toml: scenario 'ctr_drop', field key: key 'ctr_drop' is already "
        "used in incidents/ctr_drop.toml"
    )


def test_broken_toml_names_the_line(prompts: Path) -> None:
    write(prompts, OWN.replace('label = "Job log"', 'label = "Job log'))
    assert error_of(prompts).startswith("incidents/disk_full.toml: line 13: invalid TOML")


def test_nothing_is_lost_the_shipped_files_are_untouched(prompts: Path) -> None:
    before = {p.name: p.read_bytes() for p in (prompts / "incidents").glob("*.toml")}
    write(prompts, OWN.replace("values = [4.1, 4.0, 0, 0]", "values = [4.1]"))
    error_of(prompts)
    after = {p.name: p.read_bytes() for p in (prompts / "incidents").glob("*.toml")}
    assert {name: after[name] for name in before} == before
    assert "disk_full.toml" in after
