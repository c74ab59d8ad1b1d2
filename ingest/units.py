"""The units an answer is made of: sentences of prose, list items, steps and table rows.

Units are cut at ingest, embedded there and kept in the index, so composing an answer costs one query
embedding however many sentences it compares. A list's lead-in ("Ansökan ska innehålla:") and a table's
header travel with their units, because an item or a row is not understood without them.

Swedish legal and administrative text puts full stops inside sentences ("30 kap. 23 § OSL", "t.ex.",
"bl.a.", "ca 3 000 kr", "1 jan. 2025"); the splitter knows those forms and does not cut there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ingest.markdown import Block

# Abbreviations that end in a full stop inside a sentence (lower case, without their last full stop).
ABBREVIATIONS = frozenset(
    """
    t.ex bl.a m.m m.fl s.k d.v.s dvs o.s.v osv p.g.a pga t.o.m fr.o.m f.d jfr resp inkl exkl ca cirka enl
    ang kap st nr mom p pkt prop bet dir sfs ds sou fl tel tfn kl s ff jan feb mar apr jun jul aug sep sept
    okt nov dec e.d el.dyl dyl mfl etc obs ev iaf vs bil avd milj
    """.split()
)
_CANDIDATE_END = re.compile(r"[.!?]+[\"”’)]*\s+")
_LIST_MARKER = re.compile(r"^(\s*)(\d+\.|-)\s+")


@dataclass(frozen=True)
class Unit:
    """One sentence, item, step or table row of a section, with what it needs to be read."""

    text: str  # as shown: an item keeps "- ", a step its number, a row its cells joined
    kind: str  # sentence | lead_in | item | step | row | code
    block: int  # which block of the section it came from (sentences of one paragraph share it)
    headers: tuple[str, ...] = ()  # a row's table header
    cells: tuple[str, ...] = ()  # a row's cells

    @property
    def is_list_part(self) -> bool:
        return self.kind in ("item", "step")

    @property
    def plain(self) -> str:
        """The text without a list marker."""
        return _LIST_MARKER.sub("", self.text).strip() if self.is_list_part else self.text

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        for name in ("headers", "cells"):
            if not record[name]:
                del record[name]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Unit:
        return cls(
            text=record["text"],
            kind=record["kind"],
            block=int(record["block"]),
            headers=tuple(record.get("headers", ())),
            cells=tuple(record.get("cells", ())),
        )


def section_units(blocks: Sequence[Block]) -> list[Unit]:
    """The units of a section's blocks, in order."""
    out: list[Unit] = []
    for n, block in enumerate(blocks):
        if block.kind in ("item", "step"):
            out.append(Unit(block.text, block.kind, n))
        elif block.kind == "row":
            out.append(Unit(block.text, "row", n, tuple(block.headers), tuple(block.cells)))
        elif block.kind == "code":
            out.append(Unit(block.text, "code", n))
        else:
            sentences = split_sentences(block.text)
            followed_by_list = n + 1 < len(blocks) and blocks[n + 1].kind in ("item", "step", "row")
            for i, sentence in enumerate(sentences):
                last = i == len(sentences) - 1
                lead_in = last and (sentence.rstrip().endswith(":") or followed_by_list)
                out.append(Unit(sentence, "lead_in" if lead_in else "sentence", n))
    return out


def units_from_text(text: str) -> list[Unit]:
    """Units of a section's plain text (an index built before units were stored): one block per line."""
    blocks = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if _LIST_MARKER.match(line):
            kind = "step" if line.strip()[0].isdigit() else "item"
            blocks.append(Block(line.rstrip(), kind, 0))
        else:
            blocks.append(Block(line.strip(), "paragraph", 0))
    return section_units(blocks)


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, not cut after abbreviations, section references or numbers."""
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE_END.finditer(text):
        end = match.end()
        if end >= len(text) or not _ends_sentence(text, match.start(), end):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _ends_sentence(text: str, stop: int, next_start: int) -> bool:
    following = text[next_start:]
    if not following or not (following[0].isupper() or following[0].isdigit() or following[0] in '"”(§'):
        return False
    if text[stop] != ".":
        return True  # ! and ? end a sentence
    word = re.search(r"(\S+)$", text[:stop])
    if word is None:
        return True
    original = word.group(1).strip('("”')
    if len(original) > 1 and original.isupper():
        return True  # a law's short name ("OSL.", "FL.") ends a sentence
    token = original.lower()
    if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
        return False
    # "den 3. 4 §" or a date in numbers; "30 kap. 23 §" is caught above, as "kap" is an abbreviation
    return not (token.isdigit() and (following[0].isdigit() or following[0] == "§"))


def unit_key(heading: str, unit: Unit) -> str:
    """What a unit's embedding depends on, for reuse across ingests."""
    return hashlib.sha256(f"{heading}\n{unit.text}".encode()).hexdigest()[:32]


def embedding_text(heading: str, unit: Unit) -> str:
    """A unit is embedded under its heading: "Tidsfrist för komplettering: Fristen är 14 dagar." says
    what the 14 days are about; a row also carries its header."""
    body = unit.plain
    return f"{heading}: {body}" if heading else body
