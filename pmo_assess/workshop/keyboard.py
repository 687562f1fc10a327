"""The answer keys of the capture form: 1-4 for the levels, n for not applicable, d for don't know.

The browser side (``static/workshop.js``) turns a key into a click on the matching choice, so a key
saves exactly like a click; arrow keys only move focus between the choices.
"""
from __future__ import annotations

#: Key → answer as written to the answers file.
KEYS = {"1": "1", "2": "2", "3": "3", "4": "4", "n": "na", "d": "dk"}
KEY_HELP = ("<kbd>1</kbd>–<kbd>4</kbd> level, <kbd>n</kbd> not applicable, <kbd>d</kbd> don't know, "
            "<kbd>↑</kbd><kbd>↓</kbd> move between choices without saving")


def answer_for_key(key: str) -> str | None:
    """The answer a key gives (``'n'`` → ``'na'``), None for a key that answers nothing."""
    return KEYS.get(key.lower()) if len(key) == 1 else None


def key_indexes(choices: list[str]) -> dict[str, int]:
    """Key → position of its answer among the form's choices (keys whose answer is not offered are left out)."""
    return {key: choices.index(answer) for key, answer in KEYS.items() if answer in choices}
