"""Storage: aiosqlite, migrations, encryption at rest; all SQL lives here."""
