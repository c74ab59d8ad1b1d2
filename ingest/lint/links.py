"""Links to pages and sections that do not exist, and pages that no other page links to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ingest.links import PageLink, page_link
from ingest.lint.model import REGISTRY, Finding, LintContext, Severity
from ingest.markdown import markdown_parser
from ingest.pages import Page

REGISTRY.rule(
    "LNK001",
    Severity.ERROR,
    "links point at pages that exist",
    "link to an existing page: '/pages/<id>' or a relative file link such as '../regler/jav.md'",
)
REGISTRY.rule(
    "LNK002",
    Severity.ERROR,
    "links to a section name an anchor the page has",
    "use the anchor of the heading as the page shows it (lower case, å/ä/ö as a/a/o, hyphens)",
)
REGISTRY.rule(
    "ORP001",
    Severity.WARNING,
    "some other page links to the page",
    "link to it from the pages a reader comes from, e.g. [Jäv](/pages/jav)",
)


@dataclass(frozen=True)
class BodyLink:
    href: str
    line: int
    target: PageLink


def body_links(page: Page) -> list[BodyLink]:
    """Every link from the page into the knowledge base, with the line it is on."""
    found: list[BodyLink] = []
    for token in markdown_parser().parse(page.body):
        if token.type != "inline" or not token.children:
            continue
        line = page.body_line + (token.map[0] if token.map else 0)
        for child in token.children:
            href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
            target = page_link(href, page.path) if href else None
            if target is not None:
                found.append(BodyLink(href, line, target))
    return found


@REGISTRY.check("LNK001", "LNK002")
def check_links(ctx: LintContext) -> Iterator[Finding]:
    files = {page.path: page.id for page in ctx.pages}
    for page in ctx.pages:
        for link in body_links(page):
            target_id = link.target.page_id or page.id
            if link.target.file and link.target.file not in files:
                yield REGISTRY.finding(ctx, "LNK001", page.path, link.line, f"link to {link.href}: no such file")
                continue
            if target_id not in ctx.by_id:
                yield REGISTRY.finding(
                    ctx, "LNK001", page.path, link.line, f"link to {link.href}: no page {target_id!r}"
                )
                continue
            anchors = [s.anchor for s in ctx.sections[target_id] if s.anchor]
            if link.target.anchor and link.target.anchor not in anchors:
                shown = ", ".join(f"#{a}" for a in anchors[:8]) or "none"
                yield REGISTRY.finding(
                    ctx,
                    "LNK002",
                    page.path,
                    link.line,
                    f"link to {link.href}: {target_id!r} has no section #{link.target.anchor}",
                    fix=f"use one of its anchors: {shown}",
                )


@REGISTRY.check("ORP001")
def check_orphans(ctx: LintContext) -> Iterator[Finding]:
    linked: set[str] = set()
    for page in ctx.pages:
        linked.update(link.target.page_id for link in body_links(page) if link.target.page_id not in ("", page.id))
    for page in ctx.pages:
        if page.id not in linked and page.status != "archived":
            yield REGISTRY.finding(ctx, "ORP001", page.path, 1, f"no other page links to {page.id!r}")
