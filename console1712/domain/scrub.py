"""The transcript anonymiser: identifiers in Dutch chat text become typed tags (pure).

Detection runs pattern by pattern, most specific first (e-mail before URL, national register
number before phone number, ...). Each match is masked in a working copy of the same length,
so later patterns never match inside an earlier find and positions stay those of the input.
Structured identifiers are found by their shape, also when written to dodge a filter
("jan at hotmail dot com", "0470 / 12 34 56"); names by the names we know for a chat
(nickname, counsellor aliases), by cue words ("ik heet", "mijn broer") and by lists of first
names and surnames in any case ("dirk vermeulen", "JELLE PEETERS"); places a person can be
found by (school and class, street and house number) by their shape and cue words.

Every pattern is linear in the length of the text: a pattern that starts with a run of
characters may only start where such a run starts (a look-behind), so a hostile run of
thousands of near-matches is scanned once, not once per position. Names are the weak spot:
recall is measured (docs/privacy.md), not promised.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from console1712.domain.scrub_names import FIRST_NAMES, MUNICIPALITIES, SURNAMES

TYPES = (
    "EMAIL",
    "URL",
    "HANDLE",
    "IBAN",
    "RRN",
    "IP",
    "DATE",
    "PLATE",
    "PHONE",
    "SCHOOL",
    "ADDRESS",
    "POSTCODE",
    "NAME",
)
MASK = "\x00"

_TLD = (
    r"(?:be|com|nl|org|net|eu|fr|de|info|io|tv|me|app|uk|co|ly|gl|site|online|shop"
    r"|vlaanderen|brussels)"
)
_LOCAL = r"(?<![\w%+.-])(?<!\s\.\s)[\w%+-]+(?:\.[\w%+-]+|\s\.\s[\w%+-]+)*"
_AT = r"(?:\s?@\s?|\s?[(\[](?i:at|apenstaart)[)\]]\s?|\s(?i:at|apenstaart|apenstaartje)\s)"
_DOT = r"(?:\.|\s\.\s|\s?[(\[](?i:dot|punt)[)\]]\s?|\s(?i:dot|punt)\s)"
_EMAIL = re.compile(
    rf"{_LOCAL}(?:\s?@\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{{2,}}(?![\w-])"
    # written to dodge a filter: "at", "(at)", " . ", "dot", "punt"; only known endings
    rf"|{_AT}[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*?{_DOT}(?i:{_TLD})(?![\w-]))"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    rf"|(?<![\w.@-])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.{_TLD}\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
# Social media handles: "@jelle_2011", "insta: jelle_2011", "mijn snap is lotte.p".
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
# "insta: jelle_2011", "mijn snap is lotte.p": a name with a digit, _ or . after the app.
_HANDLE_CUED = re.compile(
    r"\b(?i:insta|instagram|snap|snapchat|tiktok|discord|twitter|telegram)(?:\s?:|\sis|\s=)\s?"
    r"(?P<v>(?=[\w.]*[\d_.])[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,28}[A-Za-z0-9_]))(?![\w.])"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
# Belgian national register number: YY.MM.DD-SSS.CC, separators optional (11 digits).
_RRN = re.compile(r"(?<![\d.])\d{2}\.?\d{2}\.?\d{2}[-.\s]?\d{3}\.?\d{2}(?![\d])")
_IPV4 = re.compile(
    r"(?<![\d.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
    r"(?![\d])"
)
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_MONTHS = (
    r"januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    r"|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
# A whole date with a year (a date of birth identifies; "op 12 mei" alone does not).
_DATE = re.compile(
    r"(?<![\d./-])(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|1[0-2])\1(?:19|20)?\d{2}(?!\d|[./-]\d)"
    rf"|(?<![\d])(?:0?[1-9]|[12]\d|3[01])\s+(?i:{_MONTHS})\.?\s+(?:19|20)\d{{2}}(?!\d)"
)
# Belgian number plates: 1-ABC-123 (since 2010), also without dashes or in lower case.
_PLATE = re.compile(
    r"(?<![\w-])[1-9]-[A-Za-z]{3}-\d{3}(?![\w-])|(?<![\w-])[1-9]\s?[A-Z]{3}\s?\d{3}(?![\w-])"
)
# Digits in groups: a space, or one of . / - with or without spaces around it.
_SEP = r"(?:\s?[./-]\s?|\s)?"
_PHONE = re.compile(
    # international: +CC or 00CC, then 6 to 12 more digits in groups, "(0)" allowed
    rf"(?:\+|\b00)[1-9]\d{{0,2}}{_SEP}(?:\(0\){_SEP})?\(?\d{{1,4}}\)?(?:{_SEP}\d){{5,11}}(?!\d)"
    # Belgian national: 0 and 8 (landline) or 9 (mobile) more digits
    rf"|(?<![\d.])0\d(?:{_SEP}\d){{7,8}}(?![\d])"
)
_CAP = r"[A-ZÀ-Ý][\wÀ-ÿ'-]*"
_SCHOOL_WORD = (
    r"(?:college|instituut|atheneum|lyceum|school|scholen|academie|kleuterschool|basisschool"
    r"|campus)"
)
_SCHOOL_NAME = r"(?:Atheneum|Lyceum|College|Instituut|School|Academie|Basisschool|Campus)"
_NOT_BEFORE_SCHOOL = (
    r"(?:De|Het|Die|Deze|Dit|Mijn|Onze|Ons|Een|Op|In|Naar|Van|Zijn|Haar|Maar|En|Ik|Want|Dus"
    r"|Ja|Nee|Ook|Als|Toen|Na|Voor|Om|Met|Bij|Elke|Iedere|Geen|Welke|Hun|Jouw|Je|Uw|Wat)\s"
)
_SCHOOL = re.compile(
    # "Sint-Jozefcollege", "Heilig-Hartinstituut in Aalst": a name ending in a school word
    rf"(?:(?<![\wÀ-ÿ'-])(?:{_CAP}\s){{0,2}}[A-ZÀ-Ý][\wÀ-ÿ'-]*(?i:{_SCHOOL_WORD})"
    rf"(?:\s(?!(?i:in|te|op|van|en|is|was|de|het)\b){_CAP})?"
    # "Koninklijk Atheneum Antwerpen", "Stedelijk Lyceum", "Don Bosco instituut"
    rf"|(?<![\wÀ-ÿ'-])(?!{_NOT_BEFORE_SCHOOL}){_CAP}(?:\s{_CAP})?\s(?i:{_SCHOOL_NAME})"
    rf"(?:\s(?!(?:In|Te|Op|Van|En|Is|Was)\b){_CAP})?"
    # "basisschool De Regenboog", "het atheneum Redingenhof", "campus Sint-Jan"
    rf"|(?<![\wÀ-ÿ'-])(?i:basisschool|kleuterschool|lagere\sschool|middelbare\sschool|school"
    rf"|college|atheneum|lyceum|instituut|campus|academie)"
    rf"\s(?:(?i:de|het|'t)\s)?(?!(?:In|Te|Op|Van|En|Is|Was)\b)[A-ZÀ-Ý][\wÀ-ÿ'-]+"
    rf"(?:\s(?!(?:In|Te|Op|Van|En|Is|Was)\b)[A-ZÀ-Ý][\wÀ-ÿ'-]+)?)"
    # where it is: "in Aalst", "te Gent"
    rf"(?:\s(?i:in|te)\s{_CAP})?"
    # the class: "klas 2B", "klas 6"
    r"|(?<![\w])(?i:klas|klasje)\s\d{1,2}\s?[A-Za-z]{0,2}(?![\w])"
)
_STREET_SUFFIX = (
    r"(?:straat|straatje|laan|weg|plein|lei|dreef|steenweg|kaai|kade|markt|singel|pad|hof|"
    r"baan|dijk|vest|plaats|ring|berg|veld|dam|gracht|park|wijk|heide|steeg|boulevard|"
    r"square|gang|vliet|akker|meers|velden|bos|kouter)"
)
_NUMBER = r"\s+\d{1,4}(?:[a-zA-Z](?![a-zA-Z]))?(?:\s*(?:bus|/)\s*\d{1,4})?(?!\d)"
# Compounds with a street ending that are places, not streets ("op de speelplaats").
_NOT_STREETS = (
    r"(?:speel|werk|woon|parkeer|slaap|stand|sta|stort|markt|zit|school|dieren|bouw|tuin"
    r"|pret|attractie|voetbal|sport|kerk)(?:plaats|plein|park|veld|hof|markt|weg|pad|wijk|gang)"
)
_ADDRESS = re.compile(
    # "Sint-Jansstraat 12 bus 3", "Koning Albertlaan 3", "kerkstraat 5"
    rf"(?:(?<![\wÀ-ÿ'-])(?:{_CAP}\s){{0,2}}[\wÀ-ÿ'-]+{_STREET_SUFFIX}{_NUMBER})"
    # a capitalised street name without a number: "in de Kerkstraat"
    rf"|(?:(?<![\wÀ-ÿ'-])(?:{_CAP}\s){{0,2}}[A-ZÀ-Ý][\wÀ-ÿ'-]+{_STREET_SUFFIX}\b)"
    # a house number before the street: "nummer 14 in de kerkstraat"
    rf"|(?:\b(?i:nummer|nr\.?|huisnummer)\s?\d{{1,4}}[a-z]?\s(?i:in|op|aan)\s(?i:de|het)\s"
    rf"[\wÀ-ÿ'-]+{_STREET_SUFFIX}\b)"
    rf"|(?:\b(?:Grote|Kleine|Oude|Nieuwe)\s+Markt(?:{_NUMBER})?)"
    rf"|(?:\b(?:Rue|Avenue|Chaussée|Boulevard|Place|Chemin|Drève|Quai)\s+(?:(?:de|du|des|la|le|l')\s*)*"
    rf"{_CAP}(?:\s{_CAP})?(?:{_NUMBER})?)",
)
_ADDRESS_CUED = re.compile(
    # a street in lower case after "in de", "op de", "aan de": "in de kerkstraat"
    rf"\b(?i:in|op|aan)\s(?i:de)\s(?P<v>(?!{_NOT_STREETS}\b)[a-zà-ÿ][\wÀ-ÿ'-]+{_STREET_SUFFIX}\b)"
    # a street known without an ending, with a house number, where someone lives:
    # "woon op de Meir 50", "aan de Vrijdagmarkt 3", "woont Meir 50"
    rf"|\b(?i:op|aan|in)\s(?i:de|het)\s(?P<w>(?:{_CAP}\s){{0,2}}{_CAP}{_NUMBER})"
    rf"|\b(?i:woon|woont|wonen|woonde|adres\sis|adres:)\s(?P<x>{_CAP}{_NUMBER})"
)
_CITY = "|".join(sorted((re.escape(c) for c in MUNICIPALITIES), key=len, reverse=True))
_POSTCODE = re.compile(
    r"(?<![\w.,:/-])[1-9]\d{3}(?=\s+[A-ZÀ-Ý][a-zà-ÿ]{2,})"
    rf"|(?<![\w.,:/-])[1-9]\d{{3}}(?=\s+(?i:{_CITY})\b)"
    r"|(?<=\b[Pp]ostcode\s)[1-9]\d{3}\b|(?<=\b[Pp]ostcode\sis\s)[1-9]\d{3}\b|\bB-[1-9]\d{3}\b",
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
_CUE = (
    rf"(?:\b(?i:ik\s+ben|ik\s+heet|heet|heten|mijn\s+naam\s+is|noemt|genaamd|naam\s*:|"
    rf"ben\s+je|dag|hallo|hoi|hey|dank\s+je|bedankt|meneer|mevrouw|dokter|dr\.|juffrouw|juf|"
    rf"meester)\s+"
    rf"|\b(?i:mijn|m'n|onze|ons|haar|zijn|z'n|je|jouw)\s+(?i:{_RELATIONS})\s+(?:heet\s+)?)"
)
_NAME_CUES = re.compile(rf"{_CUE}({_NAME_CHARS}(?:\s+{_PARTICLE}{_NAME_CHARS}){{0,2}})")
# A cue before a first name from the list in lower case: "ik ben dirk", "mijn broer kobe".
_LOWER_CUES = re.compile(rf"{_CUE}([a-zà-ÿ]+)")
_GAZETTEER = re.compile(
    r"(?<![\wÀ-ÿ<])(?:"
    + "|".join(sorted((re.escape(n) for n in FIRST_NAMES | SURNAMES), key=len, reverse=True))
    + r")(?:\s+"
    + _PARTICLE
    + _NAME_CHARS
    + r")?(?![\wÀ-ÿ])"
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]*")
_FIRST_LOWER = frozenset(n.casefold() for n in FIRST_NAMES)
_SURNAME_LOWER = frozenset(n.casefold() for n in SURNAMES)
_CAP_PARTICLES = frozenset(("De", "Van", "Vande", "Vanden", "Le", "El"))
_PARTICLES_LOWER = frozenset(("van", "de", "den", "der", "vande", "vanden", "el", "le", "d'"))
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
    words = list(re.finditer(r"\S+", candidate))
    for i, match in enumerate(words):
        word = match.group()
        # "De Vos", "Van Damme": a particle starts a surname when a name follows it
        if word in _NOT_NAMES and not (word in _CAP_PARTICLES and i + 1 < len(words)):
            break
        length = match.end()
    return length


def _names_in_any_case(work: str) -> list[tuple[int, int]]:
    """Names written all in capitals or all in lower case, which the capitalised gazetteer
    misses: "JELLE PEETERS", "dirk vermeulen". Lower case needs a first name followed by a
    surname (one word alone is too often an ordinary word); capitals need a listed name."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(work)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        start, _, word = words[i]
        folded = word.casefold()
        if (
            word.isupper()
            and len(word) >= 2
            and (folded in _FIRST_LOWER or folded in _SURNAME_LOWER)
        ):
            j = i + 1
            while (
                j < len(words)
                and words[j][2].isupper()
                and (
                    words[j][2].casefold() in _SURNAME_LOWER
                    or words[j][2].casefold() in _PARTICLES_LOWER
                )
            ):
                j += 1
            while j - 1 > i and words[j - 1][2].casefold() in _PARTICLES_LOWER:
                j -= 1  # a name does not end in "VAN"
            spans.append((start, words[j - 1][1]))
            i = j
            continue
        if word.islower() and folded in _FIRST_LOWER:
            j = i + 1
            while j < len(words) and words[j][2].islower() and words[j][2] in _PARTICLES_LOWER:
                j += 1
            joined = "".join(w[2] for w in words[i + 1 : j + 1])  # "de smet" -> "desmet"
            if (
                j < len(words)
                and words[j][2].islower()
                and (words[j][2] in _SURNAME_LOWER or joined in _SURNAME_LOWER)
                # adjacent words: no comma or full stop between the first name and the surname
                and all(work[words[k][1] : words[k + 1][0]] == " " for k in range(i, j))
            ):
                spans.append((start, words[j][1]))
                i = j + 1
                continue
        i += 1
    return spans


