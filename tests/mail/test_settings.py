"""Mail settings and the relay's SMTP options on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from console1712.cli import build_parser
from console1712.config import SettingsError, load_settings


def test_defaults(tmp_path: Path) -> None:
    s = load_settings(environ={}, overrides={"data": tmp_path})
    assert (s.smtp, s.smtp_host, s.smtp_port) == (True, "127.0.0.1", 2525)
    assert s.mail_addresses == ["hulp@1712.local"] and s.mail_max_bytes == 10_000_000
    assert s.outbox_path == tmp_path / "outbox" and s.smarthost == ""
    assert (s.mail_parse_timeout, s.mail_parse_workers, s.mail_html_max_chars) == (10, 2, 200_000)
    assert (s.smtp_max_sessions, s.smtp_max_sessions_per_address) == (20, 3)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CONSOLE1712_SMTP_PORT": "70000"}, "smtp_port"),
        ({"CONSOLE1712_TEAM_ADDRESSES": "a@x=nowhere"}, "unknown region"),
        ({"CONSOLE1712_MAIL_ADDRESSES": "not-an-address"}, "e-mail addresses"),
        ({"CONSOLE1712_SMARTHOST": "mail.example.org"}, "HOST:PORT"),
        ({"CONSOLE1712_MAIL_CLOSED_DATES": "2026-13-01"}, "mail_closed_dates"),
        ({"CONSOLE1712_MAIL_PARSE_TIMEOUT": "0"}, "mail_parse_timeout"),
        ({"CONSOLE1712_MAIL_PARSE_WORKERS": "0"}, "mail_parse_workers"),
        ({"CONSOLE1712_MAIL_HTML_MAX_CHARS": "-1"}, "mail_html_max_chars"),
        ({"CONSOLE1712_SMTP_MAX_SESSIONS": "0"}, "smtp_max_sessions"),
        ({"CONSOLE1712_SMTP_MAX_SESSIONS_PER_ADDRESS": "0"}, "smtp_max_sessions_per_address"),
    ],
)
def test_bad_mail_settings_are_one_clear_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ=env)


def test_team_addresses_from_the_environment() -> None:
    s = load_settings(environ={"CONSOLE1712_TEAM_ADDRESSES": "limburg@1712.be=limburg"})
    assert s.team_addresses == {"limburg@1712.be": "limburg"}


def test_relay_smtp_options_reach_the_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from console1712.cli import main

    # A bad port given on the command line is caught by the settings' validation.
    assert main(["relay", "--data", str(tmp_path), "--smtp-port", "70000"]) == 1
    assert "smtp_port must be 0..65535" in capsys.readouterr().err
    args = build_parser().parse_args(["relay", "--smtp-host", "::1", "--no-smtp"])
    assert (args.smtp_host, args.no_smtp) == ("::1", True)
    assert build_parser().parse_args(["mail", "import", "box.mbox"]).path == "box.mbox"
