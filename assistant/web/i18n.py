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
