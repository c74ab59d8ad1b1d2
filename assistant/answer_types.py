"""What kind of answer a question asks for, and whether a sentence has one: classic extractive QA.

"Hur lång tid har sökanden på sig?" wants a duration, "Hur mycket får ett företag?" an amount, "Vem
beslutar?" a role. A sentence that holds the expected kind ("14 dagar", "300 000 euro", "gruppchefen")
is far more likely to be the answer than one that only repeats the question's words. The patterns are
general Swedish (and English) question forms, not taken from any evaluation set.
"""

from __future__ import annotations

import re

_NUMBER_WORDS = r"(?:\d+(?:[ ,.]\d+)*|en|ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|femton|tjugo|trettio)"
_DURATION = re.compile(
    rf"\b{_NUMBER_WORDS}\s*(?:kalender|arbets|bank)?(?:dag(?:ar|en)?|veck(?:a|or|an)|månad(?:er|en)?|år(?:et)?"
    r"|timm(?:e|ar)|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"\b\d+(?:[ \u00a0.,]\d+)*\s*(?:kr\b|kronor|tkr|mnkr|miljon(?:er)?|euro|eur\b|procent|%|sek\b)", re.IGNORECASE
)
_ROLE = re.compile(
    r"\b(?:\w*chef(?:en)?|\w*handläggare(?:n)?|beslutsfattare(?:n)?|registrator(?:n)?|jurist(?:en)?|attestant(?:en)?"
    r"|generaldirektör(?:en)?|nämnd(?:en)?|styrelse(?:n)?|domstol(?:en)?|myndighet(?:en)?"
    # courts by name: "rätt att" is a right, not a role
    r"|(?:förvaltnings|kammar|tings|hov|migrations|mark- och miljö|patent- och marknads)rätt(?:en)?)\b",
    re.IGNORECASE,
)

_ASKS = (
    (
        "duration",
        re.compile(
            r"\bhur (?:lång tid|länge)\b|\binom hur\b|\bhur många (?:dagar|veckor|månader|år)\b"
            r"|\b(?:tids)?frist\w*\b|\b\w*(?:svars|handläggnings)tid\w*\b|\bnär senast\b|\bhow long\b",
            re.IGNORECASE,
        ),
        _DURATION,
    ),
    (
        "amount",
        re.compile(
            r"\bhur (?:mycket|stort?|höga?)\b|\bvad kostar\b|\bbelopp\w*\b|\bhur många kronor\b"
            r"|\bmax\w*\b|\btak(?:et)?\b|\bhow much\b",
            re.IGNORECASE,
        ),
        _AMOUNT,
    ),
    (
        "role",
        re.compile(
            r"^\W*vem\b|\bvem (?:ska|får|beslutar|prövar|fattar|ansvarar|avgör|gör)\b"
            r"|\bvilken (?:roll|chef)\b|^\W*who\b",
            re.IGNORECASE,
        ),
        _ROLE,
    ),
)


# A procedure is answered by steps or a list, not a sentence; has_kind does not apply to it.
_ASKS_PROCEDURE = re.compile(
    r"\bhur (?:gör|går|ansöker|söker|anmäler|överklagar|begär|registrerar|hanterar|handlägger)\b"
    r"|\bvilka steg\b|\bhur ska (?:jag|man|vi)\b|\bhur (?:ska|bör) \w+ (?:göra|hanteras|gå till)\b"
    r"|\bvad ska (?:jag|man|vi) göra\b|\bhow (?:do|should|to)\b",
    re.IGNORECASE,
)
# A yes/no question ("Får en handläggare …?", "Krävs det …?") is answered by the rule that permits,
# requires or forbids.
_ASKS_YES_NO = re.compile(
    r"^\W*(?:får|kan|måste|ska|behöver|gäller|krävs|finns|är|räcker|går det|"
    r"can|may|must|is|are|does|do|should)\b",
    re.IGNORECASE,
)
_RULE = re.compile(r"\b(?:får|ska|måste|krävs|behöver|inte|ej|aldrig|alltid|endast|bara|must|may|not)\b", re.I)


def expected_kinds(question: str) -> tuple[str, ...]:
    """The kinds of answer the question asks for: duration, amount, role, procedure, yes/no (none, one or
    several)."""
    kinds = [kind for kind, asks, _ in _ASKS if asks.search(question)]
    if _ASKS_PROCEDURE.search(question):
        kinds.append("procedure")
    if not kinds and _ASKS_YES_NO.search(question):
        kinds.append("yes_no")
    return tuple(kinds)


def has_kind(text: str, kind: str) -> bool:
    """Whether a sentence holds an answer of this kind (a procedure is told by the unit's kind instead)."""
    if kind == "yes_no":
        return bool(_RULE.search(text))
    return any(found.search(text) for name, _, found in _ASKS if name == kind)


# Sentences in which a page describes itself ("Rutinen beskriver hur ...") say what the page covers, not
# what applies: they are never the answer, however many of the question's words they repeat.
_ABOUT_THE_PAGE = re.compile(
    r"^\W*(?:(?:den här|denna) (?:sida|rutin|riktlinje|instruktion|vägledning|processbeskrivning)\w*"
    r"|(?:sidan|rutinen|riktlinjen|instruktionen|vägledningen|processbeskrivningen|dokumentet) "
    r"(?:beskriver|handlar|förklarar|går igenom|gäller för|redogör)|här (?:beskrivs|får du))",
    re.IGNORECASE,
)


def describes_the_page(sentence: str) -> bool:
    return bool(_ABOUT_THE_PAGE.search(sentence))
