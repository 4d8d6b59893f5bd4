"""The Dockerfile and the Kubernetes manifests, checked as far as a machine without a
container engine or a cluster can: they parse, and they set only what the bot reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import load_settings

REPO = Path(__file__).resolve().parent.parent
MANIFESTS = REPO / "deploy" / "kubernetes"


def env_example_names() -> set[str]:
    text = (REPO / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def names_the_bot_reads() -> set[str]:
    """Every quoted upper-case name in the code that reads the environment."""
    sources = [REPO / "bot" / "config.py", REPO / "bot" / "__main__.py"]
    return {
        name for path in sources for name in re.findall(r'"([A-Z][A-Z0-9_]+)"', path.read_text())
    }


def documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        found += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def one(kind: str) -> dict[str, Any]:
    [document] = [doc for doc in documents() if doc["kind"] == kind]
    return document


def container() -> dict[str, Any]:
    [bot] = one("Deployment")["spec"]["template"]["spec"]["containers"]
    return bot


def variables_set() -> dict[str, str]:
    """What the Deployment puts in the container's environment, from every source."""
    values: dict[str, str] = {}
    for source in container().get("envFrom", []):
        if "configMapRef" in source:
            config_map = one("ConfigMap")
            assert source["configMapRef"]["name"] == config_map["metadata"]["name"]
            values |= config_map["data"]
        if "secretRef" in source:
            secret = one("Secret")
            assert source["secretRef"]["name"] == secret["metadata"]["name"]
            values |= secret["stringData"]
    values |= {item["name"]: item.get("value", "") for item in container().get("env", [])}
    return values


def test_env_example_lists_only_what_the_bot_reads() -> None:
    assert env_example_names() <= names_the_bot_reads()


def test_every_variable_the_manifests_set_is_one_the_bot_reads() -> None:
    assert variables_set().keys() <= env_example_names()


def test_the_manifests_settings_load_with_retention_set() -> None:
    settings = load_settings(variables_set())
    assert settings.retention_days == 365
    assert "RETENTION_DAYS" in env_example_names()


def test_the_slack_manifest_subscribes_to_the_hiring_teams_events() -> None:
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "member_joined_channel", "member_left_channel"} <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # conversations.members and conversations.info, for a public and a private channel.
    assert {"channels:read", "groups:read"} <= scopes


def test_the_manifests_run_several_replicas_in_http_mode_on_postgresql() -> None:
    values = variables_set()
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "HIRING_CHANNEL_ID"} <= values.keys()
    # Socket Mode gives each replica its own websocket and Slack picks one: HTTP it is.
    assert "SLACK_APP_TOKEN" not in values
    assert values["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert one("Deployment")["spec"]["replicas"] == 2
    # Tokens, keys and passwords live in the Secret, not the ConfigMap.
    secrets = {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL", "SECRET_KEY", "SMTP_URL"}
    assert secrets <= one("Secret")["stringData"].keys()
    assert not secrets & set(one("ConfigMap")["data"])


def test_the_manifests_settings_pass_the_bots_validation() -> None:
    settings = load_settings(variables_set())
    assert settings.secret_keys == () and settings.smtp is None


def test_probes_service_and_port_agree() -> None:
    bot = container()
    [port] = bot["ports"]
    assert port["containerPort"] == int(variables_set()["PORT"])
    for probe in ("readinessProbe", "livenessProbe"):
        assert bot[probe]["httpGet"] == {"path": "/healthz", "port": port["name"]}
    service = one("Service")
    deployment = one("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert [p["targetPort"] for p in service["spec"]["ports"]] == [port["name"]]
    budget = one("PodDisruptionBudget")
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_the_pod_runs_as_a_non_root_user() -> None:
    pod = one("Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert container()["securityContext"]["allowPrivilegeEscalation"] is False


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(
        path.name for path in MANIFESTS.glob("*.yaml") if path.name != "kustomization.yaml"
    )


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # Continuation lines joined, so that each instruction is one line.
    return (REPO / "Dockerfile").read_text().replace("\\\n", " ")


def instructions(dockerfile: str, name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.*)$", dockerfile, flags=re.MULTILINE)


def test_dockerfile_runs_the_bot_as_a_non_root_user_from_a_slim_base(dockerfile: str) -> None:
    assert all(base.startswith("python:3.11-slim") for base in instructions(dockerfile, "FROM"))
    [user] = instructions(dockerfile, "USER")
    assert not user.startswith(("root", "0"))
    [command] = instructions(dockerfile, "CMD")
    # The bot applies migrations itself at start, before it serves.
    assert command == '["python", "-m", "bot"]'


def test_dockerfile_checks_health_on_the_port_it_exposes(dockerfile: str) -> None:
    [healthcheck] = instructions(dockerfile, "HEALTHCHECK")
    assert "/healthz" in healthcheck and "PORT" in healthcheck
    [exposed] = instructions(dockerfile, "EXPOSE")
    default_port = re.search(r"\bPORT=(\d+)", dockerfile)
    assert default_port is not None and default_port[1] == exposed


def test_secrets_and_local_state_stay_out_of_the_build_context() -> None:
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".env", "data/", ".venv/", ".git/"} <= set(ignored)
