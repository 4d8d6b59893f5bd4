"""The bot's Prometheus metrics read back: one scrape of a running bot's ``/metrics``, and
the in-process registry's counters compared before and after."""

from __future__ import annotations

import aiohttp
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def scrape(base_url: str) -> dict[str, float]:
    """The samples of one scrape of the bot at ``base_url``, keyed like ``name{label="value"}``."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{base_url}/metrics") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{key}="{value}"' for key, value in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


class Counts:
    """Differences of metric values since creation: counters are process-wide."""

    def __init__(self, *keys: tuple[str, dict[str, str]]) -> None:
        self._keys = keys
        self._before = [metric(name, **labels) for name, labels in keys]

    def deltas(self) -> list[float]:
        return [
            metric(name, **labels) - before
            for (name, labels), before in zip(self._keys, self._before, strict=True)
        ]


def requests(kind: str, outcome: str) -> tuple[str, dict[str, str]]:
    return "hiring_slack_requests_total", {"kind": kind, "outcome": outcome}
