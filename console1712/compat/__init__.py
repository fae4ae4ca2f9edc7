"""Every use of a library's private or undocumented API, one function each, so that an
upgrade breaks in one known place (tests/test_compat.py checks each against the installed
library, and that no other module reaches into a library's private attributes).

- `compat.tui`: Textual (the console only: it imports textual).
- `compat.net`: websockets and asyncio transports (the relay, the clients, the benchmarks;
  no textual).

aiosqlite's `_execute`/`_conn` in store/db.py are the one exception, until the store's
SQLite backend stops using them.
"""
