"""Clocks for the engine: the system's, and a hand-set one for simulations and tests."""

import threading
import time

from questline.domain.timestamps import Micros


class SystemClock:
    def now(self) -> Micros:
        return time.time_ns() // 1000


class ManualClock:
    def __init__(self, start: Micros) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> Micros:
        with self._lock:
            return self._now

    def set(self, value: Micros) -> None:
        with self._lock:
            self._now = value

    def advance(self, micros: Micros) -> None:
        with self._lock:
            self._now += micros
