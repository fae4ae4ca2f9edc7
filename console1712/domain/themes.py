"""The theme taxonomy of dossiers: stable ids stored in the database, labels on screen.

The default list follows issue 6; the `themes` setting (id -> Dutch label) replaces it.
Ids are lowercase ASCII with dashes, so they can be stored and searched in clear text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

DEFAULT_THEMES: dict[str, dict[str, str]] = {
    "partner-violence": {"nl": "partnergeweld", "en": "partner violence"},
    "child-abuse-physical": {
        "nl": "kindermishandeling: lichamelijk",
        "en": "child abuse: physical",
    },
    "child-abuse-emotional": {
        "nl": "kindermishandeling: emotioneel",
        "en": "child abuse: emotional",
    },
    "child-abuse-sexual": {"nl": "kindermishandeling: seksueel", "en": "child abuse: sexual"},
    "child-neglect": {"nl": "kindermishandeling: verwaarlozing", "en": "child abuse: neglect"},
    "sexual-violence": {"nl": "seksueel geweld", "en": "sexual violence"},
    "elder-abuse": {"nl": "ouderenmis(be)handeling", "en": "elder abuse"},
    "honour-violence": {"nl": "eergerelateerd geweld", "en": "honour-related violence"},
    "online-violence": {"nl": "online geweld", "en": "online violence"},
    "other": {"nl": "ander", "en": "other"},
}

THEME_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def taxonomy(setting: Mapping[str, str] | None = None) -> dict[str, dict[str, str]]:
    """The themes in use: the setting (id -> label, same label in both languages) or the default."""
    if not setting:
        return dict(DEFAULT_THEMES)
    bad = [k for k in setting if not THEME_ID.fullmatch(k)]
    if bad:
        raise ValueError(f"theme id {bad[0]!r}: use lowercase letters, digits and dashes")
    return {k: {"nl": v, "en": v} for k, v in setting.items()}


def label(theme: str, lang: str, themes: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The label of a theme id (an id no longer in the taxonomy shows as itself)."""
    entry = (themes or DEFAULT_THEMES).get(theme)
    if entry is None:
        return theme
    return entry.get(lang) or entry.get("nl") or theme
