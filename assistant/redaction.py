"""Remove personal data from text before anything is stored or logged.

Text is normalised first (NFKC, zero-width characters removed, every dash a hyphen), so a number pasted
from Word (`811218–9876`) or with an invisible character inside looks like any other.

- Personnummer and samordningsnummer: anything shaped like one (a real date of birth, or day + 60, then four
  digits) is removed, whatever its check digit: a mistyped number still names a person.
- Phone numbers: a Swedish number has 9 or 10 digits with its leading 0 (7 to 9 after +46); shorter runs are
  bankgiro numbers, amounts or codes and are left alone.
- E-mail addresses by their shape.

What survives on purpose: amounts (a number followed by kr/kronor/SEK/:-), decimals (`0,085185`), dates,
diarienummer (`NRV 2026/1234`, `Dnr 2.3-456/2026`) and section references (`23 § OSL`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from assistant.messages import t

# Invisible characters that split a number or an address without showing: ZWSP, ZWNJ, ZWJ, word joiner,
# BOM, soft hyphen, and the invisible operators U+2061-2064.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u2061\u2062\u2063\u2064\u180e"))
# Dashes and minus signs as Word, phones and keyboards type them; NFKC keeps most of them apart.
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043]")

# A currency after the number makes it an amount ("1212121213 kronor", "0 500 000 kr").
_AMOUNT_AFTER = r"(?!\s*(?:kr\b|kronor|kr\.|sek\b|:-|tkr\b|mkr\b|eur\b|euro|€|\$))"
# Not the tail of a decimal ("0,085185") or of a longer number.
_NOT_AFTER_NUMBER = r"(?<!\d[,.])(?<![\d])"

_PERSONAL_ID = re.compile(
    _NOT_AFTER_NUMBER + r"((?:19|20)?)(\d{2})(\d{2})(\d{2})(\s?[-+]\s?|\s)?(\d{4})(?![\d])(?![,.]\d)" + _AMOUNT_AFTER,
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SEPARATOR = r"[ \-/]?"
_PHONE = re.compile(
    r"(?<![\w+\-])" + _NOT_AFTER_NUMBER + r"(?:"
    r"(?:\+46|0046)[ \-]?(?:\(0\)[ \-]?)?\(?\d{1,3}\)?"  # international: +46 70 / +46 (0)8
    r"|\(0\d{1,3}\)|0\d{1,3}"  # national: 070 / (08)
    r")" + r"(?:" + _SEPARATOR + r"\d{1,4}){1,5}(?![\w\-])(?![,.]\d)" + _AMOUNT_AFTER,
    re.IGNORECASE,
)

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


def normalise(text: str) -> str:
    """The form every text is matched and stored in: NFKC, no invisible characters, one kind of dash."""
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    return _DASHES.sub("-", text.translate(_INVISIBLE))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _personal_kind(match: re.Match[str]) -> str | None:
    century, yy, mm, dd, separator, last = match.groups()
    month, day = int(mm), int(dd)
    if not 1 <= month <= 12:
        return None
    if not century and not separator and match.group(0).startswith("0") and not luhn_ok(yy + mm + dd + last):
        return "telefon"  # 0701234567: a mobile number written without spaces
    if 1 <= day <= 31:
        return "personnummer"
    if 61 <= day <= 91:  # samordningsnummer: day of birth + 60
        return "samordningsnummer"
    return None


def _phone_digits_ok(match: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", match.group(0))
    if digits.startswith("0046"):
        national = digits[4:]
    elif match.group(0).startswith("+"):
        national = digits[2:]
    else:
        return 9 <= len(digits) <= 10  # with the leading 0
    national = national.removeprefix("0")  # +46 (0)8 …
    return 7 <= len(national) <= 9


def redact(text: str, keep: Iterable[str] = ()) -> Redacted:
    """The text normalised, with personal identifiers replaced by labels. Values in `keep` (e.g. the
    published contact address of a page owner) are left as they are."""
    kinds: list[str] = []
    kept = {k.strip().lower() for k in keep}

    def personal(match: re.Match[str]) -> str:
        kind = _personal_kind(match)
        if kind is None:
            return match.group(0)
        kinds.append(kind)
        return LABELS[kind]

    def phone(match: re.Match[str]) -> str:
        if not _phone_digits_ok(match):
            return match.group(0)
        kinds.append("telefon")
        return LABELS["telefon"]

    def replace(kind: str) -> Callable[[re.Match[str]], str]:
        def inner(match: re.Match[str]) -> str:
            if match.group(0).lower() in kept:
                return match.group(0)
            kinds.append(kind)
            return LABELS[kind]

        return inner

    out = _EMAIL.sub(replace("e-post"), normalise(text))
    out = _PERSONAL_ID.sub(personal, out)
    out = _PHONE.sub(phone, out)
    return Redacted(out, tuple(dict.fromkeys(kinds)))


def redact_optional(text: str | None, keep: Iterable[str] = ()) -> str | None:
    """For optional free-text fields written by staff (notes, assignees): None stays None."""
    return None if text is None else redact(text, keep).text


def redaction_notice(kinds: tuple[str, ...], language: str = "sv") -> str:
    return t("redaction.notice", language, kinds=", ".join(kinds))


def strip_placeholders(text: str) -> str:
    """The redacted text without its placeholders, for searching: '[personnummer]' is not a topic."""
    for label in LABELS.values():
        text = text.replace(label, " ")
    return " ".join(text.split())
