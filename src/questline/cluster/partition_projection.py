"""What a projector holds for one events partition it owns."""

from dataclasses import dataclass, field

from questline.domain.hunt_state import HuntState
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import LeaderboardRow
from questline.engine.command_window import CommandWindow


@dataclass
class PartitionProjection:
    partition: int
    epoch: int
    checkpoint: int
    projector: Projector = field(default_factory=Projector)
    previous_ranks: dict[tuple[str, str, str], LeaderboardRow] = field(default_factory=dict)
    states: dict[str, HuntState] = field(default_factory=dict)  # the decision state
    # The command records a writer of the partition remembers: snapshots hold it.
    window: CommandWindow = field(default_factory=lambda: CommandWindow(0, 0))
    position: int = -1
    read_to: int = -1
    # Offsets of the snapshot memory was restored from and of those written from it:
    # when the snapshot audit discards one of them, memory is wrong too and is rebuilt.
    lineage: set[int] = field(default_factory=set)
