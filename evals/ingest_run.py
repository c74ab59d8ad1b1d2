"""One full ingest in its own process, for `make bench`: its peak memory is then the ingest's alone.

    python -m evals.ingest_run KNOWLEDGE INDEX [--random-vectors]

Prints the ingest summary and the process's peak resident memory as one JSON line. With
--random-vectors, chunks get random unit vectors of the configured model's dimension instead of real
embeddings (building 100,000 real ones takes hours on two cores; serving cost does not depend on their
values). Chunking still counts tokens with the real model.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.settings import Settings
from ingest.embedding import Embedder, Kind
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore


class RandomUnitVectors(Embedder):
    """The real model's id, dimension and token counts, with random unit vectors (seeded by the text)."""

    def __init__(self, real: Embedder):
        self.real = real
        self.model_id = real.model_id
        self.dimensions = real.dimensions
        self.max_tokens = real.max_tokens

    def embed_batch(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            out[row] = np.random.default_rng(seed).standard_normal(self.dimensions)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def count_tokens(self, text: str) -> int:
        return self.real.count_tokens(text)


def main(argv: Sequence[str]) -> None:
    knowledge, index = Path(argv[0]), Path(argv[1])
    embedder = Settings().embedder()
    if "--random-vectors" in argv:
        embedder = RandomUnitVectors(embedder)
    started = time.perf_counter()
    summary = run_ingest(knowledge, IndexStore(index), embedder)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {k: len(v) if isinstance(v, list) else v for k, v in summary.to_dict().items()}  # counts, not ids
    print(json.dumps({**figures, "wall_seconds": round(wall, 2), "peak_mb": round(peak_mb, 1)}))


if __name__ == "__main__":
    main(sys.argv[1:])
