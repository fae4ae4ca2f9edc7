"""Cleaning remote text: control characters out, length and Unicode checked."""

from __future__ import annotations

import re

# C0 controls except TAB (0x09) and LF (0x0A), DEL, and C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_TEXT = 4000


class TextError(ValueError):
    """Text that cannot be accepted (empty, too long, invalid Unicode)."""


def strip_controls(text: str) -> str:
    """Remove C0/C1 control characters other than LF and TAB, and DEL (protocol v1, Text)."""
    return _CONTROL.sub("", text)


def has_lone_surrogate(text: str) -> bool:
    """Whether the text holds a surrogate code point (U+D800..U+DFFF), which is not Unicode."""
    if text.isascii():
        return False
    # The strict UTF-8 encoder refuses exactly the surrogates: done in C, no loop per character.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def clean_text(text: str, *, max_len: int = MAX_TEXT, min_len: int = 1) -> str:
    """Clean a chat text as protocol v1 says; raise TextError when it is unacceptable."""
    if has_lone_surrogate(text):
        raise TextError("invalid Unicode (lone surrogate)")
    cleaned = strip_controls(text)
    if len(cleaned) < min_len:
        raise TextError("text is empty")
    if len(cleaned) > max_len:
        raise TextError(f"text is longer than {max_len} characters")
    return cleaned


def clean_field(text: str, *, max_len: int) -> str:
    """Clean a short free-text field (nickname, gender, reason); may come out empty."""
    return clean_text(text, max_len=max_len, min_len=0).strip()


def one_line(text: str) -> str:
    """For display in a single row (queue, tab label): newlines and tabs become spaces."""
    return strip_controls(text).replace("\n", " ").replace("\t", " ")


def shorten_middle(text: str, width: int) -> str:
    """At most `width` characters, cut in the middle with an ellipsis: both ends of an
    address stay readable ("averylongname…@example.org")."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    tail = (width - 1) // 2
    return text[: width - 1 - tail] + "…" + text[len(text) - tail :]
