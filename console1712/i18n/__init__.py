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
    "web",
    "errors",
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


def has_text(key: str) -> bool:
    """Whether the catalogues define `key`."""
    return key in _all()


def error_text(code: object, lang: str = "nl", /, area: str = "", **kw: object) -> str:
    """A sentence for an error code, never the code itself: the area's own wording
    (`area` + code, e.g. "mail.error.") where there is one, else the general `error.CODE`,
    else `error.other`. Unknown placeholders in an area's text fall back the same way."""
    code = str(code or "other")
    for key in (area + code if area else "", "error." + code):
        if key and key in _all():
            try:
                return t(key, lang, **kw)
            except (KeyError, IndexError):
                continue
    return t("error.other", lang)


def plural(key: str, n: int, lang: str = "nl", /, **kw: object) -> str:
    """`key.one` for 1, `key.other` otherwise ("1 mailgesprek", "2 mailgesprekken")."""
    return t(f"{key}.one" if n == 1 else f"{key}.other", lang, n=n, **kw)
