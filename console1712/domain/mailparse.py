"""Reading raw RFC 5322 mail robustly: whatever arrives, keep what can be read, flag the rest.

Nothing here raises on bad input: broken MIME, unknown or lying charsets, huge or missing
headers and undecodable parts each add a flag to `ParsedMail.flags` and the readable
remainder is kept. Attachments are listed (name, type, size), never decoded further.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from html import unescape
from html.parser import HTMLParser
from typing import Any

from console1712.domain.text import strip_controls

MAX_HEADER_CHARS = 2000  # longer header values are cut (and flagged)
MAX_TEXT_CHARS = 2_000_000  # body text kept per mail
MAX_PARTS = 500  # MIME parts looked at; a bomb of nested parts stops here
MAX_DEPTH = 20
# The standard HTML parser is quadratic on hostile input ("<a" * n: 80 KB took 12 s on a
# busy 2-core host); HTML longer than this is not given to it but stripped by a linear scan.
MAX_HTML_CHARS = 200_000

# Flags a parsed mail may carry (shown to counsellors as "could not be read fully").
FLAGS = (
    "broken_mime",  # the MIME structure has defects
    "bad_charset",  # text that does not decode in its declared charset
    "unknown_charset",  # a charset Python does not know
    "bad_header",  # a header that could not be decoded cleanly
    "huge_header",  # a header value longer than MAX_HEADER_CHARS (cut)
    "no_from",  # no usable From address
    "no_message_id",
    "no_text",  # no readable text part
    "truncated",  # body text longer than MAX_TEXT_CHARS (cut)
    "too_many_parts",
    "unreadable",  # the parser gave up; only what came before is kept
    "html_not_parsed",  # HTML too long (or its parse cut off): tags stripped, listed as attachment
    "parse_timeout",  # the parse ran out of time; what could be read cheaply is kept
)


@dataclass(frozen=True)
class Attachment:
    """An attachment as listed to counsellors: never opened, never stored."""

    name: str
    type: str
    size: int

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "type": self.type, "size": self.size}


@dataclass
class ParsedMail:
    """What could be read of one mail; `flags` name what could not."""

    message_id: str | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    from_name: str = ""
    from_addr: str = ""
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    html_only: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    size: int = 0


_MSGID = re.compile(r"<([^<>\s]{1,500})>")


def message_ids(value: str) -> list[str]:
    """The `<...>` ids in a Message-ID / In-Reply-To / References value, without brackets."""
    return [m.group(1) for m in _MSGID.finditer(value)]


def parse_mail(raw: bytes, html_max_chars: int = MAX_HTML_CHARS) -> ParsedMail:
    """Parse raw mail bytes; never raises (a failure sets the `unreadable` flag).

    HTML parts longer than `html_max_chars` (0: every HTML part) skip the HTML parser: their
    tags are stripped by a linear scan and the part is listed as an attachment.
    """
    parsed = ParsedMail(size=len(raw))
    try:
        msg = email.message_from_bytes(raw)
        _read_headers(msg, parsed)
        _read_body(msg, parsed, html_max_chars)
    except Exception:  # any parser bug or hostile input: keep what we have
        parsed.flags.add("unreadable")
    if not parsed.text.strip() and "no_text" not in parsed.flags:
        parsed.flags.add("no_text")
    return parsed


# -- headers -----------------------------------------------------------------------------


def _decode_bytes(data: bytes, charset: str | None, parsed: ParsedMail) -> str:
    """Decode in the declared charset; fall back to UTF-8, then Windows-1252, flagging it."""
    if charset:
        cs = charset.strip().strip('"').lower()
        try:
            return data.decode(cs)
        except LookupError:
            parsed.flags.add("unknown_charset")
        except UnicodeDecodeError:
            parsed.flags.add("bad_charset")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if charset is None:
            parsed.flags.add("bad_charset")
    # cp1252 maps nearly every byte; latin-1 takes the five it leaves undefined.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def decode_header_value(value: object, parsed: ParsedMail) -> str:
    """One header value as clean one-line text: RFC 2047 words and raw 8-bit bytes decoded."""
    if isinstance(value, email.header.Header):
        text = str(value)
    else:
        text = str(value)
    # compat32 keeps raw 8-bit header bytes as surrogate escapes: decode them ourselves.
    if any(0xDC80 <= ord(ch) <= 0xDCFF for ch in text):
        raw = text.encode("ascii", "surrogateescape")
        text = _decode_bytes(raw, None, parsed)
    out: list[str] = []
    try:
        parts = email.header.decode_header(text)
    except Exception:
        parsed.flags.add("bad_header")
        parts = [(text, None)]
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(_decode_bytes(chunk, charset, parsed) if charset else _ascii(chunk))
        else:
            out.append(chunk)
    result = "".join(out)
    result = " ".join(strip_controls(result.replace("\t", " ")).split())
    if len(result) > MAX_HEADER_CHARS:
        parsed.flags.add("huge_header")
        result = result[:MAX_HEADER_CHARS]
    return result


def _ascii(chunk: bytes) -> str:
    try:
        return chunk.decode("utf-8")
    except UnicodeDecodeError:
        return chunk.decode("cp1252", "replace")


def _raw_values(msg: Message, name: str) -> list[str]:
    # raw_items() skips the policy's sanitising, which turns 8-bit bytes into U+FFFD.
    try:
        wanted = name.lower()
        return [str(v) for k, v in msg.raw_items() if k.lower() == wanted]
    except Exception:
        return []


def _header(msg: Message, name: str, parsed: ParsedMail) -> str:
    values = _raw_values(msg, name)
    return decode_header_value(values[0], parsed) if values else ""


def _raw_header(msg: Message, name: str) -> str:
    return " ".join(_raw_values(msg, name))


def _addresses(msg: Message, header: str, parsed: ParsedMail) -> list[tuple[str, str]]:
    """(display name, address) pairs: split before RFC 2047 decoding, so an encoded name
    holding '<', '[' or ',' cannot pose as (or hide) the address."""
    values = _raw_values(msg, header)
    if not values:
        return []
    raw = values[0]
    if any(0xDC80 <= ord(ch) <= 0xDCFF for ch in raw):
        raw = _decode_bytes(raw.encode("ascii", "surrogateescape"), None, parsed)
    raw = " ".join(strip_controls(raw.replace("\t", " ")).split())[: MAX_HEADER_CHARS * 5]
    try:
        pairs = email.utils.getaddresses([raw])
    except Exception:
        parsed.flags.add("bad_header")
        return []
    found = []
    for name, addr in pairs:
        addr = addr.strip()
        if addr and "@" in addr and len(addr) <= 320:
            found.append((decode_header_value(name, parsed) if name else "", addr))
    return found


def _read_headers(msg: Message, parsed: ParsedMail) -> None:
    if msg.defects:
        parsed.flags.add("broken_mime")
    sender = _addresses(msg, "From", parsed)
    if sender:
        parsed.from_name, parsed.from_addr = sender[0][0].strip(), sender[0][1].lower()
    else:
        parsed.flags.add("no_from")
    reply_to = _addresses(msg, "Reply-To", parsed)
    if reply_to:
        parsed.reply_to = reply_to[0][1].lower()
    parsed.to = [a.lower() for _, a in _addresses(msg, "To", parsed)][:50]
    parsed.cc = [a.lower() for _, a in _addresses(msg, "Cc", parsed)][:50]
    parsed.subject = _header(msg, "Subject", parsed)
    ids = message_ids(_raw_header(msg, "Message-ID"))
    if ids:
        parsed.message_id = ids[0]
    else:
        parsed.flags.add("no_message_id")
    parsed.in_reply_to = message_ids(_raw_header(msg, "In-Reply-To"))[:20]
    # Keep the newest references: a long chain only needs its tail for matching.
    parsed.references = message_ids(_raw_header(msg, "References"))[-50:]
    date_text = _header(msg, "Date", parsed)
    if date_text:
        try:
            when = email.utils.parsedate_to_datetime(date_text)
            parsed.date = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed.flags.add("bad_header")


# -- body --------------------------------------------------------------------------------


class _Walk:
    def __init__(self, parsed: ParsedMail, html_max_chars: int = MAX_HTML_CHARS) -> None:
        self.parsed = parsed
        self.parts = 0
        self.html_max_chars = html_max_chars


def _read_body(msg: Message, parsed: ParsedMail, html_max_chars: int = MAX_HTML_CHARS) -> None:
    walk = _Walk(parsed, html_max_chars)
    text, kind = _best_text(msg, walk, 0)
    if len(text) > MAX_TEXT_CHARS:
        parsed.flags.add("truncated")
        text = text[:MAX_TEXT_CHARS]
    parsed.text = text
    parsed.html_only = kind == "html"


def _filename(part: Message, parsed: ParsedMail) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        try:
            name = part.get_param("name")  # type: ignore[assignment]
        except Exception:
            name = None
    if isinstance(name, tuple):  # RFC 2231 triple from get_param
        name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(name, parsed) if name else ""


def _is_attachment(part: Message) -> bool:
    try:
        disposition = (part.get_content_disposition() or "").lower()
    except Exception:
        disposition = ""
    return disposition == "attachment"


def _payload(part: Message, parsed: ParsedMail) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        parsed.flags.add("broken_mime")
        return b""
    if part.defects:
        parsed.flags.add("broken_mime")
    if isinstance(data, bytes):
        return data
    return b""


def _list_attachment(part: Message, parsed: ParsedMail) -> None:
    try:
        ctype = part.get_content_type()
    except Exception:
        ctype = "application/octet-stream"
    if part.is_multipart() or ctype == "message/rfc822":
        try:
            size = len(part.as_bytes()) if ctype == "message/rfc822" else 0
        except Exception:
            size = 0
    else:
        size = len(_payload(part, parsed))
    name = _filename(part, parsed) or "(zonder naam)"
    parsed.attachments.append(Attachment(name=name[:200], type=ctype[:100], size=size))


def _text_of(part: Message, parsed: ParsedMail) -> str:
    data = _payload(part, parsed)
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    text = _decode_bytes(data, charset, parsed)
    return strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))


def _best_text(part: Message, walk: _Walk, depth: int) -> tuple[str, str]:
    """(text, kind) of a part: kind is 'plain', 'html' or '' (no text found)."""
    walk.parts += 1
    if walk.parts > MAX_PARTS or depth > MAX_DEPTH:
        walk.parsed.flags.add("too_many_parts")
        return "", ""
    if part.defects:
        walk.parsed.flags.add("broken_mime")
    try:
        ctype = part.get_content_type()
    except Exception:
        ctype = "text/plain"
    if part.is_multipart():
        payload = part.get_payload()
        if not isinstance(payload, list):
            walk.parsed.flags.add("broken_mime")
            return "", ""
        children = [c for c in payload if isinstance(c, Message)]
        if ctype == "message/rfc822":
            _list_attachment(part, walk.parsed)
            return "", ""
        if ctype == "multipart/alternative":
            return _alternative(children, walk, depth)
        texts: list[str] = []
        kinds: set[str] = set()
        for child in children:
            text, kind = _best_text(child, walk, depth + 1)
            if kind:
                texts.append(text)
                kinds.add(kind)
        kind = "plain" if "plain" in kinds else ("html" if kinds else "")
        return "\n\n".join(t.strip("\n") for t in texts), kind
    if _is_attachment(part) or not ctype.startswith("text/") or ctype == "message/rfc822":
        _list_attachment(part, walk.parsed)
        return "", ""
    if ctype == "text/html":
        html = _text_of(part, walk.parsed)
        if len(html) > walk.html_max_chars:
            walk.parsed.flags.add("html_not_parsed")
            name = _filename(part, walk.parsed) or "bericht.html"
            walk.parsed.attachments.append(
                Attachment(name=name[:200], type="text/html", size=len(html.encode("utf-8")))
            )
            return strip_tags(html), "html"
        return html_to_text(html), "html"
    if ctype in ("text/plain", "text/enriched") or not _filename(part, walk.parsed):
        return _text_of(part, walk.parsed), "plain"
    _list_attachment(part, walk.parsed)
    return "", ""


def _alternative(children: list[Message], walk: _Walk, depth: int) -> tuple[str, str]:
    found: dict[str, str] = {}
    for child in children:
        text, kind = _best_text(child, walk, depth + 1)
        if kind and kind not in found:
            found[kind] = text
    if "plain" in found and found["plain"].strip():
        return found["plain"], "plain"
    if "html" in found:
        return found["html"], "html"
    return found.get("plain", ""), "plain" if "plain" in found else ""


# -- HTML to text ------------------------------------------------------------------------

_BLOCK = frozenset(
    "address article aside blockquote div dl dt dd fieldset figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table tr ul".split()
)
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"})
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0
        self.href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCK:
            self._newline()
            if tag == "li":
                self.out.append("- ")
        if tag == "pre":
            self.pre += 1
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self._newline()
            if tag in _PARAGRAPH:
                self.out.append("\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.href:
            # Show where a link really goes: the visible text may claim another address.
            href = self.href.pop()
            if href and href.startswith(("http:", "https:", "mailto:")):
                self.out.append(f" <{href}>")

    def _newline(self) -> None:
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self.out.append(data)
        else:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body (stdlib parser; scripts and styles dropped)."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        pass
    text = "".join(parser.out)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return strip_controls(text.strip())


def strip_tags(html: str) -> str:
    """Plain text of HTML in one linear pass: tags dropped, entities decoded, nothing parsed.

    For HTML too long for the parser. Each find() starts after the last one, and a '>' found
    once is reused, so no character is scanned more than a few times whatever the input.
    """
    out: list[str] = []
    i, n = 0, len(html)
    gt = -1  # the next '>' at or after i, once looked for
    while i < n:
        lt = html.find("<", i)
        if lt < 0:
            out.append(html[i:])
            break
        out.append(html[i:lt])
        if gt <= lt:
            gt = html.find(">", lt + 1)
            if gt < 0:  # no tag ends any more: the rest is text
                out.append(html[lt:])
                break
        nxt = html.find("<", lt + 1, gt)
        if nxt >= 0:  # a '<' before the '>': this one opens no tag
            out.append(html[lt:nxt])
            i = nxt
            continue
        name = html[lt + 1 : gt].split(None, 1)[0].lower().strip("/") if gt > lt + 1 else ""
        if name in ("br", "p", "div", "li", "tr") or name in _BLOCK:
            out.append("\n")
        i = gt + 1
        if name in ("script", "style") and not html[lt + 1 : gt].startswith("/"):
            end = html.find("</" + name, i)
            i = n if end < 0 else end
    text = unescape("".join(out))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return strip_controls(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())


# -- passing a parsed mail between processes ----------------------------------------------


def to_json(parsed: ParsedMail) -> dict[str, object]:
    """A parsed mail as JSON-able values (the parse worker's answer)."""
    return {
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to,
        "references": parsed.references,
        "from_name": parsed.from_name,
        "from_addr": parsed.from_addr,
        "reply_to": parsed.reply_to,
        "to": parsed.to,
        "cc": parsed.cc,
        "subject": parsed.subject,
        "date": None if parsed.date is None else parsed.date.isoformat(),
        "text": parsed.text,
        "html_only": parsed.html_only,
        "attachments": [a.as_dict() for a in parsed.attachments],
        "flags": sorted(parsed.flags),
        "size": parsed.size,
    }


def from_json(data: dict[str, Any]) -> ParsedMail:
    """The inverse of `to_json`; raises KeyError/TypeError/ValueError on a malformed value."""
    date = data["date"]
    return ParsedMail(
        message_id=None if data["message_id"] is None else str(data["message_id"]),
        in_reply_to=[str(v) for v in data["in_reply_to"]],
        references=[str(v) for v in data["references"]],
        from_name=str(data["from_name"]),
        from_addr=str(data["from_addr"]),
        reply_to=str(data["reply_to"]),
        to=[str(v) for v in data["to"]],
        cc=[str(v) for v in data["cc"]],
        subject=str(data["subject"]),
        date=None if date is None else datetime.fromisoformat(str(date)),
        text=str(data["text"]),
        html_only=bool(data["html_only"]),
        attachments=[
            Attachment(str(a["name"]), str(a["type"]), int(a["size"])) for a in data["attachments"]
        ],
        flags={str(f) for f in data["flags"]},
        size=int(data["size"]),
    )
