"""Microsoft Teams channel: a thin adapter from Teams activities to the one answer core (Agents SDK)."""

from bots.teams.cards import answer_to_card
from bots.teams.install import install

__all__ = ["answer_to_card", "install"]
