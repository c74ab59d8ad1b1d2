"""An Answer as an Adaptive Card: the answer, links to the exact sections, notes, and 👍/👎 feedback actions.

Pure functions of the Answer, so the cross-channel contract test can compare what each channel shows.
Feedback is an Action.Submit carrying {"verb": "feedback", "answer_id", "rating"}; 👎 first opens a card with
the reason choices and a comment box, whose values Teams merges into the same submit data.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from assistant.compose import Citation
from assistant.core import Answer
from assistant.feedback import MAX_COMMENT, REASON_LABELS_EN, REASONS
from assistant.messages import messages_for, t

CARD_VERSION = "1.5"  # the newest version Teams renders on desktop, web and mobile
FEEDBACK_VERB = "feedback"


def text(language: str, key: str, **values: str) -> str:
    """A Teams message string in the user's language (Swedish unless English is asked for)."""
    return t(f"teams.{key}", language, **values)


def answer_to_card(answer: Answer, base_url: str, language: str) -> dict[str, Any]:
    """The Adaptive Card for one answer; relative citation URLs are made absolute against base_url."""
    site = messages_for(language)
    body: list[dict[str, Any]] = [_text_block(answer.text)]
    if not answer.answered:
        body.append(_note(text(language, "unsure"), "warning"))
    body.extend(_note(note, "warning") for note in answer.notes)
    if answer.citations:
        body.append(_heading(site["sources"]))
        body.extend(_citation(n, c, base_url, language) for n, c in enumerate(answer.citations, start=1))
    if answer.suggestions:
        body.append(_heading(site["suggestions"]))
        body.extend(_citation(n, c, base_url, language, "suggestion") for n, c in enumerate(answer.suggestions, 1))
    body.append({"type": "TextBlock", "text": site["ai_notice"], "wrap": True, "isSubtle": True, "size": "Small"})
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "lang": language,
        "body": body,
    }
    if answer.answer_id:
        card["actions"] = _feedback_actions(answer.answer_id, language)
    return card


def absolute_url(url: str, base_url: str) -> str:
    return urljoin(base_url.rstrip("/") + "/", url)


def _citation(n: int, citation: Citation, base_url: str, language: str, kind: str = "citation") -> dict[str, Any]:
    label = f"{citation.title} – {citation.heading}" if citation.heading else citation.title
    flags = [text(language, "expired")] if citation.expired else [text(language, "stale")] if citation.stale else []
    suffix = f" ({flags[0]})" if flags else ""
    link = f"[{_escape_link_text(label)}]({absolute_url(citation.url, base_url)})"
    return {"type": "TextBlock", "id": f"{kind}-{n}", "text": f"[{n}] {link}{suffix}", "wrap": True, "spacing": "Small"}


def _feedback_actions(answer_id: str, language: str) -> list[dict[str, Any]]:
    reasons = [
        {"title": (reason if language == "sv" else REASON_LABELS_EN[reason]).capitalize(), "value": reason}
        for reason in REASONS
    ]
    reason_card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "Input.ChoiceSet", "id": "reason", "label": text(language, "reason"), "style": "expanded",
             "choices": reasons},
            {"type": "Input.Text", "id": "comment", "label": text(language, "comment"), "isMultiline": True,
             "maxLength": MAX_COMMENT, "placeholder": text(language, "comment_placeholder")},
        ],
        "actions": [
            {"type": "Action.Submit", "title": text(language, "send"),
             "data": {"verb": FEEDBACK_VERB, "answer_id": answer_id, "rating": "down"}},
        ],
    }  # fmt: skip
    return [
        {"type": "Action.Submit", "title": text(language, "helpful"),
         "data": {"verb": FEEDBACK_VERB, "answer_id": answer_id, "rating": "up"}},
        {"type": "Action.ShowCard", "title": text(language, "not_helpful"), "card": reason_card},
    ]  # fmt: skip


def _text_block(value: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": value, "wrap": True}


def _heading(value: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": value, "weight": "Bolder", "spacing": "Medium", "wrap": True}


def _note(value: str, style: str) -> dict[str, Any]:
    return {"type": "Container", "style": style, "items": [_text_block(value)]}


def _escape_link_text(value: str) -> str:
    return value.replace("[", "(").replace("]", ")")
