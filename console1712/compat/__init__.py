"""Every use of a library's private or undocumented API, one function each, so that an
upgrade breaks in one known place (tests/test_compat.py checks each against the installed
library, and that no other module reaches into a library's private attributes).

- `compat.tui`: Textual (the console only: it imports textual).
- `compat.net`: websockets and asyncio transports (the relay, the clients, the benchmarks;
  no textual).

The store needs none: its SQLite backend is a plain sqlite3 connection on a thread of its
own (store/sqlite.py).
"""
