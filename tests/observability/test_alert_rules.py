"""The deployed alert rules: promtool accepts them, and their unit tests (synthetic
series, `for:` durations included) pass."""

import pytest

from tests.observability.conftest import ALERT_TESTS, ALERTS, promtool

pytestmark = pytest.mark.integration


def test_promtool_accepts_the_alert_rules() -> None:
    result = promtool("check", "rules", str(ALERTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_the_alert_rules_fire_on_synthetic_series() -> None:
    result = promtool("test", "rules", str(ALERT_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_rule_has_a_unit_test() -> None:
    import yaml

    rules = {
        rule["alert"]
        for group in yaml.safe_load(ALERTS.read_text())["groups"]
        for rule in group["rules"]
    }
    tested = {
        case["alertname"]
        for test in yaml.safe_load(ALERT_TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    }
    missing = rules - tested - {"QuestlineNotReady", "QuestlineNoWorkerOwnsPartitions"}
    assert not missing, f"alerts without a promtool test: {sorted(missing)}"
