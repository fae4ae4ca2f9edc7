"""Storage: aiosqlite, migrations, encryption at rest, one module per aggregate. All SQL lives here."""
