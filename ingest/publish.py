"""Versioned index folders published atomically: readers follow a pointer file that is swapped in one rename.

Layout under the index root:
    CURRENT                 name of the version being served (replaced with os.replace, never edited)
    versions/<version>/     a complete index: manifest.json, pages.json, chunks.json, dense.npy, lexical-*
    versions/.staging-*     an ingest in progress; never read, removed by the next ingest
    .ingest.lock            held while an ingest or a rollback writes
    history.jsonl           one line per publish or rollback: when, what, which version
    watch.json              the last live re-index attempt (ok, or the problems that stopped it)
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

KEEP_VERSIONS = 5
VECTORS_FILE = "dense.npy"  # chunks x dimensions, float32, rows L2-normalised
UNIT_VECTORS_FILE = "units.npy"  # sentences, items and rows of every section, in pages.json order
UNIT_KEYS_FILE = "unit_keys.json"  # what each unit vector was embedded from, for reuse by the next ingest


class PublishError(Exception):
    """The index store cannot be written or has no such version."""


class IndexStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.versions = self.root / "versions"

    def current_version(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.versions / name / "manifest.json").exists() else None

    def current_dir(self) -> Path | None:
        version = self.current_version()
        return self.versions / version if version else None

    def list_versions(self) -> list[str]:
        if not self.versions.is_dir():
            return []
        return sorted(p.name for p in self.versions.iterdir() if p.is_dir() and not p.name.startswith("."))

    def manifest(self, version: str | None = None) -> dict[str, Any]:
        version = version or self.current_version()
        if not version:
            raise PublishError(f"no index has been published in {self.root}; run 'assistant ingest'")
        return json.loads((self.versions / version / "manifest.json").read_text())

    @contextmanager
    def staging(self) -> Iterator[tuple[str, Path]]:
        """A fresh folder to write a new version into. Removed unless publish() moved it into place."""
        self.versions.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        version = f"{stamp}-{secrets.token_hex(3)}"
        folder = self.versions / f".staging-{version}"
        folder.mkdir()
        try:
            yield version, folder
        finally:
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)

    def publish(self, version: str, staged: Path) -> None:
        """Move a staged version into place and point CURRENT at it; readers see old or new, never half."""
        _fsync_tree(staged)
        final = self.versions / version
        os.rename(staged, final)
        _fsync_directory(self.versions)  # the rename is durable before CURRENT can name it
        previous = self.current_version()
        self._point_at(version)
        self.record_event("publish", version, previous=previous)
        self.prune()

    def rollback(self, version: str | None = None, by: str = "") -> str:
        """Serve an earlier version: the named one, or the one before the current. Takes the ingest lock,
        so a rollback never interleaves with a publish (which could otherwise undo it a moment later)."""
        with self.lock():
            available = self.list_versions()
            current = self.current_version()
            if version is None:
                older = [v for v in available if current is None or v < current]
                if not older:
                    raise PublishError("there is no earlier version to roll back to")
                version = older[-1]
            if version not in available:
                raise PublishError(f"no version {version!r}; available: {', '.join(available) or 'none'}")
            self._point_at(version)
            self.record_event("rollback", version, previous=current, by=by)
        return version

    def record_event(self, action: str, version: str, previous: str | None = None, by: str = "") -> None:
        """Append to history.jsonl (call with the lock held): the admin page lists publishes and rollbacks."""
        self.root.mkdir(parents=True, exist_ok=True)
        entry = {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "action": action,
            "version": version,
            "previous": previous,
            "by": by,
        }
        with (self.root / "history.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest publishes and rollbacks, newest first."""
        try:
            lines = (self.root / "history.jsonl").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        entries = []
        for line in reversed(lines[-limit:]):
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a crash; the rest still reads
        return entries

    def record_watch(self, result: dict[str, Any]) -> None:
        """The last live re-index attempt, replaced atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".watch.{secrets.token_hex(4)}"
        temporary.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.root / "watch.json")

    def last_watch(self) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = json.loads((self.root / "watch.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        return result

    def prune(self, keep: int = KEEP_VERSIONS) -> None:
        current = self.current_version()
        for version in self.list_versions()[:-keep]:
            if version != current:
                shutil.rmtree(self.versions / version, ignore_errors=True)

    def clear_abandoned(self) -> None:
        """Remove staging folders left by an ingest that was killed."""
        if self.versions.is_dir():
            for leftover in self.versions.glob(".staging-*"):
                shutil.rmtree(leftover, ignore_errors=True)

    @contextmanager
    def lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".ingest.lock").open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PublishError(
                    f"another ingest is writing to {self.root}; try again when it has finished"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _point_at(self, version: str) -> None:
        pointer = self.root / f".CURRENT.{secrets.token_hex(4)}"
        with pointer.open("w") as f:
            f.write(version + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(pointer, self.root / "CURRENT")
        _fsync_directory(self.root)


def save_vectors(folder: Path, vectors: np.ndarray) -> None:
    np.save(folder / VECTORS_FILE, np.ascontiguousarray(vectors, dtype=np.float32))


def load_unit_vectors(folder: Path) -> tuple[list[str], np.ndarray]:
    """The unit keys and vectors of a version (memory-mapped); none for a version built before units."""
    path = folder / UNIT_VECTORS_FILE
    if not path.exists():
        return [], np.zeros((0, 0), np.float32)
    keys = json.loads((folder / UNIT_KEYS_FILE).read_text())
    vectors = np.load(path, mmap_mode="r")
    if len(keys) != len(vectors):
        raise ValueError(f"{len(keys)} unit keys for {len(vectors)} unit vectors")
    return keys, vectors


def load_vectors(folder: Path) -> np.ndarray:
    """The chunk vectors of a version, memory-mapped read-only: every worker process and replica on a machine
    shares one copy in the page cache, and a version's files never change once published. Versions
    published before dense.npy kept them in a FAISS flat index, read into memory here."""
    path = folder / VECTORS_FILE
    if path.exists():
        return np.load(path, mmap_mode="r")
    import faiss

    index = faiss.read_index(str(folder / "dense.faiss"))
    if index.ntotal == 0:
        return np.zeros((0, index.d), np.float32)
    return np.asarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32)


def _fsync_directory(folder: Path) -> None:
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            with path.open("rb") as f:
                os.fsync(f.fileno())
