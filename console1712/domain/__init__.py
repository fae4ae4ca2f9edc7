"""Pure helpline rules: no I/O, no Textual, no database."""
