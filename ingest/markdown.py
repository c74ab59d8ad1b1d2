"""Split a page's Markdown into sections by heading, with stable anchors and readable plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest.pages import Page

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a", "ø": "o"})


def slugify(heading: str) -> str:
    """The anchor of a heading: lower case, å/ä/ö folded, other characters collapsed to hyphens.

    Editors see these in links (/pages/{id}#{anchor}); docs/redaktorer.md documents the rule.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", heading.lower().translate(_FOLD)).strip("-")
    return slug or "avsnitt"


@dataclass(frozen=True)
class Block:
    """One readable unit of a section: a paragraph, a list item, a table row or a code block."""

    text: str
    kind: str  # paragraph | item | step | row | code
    line: int
    headers: tuple[str, ...] = ()  # a row's table header
    cells: tuple[str, ...] = ()  # a row's cells


@dataclass(frozen=True)
class Section:
    """A heading and the content under it up to the next heading of any level."""

    page_id: str
    anchor: str  # "" for the untitled intro before the first heading
    heading: str
    level: int
    path: tuple[str, ...]  # headings from the top down to this one
    blocks: tuple[Block, ...]
    line: int

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def markdown_parser() -> MarkdownIt:
    """One parser configuration for ingest and for rendering pages: CommonMark + tables, raw HTML off."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def split_sections(page: Page) -> list[Section]:
    tokens = markdown_parser().parse(page.body)
    sections: list[Section] = []
    used: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    heading = Section(page.id, "", "", 0, (), (), page.body_line)  # the untitled intro
    blocks: list[Block] = []

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type != "heading_open":
            i = _collect_block(tokens, i, blocks, page.body_line)
            continue
        if blocks or heading.anchor:
            sections.append(replace(heading, blocks=tuple(blocks)))
        blocks = []
        level = int(tok.tag[1:])
        title = _inline_text(tokens[i + 1])
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        line = page.body_line + (tok.map[0] if tok.map else 0)
        anchor = unique_anchor(slugify(title), used)
        heading = Section(page.id, anchor, title, level, tuple(h for _, h in stack), (), line)
        i += 3
    if blocks or heading.anchor:
        sections.append(replace(heading, blocks=tuple(blocks)))
    return sections


def unique_anchor(anchor: str, used: dict[str, int]) -> str:
    """The anchor, or the first free `anchor-2`, `anchor-3`, …: never one a heading on the page already has
    (a heading 'Exempel 2' after two 'Exempel' headings must not get the second one's anchor)."""
    count = used.get(anchor, 0) + 1
    candidate = anchor if count == 1 else f"{anchor}-{count}"
    while candidate in used and candidate != anchor:
        count += 1
        candidate = f"{anchor}-{count}"
    used[anchor] = count
    used.setdefault(candidate, 1)
    return candidate


def _collect_block(tokens: list[Token], i: int, blocks: list[Block], first_line: int) -> int:
    """Turn the block starting at tokens[i] into readable Blocks; return the index after it."""
    tok = tokens[i]
    line = first_line + (tok.map[0] if tok.map else 0)
    if tok.type in ("fence", "code_block"):
        blocks.append(Block(tok.content.rstrip(), "code", line))
        return i + 1
    if tok.type in ("bullet_list_open", "ordered_list_open"):
        return _collect_list(tokens, i, blocks, first_line, depth=0)
    if tok.type == "table_open":
        return _collect_table(tokens, i, blocks, first_line)
    if tok.type == "paragraph_open":
        text = _inline_text(tokens[i + 1])
        if text:
            blocks.append(Block(text, "paragraph", line))
        return i + 3
    return i + 1


def _collect_list(tokens: list[Token], i: int, blocks: list[Block], first_line: int, depth: int) -> int:
    ordered = tokens[i].type == "ordered_list_open"
    close = "ordered_list_close" if ordered else "bullet_list_close"
    number = int(tokens[i].attrGet("start") or 1)
    i += 1
    while tokens[i].type != close:
        tok = tokens[i]
        if tok.type == "list_item_open":
            line = first_line + (tok.map[0] if tok.map else 0)
            marker = f"{number}." if ordered else "-"
            parts: list[str] = []
            i += 1
            while tokens[i].type != "list_item_close":
                inner = tokens[i]
                if inner.type in ("bullet_list_open", "ordered_list_open"):
                    if parts:
                        blocks.append(Block(f"{'  ' * depth}{marker} {' '.join(parts)}", _kind(ordered), line))
                        parts = []
                    i = _collect_list(tokens, i, blocks, first_line, depth + 1)
                    continue
                if inner.type == "inline":
                    parts.append(_inline_text(inner))
                i += 1
            if parts:
                blocks.append(Block(f"{'  ' * depth}{marker} {' '.join(parts)}", _kind(ordered), line))
            number += 1
        i += 1
    return i + 1


def _kind(ordered: bool) -> str:
    return "step" if ordered else "item"


def _collect_table(tokens: list[Token], i: int, blocks: list[Block], first_line: int) -> int:
    """Tables become one line per row, 'Header: value; Header: value', so a row reads on its own."""
    headers: list[str] = []
    row: list[str] = []
    row_line = first_line
    in_head = False
    while tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            row = []
            row_line = first_line + (tok.map[0] if tok.map else 0)
        elif tok.type == "inline":
            row.append(_inline_text(tok))
        elif tok.type == "tr_close":
            if in_head:
                headers = row
            else:
                cells = [f"{h}: {v}" if h else v for h, v in zip(headers + [""] * len(row), row, strict=False) if v]
                blocks.append(Block("; ".join(cells), "row", row_line, tuple(headers), tuple(row)))
        i += 1
    return i + 1


def _inline_text(token: Token) -> str:
    """Plain text of an inline token: emphasis dropped, links kept as their text, code kept."""
    if not token.children:
        return token.content.strip()
    out: list[str] = []
    for child in token.children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            out.append(child.content)
    return re.sub(r"\s+", " ", "".join(out)).strip()
