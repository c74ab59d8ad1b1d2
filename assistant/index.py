"""The published index as the service reads it, and a holder that picks up new versions without a restart."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss

from ingest.chunking import Chunk
from ingest.lexical import LexicalIndex
from ingest.pages import Owner, Page
from ingest.publish import IndexStore

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
    dense: faiss.Index

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
        return cls(
            version=str(manifest["version"]),
            folder=folder,
            manifest=manifest,
            pages=pages,
            chunks=chunks,
            lexical=LexicalIndex.load(folder),
            dense=faiss.read_index(str(folder / "dense.faiss")),
        )


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
        IndexedSection(s["anchor"], s["heading"], s["level"], tuple(s["path"]), s["line"], s["text"])
        for s in record.get("sections", [])
    )
    return IndexedPage(page=page, sections=sections, hash=record.get("hash", ""))


class IndexHolder:
    """Serves the current version; re-reads the CURRENT pointer at most every `check_seconds`.

    A request takes a reference to one KnowledgeIndex and keeps it, so swapping in a new version never
    disturbs requests already in flight.
    """

    def __init__(self, root: Path, check_seconds: float = 2.0):
        self.store = IndexStore(root)
        self.check_seconds = check_seconds
        self._index: KnowledgeIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self) -> KnowledgeIndex:
        now = time.monotonic()
        if self._index is None or now - self._checked >= self.check_seconds:
            with self._lock:
                self._checked = now
                version = self.store.current_version()
                if version is None and self._index is None:
                    raise IndexNotReady(f"no index published in {self.store.root}; run 'assistant ingest'")
                if version is not None and (self._index is None or self._index.version != version):
                    self._index = self._load(version)
        assert self._index is not None
        return self._index

    def _load(self, version: str) -> KnowledgeIndex:
        """Load a newly published version; if it cannot be read, keep serving the one already loaded."""
        try:
            return KnowledgeIndex.load(self.store.versions / version)
        except Exception:
            if self._index is None:
                raise
            log.exception("cannot load index version; still serving the previous one", extra={"version": version})
            return self._index
