"""The relay: the server, its live state, the staff operations and the background services."""
