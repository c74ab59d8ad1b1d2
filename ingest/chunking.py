"""Cut sections into chunks that fit the embedding model, each carrying its page title and heading path."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from ingest.markdown import Block, Section


@dataclass(frozen=True)
class Chunk:
    """The unit of retrieval: part of one section, never crossing a heading."""

    id: str
    page_id: str
    anchor: str
    title: str
    heading_path: tuple[str, ...]
    text: str
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return " – ".join((self.title, *self.heading_path))

    @property
    def embedding_text(self) -> str:
        return f"{self.header}\n{self.text}"

    @property
    def key(self) -> str:
        """Content hash: an unchanged chunk keeps its key, so its embedding can be reused."""
        return hashlib.sha256(self.embedding_text.encode()).hexdigest()[:32]


def chunk_section(
    section: Section,
    title: str,
    count_tokens: Callable[[str], int],
    max_tokens: int,
    aliases: tuple[str, ...] = (),
) -> list[Chunk]:
    """Greedy packing of whole blocks; a block longer than the budget is split at sentence boundaries.

    The last block of a chunk is repeated at the start of the next, so a step or a list item is never
    read without the sentence that introduces it.
    """
    header = " – ".join((title, *section.path))
    budget = max(32, max_tokens - count_tokens(header) - 4)
    pieces = [piece for block in section.blocks for piece in _fit_block(block, count_tokens, budget)]
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    for piece in pieces:
        cost = count_tokens(piece)
        if current and used + cost > budget:
            chunks.append(current)
            overlap = current[-1] if count_tokens(current[-1]) < budget // 3 else None
            current = [overlap] if overlap else []
            used = count_tokens(overlap) if overlap else 0
        current.append(piece)
        used += cost
    if current:
        chunks.append(current)
    return [
        Chunk(
            id=f"{section.page_id}#{section.anchor}:{n}",
            page_id=section.page_id,
            anchor=section.anchor,
            title=title,
            heading_path=section.path,
            text="\n".join(parts),
            aliases=aliases,
        )
        for n, parts in enumerate(chunks)
    ]


def _fit_block(block: Block, count_tokens: Callable[[str], int], budget: int) -> list[str]:
    if count_tokens(block.text) <= budget:
        return [block.text]
    pieces: list[str] = []
    current = ""
    for sentence in _sentences(block.text):
        candidate = f"{current} {sentence}".strip()
        if current and count_tokens(candidate) > budget:
            pieces.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def _sentences(text: str) -> list[str]:
    """Sentence split good enough for guidance prose; long run-on sentences fall back to word windows."""
    import re

    parts = [p for p in re.split(r"(?<=[.!?:;])\s+(?=[A-ZÅÄÖ0-9\-–•])", text) if p]
    out: list[str] = []
    for part in parts:
        tokens = part.split()
        out.extend(" ".join(tokens[i : i + 80]) for i in range(0, len(tokens), 80))
    return out
