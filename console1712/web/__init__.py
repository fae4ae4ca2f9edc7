"""The chatters' web page, served by the relay: maps a request path to an HTTP response.

The page is static HTML, CSS and JS (native ES modules) shipped in this package (no build
step, nothing from other hosts). Every response carries a strict Content-Security-Policy and
no cookies. The page's words (console1712/i18n/web.py, Dutch and English) and its limits
(protocol, settings, schedule) are filled in here, one source for both the relay and the page:
`{{key}}` marks in index.html become the words of the chosen language, and the page data
(`page_data`) is embedded as JSON for the scripts, also served alone at /page.json.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from functools import cache
from http import HTTPStatus
from importlib import resources
from typing import Any

from websockets.datastructures import Headers
from websockets.http11 import Response

from console1712.config import Settings
from console1712.domain.hours import Schedule
from console1712.domain.retention import CHAT_MONTHS
from console1712.domain.text import MAX_TEXT
from console1712.domain.vocabulary import BRUSSELS, REGIONS
from console1712.i18n import LANGS, t
from console1712.i18n.common import ALTERNATIVES
from console1712.i18n.web import TEXTS
from console1712.protocol.frames import MAX_AGE, MAX_GENDER, MAX_NICKNAME, MIN_AGE

# Same-origin websockets are covered by 'self' in CSP level 3 (Chromium, Firefox, Safari).
# The embedded page data is a `type="application/json"` data block: never run, so not script.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SAFE_EXIT_URL = "https://www.meteo.be/nl"
DEFAULT_LANG = "nl"
PAGE_PATH = "/"  # index.html, filled in per request
PAGE_DATA_PATH = "/page.json"
JS = "text/javascript; charset=utf-8"

# path -> (file in this package, content type)
ASSETS: dict[str, tuple[str, str]] = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/main.js": ("main.js", JS),
    "/static/connection.js": ("connection.js", JS),
    "/static/state.js": ("state.js", JS),
    "/static/view.js": ("view.js", JS),
    "/static/i18n.js": ("i18n.js", JS),
    "/static/exit.js": ("exit.js", JS),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
    "/static/icon.svg": ("icon.svg", "image/svg+xml"),
}

_MARK = re.compile(r"\{\{([a-z0-9_.]+)\}\}")


class _Keep(dict[str, Any]):
    """Format values that leaves unknown `{name}` fields for the page to fill in."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def _read(name: str) -> bytes:
    return resources.files(__package__).joinpath(name).read_bytes()


def page_headers(content_type: str, length: int) -> Headers:
    """The headers of every page and asset response: type, length, CSP and no caching."""
    return Headers(
        [
            ("Content-Type", content_type),
            ("Content-Length", str(length)),
            ("Content-Security-Policy", CSP),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-store"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
            ("Connection", "close"),
            ("Vary", "Accept-Language"),
        ]
    )


def exit_url_for_page(exit_url: str) -> str:
    """The quick-exit target as the page may use it: only http(s), else the safe default."""
    if exit_url.startswith(("https://", "http://")):
        return exit_url
    return SAFE_EXIT_URL


def choose_lang(accept_language: str | None) -> str:
    """The page's language from an Accept-Language header: the first of ours it prefers."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        base = tag.strip().lower().split("-")[0]
        if base in LANGS and quality > 0:
            ranked.append((-quality, index, base))
    return min(ranked)[2] if ranked else DEFAULT_LANG


def _day_runs(days: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def hours_text(schedule: Schedule, lang: str) -> str:
    """The chat's weekly opening hours in words: "maandag tot donderdag, 13:00-17:00 en ..."."""
    if schedule.always:
        return t("web.hours_always", lang)
    days = []
    for first, last in _day_runs(list(schedule.days)):
        name = t(f"web.day.{first}", lang)
        if last == first:
            days.append(name)
        elif last == first + 1:
            days.append(f"{name} {t('web.hours_and', lang)} {t(f'web.day.{last}', lang)}")
        else:
            days.append(f"{name} {t('web.hours_to', lang)} {t(f'web.day.{last}', lang)}")
    spans = [f"{start:%H:%M}-{end:%H:%M}" for start, end in schedule.intervals]
    joined = ", ".join(spans[:-1]) + f" {t('web.hours_and', lang)} " if len(spans) > 1 else ""
    when = f"{', '.join(days)}, {joined}{spans[-1] if spans else ''}"
    return t("web.hours", lang, hours=f"{when} ({t('web.hours_zone', lang)})")


