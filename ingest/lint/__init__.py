"""`assistant lint`: rules with stable codes that catch what breaks answers, each with a one-line fix.

One module per concern registers its rules and checks on REGISTRY (front matter, links, review dates,
structure, similarity, glossary). docs/redaktorer.md lists every code; a test keeps that list complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.lint import frontmatter, glossary, links, review, similarity, structure  # noqa: F401  (registers rules)
from ingest.lint.model import REGISTRY, Finding, LintContext, Rule, Severity
from ingest.pages import Page, PageError, PageProblem, knowledge_files, read_page

__all__ = ["REGISTRY", "Finding", "LintReport", "Rule", "Severity", "UnknownCode", "lint_knowledge", "select_codes"]


@dataclass(frozen=True)
class LintReport:
    pages: int
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)

    def exit_code(self, strict: bool = False) -> int:
        """0: no errors (warnings allowed); 1: errors, or warnings with strict. 2 is left for 'could not run'."""
        return 1 if self.errors or (strict and self.warnings) else 0

    def to_dict(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_dict() for f in self.findings],
        }


class UnknownCode(ValueError):
    """--select or --ignore named a code (or prefix) no rule has."""


def select_codes(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> set[str]:
    """Codes to run: all, or those matching --select (a code or a prefix like LNK), minus --ignore."""

    def matching(patterns: Iterable[str]) -> set[str]:
        chosen: set[str] = set()
        for pattern in (p.strip().upper() for item in patterns for p in item.split(",") if p.strip()):
            hits = {code for code in REGISTRY.rules if code.startswith(pattern)}
            if not hits:
                raise UnknownCode(f"no lint rule {pattern!r}; known: {', '.join(sorted(REGISTRY.rules))}")
            chosen |= hits
        return chosen

    selected = matching(select) or set(REGISTRY.rules)
    return selected - matching(ignore)


def lint_knowledge(
    root: Path,
    today: dt.date | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> LintReport:
    """Run the chosen rules over every page under root; findings sorted by file and line."""
    codes = select_codes(select, ignore)
    ctx = read_context(root, today or dt.date.today())
    findings = sorted(REGISTRY.run(ctx, codes), key=lambda f: (f.file, f.line, f.code))
    return LintReport(pages=len(ctx.pages) + len(ctx.duplicates), findings=tuple(findings))


def read_context(root: Path, today: dt.date) -> LintContext:
    if not root.is_dir():
        raise PageError([PageProblem(str(root), 0, "", "knowledge folder does not exist")])
    pages: list[Page] = []
    unreadable: list[PageProblem] = []
    duplicates: list[tuple[Page, Page]] = []
    seen: dict[str, Page] = {}
    for path in knowledge_files(root):
        try:
            page = read_page(path, root)
        except PageError as err:
            unreadable.extend(err.problems)
            continue
        if page.id in seen:
            duplicates.append((page, seen[page.id]))
            continue
        seen[page.id] = page
        pages.append(page)
    shown = "" if root.resolve() == Path.cwd().resolve() else str(root)
    return LintContext(
        root=root, shown_root=shown, pages=pages, unreadable=unreadable, today=today, duplicates=duplicates
    )
