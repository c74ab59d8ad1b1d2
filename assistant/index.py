"""The published index as the service reads it, and a holder that picks up new versions without a restart."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ingest.chunking import Chunk
from ingest.lexical import LexicalIndex
from ingest.pages import Owner, Page
from ingest.publish import IndexStore, load_unit_vectors, load_vectors
from ingest.units import Unit

log = logging.getLogger("assistant.index")


class IndexNotReady(Exception):
    """No index has been published yet."""


@dataclass(frozen=True)
class IndexedSection:
    anchor: str
    heading: str
    level: int
    path: tuple[str, ...]
    line: int
    text: str
    units: tuple[Unit, ...] = ()  # sentences, items, steps and rows, cut at ingest
    first_unit: int = -1  # row of the first unit in KnowledgeIndex.unit_vectors; -1: not embedded at ingest

    def unit_vectors(self, index: KnowledgeIndex) -> np.ndarray | None:
        """The vectors of this section's units, as embedded at ingest; None for an index without them."""
        if self.first_unit < 0 or not self.units:
            return None
        return np.asarray(index.unit_vectors[self.first_unit : self.first_unit + len(self.units)])


@dataclass(frozen=True)
class IndexedPage:
    page: Page
    sections: tuple[IndexedSection, ...]
    hash: str

    def section(self, anchor: str) -> IndexedSection | None:
        return next((s for s in self.sections if s.anchor == anchor), None)


@dataclass
class KnowledgeIndex:
    """One published version, loaded: pages, chunks, lexical and dense indexes, and its manifest."""

    version: str
    folder: Path
    manifest: dict[str, Any]
    pages: dict[str, IndexedPage]
    chunks: list[Chunk]
    lexical: LexicalIndex
    vectors: np.ndarray  # chunks x dimensions, float32, L2-normalised; memory-mapped from dense.npy
    unit_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # from units.npy

    @property
    def model_id(self) -> str:
        return str(self.manifest["model"]["id"])

    @property
    def calibration(self) -> dict[str, Any]:
        return dict(self.manifest.get("settings") or {})

    @classmethod
    def load(cls, folder: Path) -> KnowledgeIndex:
        manifest = json.loads((folder / "manifest.json").read_text())
        pages = {record["id"]: _page_from_record(record) for record in json.loads((folder / "pages.json").read_text())}
        chunks = [
            Chunk(
                id=c["id"],
                page_id=c["page_id"],
                anchor=c["anchor"],
                title=c["title"],
                heading_path=tuple(c["heading_path"]),
                text=c["text"],
                aliases=tuple(c.get("aliases", ())),
            )
            for c in json.loads((folder / "chunks.json").read_text())
        ]
        _, unit_vectors = load_unit_vectors(folder)
        if len(unit_vectors):
            pages = _number_units(pages, len(unit_vectors))
        return cls(
            version=str(manifest["version"]),
            folder=folder,
            manifest=manifest,
            pages=pages,
            chunks=chunks,
            lexical=LexicalIndex.load(folder),
            vectors=load_vectors(folder),
            unit_vectors=unit_vectors,
        )


def _number_units(pages: dict[str, IndexedPage], expected: int) -> dict[str, IndexedPage]:
    """Give each section the row of its first unit vector (units.npy holds them in pages.json order)."""
    row = 0
    numbered = {}
    for page_id, entry in pages.items():
        sections = []
        for section in entry.sections:
            sections.append(replace(section, first_unit=row))
            row += len(section.units)
        numbered[page_id] = replace(entry, sections=tuple(sections))
    if row != expected:
        raise ValueError(f"pages.json lists {row} units but units.npy holds {expected}")
    return numbered


def _page_from_record(record: dict[str, Any]) -> IndexedPage:
    def day(name: str) -> dt.date | None:
        value = record.get(name)
        return dt.date.fromisoformat(value) if value else None

    page = Page(
        id=record["id"],
        title=record["title"],
        summary=record["summary"],
        doc_type=record["doc_type"],
        owner=Owner(**record["owner"]),
        reviewed=day("reviewed") or dt.date.min,
        review_by=day("review_by") or dt.date.max,
        status=record["status"],
        body=record["body"],
        path=record["path"],
        body_line=record["body_line"],
        valid_from=day("valid_from"),
        valid_to=day("valid_to"),
        tags=tuple(record.get("tags", ())),
        aliases=tuple(record.get("aliases", ())),
    )
    sections = tuple(
        IndexedSection(
            s["anchor"],
            s["heading"],
            s["level"],
            tuple(s["path"]),
            s["line"],
            s["text"],
            tuple(Unit.from_record(u) for u in s.get("units", ())),
        )
        for s in record.get("sections", [])
    )
    return IndexedPage(page=page, sections=sections, hash=record.get("hash", ""))


