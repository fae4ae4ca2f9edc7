"""Benchmarks: a relay load generator and scenarios, a console rendering benchmark."""
