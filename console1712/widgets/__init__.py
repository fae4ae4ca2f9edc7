"""Reusable widgets of the counsellor console."""