class IndexHolder:
    """Serves the current version; re-reads the CURRENT pointer at most every `check_seconds`.

    A newly published version is loaded (and prepared, e.g. a searcher built for it) in a background thread
    while requests go on being served from the old one, and swapped in only when it is ready: a switch
    never fails or stalls a request. A request takes a reference to one KnowledgeIndex and keeps it, so
    the swap never disturbs a request already in flight either. A version that cannot be loaded (a truncated
    file, a disk fault) is logged and never retried; the one already loaded keeps serving, or at start the
    newest version that loads, and `degraded` says that the version served is not the one CURRENT names.
    """

    def __init__(
        self,
        root: Path,
        check_seconds: float = 2.0,
        prepare: Callable[[KnowledgeIndex], None] | None = None,
    ):
        self.store = IndexStore(root)
        self.check_seconds = check_seconds
        self.prepare = prepare
        self._index: KnowledgeIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._unloadable: set[str] = set()  # versions that could not be loaded; not retried

    def get(self) -> KnowledgeIndex:
        if self._index is None:
            with self._lock:  # the first version: requests wait for it (readiness says so meanwhile)
                if self._index is None:
                    self._index = self._first_version()
                    self._checked = time.monotonic()
            return self._index
        if time.monotonic() - self._checked >= self.check_seconds:
            self._check_for_new_version()
        return self._index

    @property
    def version(self) -> str | None:
        """The version being served, or None before the first one is loaded."""
        return self._index.version if self._index is not None else None

    @property
    def degraded(self) -> bool:
        """True when the version served is not the one CURRENT names because that one could not be loaded."""
        current = self.store.current_version()
        return self._index is not None and current in self._unloadable and self._index.version != current

    def refresh(self) -> KnowledgeIndex:
        """Check for a new version now and wait until it serves (the CLI and tests; requests never wait)."""
        if self._index is None:
            return self.get()
        self._check_for_new_version()
        loading = self._loading
        if loading is not None:
            loading.join()
        return self.get()

    def _first_version(self) -> KnowledgeIndex:
        """The version CURRENT names or, if it cannot be loaded, the newest one that can (no paths in the
        message: it reaches unauthenticated readiness checks and API errors)."""
        current = self.store.current_version()
        candidates = [current] if current else []
        candidates += [v for v in reversed(self.store.list_versions()) if v != current]
        for version in candidates:
            if version in self._unloadable:
                continue
            try:
                index = self._load(version)
            except Exception as err:
                self._unloadable.add(version)
                log.error("cannot load index version", extra={"version": version, "error": type(err).__name__})
                continue
            if version != current:
                log.warning("serving an earlier index version", extra={"version": version, "current": current})
            return index
        if candidates:
            raise IndexNotReady("no published index version can be loaded; run 'assistant ingest'")
        raise IndexNotReady("no index has been published yet; run 'assistant ingest'")

    def _check_for_new_version(self) -> None:
        with self._lock:
            self._checked = time.monotonic()
            if self._loading is not None:
                return
            version = self.store.current_version()
            if version is None or self._index is None or version == self._index.version:
                return
            if version in self._unloadable:
                return
            self._loading = threading.Thread(target=self._switch_to, args=(version,), daemon=True)
            self._loading.start()

    def _switch_to(self, version: str) -> None:
        try:
            index = self._load(version)
            self._index = index  # one reference assignment: requests see the old version or the new one
            log.info("serving new index version", extra={"version": version, "chunks": len(index.chunks)})
        except Exception:
            self._unloadable.add(version)
            log.exception("cannot load index version; still serving the previous one", extra={"version": version})
        finally:
            with self._lock:
                self._loading = None

    def _load(self, version: str) -> KnowledgeIndex:
        index = KnowledgeIndex.load(self.store.versions / version)
        if self.prepare is not None:
            self.prepare(index)
        return index
