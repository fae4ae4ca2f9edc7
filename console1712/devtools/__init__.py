"""Tools for developers: scripted chat flows and simulated chatters (no Textual here)."""