def page_data(
    settings: Settings, schedule: Schedule, lang: str = DEFAULT_LANG, exit_url: str | None = None
) -> dict[str, Any]:
    """Everything the page needs from the relay: words in each language, limits, settings."""
    limits = {
        "age_min": MIN_AGE,
        "age_max": MAX_AGE,
        "nickname_max": MAX_NICKNAME,
        "gender_max": MAX_GENDER,
        "text_max": MAX_TEXT,
    }
    minutes = max(1, round(settings.resume_window / 60))
    values = _Keep(limits, months=CHAT_MONTHS, minutes=minutes)
    texts: dict[str, dict[str, str]] = {}
    for code in LANGS:
        words = {
            key: (text.get(code) or text["nl"]).format_map(values) for key, text in TEXTS.items()
        }
        words["web.hours"] = hours_text(schedule, code)
        for region in REGIONS:
            words[f"region.{region}"] = t(f"region.{region}", code)
        for kind, key, _ in ALTERNATIVES:
            words[f"alt.{kind}"] = t(key, code)
        texts[code] = words
    return {
        "lang": lang,
        "langs": list(LANGS),
        "texts": texts,
        "limits": limits,
        "regions": list(REGIONS),
        "resume_window": settings.resume_window,
        "timezone": BRUSSELS.key,  # opening times are written in the helpline's time
        "exit_url": exit_url_for_page(settings.exit_url if exit_url is None else exit_url),
    }


def _json_for_html(data: Mapping[str, Any]) -> str:
    # Inside <script> only "</script" could end the block: escape every "<" (and & >).
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(data: Mapping[str, Any]) -> bytes:
    """index.html with its `{{key}}` marks filled in for `data["lang"]`, the data embedded."""
    words: Mapping[str, str] = data["texts"][data["lang"]]
    limits: Mapping[str, int] = data["limits"]
    source = _read("index.html").decode()

    def fill(match: re.Match[str]) -> str:
        key = match[1]
        if key == "lang":
            return html.escape(str(data["lang"]), quote=True)
        if key == "page_data":
            return _json_for_html(data)
        if key == "region_options":
            return "".join(
                f'<option value="{html.escape(r, quote=True)}" data-t="region.{r}">'
                f"{html.escape(words[f'region.{r}'])}</option>"
                for r in data["regions"]
            )
        if key.startswith("limit."):
            return str(int(limits[key.removeprefix("limit.")]))
        return html.escape(words[key], quote=True)

    return _MARK.sub(fill, source).encode()


def respond(
    path: str,
    exit_url: str = SAFE_EXIT_URL,
    *,
    headers: Headers | None = None,
    settings: Settings | None = None,
    schedule: Schedule | None = None,
) -> Response | None:
    """The response for a page or asset path (query already removed), or None if not ours.

    `settings` and `schedule` are the relay's (defaults when absent); `exit_url` wins over
    the settings' one; `headers` are the request's, for the browser's language.
    """
    if path in (PAGE_DATA_PATH, PAGE_PATH):
        lang = choose_lang(headers.get("Accept-Language") if headers else None)
        data = page_data(settings or Settings(), schedule or Schedule.default(), lang, exit_url)
        if path == PAGE_DATA_PATH:
            body = json.dumps(data, ensure_ascii=False).encode()
            content_type = "application/json; charset=utf-8"
        else:
            body = render_page(data)
            content_type = ASSETS[path][1]
    else:
        asset = ASSETS.get(path)
        if asset is None:
            return None
        name, content_type = asset
        body = _read(name)
    status = HTTPStatus.OK
    return Response(status.value, status.phrase, page_headers(content_type, len(body)), body)
