"""Live re-indexing: notice changes in the knowledge folder, wait until the writes settle, publish.

Polling file modification times is portable (network shares, containers, editors that write by rename)
and cheap for a few thousand pages. An invalid change is reported and nothing is published: the last
good version keeps serving. Each outcome is recorded in the index store, where the admin page reads it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.embedding import Embedder
from ingest.pages import PageError, knowledge_files
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore, PublishError

log = logging.getLogger("ingest.watch")

Snapshot = dict[str, tuple[int, int]]  # relative path -> (mtime_ns, size)


def snapshot(root: Path) -> Snapshot:
    """What the folder holds now; any write, new file, rename or removal changes it."""
    if not root.is_dir():
        return {}
    found: Snapshot = {}
    for path in knowledge_files(root):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed between listing and stat
            continue
        found[str(path.relative_to(root))] = (stat.st_mtime_ns, stat.st_size)
    return found


@dataclass
class WatchResult:
    """One re-index attempt: published a version, or refused with the problems that stopped it."""

    at: str
    ok: bool
    version: str | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    published: bool = False  # False when the pages read the same as the served version

    def to_dict(self) -> dict[str, object]:
        return {
            "at": self.at,
            "ok": self.ok,
            "version": self.version,
            "published": self.published,
            "problems": self.problems,
            "seconds": self.seconds,
        }


class KnowledgeWatcher:
    """Polls `root` every `poll_seconds`; after a change, waits until nothing has changed for
    `settle_seconds`, then ingests incrementally (unchanged chunks reuse their embeddings) and publishes."""

    def __init__(
        self,
        root: Path,
        store: IndexStore,
        embedder: Embedder,
        poll_seconds: float = 1.0,
        settle_seconds: float = 1.0,
        on_result: Callable[[WatchResult], None] | None = None,
    ):
        self.root = root
        self.store = store
        self.embedder = embedder
        self.poll_seconds = poll_seconds
        self.settle_seconds = settle_seconds
        self.on_result = on_result
        self._seen: Snapshot | None = None
        self._stop = threading.Event()

    def run(self, publish_first: bool = False) -> None:
        """Watch until stop(). With publish_first, ingest once at start if the folder differs from the index."""
        self._seen = None if publish_first else snapshot(self.root)
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.poll_seconds)

    def stop(self) -> None:
        self._stop.set()

    def poll(self) -> WatchResult | None:
        """One look at the folder: re-index if it changed since the last attempt. Returns what happened."""
        current = snapshot(self.root)
        if current == self._seen:
            return None
        settled = self._settle(current)
        if settled is None:
            return None  # stopped while waiting
        result = self._reindex()
        if result is not None:
            self._seen = settled
        return result

    def _settle(self, current: Snapshot) -> Snapshot | None:
        """Debounce: an editor saving several files, or a git pull, is one change, not many."""
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < self.settle_seconds:
            if self._stop.wait(min(0.2, self.settle_seconds)):
                return None
            now = snapshot(self.root)
            if now != current:
                current, quiet_since = now, time.monotonic()
        return current

    def _reindex(self) -> WatchResult | None:
        started = time.perf_counter()
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            summary = run_ingest(self.root, self.store, self.embedder, only_if_changed=True)
        except PublishError as err:
            if "another ingest" in str(err):
                log.info("an ingest is running; trying again at the next poll")
                return None  # not seen: retried next poll
            result = WatchResult(at, ok=False, problems=[str(err)])
        except PageError as err:
            result = WatchResult(at, ok=False, problems=[str(p) for p in err.problems])
        else:
            result = WatchResult(at, ok=True, version=summary.version, published=not summary.unchanged)
        result.seconds = round(time.perf_counter() - started, 2)
        if result.ok:
            log.info(
                "%s %s after a change in %s",
                "published" if result.published else "unchanged",
                result.version,
                self.root,
            )
        else:
            log.warning(
                "change in %s not published; still serving %s: %s",
                self.root,
                self.store.current_version(),
                "; ".join(result.problems),
            )
        self.store.record_watch(result.to_dict())
        if self.on_result:
            self.on_result(result)
        return result


def start_watching(watcher: KnowledgeWatcher, publish_first: bool = True) -> threading.Thread:
    """Run a watcher in a daemon thread (how `assistant serve` re-indexes live)."""
    thread = threading.Thread(target=watcher.run, kwargs={"publish_first": publish_first}, daemon=True, name="watch")
    thread.start()
    return thread
