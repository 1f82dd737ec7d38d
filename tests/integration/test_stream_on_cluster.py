"""The embedded server's live-stream tests about the leaderboard, unchanged, against a
cluster API node (the `api` fixture of test_contract_on_cluster): a solve sends a
`leaderboard` event to the public, and none to the public during the freeze while
the organizer still gets it."""

import pytest
from tests.api.conftest import clock, hunt, team_a
from tests.api.test_stream import (
    test_the_public_gets_no_leaderboard_changes_during_the_freeze,
    test_the_public_sees_no_team_events,
)
from tests.integration.test_contract_on_cluster import api, cluster_config

pytestmark = pytest.mark.integration

__all__ = [  # the imported fixtures and tests are used by pytest's collection
    "api",
    "clock",
    "cluster_config",
    "hunt",
    "team_a",
    "test_the_public_gets_no_leaderboard_changes_during_the_freeze",
    "test_the_public_sees_no_team_events",
]
