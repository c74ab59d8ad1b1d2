"""Load over real HTTP for `make bench`: `assistant serve` in a subprocess, concurrent clients on loopback.

Everything is bounded: clients only ever talk to 127.0.0.1, each level runs for a fixed number of
requests or seconds, and the server is stopped when the block ends.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from assistant.metrics import STAGES

# Questions are asked with these openings and endings so that no text repeats within one server's life:
# the service remembers query embeddings, and a benchmark that only asks what it asked before would
# measure that memory instead of an answer.
OPENINGS = ("", "Hej! ", "Fråga: ", "Jag undrar ", "Snälla, ", "Hej, en fråga: ", "Kort fråga: ", "Hjälp: ")
ENDINGS = ("", "?", " ?", "??")


def question_stream(questions: Sequence[str]) -> Iterator[str]:
    """Every question once with each opening and ending in turn; never the same text twice in a run of
    len(questions) x 32 requests (then it starts over)."""
    for opening, ending in itertools.cycle(itertools.product(OPENINGS, ENDINGS)):
        for question in questions:
            yield f"{opening}{question.rstrip('?').strip()}{ending}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_tree_memory(pid: int) -> tuple[float, float]:
    """(resident MB now, peak resident MB) of a process and its children (uvicorn workers), from /proc."""
    now = peak = 0.0
    for member in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        now += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        peak += int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
    return round(now, 1), round(peak, 1)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found + [grandchild for child in found for grandchild in _children(child)]


@dataclass
class Server:
    """A running `assistant serve` and what its start cost."""

    url: str
    process: subprocess.Popen[bytes]
    ready_seconds: float
    log: Path

    def memory(self) -> tuple[float, float]:
        return process_tree_memory(self.process.pid)


@contextmanager
def serve(
    index_dir: Path, database_url: str, log: Path, workers: int = 1, model: str | None = None
) -> Iterator[Server]:
    """Start `assistant serve` (extractive answers, storage on, dev sign-in on loopback) and wait for /readyz."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {
        "ASSISTANT_ENVIRONMENT": "development",
        "ASSISTANT_AUTH_MODE": "dev",
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "ASSISTANT_DATABASE_URL": database_url,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    if model:
        env["ASSISTANT_EMBEDDING_MODEL"] = model
    assistant = str(Path(sys.executable).parent / "assistant")  # the console script of this environment
    command = [assistant, "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        ready = _wait_ready(url, process, timeout=300)
        yield Server(url=url, process=process, ready_seconds=round(ready - started, 2), log=log)
    finally:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server and its workers, SIGKILL after 30 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> float:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"assistant serve exited with {process.returncode}; see its log")
            try:
                if client.get(f"{url}/readyz").status_code == 200:
                    return time.perf_counter()
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise RuntimeError(f"{url} not ready after {timeout} s")


@dataclass
class LoadResult:
    clients: int
    requests: int
    errors: int
    seconds: float
    answers_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    error_examples: list[str] = field(default_factory=list)
    memory_mb: list[float] = field(default_factory=list)  # resident memory of the server, sampled each second

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_load(
    server: Server, questions: Iterator[str], clients: int, requests: int | None = None, seconds: float | None = None
) -> LoadResult:
    """`clients` concurrent clients asking one question after another (keep-alive, like a proxy's upstream
    pool) until `requests` are done or `seconds` have passed."""
    latencies: list[float] = []
    errors: list[str] = []
    samples: list[float] = []
    stop = threading.Event()

    def sample_memory() -> None:
        while not stop.wait(1.0):
            samples.append(server.memory()[0])

    async def client(http: httpx.AsyncClient, deadline: float) -> None:
        while time.monotonic() < deadline and (requests is None or len(latencies) + len(errors) < requests):
            question = next(questions)
            started = time.perf_counter()
            try:
                response = await http.post("/api/ask", json={"question": question})
                if response.status_code == 200:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    errors.append(f"{response.status_code}: {response.text[:200]}")
            except httpx.HTTPError as err:
                errors.append(f"{type(err).__name__}: {err}")

    async def run() -> float:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as http:
            started = time.perf_counter()
            deadline = time.monotonic() + (seconds if seconds is not None else 3600)
            await asyncio.gather(*(client(http, deadline) for _ in range(clients)))
            return time.perf_counter() - started

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    try:
        elapsed = asyncio.run(run())
    finally:
        stop.set()
        sampler.join()
    return LoadResult(
        clients=clients,
        requests=len(latencies) + len(errors),
        errors=len(errors),
        seconds=round(elapsed, 2),
        answers_per_second=round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        p50_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
        p95_ms=round(percentile(latencies, 0.95), 1),
        p99_ms=round(percentile(latencies, 0.99), 1),
        error_examples=errors[:3],
        memory_mb=samples,
    )


def first_answer_ms(server: Server, question: str) -> float:
    started = time.perf_counter()
    response = httpx.post(f"{server.url}/api/ask", json={"question": question}, timeout=300)
    response.raise_for_status()
    return round((time.perf_counter() - started) * 1000, 1)


def stage_totals(server: Server) -> dict[str, tuple[float, float]]:
    """(seconds, count) per stage from the server's own histograms. With several workers, /metrics shows
    the worker that took the request only, so this is a sample of one worker's stages."""
    text = httpx.get(f"{server.url}/metrics", timeout=30).text
    totals: dict[str, list[float]] = {name: [0.0, 0.0] for name in STAGES}
    for line in text.splitlines():
        for suffix, slot in (("_sum{", 0), ("_count{", 1)):
            if line.startswith(f"assistant_stage_seconds{suffix}"):
                name = line.split('stage="')[1].split('"')[0]
                totals.setdefault(name, [0.0, 0.0])[slot] += float(line.rsplit(" ", 1)[1])
    return {name: (s, c) for name, (s, c) in totals.items()}


def stage_means_ms(
    before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]]
) -> dict[str, float | None]:
    """Mean milliseconds per call of each stage between two scrapes."""
    means: dict[str, float | None] = {}
    for name, (seconds, count) in after.items():
        s0, c0 = before.get(name, (0.0, 0.0))
        means[name] = round((seconds - s0) / (count - c0) * 1000, 2) if count > c0 else None
    return means
