"""Values from outside (login names, account names, headers) made safe for one log line."""

from __future__ import annotations

import unicodedata

MAX_LOGGED = 64  # characters of a value kept in a log line; the rest is cut
# control, format (bidi overrides, zero-width), line and paragraph separators, surrogates
_ESCAPED = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))


def logged(value: object, limit: int = MAX_LOGGED) -> str:
    """`value` quoted, control and format characters escaped, cut to `limit` characters.

    A newline in a login name must not start a forged log line, a terminal escape must not
    restyle whoever reads the log, and a bidi override must not make a line read otherwise
    than it is: all are written as `\\xNN` / `\\uNNNN` escapes."""
    text = value if isinstance(value, str) else str(value)
    cut = len(text) > limit
    out = []
    for ch in text[:limit]:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif unicodedata.category(ch) in _ESCAPED:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + ("…" if cut else "") + '"'
