"""Which pages exist, who owns them, and which of them a reviewer may see.

Editors see the items on the pages they own. A page is an editor's when the page owner's contact
(front matter `owner.contact`, an e-mail address) equals the editor's user id or name, ignoring case, or when
the setting `review_editor_units` maps the editor's user id to the page's owner unit (for sign-in where the
user id is not an e-mail address, such as Entra ID object ids). Quality leads and admins see every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.auth import Principal, Role
from assistant.index import IndexedPage, IndexedSection, KnowledgeIndex


@dataclass(frozen=True)
class PageInfo:
    id: str
    title: str
    owner_unit: str
    owner_contact: str
    version: str


class PageDirectory:
    """The pages of the index being served, looked up by id; unknown ids (deleted pages) still get a name."""

    def __init__(self, index: KnowledgeIndex):
        self.index = index
        self.pages: dict[str, IndexedPage] = dict(index.pages)

    def info(self, page_id: str | None) -> PageInfo | None:
        entry = self.pages.get(page_id or "")
        if entry is None:
            return None
        page = entry.page
        return PageInfo(page.id, page.title, page.owner.unit, page.owner.contact, entry.hash)

    def title(self, page_id: str) -> str:
        info = self.info(page_id)
        return info.title if info else page_id

    def section(self, page_id: str, anchor: str) -> IndexedSection | None:
        entry = self.pages.get(page_id)
        return entry.section(anchor) if entry else None

    def units(self) -> list[str]:
        return sorted({e.page.owner.unit for e in self.pages.values()})

    def sorted_pages(self) -> list[PageInfo]:
        infos = [self.info(page_id) for page_id in self.pages]
        return sorted((i for i in infos if i is not None), key=lambda i: i.title)

    def pages_of_unit(self, unit: str) -> frozenset[str]:
        return frozenset(pid for pid, e in self.pages.items() if e.page.owner.unit == unit)


@dataclass(frozen=True)
class Scope:
    """The pages a reviewer may see items for; `everything` for quality leads and admins."""

    everything: bool
    pages: frozenset[str] = frozenset()

    def allows(self, page_ids: Iterable[str]) -> bool:
        return self.everything or any(p in self.pages for p in page_ids)


def scope_for(principal: Principal, directory: PageDirectory, editor_units: dict[str, str]) -> Scope:
    if principal.has(Role.QUALITY_LEAD):  # admins include quality leads
        return Scope(everything=True)
    me = {principal.user_id.strip().lower(), principal.name.strip().lower()} - {""}
    unit = editor_units.get(principal.user_id)
    own = {
        pid
        for pid, entry in directory.pages.items()
        if entry.page.owner.contact.strip().lower() in me or (unit is not None and entry.page.owner.unit == unit)
    }
    return Scope(everything=False, pages=frozenset(own))
