"""What the widget renders for an answer: exactly the JSON POST /api/ask returns, so every channel can be compared."""

from __future__ import annotations

from typing import Any

from assistant.api.routes_api import AskResponse
from assistant.core import Answer


def answer_to_widget_json(answer: Answer) -> dict[str, Any]:
    """The widget calls POST /api/ask and renders its JSON as is; this is that JSON for one answer.

    Citation `url`s may be relative to the server (`/pages/{id}#{anchor}`); the widget resolves them against
    its server URL, so links work on an intranet page on another origin.
    """
    return AskResponse.model_validate(answer.to_dict()).model_dump(mode="json")
