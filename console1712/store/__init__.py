"""Storage: SQLite or PostgreSQL, migrations, encryption at rest; all SQL lives here."""
