"""How a dossier and a rights request look on screen: plain rich Text built from data.

Pseudonyms and annotation texts are typed by people and may hold "[b]" or terminal escapes:
they are cleaned of control characters and appended as plain text, never parsed as markup.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from console1712.clock import from_rfc3339
from console1712.domain.text import one_line, strip_controls
from console1712.domain.themes import label
from console1712.domain.vocabulary import BRUSSELS
from console1712.i18n import t


def clean(value: object) -> str:
    return strip_controls(str(value or ""))


def local(value: object, fmt: str = "%d-%m-%Y %H:%M") -> str:
    if not isinstance(value, str) or not value:
        return "-"
    try:
        return from_rfc3339(value).astimezone(BRUSSELS).strftime(fmt)
    except ValueError:
        return "-"


def theme_labels(themes: object, lang: str) -> str:
    if not isinstance(themes, list) or not themes:
        return "-"
    return ", ".join(label(one_line(str(th)), lang) for th in themes)


def result_row(d: dict[str, Any], lang: str) -> Text:
    """One search result: code, status, flags, pseudonym."""
    row = Text(no_wrap=True, overflow="ellipsis")
    row.append(one_line(str(d.get("code", ""))), style="bold")
    if d.get("status") == "closed":
        row.append(f" ({t('dossier.status.closed', lang)})")
    if d.get("restricted"):
        row.append(" [B]", style="reverse")  # the flag is literal text, not markup
    row.append(" " + one_line(str(d.get("pseudonym", ""))))
    return row


def render_head(d: dict[str, Any], lang: str) -> Text:
    """The dossier's fields; a restriction and a legal hold stand out."""
    out = Text()
    if d.get("restricted"):
        out.append(t("dossier.restricted", lang) + "\n", style="bold reverse")
    hold = d.get("hold")
    if isinstance(hold, dict):
        out.append(
            t("dossier.hold", lang, by=one_line(clean(hold.get("by"))), reason=""), style="bold"
        )
        out.append(one_line(clean(hold.get("reason"))) + "\n")
    out.append(one_line(str(d.get("code", ""))), style="bold")
    status = str(d.get("status", "open"))
    out.append(f"  {t('dossier.status.' + status, lang)}")
    out.append(f"  {t('dossier.field.opened', lang)} {local(d.get('opened_at'), '%d-%m-%Y')}")
    if d.get("closed_at"):
        out.append(f"  {t('dossier.field.closed', lang)} {local(d.get('closed_at'), '%d-%m-%Y')}")
    out.append(f"\n{t('dossier.field.pseudonym', lang)}: ")
    out.append(one_line(clean(d.get("pseudonym"))))
    out.append(f"\n{t('dossier.field.themes', lang)}: {theme_labels(d.get('themes'), lang)}")
    links = d.get("links")
    if isinstance(links, list) and links:
        shown = ", ".join(
            f"{one_line(clean(x.get('kind')))} {one_line(clean(x.get('target')))}"
            for x in links
            if isinstance(x, dict)
        )
        out.append(f"\n{t('dossier.field.links', lang)}: {shown}")
    requests = d.get("requests")
    if isinstance(requests, list) and requests:
        out.append(f"\n{t('dossier.field.requests', lang)}: ")
        for n, r in enumerate(x for x in requests if isinstance(x, dict)):
            if n:
                out.append(", ")
            status = str(r.get("status", "open"))
            when = (
                t("rights.due", lang, due=local_day(r.get("due")))
                if status == "open"
                else t(f"rights.status.{status}", lang)
            )
            style = "bold reverse" if r.get("overdue") else ""
            out.append(f"{t('rights.kind.' + str(r.get('kind', '')), lang)} ({when})", style=style)
    return out


def render_annotations(d: dict[str, Any], lang: str) -> Text:
    """Every annotation with every version; a corrected version says so and stays."""
    out = Text()
    annotations = d.get("annotations")
    if not isinstance(annotations, list):
        return out
    versions = {a.get("id"): a.get("version") for a in annotations if isinstance(a, dict)}
    for a in annotations:
        if not isinstance(a, dict):
            continue
        kind = str(a.get("kind", "note"))
        head = f"{local(a.get('at'))} {t('dossier.kind.' + kind, lang)}"
        if a.get("to"):
            head += f" → {t('dossier.to.' + str(a.get('to')), lang)}"
        head += f" ({t('dossier.version', lang, n=a.get('version', 1))}"
        if a.get("corrects") in versions:
            head += ", " + t("dossier.corrects", lang, n=versions[a.get("corrects")])
        head += ")"
        current = bool(a.get("current", True))
        out.append(head, style="bold" if current else "dim")
        if not current:
            out.append(f" — {t('dossier.corrected', lang)}", style="dim")
        out.append(f"  {one_line(clean(a.get('author')))}\n", style="dim")
        out.append(clean(a.get("text")) + "\n\n", style="" if current else "dim")
    return out


def request_row(r: dict[str, Any], lang: str) -> Text:
    """One rights request in two short lines: an overdue one starts with a reversed OVER TIJD."""
    row = Text()
    status = str(r.get("status", "open"))
    if r.get("overdue"):
        row.append(t("rights.overdue", lang), style="bold reverse")
        row.append(" ")
    row.append(t(f"rights.kind.{r.get('kind', '')}", lang), style="bold")
    row.append("\n" + one_line(str(r.get("code", ""))) + " ")
    if status == "open":
        row.append(t("rights.due", lang, due=local_day(r.get("due"))))
    else:
        row.append(t(f"rights.status.{status}", lang))
    return row


def local_day(value: object) -> str:
    """YYYY-MM-DD as the Flemish write it (DD-MM-YYYY)."""
    text = one_line(str(value or ""))
    parts = text.split("-")
    return "-".join(reversed(parts)) if len(parts) == 3 else text
