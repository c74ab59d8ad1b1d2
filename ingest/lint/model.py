"""What lint works on (the pages read once) and what it reports (findings with a stable code and a fix)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ingest.markdown import Section, split_sections
from ingest.pages import Page, PageProblem


class Severity(enum.StrEnum):
    ERROR = "error"  # breaks answers or citations: CI fails
    WARNING = "warning"  # makes answers worse or pages harder to keep: shown, CI passes unless --strict


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str  # what the rule checks, for `assistant lint --rules` and the docs
    fix: str  # the default one-line fix


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    code: str
    severity: Severity
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code} {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass
class LintContext:
    """The knowledge folder read once: the valid pages, their sections, and what could not be read."""

    root: Path
    shown_root: str  # the folder as the user named it, prefixed to every file in findings
    pages: list[Page]
    unreadable: list[PageProblem]
    today: dt.date
    duplicates: list[tuple[Page, Page]] = field(default_factory=list)  # (page, the first page with its id)

    @cached_property
    def sections(self) -> dict[str, list[Section]]:
        return {page.id: split_sections(page) for page in self.pages}

    @cached_property
    def by_id(self) -> dict[str, Page]:
        return {page.id: page for page in self.pages}

    @cached_property
    def front_matter_lines(self) -> dict[str, dict[str, int]]:
        """The line of each top-level front-matter field, by page path (to point at `aliases:` or `title:`)."""
        lines: dict[str, dict[str, int]] = {}
        for page in [*self.pages, *(dup for dup, _ in self.duplicates)]:
            text = (self.root / page.path).read_text(encoding="utf-8")
            found: dict[str, int] = {}
            for n, line in enumerate(text.split("\n")[: page.body_line], 1):
                match = re.match(r"([A-Za-z_]+)\s*:", line)
                if match:
                    found.setdefault(match.group(1), n)
            lines[page.path] = found
        return lines

    def shown(self, path: str) -> str:
        return f"{self.shown_root.rstrip('/')}/{path}" if self.shown_root else path

    def field_line(self, page: Page, name: str) -> int:
        return self.front_matter_lines.get(page.path, {}).get(name, 1)


Check = Callable[[LintContext], Iterable[Finding]]


class Registry:
    """Rules by code and the checks that produce them; a module registers its own with `check`."""

    def __init__(self) -> None:
        self.rules: dict[str, Rule] = {}
        self.checks: list[tuple[tuple[str, ...], Check]] = []

    def rule(self, code: str, severity: Severity, title: str, fix: str) -> Rule:
        if code in self.rules:
            raise ValueError(f"lint code {code} registered twice")
        self.rules[code] = Rule(code, severity, title, fix)
        return self.rules[code]

    def check(self, *codes: str) -> Callable[[Check], Check]:
        def register(func: Check) -> Check:
            self.checks.append((codes, func))
            return func

        return register

    def finding(
        self, ctx: LintContext, code: str, path: str, line: int, message: str, fix: str | None = None
    ) -> Finding:
        rule = self.rules[code]
        return Finding(ctx.shown(path), line, code, rule.severity, message, fix or rule.fix)

    def run(self, ctx: LintContext, codes: set[str]) -> Iterator[Finding]:
        for produces, check in self.checks:
            if codes & set(produces):
                yield from (f for f in check(ctx) if f.code in codes)


REGISTRY = Registry()
