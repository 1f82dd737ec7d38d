"""The HTTP contract tests of the embedded server, unchanged, against a cluster:
an API node sending commands through a real Kafka to a partition worker, and
reading read models a projector wrote to a real Cassandra.

The test functions are the ones in tests/api, imported here; this module's `api`
fixture gives them a cluster instead of an embedded node. The worker and the API
node share the tests' hand-set clock, as the embedded engine does. A selection
covering every route and each kind of result and refusal runs by default (each
test gets fresh topics and a fresh keyspace, which costs seconds);
QUESTLINE_CONTRACT_ALL=1 runs every test of the contract modules instead (about
140 functions; what docs/cluster.md reports)."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from starlette.testclient import TestClient
from tests.api import (
    test_boards,
    test_first_solves,
    test_hunt_day,
    test_hunts,
    test_images,
    test_log_routes,
    test_organize,
    test_play,
    test_retries,
    test_stream_hunt_day,
)
from tests.api.conftest import ORGANIZER_TOKEN, Api, clock, hunt, other_team, team_a, team_b
from tests.api.test_boards import (
    test_a_team_sees_its_progress,
    test_during_the_freeze_the_public_sees_the_board_as_of_freeze_at,
    test_every_registered_team_is_on_the_board_ranked,
)
from tests.api.test_first_solves import (
    test_the_first_solver_of_each_clue_newest_first_with_title_and_time,
)
from tests.api.test_hunt_day import (
    test_a_clue_in_parts_is_answered_part_by_part,
    test_a_clue_not_open_yet_is_refused_with_its_opening_time,
    test_a_dry_run_answers_as_the_revision_would_and_writes_nothing,
    test_a_hunt_with_divisions_needs_a_known_one_and_ranks_each_alone,
    test_a_message_to_a_team_is_kept_in_its_progress,
    test_a_new_token_works_and_revoke_others_cuts_the_old_ones_off_at_once,
    test_a_revision_answers_with_its_changes_and_the_board_moves,
    test_announcements_are_listed_newest_first_for_anyone,
    test_client_time_is_kept_in_the_event_and_never_judged_by,
    test_if_match_a_stale_revision_is_412,
    test_the_csv_is_rfc_4180_with_the_boards_visibility,
    test_the_ctftime_feed_is_the_visible_standings,
    test_the_public_lists_listed_hunts_and_organizers_all,
)
from tests.api.test_hunts import (
    test_a_team_sees_only_the_clues_open_for_it,
    test_creating_a_hunt_from_yaml_answers_201_with_the_hunt,
    test_creating_a_hunt_whose_id_exists_is_409,
)
from tests.api.test_images import test_the_same_bytes_are_stored_once_201_then_200
from tests.api.test_log_routes import (
    test_a_receipt_adds_up_to_the_score_and_is_the_teams_own,
    test_history_has_a_point_per_change_for_the_visible_top,
    test_near_duplicate_photos_of_two_teams_are_flagged_by_their_dhash,
    test_past_the_freeze_the_public_and_teams_get_the_frozen_board,
    test_the_board_at_a_past_version_is_the_board_then,
    test_the_certificate_is_409_before_the_end_and_checks_against_the_log,
    test_the_chain_is_recomputed_from_the_served_events_with_hashlib_and_json,
)
from tests.api.test_organize import (
    test_a_second_review_is_409,
    test_an_adjustment_answers_201_with_the_new_score,
    test_an_announcement_answers_201,
    test_approving_a_photo_solves_the_clue,
    test_events_are_the_hunts_log_with_contiguous_versions,
    test_pause_and_resume_answer_200_with_the_hunt,
)
from tests.api.test_play import (
    test_a_clue_is_locked_after_max_attempts_wrong_attempts,
    test_a_clue_not_open_is_409,
    test_a_dynamic_clue_lowers_earlier_solvers,
    test_a_gps_check_in_within_the_radius_is_correct,
    test_a_partial_answer_is_keep_going,
    test_a_right_text_answer_earns_points_and_the_first_solve_bonus,
    test_a_solved_clue_answers_already_solved_and_earns_nothing,
    test_a_taken_name_is_409,
    test_registration_closes_at_ends_at,
    test_submissions_while_paused_are_423_and_resume_afterwards,
    test_the_rate_limit_is_429_with_retry_after_in_whole_seconds,
    test_unlocking_a_hint_costs_it_once,
)
from tests.api.test_retries import (
    test_a_retried_submission_returns_the_first_response_and_records_nothing,
    test_the_same_key_with_a_different_body_is_422,
)
from tests.api.test_stream_hunt_day import (
    test_a_revision_is_announced_to_everyone_and_deltas_carry_finish_and_division,
    test_a_timed_release_reaches_each_connected_team_it_opened_for,
    test_parts_messages_and_photo_verdicts_reach_the_team,
)
from tests.integration.cluster_support import eventually, fresh_config, write_config_file

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.clocks import ManualClock
from questline.adapters.kafka.topics import ensure_topics
from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.projector import ClusterProjector
from questline.cluster.worker import PartitionWorker
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration

__all__ = [  # the imported fixtures and tests are used by pytest's collection
    "clock",
    "hunt",
    "other_team",
    "team_a",
    "team_b",
    "test_a_clue_in_parts_is_answered_part_by_part",
    "test_a_clue_is_locked_after_max_attempts_wrong_attempts",
    "test_a_clue_not_open_is_409",
    "test_a_clue_not_open_yet_is_refused_with_its_opening_time",
    "test_a_dry_run_answers_as_the_revision_would_and_writes_nothing",
    "test_a_dynamic_clue_lowers_earlier_solvers",
    "test_a_gps_check_in_within_the_radius_is_correct",
    "test_a_hunt_with_divisions_needs_a_known_one_and_ranks_each_alone",
    "test_a_message_to_a_team_is_kept_in_its_progress",
    "test_a_new_token_works_and_revoke_others_cuts_the_old_ones_off_at_once",
    "test_a_partial_answer_is_keep_going",
    "test_a_receipt_adds_up_to_the_score_and_is_the_teams_own",
    "test_a_retried_submission_returns_the_first_response_and_records_nothing",
    "test_a_revision_answers_with_its_changes_and_the_board_moves",
    "test_a_revision_is_announced_to_everyone_and_deltas_carry_finish_and_division",
    "test_a_right_text_answer_earns_points_and_the_first_solve_bonus",
    "test_a_second_review_is_409",
    "test_a_solved_clue_answers_already_solved_and_earns_nothing",
    "test_a_taken_name_is_409",
    "test_a_team_sees_its_progress",
    "test_a_team_sees_only_the_clues_open_for_it",
    "test_a_timed_release_reaches_each_connected_team_it_opened_for",
    "test_an_adjustment_answers_201_with_the_new_score",
    "test_an_announcement_answers_201",
    "test_announcements_are_listed_newest_first_for_anyone",
    "test_approving_a_photo_solves_the_clue",
    "test_client_time_is_kept_in_the_event_and_never_judged_by",
    "test_creating_a_hunt_from_yaml_answers_201_with_the_hunt",
    "test_creating_a_hunt_whose_id_exists_is_409",
    "test_during_the_freeze_the_public_sees_the_board_as_of_freeze_at",
    "test_events_are_the_hunts_log_with_contiguous_versions",
    "test_every_registered_team_is_on_the_board_ranked",
    "test_history_has_a_point_per_change_for_the_visible_top",
    "test_if_match_a_stale_revision_is_412",
    "test_near_duplicate_photos_of_two_teams_are_flagged_by_their_dhash",
    "test_parts_messages_and_photo_verdicts_reach_the_team",
    "test_past_the_freeze_the_public_and_teams_get_the_frozen_board",
    "test_pause_and_resume_answer_200_with_the_hunt",
    "test_registration_closes_at_ends_at",
    "test_submissions_while_paused_are_423_and_resume_afterwards",
    "test_the_board_at_a_past_version_is_the_board_then",
    "test_the_certificate_is_409_before_the_end_and_checks_against_the_log",
    "test_the_chain_is_recomputed_from_the_served_events_with_hashlib_and_json",
    "test_the_csv_is_rfc_4180_with_the_boards_visibility",
    "test_the_ctftime_feed_is_the_visible_standings",
    "test_the_first_solver_of_each_clue_newest_first_with_title_and_time",
    "test_the_public_lists_listed_hunts_and_organizers_all",
    "test_the_rate_limit_is_429_with_retry_after_in_whole_seconds",
    "test_the_same_bytes_are_stored_once_201_then_200",
    "test_the_same_key_with_a_different_body_is_422",
    "test_unlocking_a_hint_costs_it_once",
]


if os.environ.get("QUESTLINE_CONTRACT_ALL") == "1":
    for _module in (
        test_boards,
        test_first_solves,
        test_hunt_day,
        test_hunts,
        test_images,
        test_log_routes,
        test_organize,
        test_play,
        test_retries,
        test_stream_hunt_day,
    ):
        globals().update(
            {name: value for name, value in vars(_module).items() if name.startswith("test_")}
        )


@pytest.fixture
def cluster_config(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster, tmp_path: Path
) -> ClusterConfig:
    return msgspec.structs.replace(
        fresh_config(kafka_cluster, cassandra_cluster), photos_dir=str(tmp_path / "photos")
    )


@pytest.fixture
def log_source(cluster_config: ClusterConfig, tmp_path: Path) -> list[str]:
    """`questline certificate check` reads this cluster's Kafka log."""
    return ["--cluster", str(write_config_file(cluster_config, tmp_path / "cluster.yaml"))]


@pytest.fixture
def api(cluster_config: ClusterConfig, clock: ManualClock) -> Iterator[Api]:
    config = cluster_config
    ensure_topics(config.kafka)
    store = CassandraStore.open(config.cassandra)
    stop = threading.Event()
    worker = PartitionWorker(config, "contract-worker", clock, store.commands.find)
    projector = ClusterProjector(config, store, "contract-projector")
    threads = [
        threading.Thread(target=worker.run, args=(stop,), daemon=True),
        threading.Thread(target=projector.run, args=(stop,), daemon=True),
    ]
    for thread in threads:
        thread.start()
    node = build_api_node(config, organizer_token=ORGANIZER_TOKEN, clock=clock)
    try:
        eventually(
            lambda: len(worker.owned) == 3 and len(projector.partitions) == 3,
            "the worker and the projector to own the partitions",
            120,
        )
        with TestClient(node.app) as client:
            yield Api(client, clock, node)  # type: ignore[arg-type]
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        node.close()
        store.close()
