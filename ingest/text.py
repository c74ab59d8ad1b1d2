"""Swedish text analysis shared by the lexical index and queries: tokens, stop words, stems, character n-grams."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


def words(text: str) -> list[str]:
    """Lower-cased word tokens, digits kept (amounts, paragraph numbers)."""
    return _TOKEN.findall(normalize(text))


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
