"""The benchmark at a tiny size, so that it cannot rot. It asserts no timings: only that
every measurement ran, and that each one's own checks (all requests answered, every
views.open arrived, ...) held. One test per measurement: each has its own time limit, and a
failure names its measurement."""

from pathlib import Path

import pytest

from bench.run import MEASUREMENTS, run_bench
from bench.sizes import SMOKE


@pytest.mark.parametrize("name", [measurement.name for measurement in MEASUREMENTS])
async def test_the_measurement_runs_and_its_checks_hold(name: str, tmp_path: Path) -> None:
    results = await run_bench([name], SMOKE, runs=1, workdir=tmp_path)

    assert results.failures == []
    unmeasured = [
        figure.key
        for figure in results.figures
        if figure.key not in results.runs and figure.key not in results.missing
    ]
    assert results.figures and unmeasured == []
    assert all(f"| {figure.label} |" in results.markdown() for figure in results.figures)
