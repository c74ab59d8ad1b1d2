"""Remove personal data from questions before anything is stored or logged.

Personnummer and samordningsnummer are recognised by their Luhn check digit, so an ordinary ten-digit
number (a diarienummer, an amount) is left alone; phone numbers and e-mail addresses by their shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.messages import t

_PERSONAL_ID = re.compile(r"(?<![\d-])(?:19|20)?(\d{2})(\d{2})(\d{2})([-+ ]?)(\d{4})(?![\d-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w-])(?:\+46|0046|0)\s?(?:\(0\))?\d{1,3}(?:[\s-]?\d{2,3}){2,4}(?![\w-])")

LABELS = {
    "personnummer": "[personnummer]",
    "samordningsnummer": "[samordningsnummer]",
    "e-post": "[e-post]",
    "telefon": "[telefonnummer]",
}


@dataclass(frozen=True)
class Redacted:
    text: str
    kinds: tuple[str, ...]  # what was removed, e.g. ("personnummer", "e-post")

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _personal_kind(match: re.Match[str]) -> str | None:
    yy, mm, dd, _sep, last = match.groups()
    month, day = int(mm), int(dd)
    if not 1 <= month <= 12 or not luhn_ok(yy + mm + dd + last):
        return None
    if 1 <= day <= 31:
        return "personnummer"
    if 61 <= day <= 91:  # samordningsnummer: day of birth + 60
        return "samordningsnummer"
    return None


def redact(text: str) -> Redacted:
    kinds: list[str] = []

    def personal(match: re.Match[str]) -> str:
        kind = _personal_kind(match)
        if kind is None:
            return match.group(0)
        kinds.append(kind)
        return LABELS[kind]

    def replace(kind: str) -> Callable[[re.Match[str]], str]:
        def inner(_match: re.Match[str]) -> str:
            kinds.append(kind)
            return LABELS[kind]

        return inner

    out = _EMAIL.sub(replace("e-post"), text)
    out = _PERSONAL_ID.sub(personal, out)
    out = _PHONE.sub(replace("telefon"), out)
    return Redacted(out, tuple(dict.fromkeys(kinds)))


def redaction_notice(kinds: tuple[str, ...], language: str = "sv") -> str:
    return t("redaction.notice", language, kinds=", ".join(kinds))


def strip_placeholders(text: str) -> str:
    """The redacted text without its placeholders, for searching: '[personnummer]' is not a topic."""
    for label in LABELS.values():
        text = text.replace(label, " ")
    return " ".join(text.split())
