"""Block Kit for Slack: an Answer becomes a message, a 👎 becomes a modal. Pure functions; nothing calls Slack.

The answer's [n] markers become links to the cited sections, followed by a numbered source list, so a reader
sees the same answer and citations here as in every other channel.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from assistant.compose import Citation
from assistant.core import Answer
from assistant.feedback import MAX_COMMENT, REASON_LABELS_EN, REASONS
from assistant.messages import group

ACTION_UP = "feedback_up"
ACTION_DOWN = "feedback_down"
FEEDBACK_MODAL = "feedback_modal"
REASON_BLOCK, REASON_ACTION = "reason", "reason_select"
COMMENT_BLOCK, COMMENT_ACTION = "comment", "comment_input"
MAX_SECTION_CHARS = 3000  # Slack's limit for a section's text
MAX_CONTEXT_ELEMENTS = 10


def strings(language: str) -> dict[str, str]:
    """The Slack messages (catalogue keys "slack.*") in the language, Swedish unless English is asked for."""
    return group("slack", language)


@dataclass(frozen=True)
class SlackMessage:
    """What chat.postMessage or a response_url receives: notification text and the blocks shown."""

    text: str
    blocks: list[dict[str, Any]]


def answer_to_message(answer: Answer, base_url: str, language: str) -> SlackMessage:
    return SlackMessage(
        text=_truncate(answer.text, MAX_SECTION_CHARS), blocks=answer_to_blocks(answer, base_url, language)
    )


def notice(text: str, mrkdwn: str | None = None) -> SlackMessage:
    """A plain message (usage hint, error) in the same shape as an answer; mrkdwn if it holds Slack markup."""
    shown = mrkdwn if mrkdwn is not None else escape(text)
    return SlackMessage(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=_truncate(shown))).to_dict()])


def answer_to_blocks(answer: Answer, base_url: str, language: str) -> list[dict[str, Any]]:
    """The answer as Block Kit: text with linked [n] markers, sources, notes, and 👍/👎 carrying the answer id.

    Block ids are stable so other code (and the cross-channel contract test) can find the parts:
    "answer", "sources", "notes", "feedback". Relative citation URLs are made absolute with base_url.
    """
    t = strings(language)
    blocks: list[Block] = [
        SectionBlock(block_id="answer", text=MarkdownTextObject(text=_linked_text(answer, base_url)))
    ]
    listed, heading = (answer.citations, t["sources"]) if answer.answered else (answer.suggestions, t["closest"])
    if listed:
        lines = [f"*{heading}*"]
        lines += [f"{n}. <{absolute_url(c.url, base_url)}|{escape(_label(c, t))}>" for n, c in enumerate(listed, 1)]
        blocks.append(SectionBlock(block_id="sources", text=MarkdownTextObject(text=_truncate("\n".join(lines)))))
    notes = ([] if answer.answered else [t["unsure"]]) + list(dict.fromkeys(answer.notes)) + [t["ai"]]
    elements = [MarkdownTextObject(text=_truncate(escape(note))) for note in notes[-MAX_CONTEXT_ELEMENTS:]]
    blocks.append(ContextBlock(block_id="notes", elements=elements))
    if answer.answer_id:
        blocks.append(
            ActionsBlock(
                block_id="feedback",
                elements=[
                    ButtonElement(text=t["up"], action_id=ACTION_UP, value=answer.answer_id),
                    ButtonElement(text=t["down"], action_id=ACTION_DOWN, value=answer.answer_id),
                ],
            )
        )
    return [block.to_dict() for block in blocks]


def feedback_modal(answer_id: str, language: str, seen_in: str | None = None) -> dict[str, Any]:
    """The 👎 modal: a required reason (the five REASONS) and an optional comment. `seen_in` (the thread the
    button was in) rides in private_metadata, which Slack keeps and returns signed."""
    t = strings(language)
    options = [Option(value=reason, label=_reason_label(reason, language)) for reason in REASONS]
    view = View(
        type="modal",
        callback_id=FEEDBACK_MODAL,
        private_metadata=json.dumps({"answer_id": answer_id, "language": language, "seen_in": seen_in}),
        title=PlainTextObject(text=t["modal_title"]),
        submit=PlainTextObject(text=t["send"]),
        close=PlainTextObject(text=t["cancel"]),
        blocks=[
            InputBlock(
                block_id=REASON_BLOCK,
                label=t["reason"],
                element=StaticSelectElement(action_id=REASON_ACTION, placeholder=t["reason_hint"], options=options),
            ),
            InputBlock(
                block_id=COMMENT_BLOCK,
                label=t["comment"],
                optional=True,
                hint=t["comment_hint"],
                element=PlainTextInputElement(action_id=COMMENT_ACTION, multiline=True, max_length=MAX_COMMENT),
            ),
        ],
    )
    return view.to_dict()


def thanks_view(language: str) -> dict[str, Any]:
    """What the modal turns into once the feedback is stored."""
    t = strings(language)
    return View(
        type="modal",
        title=PlainTextObject(text=t["modal_title"]),
        close=PlainTextObject(text=t["close"]),
        blocks=[SectionBlock(text=PlainTextObject(text=t["thanks"]))],
    ).to_dict()


@dataclass(frozen=True)
class ModalFeedback:
    """What a submitted feedback modal holds."""

    answer_id: str
    language: str
    reason: str | None
    comment: str | None
    seen_in: str | None = None


def read_feedback_modal(view: dict[str, Any]) -> ModalFeedback:
    """The inverse of feedback_modal: the answer id it was opened for and what the user chose and wrote."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view.get("state", {}).get("values", {})
    selected = values.get(REASON_BLOCK, {}).get(REASON_ACTION, {}).get("selected_option") or {}
    comment = (values.get(COMMENT_BLOCK, {}).get(COMMENT_ACTION, {}).get("value") or "").strip()
    return ModalFeedback(
        answer_id=str(meta.get("answer_id", "")),
        language=str(meta.get("language", "sv")),
        reason=selected.get("value"),
        comment=comment or None,
        seen_in=str(meta["seen_in"]) if meta.get("seen_in") else None,
    )


def absolute_url(url: str, base_url: str) -> str:
    """Slack shows links outside the server, so '/pages/x#a' becomes '{base_url}/pages/x#a'."""
    if re.match(r"^https?://", url):
        return url
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _linked_text(answer: Answer, base_url: str) -> str:
    cited = answer.citations

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if 1 <= n <= len(cited):
            return f"<{absolute_url(cited[n - 1].url, base_url)}|[{n}]>"
        return match.group(0)

    return _truncate(re.sub(r"\[(\d+)\]", link, escape(answer.text)))


def _label(citation: Citation, t: dict[str, str]) -> str:
    return f"{citation.title} – {citation.heading or t['overview']}"


def _reason_label(reason: str, language: str) -> str:
    return REASON_LABELS_EN.get(reason, reason) if language == "en" else reason


def _truncate(text: str, limit: int = MAX_SECTION_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
