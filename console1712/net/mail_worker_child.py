"""The parse worker's child process: raw mail on stdin, the parsed mail as JSON on stdout.

Apart from mail_worker.py so that the child imports the parser and nothing else (no
asyncio, no settings): it starts for every mail, so its start-up is most of its cost.
"""

from __future__ import annotations

import json
import sys

from console1712.domain.mailparse import parse_mail, to_json


def main() -> None:
    html_max_chars = int(sys.argv[1])
    raw = sys.stdin.buffer.read()
    parsed = parse_mail(raw, html_max_chars)
    sys.stdout.write(json.dumps(to_json(parsed), ensure_ascii=True))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
