"""What every ReadModelStore must do; subclassed per backend (see test_sqlite.py)."""

import random

import msgspec

from questline.domain.projections.rows import (
    NO_SCORING_EVENT,
    TABLES,
    AuditRow,
    Changes,
    LeaderboardRow,
    Row,
    Table,
)
from questline.ports import Board, Store
from tests.conformance.samples import BackendCase, board_row, rows_of_every_table, team_row


def apply(store: Store, changes: Changes, checkpoint: int) -> bool:
    with store.transaction() as uow:
        return uow.read_models.apply_changes(changes, checkpoint)


def stored(store: Store, hunt_id: str | None = None) -> Changes:
    """Every stored row, keyed as change sets are."""
    rows: Changes = {}
    for table in TABLES:
        for hunt, key, row in store.read_models.rows(table, hunt_id):
            assert (table, hunt, key) not in rows
            rows[(table, hunt, key)] = row
    return rows


def on_board(table: Table, hunt_id: str, rows: list[LeaderboardRow]) -> Changes:
    return {(table, hunt_id, row.team_id): row for row in rows}


def present(changes: Changes) -> dict[tuple[Table, str, str], Row]:
    return {key: row for key, row in changes.items() if row is not None}


def a_field() -> list[LeaderboardRow]:
    """Twelve teams with ties on score and on last scoring event, and some with none."""
    return [
        board_row("t-1", 100, 9, 1),
        board_row("t-2", 100, 4, 2),
        board_row("t-3", 250, 12, 3),
        board_row("t-4", 100, 4, 4),  # ties t-2 on score and last event: order decides
        board_row("t-5", 0, NO_SCORING_EVENT, 5),
        board_row("t-6", 0, 3, 6),
        board_row("t-7", -20, 8, 7),
        board_row("t-8", 0, NO_SCORING_EVENT, 8),
        board_row("t-9", 250, 11, 9),
        board_row("t-10", 100, 4, 10),
        board_row("t-11", 2**40, 20, 11),
        board_row("t-12", 0, NO_SCORING_EVENT, 12),
    ]


