"""Every user-facing string, Dutch first, English second.

Each part of the program keeps its own catalogue module here (relay.py for what chatters
and staff get over the wire, console.py for the screens, ...); `t()` finds a key in any.
A catalogue is a dict: key -> {"nl": ..., "en": ...}, formatted with str.format(**kw).
"""

from __future__ import annotations

import importlib
from functools import cache

CATALOGUES = (
    "common",
    "relay",
    "console",
    "cli",
    "chatter",
    "mail",
    "dossier",
    "supervision",
    "registration",
)
LANGS = ("nl", "en")


@cache
def _all() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for name in CATALOGUES:
        try:
            module = importlib.import_module(f"console1712.i18n.{name}")
        except ModuleNotFoundError:
            continue
        for key, texts in module.TEXTS.items():
            if key in merged:
                raise RuntimeError(f"text key {key!r} defined twice ({name})")
            merged[key] = texts
    return merged


def t(key: str, lang: str = "nl", /, **kw: object) -> str:
    """The text for `key` in `lang` (falls back to Dutch), formatted with kw."""
    texts = _all()[key]
    text = texts.get(lang) or texts["nl"]
    return text.format(**kw) if kw else text
