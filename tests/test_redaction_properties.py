"""Property-based tests of the redactor, both ways: identifiers in any format go, everything else stays.

The generated identifiers cover what a probe found stored verbatim: personnummer with an en-dash (pasted from
Word), with zero-width characters inside, with a wrong check digit, samordningsnummer, phone numbers as
`+46-70-123 45 67` and `(08) 123 45 67`, and e-mail addresses with zero-width characters. The survivors are
what the same probe found mangled: amounts, bankgiro numbers, decimals, plus dates, diarienummer and section
references.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.redaction import normalise, redact

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
DASHES = ["-", "\u2013", "\u2014", "\u2011", "\u2212", "\u2010", "\uff0d"]
# Context words: no digits (so any digit left in the output came from the identifier) and no '@'.
CONTEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖ ,.?!:;()", max_size=30)
# What follows an identifier: punctuation first, so a word like 'kr' after it cannot make it an amount.
AFTER = st.sampled_from([", ", ". ", "? ", "! ", ": ", "; "])


@st.composite
def sprinkled(draw: st.DrawFn, text: str) -> str:
    """The text with invisible characters inserted at random places, digits sometimes full-width."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(INVISIBLE)))
    out = "".join(chars)
    if draw(st.booleans()):
        out = out.translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)})  # '０１２…' from some keyboards
    return out


@st.composite
def personal_ids(draw: st.DrawFn) -> str:
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2026, 12, 31)))
    day = born.day + (60 if draw(st.booleans()) else 0)  # samordningsnummer: day + 60
    last = draw(st.integers(0, 9999))  # any check digit: a mistyped number is still personal data
    year = f"{born.year}" if draw(st.booleans()) else f"{born.year % 100:02d}"
    separator = draw(st.sampled_from(["", " ", "+", *DASHES, " - ", " \u2013 "]))
    return draw(sprinkled(f"{year}{born.month:02d}{day:02d}{separator}{last:04d}"))


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    digits = lambda n: "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=n, max_size=n)))  # noqa: E731
    mobile = f"7{draw(st.sampled_from('02369'))}"
    a, b, c = digits(3), digits(2), digits(2)
    dash = draw(st.sampled_from(DASHES))
    shapes = [
        f"0{mobile}{dash}{a} {b} {c}",
        f"0{mobile} {a} {b} {c}",
        f"0{mobile}{a}{b}{c}",
        f"+46 {mobile} {a} {b} {c}",
        f"+46{dash}{mobile}{dash}{a} {b} {c}",
        f"+46 (0){mobile} {a} {b} {c}",
        f"0046 {mobile} {a} {b} {c}",
        f"(08) {a} {b} {c}",
        f"08{dash}{a} {b} {c}",
        f"+46 8 {a} {digits(3)} {b}",
        f"031{dash}{a} {b} {c}",
    ]
    return draw(sprinkled(draw(st.sampled_from(shapes))))


@st.composite
def emails(draw: st.DrawFn) -> str:
    name = draw(st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8})?", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z]{2,10}\.(se|nu|com)", fullmatch=True))
    return draw(sprinkled(f"{name}@{domain}"))


@PROPERTY
@given(before=CONTEXT, identifier=personal_ids() | phone_numbers() | emails(), glue=AFTER, after=CONTEXT)
@example(before="Sökande ", identifier="811218\u20139876", glue=", ", after="")  # pasted from Word
@example(before="pnr ", identifier="8112\u200b18-9876", glue=". ", after="")
@example(before="fel kontrollsiffra ", identifier="811218-9877", glue=". ", after="")
@example(before="ring ", identifier="+46-70-123 45 67", glue=". ", after="")
@example(before="ring ", identifier="(08) 123 45 67", glue=". ", after="")
@example(before="mejla ", identifier="anna.svens\u200bson@foretag.se", glue=". ", after="")
def test_redact_removes_identifiers_in_any_format(before: str, identifier: str, glue: str, after: str) -> None:
    result = redact(f"{before} {identifier}{glue}{after}")
    assert not re.search(r"\d", result.text), result.text
    assert "@" not in result.text
    assert result.kinds


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


@st.composite
def amounts(draw: st.DrawFn) -> str:
    n = draw(st.integers(0, 10**10))
    number = draw(st.sampled_from([_thousands(n), str(n), f"0 {_thousands(n)}", f"{_thousands(n)},{n % 100:02d}"]))
    return number + draw(st.sampled_from([" kr", " kronor", " SEK", ":-", " kr.", " tkr"]))


@st.composite
def survivors(draw: st.DrawFn) -> str:
    n = st.integers(0, 9999)
    day = draw(st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)))
    months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "oktober", "december"]
    shapes = [
        draw(amounts()),
        f"{draw(st.integers(100, 9999)):04d}-{draw(n):04d}",  # bankgiro 0123-4567, 5050-1055
        f"{draw(st.integers(100, 999))}-{draw(n):04d}",  # bankgiro 123-4567
        f"{draw(st.integers(0, 99))},{draw(st.integers(0, 10**9))}",  # decimals 0,085185
        f"{draw(st.integers(0, 99))}.{draw(st.integers(0, 10**6))}",
        day.isoformat(),
        day.strftime("%Y%m%d"),
        day.strftime("%d/%m/%Y"),
        f"{day.day} {draw(st.sampled_from(months))} {day.year}",
        f"NRV {day.year}/{draw(n)}",  # diarienummer
        f"Dnr {draw(st.integers(1, 9))}.{draw(st.integers(1, 9))}-{draw(n)}/{day.year}",
        f"KS {day.year}-{draw(n):05d}",
        f"{draw(st.integers(1, 60))} § OSL",  # section references
        f"{draw(st.integers(1, 40))} kap. {draw(st.integers(1, 40))} §",
        f"SFS {day.year}:{draw(st.integers(1, 1500))}",
    ]
    return draw(st.sampled_from(shapes))


@PROPERTY
@given(parts=st.lists(survivors(), min_size=1, max_size=5), words=CONTEXT)
@example(parts=["0 500 000 kr", "0123-4567", "0,085185"], words="belopp")  # three that the probe saw mangled
@example(parts=["NRV 2026/1234", "Dnr 2.3-456/2026", "23 § OSL", "30 kap. 1 §"], words="enligt")
def test_redact_leaves_amounts_dates_case_numbers_and_section_references(parts: list[str], words: str) -> None:
    text = f" {words.strip() or 'och'} ".join(parts)
    result = redact(text)
    assert result.text == normalise(text)
    assert result.kinds == ()


@PROPERTY
@given(text=st.text(max_size=200))
def test_redact_is_idempotent_and_never_grows_identifiers(text: str) -> None:
    once = redact(text).text
    assert redact(once).text == once
