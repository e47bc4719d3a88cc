"""The names of `kameng quote`'s options and what they stand for in pricing's codes: shared
by the command line and the Mini App's JSON API (bot/miniapp.py), which takes the same
names ({"orders": 300, "kinds": ["game", "topup"], "response": "fast", …}).

Standard library only: `kameng quote` imports it and must start fast."""

from __future__ import annotations

# --kinds takes the dialogue's product kinds by a short name (or the core's code, with
# dashes or underscores).
KINDS = {"game": "game_cards", "topup": "phone_topup", "software": "software_keys",
         "video": "video_memberships", "nft": "blockchain_nft", "other": "other",
         "blockchain": "blockchain_nft", "phone": "phone_topup",
         **{code.replace("_", "-"): code for code in (
             "game_cards", "phone_topup", "software_keys", "video_memberships",
             "blockchain_nft", "other")}}
KIND_CHOICES = "game, topup, software, video, nft, other"


def kind_code(name: str) -> str | None:
    """"game", "game-cards", "GAME_CARDS" → "game_cards"; None for an unknown name."""
    return KINDS.get(name.strip().lower().replace("_", "-"))
