"""Regenerate .env.example from the Settings model (a test checks both it and docs/operators.md)."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def env_example() -> str:
    lines = [
        "# Every setting the service reads, with its default. Copy to .env and change what you need.",
        "# docs/operators.md explains each one. Secrets: never commit a real value.",
        "",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        secret = hasattr(default, "get_secret_value")
        value = (
            json.dumps(default) if isinstance(default, list | dict) else "" if default is None or secret else default
        )
        lines.append(f"# {field.description}")
        prefix = "# " if default is None or secret else ""
        lines.append(f"{prefix}ASSISTANT_{name.upper()}={value}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    (ROOT / ".env.example").write_text(env_example())