class ReadModelStoreConformance(BackendCase):
    def test_a_new_store_is_empty(self, store: Store) -> None:
        models = store.read_models
        assert models.checkpoint() == 0
        assert stored(store) == {}
        assert models.get("teams", "h", "t-1") is None
        assert models.get("leaderboard_live", "h", "t-1") is None
        assert models.leaderboard("h", "live", 10, 0) == []
        assert models.rank("h", "live", "t-1") is None
        assert models.team_by_token("token") is None

    def test_rows_of_every_table_round_trip(self, store: Store) -> None:
        rows = rows_of_every_table("h") | rows_of_every_table("g", salt="-g")
        assert apply(store, rows, 10)
        assert store.read_models.checkpoint() == 10
        assert stored(store) == rows
        for (table, hunt_id, key), row in rows.items():
            assert store.read_models.get(table, hunt_id, key) == row
        assert stored(store, "h") == rows_of_every_table("h")
        assert stored(store, "nobody") == {}
        assert store.read_models.get("teams", "h", "t-2") is None
        assert store.read_models.get("teams", "nobody", "t-1") is None

    def test_the_two_boards_are_kept_apart(self, store: Store) -> None:
        apply(
            store,
            {
                ("leaderboard_live", "h", "t-1"): board_row("t-1", 10, 2, 1),
                ("leaderboard_frozen", "h", "t-2"): board_row("t-2", 5, 3, 2),
            },
            1,
        )
        assert store.read_models.leaderboard("h", "live", 10, 0) == [board_row("t-1", 10, 2, 1)]
        assert store.read_models.leaderboard("h", "frozen", 10, 0) == [board_row("t-2", 5, 3, 2)]
        assert store.read_models.get("leaderboard_frozen", "h", "t-1") is None
        assert store.read_models.rank("h", "frozen", "t-1") is None
        assert store.read_models.rank("h", "live", "t-1") == 1

    def test_later_changes_overwrite_rows_and_none_deletes_them(self, store: Store) -> None:
        rows = rows_of_every_table("h")
        apply(store, rows, 3)
        newer = rows_of_every_table("h", salt="-v2")
        apply(store, newer, 4)
        assert stored(store) == newer
        deletions: Changes = dict.fromkeys(rows)
        apply(store, deletions, 5)
        assert stored(store) == {}
        assert store.read_models.leaderboard("h", "live", 10, 0) == []
        assert store.read_models.team_by_token("token-h-v2") is None
        assert store.read_models.checkpoint() == 5

    def test_change_sets_at_or_below_the_checkpoint_are_ignored(self, store: Store) -> None:
        rows = rows_of_every_table("h")
        assert apply(store, rows, 7)
        assert not apply(store, rows_of_every_table("h", salt="-late"), 7)
        assert not apply(store, dict.fromkeys(rows), 6)
        assert not apply(store, {("audit", "h", "x"): AuditRow(1, 2, "x", None, "x")}, 1)
        assert store.read_models.checkpoint() == 7
        assert stored(store) == rows
        assert apply(store, {}, 8)
        assert store.read_models.checkpoint() == 8
        assert stored(store) == rows

    def test_the_leaderboard_pages_through_teams_in_rank_order(self, store: Store) -> None:
        field = a_field()
        shuffled = list(field)
        random.Random(7).shuffle(shuffled)
        apply(store, on_board("leaderboard_live", "h", shuffled), 1)
        expected = sorted(field, key=lambda r: (-r.score, r.last_scoring_version, r.order))
        models = store.read_models
        assert models.leaderboard("h", "live", 100, 0) == expected
        for limit in (1, 3, 5, 12, 13):
            for offset in (0, 1, 4, 11, 12, 20):
                page = models.leaderboard("h", "live", limit, offset)
                assert page == expected[offset : offset + limit], (limit, offset)
        for rank, row in enumerate(expected, start=1):
            assert models.rank("h", "live", row.team_id) == rank
        assert models.rank("h", "live", "t-99") is None
        assert models.leaderboard("other", "live", 100, 0) == []

    def test_a_page_far_past_the_end_is_empty(self, store: Store) -> None:
        apply(store, on_board("leaderboard_live", "h", a_field()), 1)
        largest = 2**63 - 1  # the API lets `offset` reach the largest 64-bit integer
        assert store.read_models.leaderboard("h", "live", 100, largest) == []
        assert store.read_models.leaderboard("h", "live", 100, largest - 100) == []

    def test_ranks_follow_changed_scores(self, store: Store) -> None:
        apply(store, on_board("leaderboard_live", "h", a_field()), 1)
        apply(store, {("leaderboard_live", "h", "t-12"): board_row("t-12", 2**41, 30, 12)}, 2)
        assert store.read_models.rank("h", "live", "t-12") == 1
        assert store.read_models.leaderboard("h", "live", 2, 0)[1].team_id == "t-11"
        apply(store, {("leaderboard_live", "h", "t-12"): None}, 3)
        assert store.read_models.rank("h", "live", "t-12") is None
        assert len(store.read_models.leaderboard("h", "live", 100, 0)) == 11

    def test_leaderboards_are_per_hunt(self, store: Store) -> None:
        apply(
            store,
            on_board("leaderboard_live", "h", a_field())
            | {("leaderboard_live", "g", "t-1"): board_row("t-1", -1, 1, 1)},
            1,
        )
        assert store.read_models.leaderboard("g", "live", 10, 0) == [board_row("t-1", -1, 1, 1)]
        assert store.read_models.rank("g", "live", "t-1") == 1
        assert len(store.read_models.leaderboard("h", "live", 100, 0)) == 12

    def test_a_team_is_found_by_its_token_hash(self, store: Store) -> None:
        apply(
            store,
            {
                ("teams", "h", "t-1"): team_row("t-1", "hash-one"),
                ("teams", "h", "t-2"): team_row("t-2", "hash-two", 2),
                ("teams", "g", "t-1"): team_row("t-1", "hash-three"),
            },
            1,
        )
        models = store.read_models
        assert models.team_by_token("hash-one") == ("h", "t-1")
        assert models.team_by_token("hash-two") == ("h", "t-2")
        assert models.team_by_token("hash-three") == ("g", "t-1")
        assert models.team_by_token("hash-four") is None
        apply(store, {("teams", "h", "t-1"): team_row("t-1", "hash-new")}, 2)
        assert models.team_by_token("hash-one") is None
        assert models.team_by_token("hash-new") == ("h", "t-1")

    def test_every_change_to_a_teams_fixed_part_is_stored(self, store: Store) -> None:
        """Writers may skip what they stored before; never a change, and never one
        team's row for another's, even two rows that claim one registration order."""
        first, second = team_row("t-1", "hash-one"), team_row("t-2", "hash-two")
        apply(store, {("teams", "h", "t-1"): first, ("teams", "h", "t-2"): second}, 1)
        renamed = msgspec.structs.replace(first, name="Renamed", tokens=["hash-one"])
        apply(store, {("teams", "h", "t-1"): renamed, ("teams", "h", "t-2"): second}, 2)
        apply(store, {("teams", "h", "t-1"): renamed}, 3)
        far = msgspec.structs.replace(second, order=2**30, tokens=["hash-far"])
        apply(store, {("teams", "h", "t-2"): far}, 4)
        models = store.read_models
        assert models.get("teams", "h", "t-1") == renamed
        assert models.get("teams", "h", "t-2") == far
        assert models.team_by_token("hash-one-second") is None
        assert models.team_by_token("hash-two") is None
        assert models.team_by_token("hash-far") == ("h", "t-2")

    def test_replace_hunt_swaps_the_rows_of_that_hunt_only(self, store: Store) -> None:
        h, g = rows_of_every_table("h"), rows_of_every_table("g", salt="-g")
        apply(store, h | g, 9)
        fresh = rows_of_every_table("h", salt="-fresh")
        del fresh[("reviews", "h", "p-1")]
        with store.transaction() as uow:
            uow.read_models.replace_hunt("h", fresh)
        assert stored(store, "h") == fresh
        assert stored(store, "g") == g
        assert store.read_models.get("reviews", "h", "p-1") is None
        assert store.read_models.checkpoint() == 9
        with store.transaction() as uow:
            uow.read_models.replace_hunt("h", {})
        assert stored(store) == g

    def test_replace_all_swaps_every_row_and_sets_the_checkpoint(self, store: Store) -> None:
        apply(store, rows_of_every_table("h") | rows_of_every_table("g", salt="-g"), 9)
        fresh = rows_of_every_table("k", salt="-k")
        with store.transaction() as uow:
            uow.read_models.replace_all(fresh, 4)
        assert stored(store) == present(fresh)
        assert store.read_models.checkpoint() == 4
        assert store.read_models.team_by_token("token-h") is None
        assert not apply(store, rows_of_every_table("h"), 4)
        assert apply(store, rows_of_every_table("h"), 5)

    def test_boards_rank_by_score_then_earlier_scoring_then_registration(
        self, store: Store
    ) -> None:
        board: Board = "frozen"
        rows = [
            board_row("late-scorer", 50, 20, 1),
            board_row("early-scorer", 50, 10, 2),
            board_row("never-scored", 50, NO_SCORING_EVENT, 3),
            board_row("registered-first", 50, 10, 1),
        ]
        apply(store, on_board("leaderboard_frozen", "h", rows), 1)
        names = [r.team_id for r in store.read_models.leaderboard("h", board, 10, 0)]
        assert names == ["registered-first", "early-scorer", "late-scorer", "never-scored"]
        ranks = [store.read_models.rank("h", board, name) for name in names]
        assert ranks == [1, 2, 3, 4]
