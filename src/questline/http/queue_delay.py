"""CoDel's test for a standing queue, applied to the event loop: a request parsed by the
server waits for the loop before the app sees it. A wait over the target now and then
is a burst; every request waiting over it for a whole interval is a queue that will not
drain by itself (Nichols and Jacobson, "Controlling Queue Delay", 2012). While such a
queue stands, writes are refused at the door (admission.py), as "Fail at Scale" (2015)
shortens queue timeouts when a queue has not been empty for a while.

The waits are those of the requests that get in; when none has for an interval (every
write refused, no reads), the queue is taken to be gone and the next write is let in
to measure it again."""


class QueueDelay:
    __slots__ = ("_above_until", "_seen", "dropping", "interval_s", "target_s")

    def __init__(self, target_s: float, interval_s: float) -> None:
        self.target_s = target_s
        self.interval_s = interval_s
        self.dropping = False
        self._above_until = 0.0  # when waits have stayed over the target this long: a queue
        self._seen = 0.0  # the last wait observed

    def observe(self, waited_s: float, now: float) -> None:
        """A request got in after waiting `waited_s` for the loop."""
        self._seen = now
        if waited_s < self.target_s:
            self._above_until = 0.0
            self.dropping = False
        elif self._above_until == 0.0:
            self._above_until = now + self.interval_s
        elif now >= self._above_until:
            self.dropping = True

    def congested(self, now: float) -> bool:
        """Whether a queue stands now (refuse writes)."""
        return self.dropping and now - self._seen < self.interval_s
