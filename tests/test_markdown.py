"""Sections, anchors and readable text from Markdown."""

from __future__ import annotations

import datetime as dt

from ingest.chunking import chunk_section
from ingest.markdown import slugify, split_sections
from ingest.pages import Owner, Page


def page(body: str) -> Page:
    day = dt.date(2026, 1, 1)
    return Page("p", "Sida", "", "rutin", Owner("E", "e@x"), day, day, "published", body, "p.md", 12)


def test_slugify_folds_swedish_letters() -> None:
    assert slugify("Överklagande av beslut – tidsfrist (3 veckor)") == "overklagande-av-beslut-tidsfrist-3-veckor"
    assert slugify("Jäv & åtgärder") == "jav-atgarder"
    assert slugify("!!!") == "avsnitt"


def test_split_sections_nested_headings_keep_their_path() -> None:
    sections = split_sections(page("Intro.\n\n## Beslut\n\nText.\n\n### Avslag\n\nMer.\n\n## Utbetalning\n\nSist."))
    assert [(s.anchor, s.path) for s in sections] == [
        ("", ()),
        ("beslut", ("Beslut",)),
        ("avslag", ("Beslut", "Avslag")),
        ("utbetalning", ("Utbetalning",)),
    ]
    assert sections[2].line == 12 + 6  # the body starts at line 12 of the file; the heading is its 7th line


def test_split_sections_repeated_heading_gets_numbered_anchor() -> None:
    anchors = [s.anchor for s in split_sections(page("## Exempel\n\nA\n\n## Exempel\n\nB"))]
    assert anchors == ["exempel", "exempel-2"]


def test_split_sections_tables_become_readable_rows() -> None:
    [section] = split_sections(page("## Frister\n\n| Steg | Frist |\n|---|---|\n| Komplettering | 14 dagar |"))
    assert section.text == "Steg: Komplettering; Frist: 14 dagar"


def test_split_sections_steps_lists_code_and_links_stay_readable() -> None:
    body = "## Gör så här\n\n1. Öppna **ärendet**.\n2. Läs [rutinen](/pages/x).\n   - underpunkt\n\n```\nkod 1\n```"
    [section] = split_sections(page(body))
    assert section.text.split("\n") == ["1. Öppna ärendet.", "2. Läs rutinen.", "  - underpunkt", "kod 1"]
    assert [b.kind for b in section.blocks] == ["step", "step", "item", "code"]


def test_render_markdown_escapes_raw_html_and_ids_match_anchors() -> None:
    from assistant.web.render import render_markdown

    body = "## Jäv & åtgärder\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n## Jäv & åtgärder\n\nB"
    html = str(render_markdown(body))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert 'id="jav-atgarder"' in html and 'id="jav-atgarder-2"' in html
    assert [s.anchor for s in split_sections(page(body))] == ["jav-atgarder", "jav-atgarder-2"]


def test_chunk_section_fits_budget_and_carries_heading_path() -> None:
    long = " ".join(f"Mening nummer {i} om komplettering." for i in range(200))
    [section] = [s for s in split_sections(page(f"## Frister\n\n### Förlängning\n\n{long}")) if s.blocks]
    chunks = chunk_section(section, "Sida", lambda text: len(text.split()), max_tokens=60)
    assert len(chunks) > 5
    assert all(len(c.embedding_text.split()) <= 60 for c in chunks)
    assert chunks[0].embedding_text.startswith("Sida – Frister – Förlängning\n")
    assert len({c.id for c in chunks}) == len(chunks)


def test_render_markdown_turns_file_links_into_page_links() -> None:
    from assistant.web.render import render_markdown

    html = str(
        render_markdown("Se [jäv](../regler/jav.md#anmalan-av-jav), [x](/pages/jav) och [w](https://e.se/a.md).")
    )
    assert 'href="/pages/jav#anmalan-av-jav"' in html
    assert 'href="/pages/jav"' in html and 'href="https://e.se/a.md"' in html
