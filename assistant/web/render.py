"""Render a page's Markdown as safe HTML whose heading ids are the same anchors citations link to."""

from __future__ import annotations

from markupsafe import Markup

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
    return Markup(parser.renderer.render(tokens, parser.options, {}))
