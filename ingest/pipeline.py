"""Ingest: pages -> sections -> chunks -> embeddings + lexical index -> a new published index version."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunking import Chunk, chunk_section
from ingest.embedding import Embedder
from ingest.lexical import LexicalIndex
from ingest.markdown import Section, split_sections
from ingest.pages import Page, PageError, PageProblem, read_knowledge
from ingest.publish import IndexStore, PublishError, load_vectors, save_vectors

# stage name, done, total: the CLI draws a progress bar from these
Progress = Callable[[str, int, int], None]


@dataclass
class IngestSummary:
    version: str
    pages: int
    sections: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    skipped: list[str] = field(default_factory=list)
    changed_pages: list[str] = field(default_factory=list)  # added or changed since the previous version
    deleted_pages: list[str] = field(default_factory=list)
    added_pages: list[str] = field(default_factory=list)
    unchanged: bool = False  # nothing differed from the served version, so nothing was published
    warnings: list[str] = field(default_factory=list)  # e.g. a damaged previous version that was not reused

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def run_ingest(
    knowledge_dir: Path,
    store: IndexStore,
    embedder: Embedder,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    settings: dict[str, object] | None = None,
    only_if_changed: bool = False,
) -> IngestSummary:
    """Read, validate and publish the knowledge folder. Invalid pages abort (live index untouched) unless
    skip_invalid, in which case the valid pages are published and the rest listed in the summary."""
    pages, problems = read_knowledge(knowledge_dir)
    if problems and (not skip_invalid or not pages):
        raise PageError(problems)
    return publish_pages(
        pages, store, embedder, progress=progress, skipped=problems, settings=settings, only_if_changed=only_if_changed
    )


def publish_pages(
    pages: Sequence[Page],
    store: IndexStore,
    embedder: Embedder,
    progress: Progress | None = None,
    skipped: Sequence[PageProblem] = (),
    settings: dict[str, object] | None = None,
    replaces: str | None = None,
    only_if_changed: bool = False,
) -> IngestSummary:
    """Build and atomically publish a new index version from already validated pages. With `replaces`,
    refuse if another version was published since that one was read (a republish must not undo an ingest)."""
    started = time.perf_counter()
    report = progress or (lambda _stage, _done, _total: None)
    with store.lock():
        if replaces is not None and store.current_version() != replaces:
            raise PublishError(f"the index changed since version {replaces} was read; run the command again")
        store.clear_abandoned()
        previous_dir = store.current_dir()
        previous = _previous_state(previous_dir, embedder.model_id, embedder.dimensions)
        page_hashes = {page.id: page_hash(page) for page in pages}
        unchanged = previous_dir is not None and page_hashes == previous.page_hashes and not previous.warnings
        if only_if_changed and unchanged:  # a damaged served version is republished, never left as it is
            return IngestSummary(str(store.current_version()), len(pages), 0, 0, 0, 0, 0.0, unchanged=True)

        sections: list[Section] = []
        chunks: list[Chunk] = []
        for n, page in enumerate(pages, 1):
            page_sections = split_sections(page)
            sections.extend(page_sections)
            for section in page_sections:
                if section.blocks:
                    chunks.extend(
                        chunk_section(section, page.title, embedder.count_tokens, embedder.max_tokens, page.aliases)
                    )
            report("parse", n, len(pages))

        vectors, embedded = _embed_reusing(chunks, embedder, previous.vectors, report)
        report("index", 0, 1)
        lexical = LexicalIndex.build(chunks)
        report("index", 1, 1)

        changed = sorted(pid for pid, h in page_hashes.items() if previous.page_hashes.get(pid) != h)
        deleted = sorted(set(previous.page_hashes) - set(page_hashes))
        added = sorted(set(page_hashes) - set(previous.page_hashes))
        with store.staging() as (version, folder):
            summary = IngestSummary(
                version=version,
                pages=len(pages),
                sections=len(sections),
                chunks=len(chunks),
                embedded=embedded,
                reused=len(chunks) - embedded,
                seconds=0.0,
                skipped=[str(p) for p in skipped],
                changed_pages=changed,
                deleted_pages=deleted,
                added_pages=added,
                warnings=previous.warnings,
            )
            try:
                _write_version(folder, pages, sections, chunks, lexical, vectors, page_hashes)
                summary.seconds = round(time.perf_counter() - started, 2)
                manifest = _manifest(
                    summary, embedder, chunks, page_hashes, settings or previous.settings, store.current_version()
                )
                (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
                store.publish(version, folder)
            except OSError as err:  # a full disk, a quota, a permission
                raise PublishError(
                    f"the new index version could not be written to {store.root} ({err.strerror or err}); "
                    "the version being served is unchanged. Free space and run 'assistant ingest' again"
                ) from err
    return summary


@dataclass
class _PreviousState:
    vectors: dict[str, np.ndarray]
    page_hashes: dict[str, str]
    settings: dict[str, object]
    warnings: list[str] = field(default_factory=list)


def _previous_state(folder: Path | None, model_id: str, dimensions: int) -> _PreviousState:
    """Embeddings of the serving version by chunk key, reusable when the model is the same.

    What cannot be read (a truncated file, a disk fault) is not reused: its chunks are embedded afresh and
    the new version is published anyway, which is how a damaged current version gets repaired."""
    if folder is None:
        return _PreviousState({}, {}, {})
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        settings = dict(manifest.get("settings") or {})
        hashes = dict(manifest.get("page_hashes") or {})
        same_model = manifest.get("model", {}).get("id") == model_id
    except Exception as err:
        return _PreviousState({}, {}, {}, [_unreadable(folder, "manifest.json", err)])
    if not same_model:
        return _PreviousState({}, hashes, {})  # calibration belongs to the model it was made for
    try:
        keys = json.loads((folder / "chunk_keys.json").read_text())
        stored = load_vectors(folder)
        if stored.ndim != 2 or stored.shape[1] != dimensions:
            raise ValueError(f"vectors of shape {stored.shape}, the model has {dimensions} dimensions")
        vectors = dict(zip(keys, np.array(stored), strict=True))
    except Exception as err:
        return _PreviousState({}, hashes, settings, [_unreadable(folder, "its embeddings", err)])
    return _PreviousState(vectors, hashes, settings)


def _unreadable(folder: Path, what: str, err: Exception) -> str:
    reason = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
    return f"version {folder.name}: {what} could not be read ({reason}); every chunk was embedded afresh"


def _embed_reusing(
    chunks: Sequence[Chunk], embedder: Embedder, known: dict[str, np.ndarray], report: Progress
) -> tuple[np.ndarray, int]:
    vectors = np.zeros((len(chunks), embedder.dimensions), dtype=np.float32)
    missing = [i for i, chunk in enumerate(chunks) if chunk.key not in known]
    for i, chunk in enumerate(chunks):
        if chunk.key in known:
            vectors[i] = known[chunk.key]
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        report("embed", done, len(missing))

    report("embed", 0, len(missing))
    if missing:
        fresh = embedder.embed_many([chunks[i].embedding_text for i in missing], progress=advance)
        vectors[missing] = fresh
    return vectors, len(missing)


def _write_version(
    folder: Path,
    pages: Sequence[Page],
    sections: Sequence[Section],
    chunks: Sequence[Chunk],
    lexical: LexicalIndex,
    vectors: np.ndarray,
    page_hashes: dict[str, str],
) -> None:
    by_page: dict[str, list[dict[str, object]]] = {}
    for s in sections:
        entry = {
            "anchor": s.anchor,
            "heading": s.heading,
            "level": s.level,
            "path": list(s.path),
            "line": s.line,
        }
        by_page.setdefault(s.page_id, []).append({**entry, "text": s.text})
    records = [{**_page_record(p), "sections": by_page.get(p.id, []), "hash": page_hashes[p.id]} for p in pages]
    (folder / "pages.json").write_text(json.dumps(records, ensure_ascii=False))
    chunk_records = [
        {
            "id": c.id,
            "page_id": c.page_id,
            "anchor": c.anchor,
            "title": c.title,
            "heading_path": list(c.heading_path),
            "text": c.text,
            "aliases": list(c.aliases),
        }
        for c in chunks
    ]
    (folder / "chunks.json").write_text(json.dumps(chunk_records, ensure_ascii=False))
    (folder / "chunk_keys.json").write_text(json.dumps([c.key for c in chunks]))
    save_vectors(folder, vectors)
    lexical.save(folder)


def _page_record(page: Page) -> dict[str, object]:
    record = asdict(page)
    for name in ("reviewed", "review_by", "valid_from", "valid_to"):
        value = record[name]
        record[name] = value.isoformat() if isinstance(value, dt.date) else None
    return record


def page_hash(page: Page) -> str:
    """What a page's content is, for telling changed pages apart (and a corpus from the live index)."""
    return hashlib.sha256(json.dumps(_page_record(page), ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:32]


def _manifest(
    summary: IngestSummary,
    embedder: Embedder,
    chunks: Sequence[Chunk],
    page_hashes: dict[str, str],
    settings: dict[str, object],
    previous_version: str | None,
) -> dict[str, object]:
    content = hashlib.sha256("".join(sorted(c.key for c in chunks)).encode()).hexdigest()
    return {
        "version": summary.version,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model": {
            "id": embedder.model_id,
            "dimensions": embedder.dimensions,
            "max_tokens": embedder.max_tokens,
        },
        "counts": {
            "pages": summary.pages,
            "sections": summary.sections,
            "chunks": summary.chunks,
            "embedded": summary.embedded,
            "reused": summary.reused,
        },
        "content_hash": content,
        "page_hashes": page_hashes,
        # what changed against the version served when this one was built (the admin page shows it)
        "changes": {
            "previous": previous_version,
            "added": summary.added_pages,
            "changed": sorted(set(summary.changed_pages) - set(summary.added_pages)),
            "removed": summary.deleted_pages,
        },
        "skipped": summary.skipped,
        "seconds": summary.seconds,
        "settings": settings,
    }
