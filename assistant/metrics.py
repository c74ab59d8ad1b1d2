"""Prometheus metrics, recorded by the answer core so every channel is counted the same way."""

from __future__ import annotations

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
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
FEEDBACK = Counter("assistant_feedback", "Answer ratings received", ["channel", "rating"], registry=REGISTRY)
INDEX_INFO = Gauge("assistant_index_chunks", "Chunks in the index being served", ["version"], registry=REGISTRY)


def record_answer(channel: str, answered: bool, seconds: float) -> None:
    QUESTIONS.labels(channel=channel, outcome="answered" if answered else "abstained").inc()
    LATENCY.labels(channel=channel).observe(seconds)
