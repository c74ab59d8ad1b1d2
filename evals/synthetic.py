"""Synthetic knowledge bases of a chosen size for `make bench`: Swedish-like pages grown from the sample.

How the text is made: every sentence of the sample knowledge is read into a word-bigram model, and new
sentences are random walks through it (so word order, word lengths and stop words look Swedish). One word
in twelve is replaced by a new compound glued from two words of the sample ("ansöknings" + "kontroll"),
so the vocabulary keeps growing with the size of the knowledge base as a real one does, instead of
repeating the sample's few thousand words. Each generated page has front matter like a real page, an
introduction and nine short sections (about one chunk each, so 1,000 pages are about 10,000 chunks).
The sample pages themselves are included, so the benchmark's questions still find their answers.
Everything is seeded: the same size gives the same pages.
"""

from __future__ import annotations

import random
import re
import shutil
from collections import defaultdict
from pathlib import Path

from ingest.pages import read_knowledge

SECTIONS_PER_PAGE = 9
CHUNKS_PER_PAGE = 11.2  # measured with MiniLM token counts: some sections take two chunks
COMPOUND_SHARE = 1 / 12
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+", re.UNICODE)
DOC_TYPES = ("processbeskrivning", "rutin", "riktlinje", "instruktion", "faq")
UNITS = ("Enheten för företagsstöd", "Enheten för projektstöd", "Kvalitetsfunktionen", "Rättsenheten")


class SwedishLikeText:
    """Sentences from a bigram model of the sample knowledge, with new compounds mixed in."""

    def __init__(self, knowledge_dir: Path, seed: int = 13):
        pages, _problems = read_knowledge(knowledge_dir)
        self.random = random.Random(seed)
        self.follows: dict[str, list[str]] = defaultdict(list)
        self.starts: list[str] = []
        for page in pages:
            for line in page.body.splitlines():
                if not line.strip() or line.lstrip().startswith(("#", "|", "```")):
                    continue
                for sentence in _SENTENCE_END.split(line.strip(" -*")):
                    tokens = _WORD.findall(sentence)
                    if len(tokens) < 4:
                        continue
                    self.starts.append(tokens[0])
                    for a, b in zip(tokens, [*tokens[1:], "."], strict=True):
                        self.follows[a].append(b)
        self.long_words = sorted({w.lower() for w in self.follows if len(w) >= 5 and w.isalpha()})

    def compound(self) -> str:
        head, tail = self.random.choice(self.long_words), self.random.choice(self.long_words)
        joint = "s" if self.random.random() < 0.4 and not head.endswith("s") else ""
        return f"{head}{joint}{tail}"

    def sentence(self, min_words: int = 8, max_words: int = 22) -> str:
        word = self.random.choice(self.starts)
        out = [word]
        while len(out) < max_words:
            options = self.follows.get(word)
            if not options:
                break
            word = self.random.choice(options)
            if word == ".":
                if len(out) >= min_words:
                    break
                word = self.random.choice(self.starts).lower()
            out.append(self.compound() if self.random.random() < COMPOUND_SHARE else word)
        out[0] = out[0][:1].upper() + out[0][1:]
        return " ".join(out) + "."

    def paragraph(self, sentences: tuple[int, int] = (3, 5)) -> str:
        return " ".join(self.sentence() for _ in range(self.random.randint(*sentences)))

    def title(self) -> str:
        link = self.random.choice(("och", "vid", "för", "inom"))
        return f"{self.compound()} {link} {self.random.choice(self.long_words)}".capitalize()


def generate_page(text: SwedishLikeText, number: int) -> tuple[str, str]:
    """One page as (file name, Markdown with front matter)."""
    page_id = f"syntetisk-{number:06d}"
    title = text.title()
    tags = sorted({text.random.choice(text.long_words) for _ in range(3)})
    lines = [
        "---",
        f"id: {page_id}",
        f"title: {title}",
        f"summary: {text.sentence(6, 14)}",
        f"doc_type: {text.random.choice(DOC_TYPES)}",
        "owner:",
        f"  unit: {text.random.choice(UNITS)}",
        "  contact: vagledning@nrv.example.se",
        f"reviewed: 2026-{text.random.randint(1, 10):02d}-{text.random.randint(1, 28):02d}",
        "review_interval_months: 12",
        f"tags: [{', '.join(tags)}]",
        "status: published",
        "---",
        "",
        text.paragraph((2, 3)),
        "",
    ]
    for _ in range(SECTIONS_PER_PAGE):
        lines += [f"## {text.title()}", text.paragraph(), ""]
    return f"{page_id}.md", "\n".join(lines)


def build_knowledge(target: Path, sample: Path, pages: int, seed: int = 13) -> Path:
    """A knowledge folder: the sample pages plus `pages` generated ones. Rebuilt from scratch."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(sample, target)
    text = SwedishLikeText(sample, seed)
    folder = target / "syntetisk"
    folder.mkdir()
    for number in range(1, pages + 1):
        name, content = generate_page(text, number)
        (folder / name).write_text(content, encoding="utf-8")
    return target


def change_one_page(knowledge: Path, sample: Path, seed: int = 7) -> Path:
    """Edit one generated page the way an editor would (one paragraph rewritten); returns its path."""
    pages = sorted((knowledge / "syntetisk").glob("*.md")) or sorted(knowledge.rglob("*.md"))
    path = pages[len(pages) // 2]
    text = SwedishLikeText(sample, seed)
    body = path.read_text(encoding="utf-8").split("\n")
    first_section = next(i for i, line in enumerate(body) if line.startswith("## "))
    body.insert(first_section + 1, text.paragraph() + "\n")
    path.write_text("\n".join(body), encoding="utf-8")
    return path
