"""A BM25 index over sparse matrices: one for stemmed words, one for character n-grams (compounds)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
from scipy import sparse

from ingest.chunking import Chunk
from ingest.text import char_ngrams, content_words, part_stems, stem_words

HEADER_WEIGHT = 2.0  # a term in the title, heading path or aliases counts as this many body occurrences
COMPOUND_PARTS = True  # index the parts of compounds too (when the sv_SE dictionary is installed)
BM25_K1 = 1.2
BM25_B = 0.5  # chunks are already short; less length normalisation (lever study, docs/evals.md)


@dataclass
class BM25:
    """Precomputed BM25 term weights: scoring a query is one sparse matrix-vector product."""

    vocabulary: dict[str, int]
    weights: sparse.csr_matrix  # documents x terms
    idfs: np.ndarray

    @classmethod
    def build(
        cls,
        documents: Sequence[Counter[str]],
        k1: float | None = None,
        b: float | None = None,
        vocabulary: dict[str, int] | None = None,
    ) -> BM25:
        """Term weights for the documents. A given vocabulary is shared (terms outside it are dropped), so
        one query vector scores this index and the one the vocabulary came from."""
        k1 = BM25_K1 if k1 is None else k1
        b = BM25_B if b is None else b
        fixed = vocabulary is not None
        vocabulary = dict(vocabulary) if vocabulary is not None else {}
        rows, cols, tfs = [], [], []
        for row, counts in enumerate(documents):
            for term, tf in counts.items():
                if fixed and term not in vocabulary:
                    continue
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                tfs.append(tf)
        shape = (len(documents), max(1, len(vocabulary)))
        tf = sparse.csr_matrix((np.array(tfs, dtype=np.float32), (rows, cols)), shape=shape)
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        average = float(lengths.mean()) if len(lengths) else 1.0
        df = np.bincount(np.array(cols, dtype=np.int64), minlength=shape[1]).astype(np.float32)
        idf = np.log1p((len(documents) - df + 0.5) / (df + 0.5)).astype(np.float32)
        tf = tf.tocoo()
        norm = k1 * (1 - b + b * lengths[tf.row] / max(average, 1e-9))
        data = idf[tf.col] * tf.data * (k1 + 1) / (tf.data + norm)
        weights = sparse.csr_matrix((data.astype(np.float32), (tf.row, tf.col)), shape=shape)
        return cls(vocabulary=vocabulary, weights=weights, idfs=idf)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        return self.score_vector(self.query_vector(terms))

    def query_vector(self, terms: Sequence[str]) -> np.ndarray:
        """A query as a term vector: each distinct known term once (BM25 ignores query term frequency)."""
        query = np.zeros(self.weights.shape[1], dtype=np.float32)
        for term in set(terms):
            column = self.vocabulary.get(term)
            if column is not None:
                query[column] = 1.0
        return query

    def score_vector(self, query: np.ndarray) -> np.ndarray:
        """Scores for a weighted term vector, e.g. a query expanded with feedback terms."""
        return np.asarray(self.weights @ query).ravel()

    def idf(self, term: str) -> float:
        column = self.vocabulary.get(term)
        return float(self.idfs[column]) if column is not None else 0.0

    def save(self, folder: Path, name: str) -> None:
        sparse.save_npz(folder / f"{name}.npz", self.weights)
        np.save(folder / f"{name}.idf.npy", self.idfs)
        (folder / f"{name}.vocab.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path, name: str) -> BM25:
        weights = sparse.load_npz(folder / f"{name}.npz").tocsr()
        vocabulary = json.loads((folder / f"{name}.vocab.json").read_text())
        return cls(vocabulary=vocabulary, weights=weights, idfs=np.load(folder / f"{name}.idf.npy"))


def stem_pairs(stems: Sequence[str]) -> list[str]:
    """Adjacent content-word stems ('ansökan handläggningstid' -> 'ansök_handläggningstid')."""
    return [f"{a}_{b}" for a, b in pairwise(stems)]


def chunk_fields(chunk: Chunk) -> tuple[list[str], list[str]]:
    """The words of a chunk's header (title, headings, aliases) and of its body."""
    header = content_words(" ".join((chunk.title, *chunk.heading_path, *chunk.aliases)))
    return header, content_words(chunk.text)


