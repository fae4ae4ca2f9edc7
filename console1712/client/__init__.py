"""Clients of the relay: the staff link (console, scripts) and the chatter link."""
