"""Speed and memory figures for the sample knowledge with the configured model (`make bench`).

Prints figures; asserts nothing (timed tests are flaky on shared machines). Run it on the target
hardware before sizing a deployment.
"""

from __future__ import annotations

import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from assistant.core import build_assistant
from assistant.settings import Settings
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evals" / "datasets" / "vagledning"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    settings = Settings()
    questions = [
        json.loads(line)["question"]
        for path in sorted(QUESTIONS.glob("*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    started = time.perf_counter()
    embedder = load_embedder(settings.embedding_model)
    load_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        store = IndexStore(Path(folder) / "index")
        cold = run_ingest(settings.knowledge_dir, store, embedder)
        warm = run_ingest(settings.knowledge_dir, store, embedder)
        bench = settings.model_copy(update={"index_dir": store.root, "database_url": f"sqlite:///{folder}/b.db"})
        assistant = build_assistant(bench)
        assistant.answer("uppvärmning", channel="bench")
        search_ms, answer_ms = [], []
        for question in questions:
            t0 = time.perf_counter()
            assistant.search(question, k=10)
            t1 = time.perf_counter()
            assistant.answer(question, channel="bench")
            t2 = time.perf_counter()
            search_ms.append((t1 - t0) * 1000)
            answer_ms.append((t2 - t1) * 1000)
    rows = [
        ("model", settings.embedding_model),
        ("model load", f"{load_seconds:.1f} s"),
        ("ingest, cold", f"{cold.seconds:.1f} s ({cold.pages} pages, {cold.chunks} chunks, {cold.embedded} embedded)"),
        ("ingest, unchanged", f"{warm.seconds:.1f} s ({warm.reused} reused, {warm.embedded} embedded)"),
        ("questions", str(len(questions))),
        ("search p50 / p95", f"{statistics.median(search_ms):.0f} / {_percentile(search_ms, 0.95):.0f} ms"),
        ("answer p50 / p95", f"{statistics.median(answer_ms):.0f} / {_percentile(answer_ms, 0.95):.0f} ms"),
        ("peak memory (RSS)", f"{_rss_mb():.0f} MB"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