def weighted_counts(header: list[str], body: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter(body)
    for term in header:
        counts[term] += HEADER_WEIGHT  # type: ignore[assignment]  # Counter holds float weights here
    return counts


@dataclass
class LexicalIndex:
    """Chunk-level BM25 over stems and over character n-grams, and page-level BM25 over stems: a page
    that speaks of the whole question lends weight to each of its chunks."""

    words: BM25
    grams: BM25
    surface: dict[str, int]  # every word form seen, with its frequency: the typo-correction vocabulary
    pages: BM25 | None = None  # None in indexes published before page-level scoring
    chunk_pages: np.ndarray | None = None  # row in `pages` of each chunk's page
    pairs: BM25 | None = None  # adjacent stem pairs: word order, for questions that quote a phrase

    @classmethod
    def build(cls, chunks: Sequence[Chunk]) -> LexicalIndex:
        word_docs, gram_docs, pair_docs = [], [], []
        surface: Counter[str] = Counter()
        page_rows: dict[str, int] = {}
        page_docs: list[Counter[str]] = []
        seen_headings: set[tuple[str, tuple[str, ...]]] = set()
        for chunk in chunks:
            header, body = chunk_fields(chunk)
            surface.update(header)
            surface.update(body)
            header_stems, body_stems = stem_words(header), stem_words(body)
            if COMPOUND_PARTS:
                header_stems, body_stems = header_stems + part_stems(header), body_stems + part_stems(body)
            word_docs.append(weighted_counts(header_stems, body_stems))
            gram_docs.append(weighted_counts(char_ngrams(header), char_ngrams(body)))
            pair_docs.append(Counter(stem_pairs(body_stems)))
            row = page_rows.setdefault(chunk.page_id, len(page_docs))
            if row == len(page_docs):
                title = stem_words(content_words(" ".join((chunk.title, *chunk.aliases))))
                page_docs.append(weighted_counts(title, []))
            page_docs[row].update(body_stems)
            if (chunk.page_id, chunk.heading_path) not in seen_headings:
                seen_headings.add((chunk.page_id, chunk.heading_path))
                page_docs[row].update(stem_words(content_words(" ".join(chunk.heading_path))))
        words = BM25.build(word_docs)
        return cls(
            words=words,
            grams=BM25.build(gram_docs),
            surface=dict(surface),
            pages=BM25.build(page_docs, vocabulary=words.vocabulary),
            chunk_pages=np.array([page_rows[c.page_id] for c in chunks], dtype=np.int64),
            pairs=BM25.build(pair_docs),
        )

    def save(self, folder: Path) -> None:
        self.words.save(folder, "lexical-words")
        self.grams.save(folder, "lexical-grams")
        (folder / "lexical-surface.json").write_text(json.dumps(self.surface, ensure_ascii=False))
        if self.pages is not None and self.chunk_pages is not None:
            self.pages.save(folder, "lexical-pages")
            np.save(folder / "lexical-chunk-pages.npy", self.chunk_pages)
        if self.pairs is not None:
            self.pairs.save(folder, "lexical-pairs")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        surface = json.loads((folder / "lexical-surface.json").read_text())
        pages, chunk_pages = None, None
        if (folder / "lexical-pages.npz").exists():
            pages, chunk_pages = BM25.load(folder, "lexical-pages"), np.load(folder / "lexical-chunk-pages.npy")
        pairs = BM25.load(folder, "lexical-pairs") if (folder / "lexical-pairs.npz").exists() else None
        return cls(
            words=BM25.load(folder, "lexical-words"),
            grams=BM25.load(folder, "lexical-grams"),
            surface=surface,
            pages=pages,
            chunk_pages=chunk_pages,
            pairs=pairs,
        )
