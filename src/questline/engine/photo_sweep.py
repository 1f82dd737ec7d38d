"""The photo folder holds the photos committed events refer to, and nothing else.

How a photo is stored (issue 12): the upload streams into the folder's upload
area; the command runs; only if it is accepted (`pending_review`) is the file
renamed into the store, after the commit and before the answer, so an
acknowledged photo is always on disk, and a refused one is removed at once.
Storing first and deleting on refusal was the other way; it loses, because
photos are named by their digest: the same bytes may already be stored for an
earlier event (a team sending its rejected photo again, two teams one picture),
and a refusal would delete a photo another event needs, or race a concurrent
upload of the same bytes. Here the request path never deletes from the store.

What the request path cannot settle, this sweeper does, a round every
`interval` seconds:
- an upload a committed event refers to that is not stored (the process died
  between the commit and the rename, or the reply was lost to a timeout and the
  request gave up): stored now ("recovered");
- any other upload not touched for `stale_after` seconds (the same, for
  commands that did not commit; a crash mid-upload): removed;
- a stored photo no committed event refers to, not written for `grace`
  seconds (a crash of an older version that stored before deciding, a hand
  copy): removed ("orphan").

The references are read AFTER the folder is listed: a photo is stored only
after its event committed, so the references include every listed photo as
soon as the read side has applied what was committed before the listing; at
once in the embedded shape (read models commit with the events), after the
projectors pass the log's end in the cluster (cluster/photo_references.py). A
`references` that cannot tell returns None and the round is skipped. `grace`
covers the rest; a photo written again meanwhile is put back (`drop_stored`).
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from questline.domain.projections.rows import ReviewRow
from questline.observability import metrics
from questline.ports import PhotoFiles, ReadModelReader

log = logging.getLogger(__name__)

References = Callable[[], set[str] | None]


def referenced_photos(read_models: ReadModelReader) -> set[str]:
    """Every photo a PhotoSubmitted event refers to: one review row each, kept for good."""
    return {row.photo_id for _, _, row in read_models.rows("reviews") if isinstance(row, ReviewRow)}


@dataclass(frozen=True)
class SweepResult:
    recovered: int = 0
    stale_uploads_removed: int = 0
    orphans_removed: int = 0


@dataclass
class PhotoSweepStats:
    sweeps: int = 0
    skipped: int = 0  # rounds whose references could not be read completely
    recovered: int = 0
    stale_uploads_removed: int = 0
    orphans_removed: int = 0
    last_sweep_at: float | None = None  # time.time() of the last finished sweep


class PhotoSweeper:
    def __init__(
        self,
        files: PhotoFiles,
        references: References,
        *,
        interval: float = 60.0,
        grace: float = 600.0,
        stale_after: float = 600.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.files = files
        self.references = references
        self.interval = interval
        self.grace = grace
        self.stale_after = stale_after
        self.wall_clock = wall_clock  # file times are wall-clock times
        self.stats = PhotoSweepStats()
        self._next = time.monotonic()  # the first round runs at once: recover after a crash
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def maybe_sweep(self) -> SweepResult | None:
        if time.monotonic() < self._next:
            return None
        self._next = time.monotonic() + self.interval
        return self.sweep()

    def sweep(self) -> SweepResult | None:
        """One round (None: skipped, the references were not complete)."""
        listed_at = self.wall_clock()
        stored = self.files.stored()
        incoming = self.files.incoming()
        referenced = self.references()
        if referenced is None:
            self.stats.skipped += 1
            log.info("photo sweep skipped: the references are not complete yet")
            return None
        recovered = stale = orphans = 0
        for upload in incoming:
            digest = upload.digest
            if (
                digest is not None
                and digest in referenced
                and digest not in stored
                and self.files.adopt(upload.name)
            ):
                recovered += 1
                stored[digest] = listed_at  # stored now: not adopted twice, not an orphan
            elif listed_at - upload.modified_at >= self.stale_after:
                stale += self.files.drop_incoming(upload.name)
        for digest, modified_at in stored.items():
            old_enough = listed_at - modified_at >= self.grace
            if digest not in referenced and old_enough:
                orphans += self.files.drop_stored(digest, listed_at - self.grace)
        return self._record(SweepResult(recovered, stale, orphans), listed_at)

    def _record(self, result: SweepResult, at: float) -> SweepResult:
        stats = self.stats
        stats.sweeps += 1
        stats.recovered += result.recovered
        stats.stale_uploads_removed += result.stale_uploads_removed
        stats.orphans_removed += result.orphans_removed
        stats.last_sweep_at = at
        if result.recovered:
            metrics.PHOTOS_RECOVERED.inc(result.recovered)
            log.warning(
                "photo sweep stored %d upload(s) a committed event refers to (left by a crash"
                " or a lost reply)",
                result.recovered,
            )
        if result.stale_uploads_removed:
            metrics.PHOTOS_SWEPT.labels("stale_upload").inc(result.stale_uploads_removed)
        if result.orphans_removed:
            metrics.PHOTOS_SWEPT.labels("orphan").inc(result.orphans_removed)
        if result.stale_uploads_removed or result.orphans_removed:
            log.warning(
                "photo sweep removed %d stored photo(s) no committed event refers to and %d"
                " stale upload(s)",
                result.orphans_removed,
                result.stale_uploads_removed,
            )
        return result

    # -- on a thread of its own (where no reconciler drives it) --------------------------

    def start(self) -> None:
        """Sweep every `interval` seconds, the first time one interval from now."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="questline-photo-sweep", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop the thread; False if a sweep still runs after `timeout` seconds (a store
        that does not answer: the daemon thread is left to end with the process)."""
        thread = self._thread
        if thread is None:
            return True
        self._stop.set()
        thread.join(timeout)
        self._thread = None
        return not thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sweep()
            except Exception:  # the next round tries again
                metrics.RECONCILE_ERRORS.inc()
                log.exception("photo sweep failed")
