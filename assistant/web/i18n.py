"""Interface strings, Swedish first. Pages pick the language from ?lang=, a cookie, or the setting."""

from __future__ import annotations

from fastapi import Request

STRINGS: dict[str, dict[str, str]] = {
    "sv": {
        "app_name": "Vägledningsassistenten",
        "ai_notice": "Svaren tas fram automatiskt ur vägledningarna. Kontrollera alltid mot källan.",
        "ask_label": "Ställ en fråga om handläggningen",
        "ask_placeholder": "T.ex. Hur lång tid har sökanden på sig att komplettera?",
        "ask_button": "Fråga",
        "search_label": "Sök i vägledningarna",
        "search_button": "Sök",
        "all_pages": "Alla vägledningar",
        "owner": "Ansvarig",
        "reviewed": "Senast granskad",
        "review_by": "Granskas senast",
        "stale": "Granskningsdatum passerat",
        "expired": "Gäller inte längre",
        "archived": "Arkiverad",
        "draft": "Utkast",
        "sources": "Källor",
        "suggestions": "Närmaste sidor",
        "contents": "Innehåll",
        "not_found": "Sidan finns inte",
        "language_switch": "In English",
        "doc_type": "Typ",
        "loading": "Söker svar…",
        "error": "Något gick fel. Försök igen.",
        "hits": "Träffar",
        "no_hits": "Inga träffar.",
        "review": "Granskning",
        "skip": "Hoppa till innehållet",
    },
    "en": {
        "app_name": "Guidance assistant",
        "ai_notice": "Answers are produced automatically from the guidance. Always check the source.",
        "ask_label": "Ask a question about case handling",
        "ask_placeholder": "E.g. How long does the applicant have to complete the application?",
        "ask_button": "Ask",
        "search_label": "Search the guidance",
        "search_button": "Search",
        "all_pages": "All guidance pages",
        "owner": "Owner",
        "reviewed": "Last reviewed",
        "review_by": "Review by",
        "stale": "Past its review date",
        "expired": "No longer in force",
        "archived": "Archived",
        "draft": "Draft",
        "sources": "Sources",
        "suggestions": "Closest pages",
        "contents": "Contents",
        "not_found": "Page not found",
        "language_switch": "På svenska",
        "doc_type": "Type",
        "loading": "Finding an answer…",
        "error": "Something went wrong. Please try again.",
        "hits": "Results",
        "no_hits": "No results.",
        "review": "Review",
        "skip": "Skip to content",
    },
}


def language_of(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get("lang")
    if wanted in STRINGS:
        return wanted
    return str(request.app.state.settings.language)


def strings(language: str) -> dict[str, str]:
    return STRINGS.get(language, STRINGS["sv"])
