"""The page's language: ?lang=, then a cookie, then the setting. The strings live in assistant/messages.py."""

from __future__ import annotations

from fastapi import Request

from assistant.messages import MESSAGES, messages_for

STRINGS = MESSAGES  # kept for code that imported the table from here


def language_of(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get("lang")
    if wanted in MESSAGES:
        return wanted
    return str(request.app.state.settings.language)


def strings(language: str) -> dict[str, str]:
    return messages_for(language)


def request_language(request: Request) -> str:
    """The language of an API response a person reads: ?lang=, the page's cookie, Accept-Language, the setting."""
    wanted = request.query_params.get("lang") or request.cookies.get("lang")
    if wanted in MESSAGES:
        return wanted
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in MESSAGES:
            return code
    return str(request.app.state.settings.language)
