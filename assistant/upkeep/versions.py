"""The published index versions as the admin page shows them: when, how big, what changed, which is served."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.publish import IndexStore


@dataclass(frozen=True)
class VersionInfo:
    version: str
    created_at: str
    current: bool
    pages: int
    chunks: int
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    recorded: bool = True  # False for versions published before changes were recorded in the manifest

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "created_at": self.created_at,
            "current": self.current,
            "pages": self.pages,
            "chunks": self.chunks,
            "changes": {"added": list(self.added), "changed": list(self.changed), "removed": list(self.removed)}
            if self.recorded
            else None,
            "skipped": list(self.skipped),
        }


@dataclass
class IndexOverview:
    current: str | None
    versions: list[VersionInfo] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    last_watch: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "current": self.current,
            "versions": [v.to_dict() for v in self.versions],
            "history": self.history,
            "last_watch": self.last_watch,
        }


def index_overview(store: IndexStore) -> IndexOverview:
    """Every kept version, newest first, with the changes its manifest recorded at publish time."""
    current = store.current_version()
    versions = []
    for version in reversed(store.list_versions()):
        try:
            manifest = store.manifest(version)
        except (OSError, ValueError):
            continue  # a version being pruned right now
        changes = manifest.get("changes")
        counts = manifest.get("counts", {})
        versions.append(
            VersionInfo(
                version=version,
                created_at=str(manifest.get("created_at", "")),
                current=version == current,
                pages=int(counts.get("pages", 0)),
                chunks=int(counts.get("chunks", 0)),
                added=tuple((changes or {}).get("added", ())),
                changed=tuple((changes or {}).get("changed", ())),
                removed=tuple((changes or {}).get("removed", ())),
                skipped=tuple(manifest.get("skipped", ())),
                recorded=changes is not None,
            )
        )
    return IndexOverview(current, versions, store.history(20), store.last_watch())
