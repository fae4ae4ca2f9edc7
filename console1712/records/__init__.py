"""Workflows over the records in the store: fulfilling rights requests, dossier exports and
anonymised transcripts. They combine several store aggregates; the store modules never import
them (import-linter contracts in pyproject.toml). SQL stays in store/; records imports only
store/, domain/, i18n and clock, never the relay, the clients or the console."""
