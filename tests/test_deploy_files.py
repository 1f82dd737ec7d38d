"""The files in deploy/ stay true to the code: the compose topology's cluster config
loads, and every questline command it runs exists with the options it passes."""

from pathlib import Path

import yaml
from typer.testing import CliRunner

from questline.cli.app import app
from questline.cluster.config import load_config

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_the_compose_cluster_config_loads() -> None:
    config = load_config(DEPLOY / "compose-cluster.yaml")
    assert config.kafka.bootstrap_servers == "kafka:9092"
    assert config.cassandra.contact_points == ("cassandra",)


def test_every_compose_command_is_a_questline_command_with_those_options() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    commands = [
        service["command"]
        for service in compose["services"].values()
        if service.get("command", [None])[0] == "questline"
    ]
    assert {c[1] for c in commands} == {"worker", "projector", "serve"}
    runner = CliRunner()
    for command in commands:
        result = runner.invoke(app, [command[1], "--help"])
        assert result.exit_code == 0, result.output
        for option in (arg for arg in command[2:] if arg.startswith("--")):
            assert option in result.output, f"{command[1]} has no option {option}"
