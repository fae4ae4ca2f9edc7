"""The parse worker's child process: raw mail on stdin, the parsed mail as JSON on stdout.

Apart from mail_worker.py so that the child imports the parser and nothing else (no
asyncio, no settings): it starts for every mail, so its start-up is most of its cost.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

from console1712.domain.mailparse import parse_mail, to_json


def main() -> None:
    # Below the relay in the scheduler: with every core busy parsing, chat and logins
    # still get the CPU first.
    with contextlib.suppress(OSError):
        os.nice(10)
    html_max_chars = int(sys.argv[1])
    raw = sys.stdin.buffer.read()
    parsed = parse_mail(raw, html_max_chars)
    sys.stdout.write(json.dumps(to_json(parsed), ensure_ascii=True))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
