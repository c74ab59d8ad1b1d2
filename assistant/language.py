"""Which language a question is written in, as far as answering needs to know: the guidance is Swedish,
and a question in English shares no words with it, so it is matched on meaning alone (the multilingual
model) and judged by the cross-lingual confidence model.

Deliberately small: Swedish letters or Swedish function words mean Swedish; several English function
words and none of those mean English. Anything else is treated as Swedish, the guidance's language.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zåäöéü]+", re.IGNORECASE)
_ENGLISH = frozenset(
    """the a an is are was were be been do does did can could may might must should shall will would what
    which who whom whose when where why how of to for in on at by with from about my your our their his her
    it its this that these those there i you we they he she me us them have has had not no if or and than
    long much many need apply get""".split()
)
# Words with å, ä or ö are left out: those letters already mark a question as Swedish.
_SWEDISH = frozenset(
    """och att det som en ett med av till om inte har den de vad hur vem vilken vilka ska kan jag vi man""".split()
)


def question_language(text: str) -> str:
    """'en' for a question written in English, otherwise 'sv'."""
    if re.search(r"[åäöÅÄÖ]", text):
        return "sv"
    words = [w.lower() for w in _WORD.findall(text)]
    english = sum(w in _ENGLISH for w in words)
    swedish = sum(w in _SWEDISH for w in words)
    return "en" if english >= 2 and english > 2 * swedish else "sv"
