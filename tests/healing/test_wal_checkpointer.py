"""The WAL checkpointer's thread never dies with a traceback, and never creates a
database file: when the file cannot be opened it stops, and the writer's automatic
checkpoint carries on."""

import logging
import threading
from pathlib import Path

import pytest

from questline.adapters.sqlite.store import WalCheckpointer


def test_a_file_gone_before_the_first_checkpoint_stops_the_thread_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    failures: list[threading.ExceptHookArgs] = []
    previous, threading.excepthook = threading.excepthook, failures.append
    try:
        missing = tmp_path / "gone.db"
        checkpointer = WalCheckpointer(missing)
        with caplog.at_level(logging.WARNING, "questline.adapters.sqlite.store"):
            checkpointer.committed()
            checkpointer.stop()  # joins the thread
    finally:
        threading.excepthook = previous
    assert failures == []
    assert not missing.exists()
    assert "no WAL checkpoints beside the writer" in caplog.text
