"""Prometheus metrics, recorded by the answer core so every channel is counted the same way.

Besides whole answers, each stage of answering (redaction, conversation lookup, lexical and dense search,
query embedding, filters, fusion, composing, storage) is timed by the service itself: `make bench` reads
these histograms from /metrics to say where the time goes, and an operator can graph the same series.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()
QUESTIONS = Counter(
    "assistant_questions",
    "Questions answered, by channel and outcome",
    ["channel", "outcome"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "assistant_answer_seconds",
    "Time to answer a question",
    ["channel"],
    registry=REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
FEEDBACK = Counter("assistant_feedback", "Answer ratings received", ["channel", "rating"], registry=REGISTRY)
STORAGE_ERRORS = Counter(
    "assistant_storage_errors",
    "Database operations that failed, by problem (busy, full, read-only, unreachable, failed)",
    ["problem"],
    registry=REGISTRY,
)
INDEX_INFO = Gauge("assistant_index_chunks", "Chunks in the index being served", ["version"], registry=REGISTRY)

# The stages in the order an answer passes through them; a search runs the middle ones only.
STAGES = (
    "redaction",
    "conversation",
    "lexical",
    "query_embedding",
    "dense",
    "filters",
    "fusion",
    "composing",
    "storage",
)
STAGE_SECONDS = Histogram(
    "assistant_stage_seconds",
    "Time spent in one stage of answering a question or searching",
    ["stage"],
    registry=REGISTRY,
    buckets=(0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
)
_STAGE_CHILDREN = {name: STAGE_SECONDS.labels(stage=name) for name in STAGES}


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as one stage; recorded even when it raises (a failed storage call still took time)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        _STAGE_CHILDREN[name].observe(time.perf_counter() - started)


def record_answer(channel: str, answered: bool, seconds: float) -> None:
    QUESTIONS.labels(channel=channel, outcome="answered" if answered else "abstained").inc()
    LATENCY.labels(channel=channel).observe(seconds)
