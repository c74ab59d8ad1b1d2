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
from ingest.publish import (
    UNIT_KEYS_FILE,
    UNIT_VECTORS_FILE,
    IndexStore,
    PublishError,
    load_unit_vectors,
    load_vectors,
    save_vectors,
)
from ingest.units import Unit, embedding_text, section_units, unit_key

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

        vectors, embedded = _embed_reusing(
            [(c.key, c.embedding_text) for c in chunks], embedder, previous.vectors, report, "embed"
        )
        units = {(s.page_id, s.anchor): section_units(s.blocks) for s in sections}
        unit_texts = [
            (unit_key(s.heading, u), embedding_text(s.heading, u)) for s in sections for u in units[s.page_id, s.anchor]
        ]
        unit_vectors, _ = _embed_reusing(unit_texts, embedder, previous.unit_vectors, report, "units")
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
                _write_version(folder, pages, sections, chunks, lexical, vectors, page_hashes, units)
                _write_units(folder, [key for key, _ in unit_texts], unit_vectors)
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
    unit_vectors: dict[str, np.ndarray] = field(default_factory=dict)


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
    try:  # sentence vectors are an optimisation to reuse; a version without them (or damaged ones) has none
        unit_keys, unit_stored = load_unit_vectors(folder)
        units = (
            dict(zip(unit_keys, np.array(unit_stored), strict=True)) if unit_stored.shape[1:] == (dimensions,) else {}
        )
    except Exception:
        units = {}
    return _PreviousState(vectors, hashes, settings, unit_vectors=units)


def _unreadable(folder: Path, what: str, err: Exception) -> str:
    reason = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
    return f"version {folder.name}: {what} could not be read ({reason}); every chunk was embedded afresh"


def _embed_reusing(
    texts: Sequence[tuple[str, str]], embedder: Embedder, known: dict[str, np.ndarray], report: Progress, stage: str
) -> tuple[np.ndarray, int]:
    """Vectors for (key, text) pairs as passages, taking those of the previous version by key."""
    vectors = np.zeros((len(texts), embedder.dimensions), dtype=np.float32)
    missing = [i for i, (key, _) in enumerate(texts) if key not in known]
    for i, (key, _) in enumerate(texts):
        if key in known:
            vectors[i] = known[key]
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        report(stage, done, len(missing))

    report(stage, 0, len(missing))
    if missing:
        fresh = embedder.embed_many([texts[i][1] for i in missing], progress=advance, kind="passage")
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
    units: dict[tuple[str, str], list[Unit]],
) -> None:
    by_page: dict[str, list[dict[str, object]]] = {}
    for s in sections:
        entry = {
            "anchor": s.anchor,
            "heading": s.heading,
            "level": s.level,
            "path": list(s.path),
            "line": s.line,
            "units": [u.to_record() for u in units[s.page_id, s.anchor]],
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


def _write_units(folder: Path, keys: list[str], vectors: np.ndarray) -> None:
    """Unit vectors in the order of the units in pages.json (section by section), with their keys."""
    (folder / UNIT_KEYS_FILE).write_text(json.dumps(keys))
    np.save(folder / UNIT_VECTORS_FILE, np.ascontiguousarray(vectors, dtype=np.float32))


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
