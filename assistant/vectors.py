"""Embeddings remembered across questions: the query (searched, then compared with sentences) and the
guidance sentences that come up again and again. Embedding them is most of the time an answer takes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from ingest.embedding import Embedder, Kind

_VECTORS: OrderedDict[tuple[str, str, str], np.ndarray] = OrderedDict()
_VECTORS_MAX = 50_000  # about 75 MB with a 384-dimensional model: every sentence of a large knowledge base
_VECTORS_LOCK = threading.Lock()


def embed_cached(embedder: Embedder, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
    """Vectors for texts, embedding only those not seen before with this model as this kind."""
    keys = [(embedder.model_id, kind, text) for text in texts]
    with _VECTORS_LOCK:
        found = {k: _VECTORS[k] for k in keys if k in _VECTORS}
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    if missing:
        fresh = embedder.embed_batch([text for _, _, text in missing], kind)
        found.update(zip(missing, fresh, strict=True))
        with _VECTORS_LOCK:
            _VECTORS.update(zip(missing, fresh, strict=True))
            while len(_VECTORS) > _VECTORS_MAX:
                _VECTORS.popitem(last=False)
    return np.stack([found[k] for k in keys])
