"""Property-based tests of the Markdown parser: it never crashes, anchors are unique, and no text is lost."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.markdown import split_sections
from ingest.pages import Owner, Page

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORD = st.from_regex(r"[A-Za-zÅÄÖåäö0-9]{1,12}", fullmatch=True)


def page(body: str) -> Page:
    day = dt.date(2026, 1, 1)
    return Page("p", "Sida", "", "rutin", Owner("E", "e@x"), day, day, "published", body, "p.md", 1)


@PROPERTY
@given(body=st.text(max_size=400))
@example(body="## \n\n#\n\n| a |\n|---|\n| b | c |\n\n- \n  1. x\n\n```\nunclosed")
def test_split_sections_never_crashes(body: str) -> None:
    sections = split_sections(page(body))
    assert all(s.line >= 1 for s in sections)


# Headings drawn from a few words so that repeats and "Exempel" / "Exempel 2" collisions are common.
HEADING = st.lists(st.sampled_from(["Exempel", "2", "Beslut", "3", "exempel-2", "Å", "!"]), min_size=1, max_size=3)


@PROPERTY
@given(headings=st.lists(st.tuples(st.integers(1, 4), HEADING), min_size=1, max_size=12))
@example(headings=[(2, ["Exempel"]), (2, ["Exempel"]), (2, ["Exempel", "2"])])
def test_split_sections_anchors_are_unique(headings: list[tuple[int, list[str]]]) -> None:
    body = "\n\n".join(f"{'#' * level} {' '.join(words)}\n\ntext" for level, words in headings)
    anchors = [s.anchor for s in split_sections(page(body)) if s.anchor]
    assert len(anchors) == len(headings)
    assert len(set(anchors)) == len(anchors), anchors


@st.composite
def blocks(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A Markdown block and the words it holds."""
    words = draw(st.lists(WORD, min_size=1, max_size=6))
    text = " ".join(words)
    kind = draw(st.sampled_from(["heading", "paragraph", "bullet", "ordered", "table", "code", "emphasis"]))
    if kind == "heading":
        return f"{'#' * draw(st.integers(1, 6))} {text}", words
    if kind == "bullet":
        return "\n".join(f"- {w}" for w in words), words
    if kind == "ordered":
        return "\n".join(f"{n}. {w}" for n, w in enumerate(words, 1)), words
    if kind == "table":
        header = " | ".join(f"H{n}" for n in range(len(words)))
        return f"| {header} |\n|{'---|' * len(words)}\n| {' | '.join(words)} |", words
    if kind == "code":
        return f"```\n{text}\n```", words
    if kind == "emphasis":
        return f"*{words[0]}* **{text}**", words
    return text, words


@PROPERTY
@given(parts=st.lists(blocks(), min_size=1, max_size=10))
def test_split_sections_keep_every_word(parts: list[tuple[str, list[str]]]) -> None:
    body = "\n\n".join(markdown for markdown, _ in parts)
    sections = split_sections(page(body))
    seen = set()
    for section in sections:
        seen.update(re.findall(r"\w+", section.heading))
        seen.update(re.findall(r"\w+", section.text))
    expected = {w for _, words in parts for w in words}
    assert expected <= seen, sorted(expected - seen)
