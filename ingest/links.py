"""Links between guidance pages: a relative file link (`../regler/jav.md#anmalan-av-jav`) or a link by page id
(`/pages/jav#anmalan-av-jav`). Lint checks them; the page view turns file links into working page links."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

PAGE_PREFIX = "/pages/"


@dataclass(frozen=True)
class PageLink:
    """Where an internal link points: a page id (empty for the same page) and an optional section anchor."""

    page_id: str
    anchor: str
    file: str = ""  # the resolved file path (relative to the knowledge folder) for file links


def page_link(href: str, from_path: str = "") -> PageLink | None:
    """Parse an href; None for links outside the knowledge base (http:, mailto:, other paths).

    `from_path` is the linking page's path relative to the knowledge folder, to resolve `../x.md`."""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        return None
    path, anchor = unquote(parts.path), unquote(parts.fragment)
    if not path:
        return PageLink("", anchor) if anchor else None
    if path.startswith(PAGE_PREFIX):
        page_id = path[len(PAGE_PREFIX) :].strip("/")
        return PageLink(page_id, anchor) if page_id and "/" not in page_id else None
    if path.lower().endswith(".md") and not path.startswith("/"):
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(from_path), path))
        stem = posixpath.basename(resolved)[:-3]
        return PageLink(stem, anchor, file=resolved)
    return None


def page_href(link: PageLink) -> str:
    """The URL the page view links to (ids equal file names, so a file link maps to its page by name)."""
    base = f"{PAGE_PREFIX}{link.page_id}" if link.page_id else ""
    return f"{base}#{link.anchor}" if link.anchor else base
