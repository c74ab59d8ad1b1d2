"""Abbreviations used without a glossary entry: a caseworker who does not know 'GBER' cannot ask about it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.lint.model import REGISTRY, Finding, LintContext, Severity

GLOSSARY_TYPE = "ordlista"
# Two to six capitals: ERUF, OSL, FL, GBER. Codes with digits (mall B5, blankett K2) are names, not
# abbreviations; Roman numerals are numbers.
_ABBREVIATION = re.compile(r"(?<![\w-])([A-ZÅÄÖ]{2,6})(?![\w])")
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_DEFINED = re.compile(r"\(([A-ZÅÄÖ][A-ZÅÄÖ0-9]{1,5})\)|förkortas\s+([A-ZÅÄÖ][A-ZÅÄÖ0-9]{1,5})", re.IGNORECASE)

REGISTRY.rule(
    "GLO001",
    Severity.WARNING,
    "abbreviations have a glossary entry",
    "add a '## <förkortning>' section to the glossary (doc_type: ordlista), or write the words out",
)


def glossary_terms(ctx: LintContext) -> set[str]:
    """Abbreviations the glossary explains: in its title, aliases or headings, '(GBER)', or 'förkortas dnr'."""
    terms: set[str] = set()
    for page in ctx.pages:
        if page.doc_type != GLOSSARY_TYPE:
            continue
        for name in (page.title, *page.aliases):
            terms.update(_ABBREVIATION.findall(name))
        for section in ctx.sections[page.id]:
            terms.update(_ABBREVIATION.findall(section.heading))
            for match in _DEFINED.finditer(section.text):
                terms.add((match.group(1) or match.group(2)).upper())
    return terms


@REGISTRY.check("GLO001")
def check_abbreviations(ctx: LintContext) -> Iterator[Finding]:
    if not any(page.doc_type == GLOSSARY_TYPE for page in ctx.pages):
        return  # no glossary to point to; the rule is about keeping one that exists complete
    known = glossary_terms(ctx)
    for page in ctx.pages:
        if page.doc_type == GLOSSARY_TYPE:
            continue
        reported: set[str] = set()
        for section in ctx.sections[page.id]:
            for block in section.blocks:
                if block.kind == "code":
                    continue
                for term in _ABBREVIATION.findall(f"{section.heading} {block.text}"):
                    if term in known or term in reported or _ROMAN.match(term) or term.isdigit():
                        continue
                    reported.add(term)
                    yield REGISTRY.finding(
                        ctx, "GLO001", page.path, block.line, f"abbreviation {term!r} has no glossary entry"
                    )
