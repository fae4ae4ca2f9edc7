"""The transcript anonymiser: identifiers in Dutch chat text become typed tags (pure).

Detection runs pattern by pattern, most specific first (e-mail before URL, national register
number before phone number, ...). Each match is masked in a working copy of the same length,
so later patterns never match inside an earlier find and positions stay those of the input.
Structured identifiers are found by their shape; names by the names we know for a chat
(nickname, counsellor aliases), by cue words ("ik heet", "mijn broer") and by a list of
common first names and surnames. Names are the weak spot: recall is measured, not promised.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

TYPES = ("EMAIL", "URL", "IBAN", "RRN", "IP", "PHONE", "ADDRESS", "POSTCODE", "NAME")
MASK = "\x00"

_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+\s?(?:@|\(at\)|\[at\])\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_TLD = (
    r"(?:be|com|nl|org|net|eu|fr|de|info|io|tv|me|app|uk|co|ly|gl|site|online|shop"
    r"|vlaanderen|brussels)"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    rf"|\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.{_TLD}\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
# Belgian national register number: YY.MM.DD-SSS.CC, separators optional (11 digits).
_RRN = re.compile(r"(?<![\d.])\d{2}\.?\d{2}\.?\d{2}[-.\s]?\d{3}\.?\d{2}(?![\d])")
_IPV4 = re.compile(
    r"(?<![\d.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
    r"(?![\d])"
)
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_SEP = r"[\s./-]?"
_PHONE = re.compile(
    # international: +CC or 00CC, then 6 to 12 more digits in groups, "(0)" allowed
    rf"(?:\+|\b00)[1-9]\d{{0,2}}{_SEP}(?:\(0\){_SEP})?\(?\d{{1,4}}\)?(?:{_SEP}\d){{5,11}}(?!\d)"
    # Belgian national: 0 and 8 (landline) or 9 (mobile) more digits
    rf"|(?<![\d.])0\d(?:{_SEP}\d){{7,8}}(?![\d])"
)
_STREET_SUFFIX = (
    r"(?:straat|straatje|laan|weg|plein|lei|dreef|steenweg|kaai|kade|markt|singel|pad|hof|"
    r"baan|dijk|vest|plaats|ring|berg|veld|dam|gracht|park|wijk|heide|steeg|boulevard|"
    r"square|gang|vliet|akker|meers|velden|bos|kouter)"
)
_CAP = r"[A-ZÀ-Ý][\wÀ-ÿ'-]*"
_NUMBER = r"\s+\d{1,4}(?:[a-zA-Z](?![a-zA-Z]))?(?:\s*(?:bus|/)\s*\d{1,4})?(?!\d)"
_ADDRESS = re.compile(
    # "Sint-Jansstraat 12 bus 3", "Koning Albertlaan 3", "kerkstraat 5"
    rf"(?:\b(?:{_CAP}\s){{0,2}}[\wÀ-ÿ'-]+{_STREET_SUFFIX}{_NUMBER})"
    # a capitalised street name without a number: "in de Kerkstraat"
    rf"|(?:\b(?:{_CAP}\s){{0,2}}[A-ZÀ-Ý][\wÀ-ÿ'-]+{_STREET_SUFFIX}\b)"
    rf"|(?:\b(?:Grote|Kleine|Oude|Nieuwe)\s+Markt(?:{_NUMBER})?)"
    rf"|(?:\b(?:Rue|Avenue|Chaussée|Boulevard|Place|Chemin|Drève|Quai)\s+(?:(?:de|du|des|la|le|l')\s*)*"
    rf"{_CAP}(?:\s{_CAP})?(?:{_NUMBER})?)",
)
_POSTCODE = re.compile(
    r"(?<![\w.,:/-])[1-9]\d{3}(?=\s+[A-ZÀ-Ý][a-zà-ÿ]{2,})"
    r"|(?<=\b[Pp]ostcode\s)[1-9]\d{3}\b|\bB-[1-9]\d{3}\b",
)
_NAME_CHARS = r"[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?"
_PARTICLE = r"(?:[Vv]an\s+(?:[Dd]e[nr]?\s+)?|[Dd]e\s+|[Vv]ande\s+|[Ee]l\s+)?"
_RELATIONS = (
    r"broer|broertje|zus|zusje|zuster|vader|papa|pa|moeder|mama|ma|stiefvader|stiefmoeder|"
    r"plusvader|plusmoeder|vriend|vriendje|vriendin|vriendinnetje|lief|man|vrouw|oom|tante|"
    r"nonkel|neef|nicht|buurman|buurvrouw|buurjongen|buurmeisje|leraar|lerares|leerkracht|"
    r"juf|meester|trainer|coach|baas|opa|oma|bomma|bompa|zoon|dochter|ex|partner|"
    r"klasgenoot|collega|begeleider|schoonvader|schoonmoeder"
)
_NAME_CUES = re.compile(
    rf"(?:\b(?i:ik\s+ben|ik\s+heet|heet|heten|mijn\s+naam\s+is|noemt|genaamd|naam\s*:|"
    rf"ben\s+je|dag|hallo|hoi|hey|dank\s+je|bedankt|meneer|mevrouw|dokter|dr\.|juffrouw)\s+"
    rf"|\b(?i:mijn|m'n|onze|ons|haar|zijn|z'n|je|jouw)\s+(?i:{_RELATIONS})\s+(?:heet\s+)?)"
    rf"({_NAME_CHARS}(?:\s+{_PARTICLE}{_NAME_CHARS}){{0,2}})"
)
FIRST_NAMES = frozenset(
    """
    Aaliyah Adam Aisha Alexander Ali Alice Amber Amelie Amina Anna Anne Annick Arne Arthur
    Axel Bart Bas Benjamin Bert Bram Brent Charlotte Chloë Chloe Dirk Dries Elena Elias
    Eline Elise Ella Ellen Emma Eva Evi Fatima Femke Finn Floor Frank Freya Geert Gert Hanne
    Hannah Hans Ilse Ines Jana Jan Jasper Jens Joke Jonas Jef Jeroen Joris Josse Jules Julie
    Kaat Karel Karim Katrien Kevin Koen Kristof Lars Laura Lena Leo Liam Lien Lies Lieve Lisa
    Lore Lotte Louis Lucas Luc Luna Maarten Marc Marie Marieke Mark Mathias Mats Matteo
    Mehmet Miet Mila Mohamed Nathalie Nina Noah Noor Olivia Patrick Pieter Piet Robbe Rik
    Rob Ruben Ruth Sam Sander Sara Sarah Senne Seppe Sofie Sophie Stef Stijn Thomas Tim Tine
    Tom Tuur Valerie Vic Wim Wout Wouter Yasmine Youssef Yusuf Zoë Zoe Kobe Lowie Warre
    Nora Fien Lowie Hamza Omar Ibrahim Ahmed Sven Bjorn Dieter Stefanie Veerle Greet Hilde
    """.split()
)
SURNAMES = frozenset(
    """
    Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters Dubois Lambert Dupont
    Martens Vermeulen Hermans Michiels Aerts Desmet Smets Pauwels Verhoeven Claessens Leclercq
    Lemmens Cools Stevens Coppens Verstraete Segers Vandenberghe Verbeke Declercq Hendrickx
    Wuyts Yilmaz Jansen Bogaert Dewulf Lauwers Mahieu Nys Geerts Baert Devos Vos Bosmans
    """.split()
)
_GAZETTEER = re.compile(
    r"(?<![\wÀ-ÿ<])(?:"
    + "|".join(sorted((re.escape(n) for n in FIRST_NAMES | SURNAMES), key=len, reverse=True))
    + r")(?:\s+"
    + _PARTICLE
    + _NAME_CHARS
    + r")?(?![\wÀ-ÿ])"
)
# Capitalised words the gazetteer's surname extension must not swallow.
_NOT_NAMES = frozenset(
    "Ik Ze Hij Zij We Wij Je Jij Het De Een En Maar Dus Want Toen Als Dat Die Dit Wat Wie"
    " Waar Hoe Ja Nee Oké Ok Hulpverlener Supervisor Antwerpen Gent Brugge Leuven Brussel"
    " Hasselt Mechelen".split()
)


@dataclass(frozen=True)
class Found:
    """One identifier: its tag type and where it is in the input."""

    type: str
    start: int
    end: int


def _known_names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    cleaned = sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2 and n.strip().lower() != "anoniem"},
        key=len,
        reverse=True,
    )
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(n) for n in cleaned)
    return re.compile(rf"(?<![\wÀ-ÿ])(?:{alternatives})(?![\wÀ-ÿ])", re.IGNORECASE)


def _valid_ipv6(text: str) -> bool:
    if text.count(":") < 2:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _trim_url(text: str, start: int, end: int) -> int:
    # Sentence punctuation after a URL is not part of it.
    while end > start and text[end - 1] in ".,;:!?)]'\"":
        end -= 1
    return end


def _name_length(candidate: str) -> int:
    """How much of a capitalised word run is a name: it stops at a common word or a city."""
    length = 0
    for match in re.finditer(r"\S+", candidate):
        if match.group() in _NOT_NAMES:
            break
        length = match.end()
    return length


def detect(text: str, names: Iterable[str] = ()) -> list[Found]:
    """Every identifier in `text`, non-overlapping, in order of position."""
    work = text
    found: list[Found] = []

    def take(kind: str, start: int, end: int) -> None:
        nonlocal work
        if end <= start or MASK in work[start:end]:
            return
        found.append(Found(kind, start, end))
        work = work[:start] + MASK * (end - start) + work[end:]

    # E-mail addresses and URLs first: a nickname inside one must not split it.
    for m in list(_EMAIL.finditer(work)):
        take("EMAIL", m.start(), m.end())
    for m in list(_URL.finditer(work)):
        take("URL", m.start(), _trim_url(work, m.start(), m.end()))
    known = _known_names_pattern(names)
    if known is not None:
        for m in list(known.finditer(work)):
            take("NAME", m.start(), m.end())
    for m in list(_IBAN.finditer(work)):
        if sum(c.isdigit() for c in m.group()) >= 8:
            take("IBAN", m.start(), m.end())
    for m in list(_RRN.finditer(work)):
        take("RRN", m.start(), m.end())
    for m in list(_IPV4.finditer(work)):
        take("IP", m.start(), m.end())
    for m in list(_IPV6.finditer(work)):
        if _valid_ipv6(m.group()):
            take("IP", m.start(), m.end())
    for m in list(_PHONE.finditer(work)):
        take("PHONE", m.start(), m.end())
    for m in list(_ADDRESS.finditer(work)):
        take("ADDRESS", m.start(), m.end())
    for m in list(_POSTCODE.finditer(work)):
        take("POSTCODE", m.start(), m.end())
    for m in list(_NAME_CUES.finditer(work)):
        start = m.start(1)
        take("NAME", start, start + _name_length(m.group(1)))
    for m in list(_GAZETTEER.finditer(work)):
        take("NAME", m.start(), m.start() + _name_length(m.group()))
    found.sort(key=lambda f: f.start)
    return found


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """`text` with every identifier replaced by its tag (<EMAIL>, <PHONE>, <NAME>, ...)."""
    out: list[str] = []
    pos = 0
    for f in detect(text, names):
        out.append(text[pos : f.start])
        out.append(f"<{f.type}>")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
