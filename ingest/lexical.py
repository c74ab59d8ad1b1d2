"""A BM25 index over sparse matrices: one for stemmed words, one for character n-grams (compounds)."""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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
    """Precomputed BM25 term weights stored as postings (for each term, the documents that hold it and its
    weight there), in three flat arrays. Scoring a query touches only the postings of the query's terms,
    so the arrays can stay memory-mapped on disk: a query reads a few pages of them, not the whole index.
    """

    vocabulary: dict[str, int]
    indptr: np.ndarray  # terms + 1 offsets (int64): term t's postings are [indptr[t], indptr[t + 1])
    rows: np.ndarray  # document row of each posting (int32)
    weights: np.ndarray  # BM25 weight of each posting (float32)
    idfs: np.ndarray  # per term (float32)
    documents: int

    @classmethod
    def build(
        cls,
        documents: Iterable[Mapping[str, float]],
        k1: float | None = None,
        b: float | None = None,
        vocabulary: dict[str, int] | None = None,
    ) -> BM25:
        """Term weights for the documents. A given vocabulary is shared (terms outside it are dropped), so
        one query vector scores this index and the one the vocabulary came from."""
        counts = TermCounts(vocabulary)
        for document in documents:
            counts.add(document)
        return counts.bm25(k1, b)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        return self.score_vector(self.query_vector(terms))

    def query_vector(self, terms: Sequence[str]) -> np.ndarray:
        """A query as a term vector: each distinct known term once (BM25 ignores query term frequency)."""
        query = np.zeros(max(1, len(self.idfs)), dtype=np.float32)
        for term in set(terms):
            column = self.vocabulary.get(term)
            if column is not None:
                query[column] = 1.0
        return query

    def score_vector(self, query: np.ndarray) -> np.ndarray:
        """Scores for a weighted term vector, e.g. a query expanded with feedback terms."""
        terms = np.flatnonzero(query)
        if not len(terms) or not self.documents:
            return np.zeros(self.documents, dtype=np.float32)
        starts, ends = self.indptr[terms], self.indptr[terms + 1]
        rows = np.concatenate([self.rows[a:z] for a, z in zip(starts, ends, strict=True)])
        weights = np.concatenate([self.weights[a:z] * query[t] for t, a, z in zip(terms, starts, ends, strict=True)])
        return np.bincount(rows, weights=weights, minlength=self.documents).astype(np.float32)

    def idf(self, term: str) -> float:
        column = self.vocabulary.get(term)
        return float(self.idfs[column]) if column is not None else 0.0

    def save(self, folder: Path, name: str) -> None:
        for part in ("indptr", "rows", "weights", "idfs"):
            np.save(folder / f"{name}.{part}.npy", getattr(self, part))
        (folder / f"{name}.vocab.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False))
        (folder / f"{name}.json").write_text(json.dumps({"documents": self.documents}))

    @classmethod
    def load(cls, folder: Path, name: str, vocabulary: dict[str, int] | None = None) -> BM25:
        """The postings memory-mapped read-only; indexes published as a sparse matrix (.npz) are converted.
        A vocabulary passed in is shared with the index it came from instead of read again."""
        if vocabulary is None:
            vocabulary = json.loads((folder / f"{name}.vocab.json").read_text())
        if not (folder / f"{name}.json").exists():
            matrix = sparse.load_npz(folder / f"{name}.npz").tocsc()
            idfs = np.load(folder / f"{name}.idf.npy")
            return cls(vocabulary, *_postings(matrix), idfs=idfs, documents=matrix.shape[0])
        parts = {p: np.load(folder / f"{name}.{p}.npy", mmap_mode="r") for p in ("indptr", "rows", "weights")}
        meta = json.loads((folder / f"{name}.json").read_text())
        return cls(vocabulary, **parts, idfs=np.load(folder / f"{name}.idfs.npy"), documents=int(meta["documents"]))

    @classmethod
    def exists(cls, folder: Path, name: str) -> bool:
        return (folder / f"{name}.vocab.json").exists()


class TermCounts:
    """Documents' term counts gathered into flat typed arrays as they come (4 + 4 + 4 bytes per distinct term
    of a document), so a large knowledge base is indexed without keeping a Python object per term."""

    def __init__(self, vocabulary: dict[str, int] | None = None):
        self.fixed = vocabulary is not None
        self.vocabulary: dict[str, int] = vocabulary if vocabulary is not None else {}
        self._rows, self._cols, self._tfs = array("i"), array("i"), array("f")
        self._lengths = array("f")

    def add(self, counts: Mapping[str, float]) -> None:
        row, length = len(self._lengths), 0.0
        vocabulary, fixed = self.vocabulary, self.fixed
        for term, tf in counts.items():
            column = vocabulary.get(term)
            if column is None:
                if fixed:
                    continue
                column = vocabulary[term] = len(vocabulary)
            self._rows.append(row)
            self._cols.append(column)
            self._tfs.append(tf)
            length += tf
        self._lengths.append(length)

    def bm25(self, k1: float | None = None, b: float | None = None) -> BM25:
        k1 = BM25_K1 if k1 is None else k1
        b = BM25_B if b is None else b
        documents, terms = len(self._lengths), max(1, len(self.vocabulary))
        rows = np.frombuffer(self._rows, dtype=np.int32)
        cols = np.frombuffer(self._cols, dtype=np.int32)
        tf = np.frombuffer(self._tfs, dtype=np.float32)
        lengths = np.frombuffer(self._lengths, dtype=np.float32)
        average = float(lengths.mean()) if documents else 1.0
        df = np.bincount(cols, minlength=terms).astype(np.float32)
        idf = np.log1p((documents - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1 - b + b * lengths[rows] / max(average, 1e-9))
        weights = (idf[cols] * tf * (k1 + 1) / (tf + norm)).astype(np.float32)
        matrix = sparse.csc_matrix((weights, (rows, cols)), shape=(documents, terms))
        return BM25(self.vocabulary, *_postings(matrix), idfs=idf, documents=documents)


def _postings(matrix: sparse.csc_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    matrix.sum_duplicates()
    return (
        matrix.indptr.astype(np.int64),
        matrix.indices.astype(np.int32),
        matrix.data.astype(np.float32),
    )


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
        word_docs, gram_docs, pair_docs = TermCounts(), TermCounts(), TermCounts()
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
            word_docs.add(weighted_counts(header_stems, body_stems))
            gram_docs.add(weighted_counts(char_ngrams(header), char_ngrams(body)))
            pair_docs.add(Counter(stem_pairs(body_stems)))
            row = page_rows.setdefault(chunk.page_id, len(page_docs))
            if row == len(page_docs):
                title = stem_words(content_words(" ".join((chunk.title, *chunk.aliases))))
                page_docs.append(weighted_counts(title, []))
            page_docs[row].update(body_stems)
            if (chunk.page_id, chunk.heading_path) not in seen_headings:
                seen_headings.add((chunk.page_id, chunk.heading_path))
                page_docs[row].update(stem_words(content_words(" ".join(chunk.heading_path))))
        words = word_docs.bm25()
        return cls(
            words=words,
            grams=gram_docs.bm25(),
            surface=dict(surface),
            pages=BM25.build(page_docs, vocabulary=words.vocabulary),
            chunk_pages=np.array([page_rows[c.page_id] for c in chunks], dtype=np.int64),
            pairs=pair_docs.bm25(),
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
        words = BM25.load(folder, "lexical-words")
        pages, chunk_pages = None, None
        if BM25.exists(folder, "lexical-pages"):
            pages = BM25.load(folder, "lexical-pages", vocabulary=words.vocabulary)  # built on the same one
            chunk_pages = np.load(folder / "lexical-chunk-pages.npy", mmap_mode="r")
        pairs = BM25.load(folder, "lexical-pairs") if BM25.exists(folder, "lexical-pairs") else None
        return cls(
            words=words,
            grams=BM25.load(folder, "lexical-grams"),
            surface=surface,
            pages=pages,
            chunk_pages=chunk_pages,
            pairs=pairs,
        )
