"""Render a page's Markdown as safe HTML whose heading ids are the same anchors citations link to."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ingest.links import page_href, page_link
from ingest.markdown import markdown_parser, slugify, unique_anchor


def render_markdown(body: str) -> Markup:
    """Raw HTML in the Markdown is escaped, never passed through; javascript: links are refused by the parser."""
    parser = markdown_parser()
    tokens = parser.parse(body)
    used: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            text = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
            token.attrSet("id", unique_anchor(slugify(" ".join(text.split())), used))
            token.attrSet("tabindex", "-1")
        for child in token.children or []:
            if child.type == "link_open":
                _link_to_page(child)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


def _link_to_page(link: Any) -> None:
    """A file link between pages (`../regler/jav.md#anmalan-av-jav`) works in an editor and on a Git host;
    on this site the page lives at /pages/jav, so the link is rewritten to that."""
    href = str(link.attrGet("href") or "")
    target = page_link(href)
    if target is not None and target.file:
        link.attrSet("href", page_href(target))
