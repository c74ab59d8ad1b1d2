"""Heading structure (one H1, no skipped levels, no empty sections) and sentences too long to quote well."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.lint.model import REGISTRY, Finding, LintContext, Severity
from ingest.markdown import markdown_parser

MAX_SENTENCE_WORDS = 40  # an answer quotes whole sentences; a longer one buries the rule in the middle
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"”(])")

REGISTRY.rule(
    "HDG001",
    Severity.WARNING,
    "the page has one H1: its title",
    "use '##' for the page's sections; the title from the front matter is the page's only H1",
)
REGISTRY.rule(
    "HDG002",
    Severity.WARNING,
    "heading levels go down one step at a time",
    "use the next level down (## after the title, ### under ##)",
)
REGISTRY.rule(
    "HDG003",
    Severity.WARNING,
    "every section has text",
    "write the section's text, or remove the heading",
)
REGISTRY.rule(
    "STY001",
    Severity.WARNING,
    f"sentences have at most {MAX_SENTENCE_WORDS} words",
    "split the sentence: the rule first, then its conditions or exceptions in a list",
)


@REGISTRY.check("HDG001", "HDG002")
def check_heading_levels(ctx: LintContext) -> Iterator[Finding]:
    for page in ctx.pages:
        previous = 1  # the title
        for token in markdown_parser().parse(page.body):
            if token.type != "heading_open":
                continue
            level = int(token.tag[1:])
            line = page.body_line + (token.map[0] if token.map else 0)
            if level == 1:
                yield REGISTRY.finding(ctx, "HDG001", page.path, line, "a second H1 ('#'); the title is the H1")
            elif level > previous + 1:
                yield REGISTRY.finding(
                    ctx, "HDG002", page.path, line, f"H{level} follows H{previous}: level H{previous + 1} is skipped"
                )
            previous = level


@REGISTRY.check("HDG003")
def check_empty_sections(ctx: LintContext) -> Iterator[Finding]:
    for page in ctx.pages:
        sections = [s for s in ctx.sections[page.id] if s.anchor]
        for section, following in zip(sections, [*sections[1:], None], strict=True):
            has_subsections = following is not None and following.level > section.level
            if not section.blocks and not has_subsections:
                yield REGISTRY.finding(ctx, "HDG003", page.path, section.line, f"section {section.heading!r} is empty")


@REGISTRY.check("STY001")
def check_sentence_length(ctx: LintContext) -> Iterator[Finding]:
    for page in ctx.pages:
        for section in ctx.sections[page.id]:
            for block in section.blocks:
                if block.kind not in ("paragraph", "item", "step"):
                    continue  # table rows and code are not sentences
                for sentence in _SENTENCE_END.split(block.text):
                    count = len(sentence.split())
                    if count > MAX_SENTENCE_WORDS:
                        start = " ".join(sentence.split()[:6])
                        yield REGISTRY.finding(
                            ctx,
                            "STY001",
                            page.path,
                            block.line,
                            f"sentence of {count} words ('{start} …'); at most {MAX_SENTENCE_WORDS} quote well",
                        )
