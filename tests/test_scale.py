"""What lets the service serve a large index from several processes: memory-mapped vectors and postings,
a version switch that never makes a request wait or fail, and the per-stage timings the benchmark reads."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from scipy import sparse

from assistant.index import IndexHolder, KnowledgeIndex
from assistant.metrics import STAGES
from ingest.embedding import load_embedder
from ingest.lexical import BM25
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore


def current(store: IndexStore) -> Path:
    folder = store.current_dir()
    assert folder is not None
    return folder


def test_index_vectors_and_postings_are_memory_mapped(published: IndexStore) -> None:
    index = KnowledgeIndex.load(current(published))
    assert isinstance(index.vectors, np.memmap) and not index.vectors.flags.writeable
    assert index.vectors.shape == (len(index.chunks), 256)
    for bm25 in (index.lexical.words, index.lexical.grams, index.lexical.pairs):
        assert bm25 is not None and isinstance(bm25.rows, np.memmap) and isinstance(bm25.weights, np.memmap)
    assert index.lexical.pages is not None and index.lexical.pages.vocabulary is index.lexical.words.vocabulary


def test_bm25_postings_score_like_the_sparse_matrix_they_replace(tmp_path: Path) -> None:
    documents = [{"ansök": 2.0, "tid": 1.0}, {"tid": 3.0}, {"beslut": 1.0, "ansök": 1.0}, {}]
    bm25 = BM25.build(documents)
    matrix = sparse.csc_matrix((bm25.weights, bm25.rows, bm25.indptr), shape=(4, len(bm25.vocabulary)))
    query = bm25.query_vector(["ansök", "tid", "okänt"])
    assert np.allclose(bm25.score_vector(query), matrix @ query)
    assert bm25.scores(["okänt"]).tolist() == [0.0, 0.0, 0.0, 0.0]
    bm25.save(tmp_path, "x")
    loaded = BM25.load(tmp_path, "x")
    assert np.allclose(loaded.scores(["ansök", "beslut"]), bm25.scores(["ansök", "beslut"]))
    assert loaded.scores(["ansök"])[0] > loaded.scores(["ansök"])[2] > 0  # term frequency counts


def test_index_published_before_memory_mapping_still_loads(published: IndexStore) -> None:
    """Versions kept from before (FAISS vectors, sparse-matrix postings) serve and can be rolled back to."""
    import faiss

    folder = current(published)
    fresh = KnowledgeIndex.load(folder)
    vectors = np.array(fresh.vectors)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    faiss.write_index(flat, str(folder / "dense.faiss"))
    (folder / "dense.npy").unlink()
    for name in ("lexical-words", "lexical-grams"):
        bm25 = BM25.load(folder, name)
        matrix = sparse.csc_matrix((bm25.weights, bm25.rows, bm25.indptr), shape=(bm25.documents, len(bm25.idfs)))
        sparse.save_npz(folder / f"{name}.npz", matrix.tocsr())
        np.save(folder / f"{name}.idf.npy", np.array(bm25.idfs))
        for part in ("indptr", "rows", "weights", "idfs"):
            (folder / f"{name}.{part}.npy").unlink()
        (folder / f"{name}.json").unlink()
    old = KnowledgeIndex.load(folder)
    assert np.allclose(old.vectors, vectors)
    assert np.allclose(old.lexical.grams.scores(["<jäv>"]), fresh.lexical.grams.scores(["<jäv>"]))


def test_new_version_is_loaded_in_the_background_while_the_old_one_serves(
    knowledge_dir: Path, published: IndexStore
) -> None:
    release = threading.Event()
    prepared: list[str] = []

    def slow_prepare(index: KnowledgeIndex) -> None:
        prepared.append(index.version)
        if len(prepared) > 1:
            assert release.wait(10)

    holder = IndexHolder(published.root, check_seconds=0.0, prepare=slow_prepare)
    old = holder.get().version
    new = run_ingest(knowledge_dir, published, load_embedder("hash-demo"), settings={"x": 1}).version
    assert holder.get().version == old  # the switch has started; this request does not wait for it
    assert [holder.get().version for _ in range(20)] == [old] * 20
    release.set()
    assert holder.refresh().version == new
    assert prepared == [old, new]


def test_version_that_cannot_be_prepared_is_skipped(knowledge_dir: Path, published: IndexStore) -> None:
    def refuse_second(index: KnowledgeIndex) -> None:
        if index.version != first:
            raise RuntimeError("wrong model")

    first = published.current_version()
    holder = IndexHolder(published.root, check_seconds=0.0, prepare=refuse_second)
    assert holder.get().version == first
    run_ingest(knowledge_dir, published, load_embedder("hash-demo"), settings={"x": 1})
    assert holder.refresh().version == first
    assert holder.refresh().version == first  # tried once, not on every request


def stage_counts(metrics: str) -> dict[str, float]:
    counts = {}
    for line in metrics.splitlines():
        if line.startswith("assistant_stage_seconds_count{"):
            name = line.split('stage="')[1].split('"')[0]
            counts[name] = float(line.rsplit(" ", 1)[1])
    return counts


def test_every_stage_of_an_answer_is_timed_in_metrics(client: TestClient) -> None:
    before = stage_counts(client.get("/metrics").text)
    response = client.post("/api/ask", json={"question": "Vem prövar jäv?"})
    assert response.status_code == 200
    after = stage_counts(client.get("/metrics").text)
    assert set(after) == set(STAGES)
    assert {name: after[name] - before.get(name, 0) for name in STAGES} == dict.fromkeys(STAGES, 1.0)


def test_server_is_warm_before_it_takes_requests(client: TestClient) -> None:
    """The fixture's TestClient runs the app's start-up: the index and searcher are loaded already."""
    assistant = client.app.state.assistant  # type: ignore[attr-defined]
    assert assistant.indexes.version is not None and assistant._searchers
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["checks"]["index"] == assistant.indexes.version