def detect(text: str, names: Iterable[str] = ()) -> list[Found]:
    """Every identifier in `text`, non-overlapping, in order of position."""
    chars = list(text)
    work = text
    found: list[Found] = []

    def take(kind: str, start: int, end: int) -> None:
        if end <= start or MASK in chars[start:end]:
            return
        found.append(Found(kind, start, end))
        chars[start:end] = MASK * (end - start)

    def stage(kind: str, pattern: re.Pattern[str]) -> None:
        nonlocal work
        for m in pattern.finditer(work):
            # A cued pattern names the part to take (v, w, x); the cue itself stays.
            group = next((g for g, v in m.groupdict().items() if v is not None), 0)
            take(kind, m.start(group), m.end(group))
        work = "".join(chars)  # once per pattern: masking stays linear in the text

    # E-mail addresses and URLs first: a nickname inside one must not split it.
    stage("EMAIL", _EMAIL)
    for m in _URL.finditer(work):
        take("URL", m.start(), _trim_url(work, m.start(), m.end()))
    work = "".join(chars)
    stage("HANDLE", _HANDLE)
    stage("HANDLE", _HANDLE_CUED)
    known = _known_names_pattern(names)
    if known is not None:
        stage("NAME", known)
    for m in _IBAN.finditer(work):
        if sum(c.isdigit() for c in m.group()) >= 8:
            take("IBAN", m.start(), m.end())
    work = "".join(chars)
    stage("RRN", _RRN)
    stage("IP", _IPV4)
    for m in _IPV6.finditer(work):
        if _valid_ipv6(m.group()):
            take("IP", m.start(), m.end())
    work = "".join(chars)
    stage("DATE", _DATE)
    stage("PLATE", _PLATE)
    stage("PHONE", _PHONE)
    stage("SCHOOL", _SCHOOL)
    stage("ADDRESS", _ADDRESS)
    stage("ADDRESS", _ADDRESS_CUED)
    stage("POSTCODE", _POSTCODE)
    for m in _NAME_CUES.finditer(work):
        start = m.start(1)
        take("NAME", start, start + _name_length(m.group(1)))
    work = "".join(chars)
    for m in _GAZETTEER.finditer(work):
        take("NAME", m.start(), m.start() + _name_length(m.group()))
    for start, end in _names_in_any_case(work):
        take("NAME", start, end)
    for m in _LOWER_CUES.finditer(work):
        if m.group(1) in _FIRST_LOWER:
            take("NAME", m.start(1), m.end(1))
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
