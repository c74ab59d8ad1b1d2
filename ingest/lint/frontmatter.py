"""Front matter against the schema (ingest/pages.py validates it), owners, duplicate ids and titles, aliases."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.lint.model import REGISTRY, Finding, LintContext, Severity
from ingest.text import normalize

REGISTRY.rule("FM001", Severity.ERROR, "front matter follows the schema", "correct the field as the message says")
REGISTRY.rule(
    "OWN001",
    Severity.ERROR,
    "every page has an owner",
    "add 'owner: {unit: <ansvarig enhet>, contact: <funktionsbrevlåda>}'",
)
REGISTRY.rule("DUP001", Severity.ERROR, "page ids are unique", "give one of the pages a new id (and file name)")
REGISTRY.rule("DUP002", Severity.ERROR, "page titles are unique", "make the titles say how the pages differ")
REGISTRY.rule(
    "ALI001",
    Severity.WARNING,
    "an alias belongs to one page only",
    "keep the alias on the page it really means and remove it from the other",
)


@REGISTRY.check("FM001", "OWN001")
def check_front_matter(ctx: LintContext) -> Iterator[Finding]:
    for problem in ctx.unreadable:
        code = "OWN001" if problem.field == "owner" else "FM001"
        message = f"{problem.field}: {problem.message}" if problem.field else problem.message
        yield REGISTRY.finding(ctx, code, problem.path, problem.line, message)


@REGISTRY.check("DUP001", "DUP002")
def check_duplicates(ctx: LintContext) -> Iterator[Finding]:
    for page, first in ctx.duplicates:
        yield REGISTRY.finding(
            ctx, "DUP001", page.path, ctx.field_line(page, "id"), f"id {page.id!r} is also used by {first.path}"
        )
    seen: dict[str, str] = {}
    for page in ctx.pages:
        key = normalize(page.title).strip()
        if key in seen:
            yield REGISTRY.finding(
                ctx, "DUP002", page.path, ctx.field_line(page, "title"), f"title {page.title!r} is also {seen[key]}'s"
            )
        else:
            seen[key] = page.path


@REGISTRY.check("ALI001")
def check_aliases(ctx: LintContext) -> Iterator[Finding]:
    """An alias gives its page a bonus when a question mentions it; on two pages it points both ways."""
    owners: dict[str, list[str]] = {}
    for page in ctx.pages:
        for name in {normalize(a).strip() for a in page.aliases} | {normalize(page.title).strip()}:
            owners.setdefault(name, []).append(page.id)
    for page in ctx.pages:
        for alias in page.aliases:
            others = [pid for pid in owners.get(normalize(alias).strip(), []) if pid != page.id]
            if others:
                yield REGISTRY.finding(
                    ctx,
                    "ALI001",
                    page.path,
                    ctx.field_line(page, "aliases"),
                    f"alias {alias!r} is also an alias or the title of {', '.join(sorted(set(others)))}",
                )
