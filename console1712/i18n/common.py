"""Texts used by more than one part: the other ways to get help, regions."""

TEXTS: dict[str, dict[str, str]] = {
    "alt.phone": {
        "nl": "Bel 1712 (ma-vr 9-18 uur, gratis en anoniem)",
        "en": "Call 1712 (Mon-Fri 9-18, free and anonymous)",
    },
    "alt.mail": {
        "nl": "Mail via 1712.be (altijd, antwoord binnen 2 werkdagen)",
        "en": "Mail via 1712.be (any time, answered within 2 working days)",
    },
    "alt.112": {
        "nl": "Dringende medische hulp of brandweer: bel 112",
        "en": "Urgent medical help or fire brigade: call 112",
    },
    "alt.101": {
        "nl": "Politie bij dringend gevaar: bel 101",
        "en": "Police in urgent danger: call 101",
    },
    "region.antwerpen": {"nl": "Antwerpen", "en": "Antwerp"},
    "region.limburg": {"nl": "Limburg", "en": "Limburg"},
    "region.oost-vlaanderen": {"nl": "Oost-Vlaanderen", "en": "East Flanders"},
    "region.vlaams-brabant": {"nl": "Vlaams-Brabant", "en": "Flemish Brabant"},
    "region.west-vlaanderen": {"nl": "West-Vlaanderen", "en": "West Flanders"},
    "region.brussel": {"nl": "Brussel", "en": "Brussels"},
}

# The alternatives every chatter is shown (welcome, closed, blocked): label key and contact.
ALTERNATIVES: tuple[tuple[str, str, str], ...] = (
    ("phone", "alt.phone", "tel:1712"),
    ("mail", "alt.mail", "https://www.1712.be/contact"),
    ("emergency-112", "alt.112", "tel:112"),
    ("police-101", "alt.101", "tel:101"),
)


def alternatives(lang: str = "nl") -> list[dict[str, str]]:
    """The other ways to get help, as protocol objects (label, contact, kind)."""
    from console1712.i18n import t

    return [
        {"kind": kind, "label": t(key, lang), "contact": contact}
        for kind, key, contact in ALTERNATIVES
    ]
