"""Near-duplicate pages and sections (rapidfuzz): two texts saying the same thing drift apart when one changes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rapidfuzz import fuzz, process

from ingest.lint.model import REGISTRY, Finding, LintContext, Severity
from ingest.text import normalize

PAGE_SIMILARITY = 85.0
SECTION_SIMILARITY = 90.0
MIN_SECTION_WORDS = 12  # short sections ("Se sidan Jäv.") look alike without repeating anything

REGISTRY.rule(
    "SIM001",
    Severity.WARNING,
    "no two pages are near-duplicates",
    "merge the pages, or cut the repeated text from one and link to the other",
)
REGISTRY.rule(
    "SIM002",
    Severity.WARNING,
    "no two sections are near-duplicates",
    "keep the text in one section and link to it from the other",
)


def _similar_pairs(texts: Sequence[str], cutoff: float) -> Iterator[tuple[int, int, float]]:
    if len(texts) < 2:
        return
    scores = process.cdist(texts, texts, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, workers=1)
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if scores[i][j] >= cutoff:
                yield i, j, float(scores[i][j])


@REGISTRY.check("SIM001")
def check_similar_pages(ctx: LintContext) -> Iterator[Finding]:
    pages = ctx.pages
    texts = [normalize(" ".join(p.body.split())) for p in pages]
    for i, j, score in _similar_pairs(texts, PAGE_SIMILARITY):
        yield REGISTRY.finding(
            ctx, "SIM001", pages[j].path, 1, f"{score:.0f} % like {pages[i].path}: the pages repeat each other"
        )


@REGISTRY.check("SIM002")
def check_similar_sections(ctx: LintContext) -> Iterator[Finding]:
    sections = [
        (page, section)
        for page in ctx.pages
        for section in ctx.sections[page.id]
        if len(section.text.split()) >= MIN_SECTION_WORDS
    ]
    texts = [normalize(" ".join(section.text.split())) for _, section in sections]
    for i, j, score in _similar_pairs(texts, SECTION_SIMILARITY):
        (first_page, first), (page, section) = sections[i], sections[j]
        if first_page.id == page.id and first.anchor == section.anchor:
            continue
        where = f"{first_page.id}#{first.anchor}" if first.anchor else first_page.id
        yield REGISTRY.finding(
            ctx,
            "SIM002",
            page.path,
            section.line,
            f"section {section.heading or 'intro'!r} is {score:.0f} % like {where}",
        )
