"""The benchmark at a tiny size, so that it cannot rot. It asserts no timings: only that
every measurement ran, and that each one's own checks (all requests answered, every
views.open arrived, ...) held."""

from pathlib import Path

import pytest

from bench.run import MEASUREMENTS, run_bench
from bench.sizes import SMOKE


# Every measurement in turn, each starting processes: beyond the suite's 120 s per test when
# the two cores are shared.
@pytest.mark.timeout(300)
async def test_every_measurement_runs_and_its_checks_hold(tmp_path: Path) -> None:
    names = [measurement.name for measurement in MEASUREMENTS]
    results = await run_bench(names, SMOKE, runs=1, workdir=tmp_path)

    assert results.failures == []
    unmeasured = [
        figure.key
        for figure in results.figures
        if figure.key not in results.runs and figure.key not in results.missing
    ]
    assert unmeasured == []
    assert "| ack `help` bot p50 | ms |" in results.markdown()
