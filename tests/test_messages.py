"""The one message catalogue: both languages complete, the same format fields, and every key used exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.messages import LANGUAGES, MESSAGES, group, parameters, t, tn

ROOT = Path(__file__).resolve().parent.parent


def test_messages_every_key_in_both_languages() -> None:
    sv, en = set(MESSAGES["sv"]), set(MESSAGES["en"])
    assert set(MESSAGES) == set(LANGUAGES)
    assert sv - en == set(), "keys missing in English"
    assert en - sv == set(), "keys missing in Swedish"


def test_messages_format_fields_match() -> None:
    sv, en = MESSAGES["sv"], MESSAGES["en"]
    differ = {
        key: (parameters(sv[key]), parameters(en[key])) for key in sv if parameters(sv[key]) != parameters(en[key])
    }
    assert differ == {}
    assert [key for key in sv if not sv[key].strip() or not en[key].strip()] == []


def test_t_formats_and_falls_back_to_swedish() -> None:
    assert t("answer.note_stale", "en", title="X") == "'X' is past its review date; check with its owner."
    assert t("answer.note_stale", "de", title="X") == t("answer.note_stale", "sv", title="X")


def test_tn_counts_in_the_right_number() -> None:
    assert [tn("rv_n_questions", "sv", n) for n in (0, 1, 2)] == ["0 frågor", "1 fråga", "2 frågor"]
    assert [tn("rv_n_items", "en", n) for n in (1, 5)] == ["1 item", "5 items"]
    assert group("slack", "en")["sources"] == "Sources"
    with pytest.raises(KeyError):
        t("no.such.key", "sv")


def _used_keys() -> set[str]:
    """Keys named literally in code and templates: t("k", …), text(language, "k"), t.k / t["k"] in Jinja."""
    keys: set[str] = set()
    for path in [*ROOT.glob("assistant/**/*.py"), *ROOT.glob("bots/**/*.py")]:
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\bt\(\s*\"([a-z_.]+)\"", source))
        keys |= {f"teams.{k}" for k in re.findall(r"\btext\(\s*\w+,\s*\"([a-z_]+)\"", source)}
        keys |= {f"slack.{k}" for k in re.findall(r"strings\([^)]*\)\[\"([a-z_]+)\"\]", source) if "slack" in str(path)}
    for path in [*ROOT.glob("assistant/**/*.py"), *ROOT.glob("assistant/web/templates/**/*.html")]:
        counted = re.findall(r"\btn\(\s*\"([a-z_.]+)\"", path.read_text(encoding="utf-8"))
        keys |= {f"{k}.{number}" for k in counted for number in ("one", "other")}
    for path in ROOT.glob("assistant/web/templates/**/*.html"):
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\bt\.([a-z_]+)", source))
        keys |= set(re.findall(r"\bt\[['\"]([a-z_.]+)['\"]\]", source))
    return keys


def test_messages_every_key_used_exists() -> None:
    used = _used_keys()
    assert len(used) > 100  # the scan finds the templates' and channels' keys
    assert used - set(MESSAGES["sv"]) == set()
