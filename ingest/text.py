"""Swedish text analysis shared by the lexical index and queries: tokens, stop words, stems, character n-grams."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

# Snowball's Swedish stop word list, plus a few chat fillers caseworkers type ("hej", "typ", "kan man").
STOP_WORDS = frozenset(
    """
    och det att i en jag hon som han på den med var sig för så till är men ett om hade de av icke mig du
    henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något från ut när efter
    upp vi dem vara vad över än dig kan sina här ha mot alla under någon eller allt mycket sedan ju
    denna själv detta åt utan varit hur ingen mitt ni bli blev oss din dessa några deras blir mina samma
    vilken er sådan vår blivit dess inom mellan sådant varför varje vilka ditt vem vilket sitta sådana
    vart dina vars vårt våra ert era vilkas hej typ ska måste får vill behöver gör göra finns
    """.split()
)

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("swedish")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


# Chat abbreviations people type in Swedish, expanded before anything else looks at the words. Only forms
# that are never a word of their own: "dom" is a court judgment as often as chat for "de", so it stays.
CHAT_ABBREVIATIONS = {
    "mkt": "mycket",
    "ngn": "någon",
    "ngt": "något",
    "ngra": "några",
    "nån": "någon",
    "nåt": "något",
    "osv": "och så vidare",
    "bl": "bland",
    "ev": "eventuellt",
    "iaf": "i alla fall",
    "pga": "på grund av",
    "mht": "med hänsyn till",
    "enl": "enligt",
    "fr": "från",
    "resp": "respektive",
}


def words(text: str) -> list[str]:
    """Lower-cased word tokens, digits kept (amounts, paragraph numbers), chat abbreviations expanded."""
    tokens = _TOKEN.findall(normalize(text))
    if not any(t in CHAT_ABBREVIATIONS for t in tokens):
        return tokens
    return [part for t in tokens for part in CHAT_ABBREVIATIONS.get(t, t).split()]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS]


def stem_words(tokens: list[str]) -> list[str]:
    return list(_stemmer().stemWords(tokens))


def stems(text: str) -> list[str]:
    """Stemmed content words: the main lexical feature."""
    return stem_words(content_words(text))


def char_ngrams(tokens: list[str], sizes: tuple[int, ...] = (4, 5)) -> list[str]:
    """Character n-grams inside each word, so the parts of a compound match ('ansökningstid' ~ 'tid').

    Short words are kept whole: their n-grams would carry no more than the word itself.
    """
    grams: list[str] = []
    for token in tokens:
        padded = f"<{token}>"
        if len(token) < min(sizes):
            grams.append(padded)
            continue
        for n in sizes:
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


# --- Compound splitting -------------------------------------------------------------------------------
# Swedish writes compounds as one word ("handläggningstid"); a question may use the parts ("tid för
# handläggning"). The sv_SE Hunspell dictionary (PyPI hunspell-sv, or Debian's hunspell-sv) marks which
# words may begin (X, U) and end (Y) a compound, and its suffix rules give the joining forms
# ("ansökning" -> "ansöknings"). Without the dictionary, words are simply not split.

DICTIONARY_PLACES = (Path(sys.prefix) / "share" / "hunspell", Path("/usr/share/hunspell"))
MIN_PART = 3
MIN_COMPOUND = 7


@dataclass(frozen=True)
class CompoundLexicon:
    heads: frozenset[str]  # forms that may begin a compound, joining letters included
    tails: frozenset[str]  # stems of words that may end one

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of a compound, joining letters kept on the head ('ansöknings', 'tid'); () if none."""
        return _split(self, word, 3)


def _split(lexicon: CompoundLexicon, word: str, depth: int) -> tuple[str, ...]:
    if len(word) < MIN_COMPOUND or depth == 0:
        return ()
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):  # the longest head first
        head, tail = word[:cut], word[cut:]
        if head not in lexicon.heads:
            continue
        if _stem(tail) in lexicon.tails:
            return (head, tail)
        rest = _split(lexicon, tail, depth - 1)
        if rest:
            return (head, *rest)
    return ()


def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=1)
def compound_lexicon() -> CompoundLexicon | None:
    """The sv_SE dictionary's compound parts, or None when no dictionary is installed."""
    for folder in DICTIONARY_PLACES:
        dic, aff = folder / "sv_SE.dic", folder / "sv_SE.aff"
        if dic.is_file() and aff.is_file():
            return _read_lexicon(dic, aff)
    return None


def _read_lexicon(dic: Path, aff: Path) -> CompoundLexicon:
    joining = _joining_rules(aff.read_text(encoding="utf-8"))
    heads: set[str] = set()
    tails: set[str] = set()
    for line in dic.read_text(encoding="utf-8").splitlines()[1:]:
        word, _, flags = line.partition("/")
        word = word.strip()
        if not word.isalpha() or not word.islower() or len(word) < MIN_PART:
            continue
        if "X" in flags or "U" in flags:
            heads.add(word)
        if "Y" in flags:
            tails.add(_stem(word))
        for flag in flags:
            for strip, add, condition in joining.get(flag, ()):
                if condition.search(word) and word.endswith(strip):
                    form = word[: len(word) - len(strip)] + add
                    if len(form) >= MIN_PART:
                        heads.add(form)
    return CompoundLexicon(frozenset(heads), frozenset(tails))


def _joining_rules(text: str) -> dict[str, list[tuple[str, str, re.Pattern[str]]]]:
    """Suffix rules whose result may begin or continue a compound (continuation flags X or U)."""
    rules: dict[str, list[tuple[str, str, re.Pattern[str]]]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 5 or parts[0] != "SFX":
            continue
        flag, strip, add, condition = parts[1], parts[2], parts[3], parts[4]
        add, _, continuation = add.partition("/")
        if "X" not in continuation and "U" not in continuation:
            continue
        rules.setdefault(flag, []).append(
            ("" if strip == "0" else strip, "" if add == "0" else add, re.compile(f"{condition}$"))
        )
    return rules


def part_stems(tokens: list[str]) -> list[str]:
    """Stems of the parts of every compound among the tokens, in order."""
    return [part for token in tokens for part in compound_parts(token)]


@lru_cache(maxsize=65536)
def compound_parts(word: str) -> tuple[str, ...]:
    """Stems of a compound word's parts, for the lexical index; () for a simple word or no dictionary."""
    lexicon = compound_lexicon()
    if lexicon is None:
        return ()
    return tuple(_stem(part) for part in lexicon.split(word))
