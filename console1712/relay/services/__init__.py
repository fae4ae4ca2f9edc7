"""Background services the relay runs: SMTP intake, mail sending, retention."""
