"""Settings: defaults < TOML file < CONSOLE1712_* environment < command line, validated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from console1712.config import Settings, SettingsError, load_settings

SCRIPT = Path(sys.executable).with_name("console1712")


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_precedence_defaults_toml_env_cli(tmp_path: Path) -> None:
    config = toml(tmp_path, 'port = 2000\nhost = "0.0.0.0"\nlang = "en"\nresume-window = 120\n')
    defaults = load_settings(environ={})
    assert (defaults.port, defaults.host, defaults.lang) == (1712, "127.0.0.1", "nl")
    from_file = load_settings(config, environ={})
    assert (from_file.port, from_file.host, from_file.lang, from_file.resume_window) == (
        2000,
        "0.0.0.0",
        "en",
        120,
    )
    env = {"CONSOLE1712_PORT": "3000", "CONSOLE1712_LANG": "nl"}
    from_env = load_settings(config, environ=env)
    assert (from_env.port, from_env.host, from_env.lang) == (3000, "0.0.0.0", "nl")
    from_cli = load_settings(config, environ=env, overrides={"port": 4000, "host": None})
    assert (from_cli.port, from_cli.host) == (4000, "0.0.0.0")  # None: option not given


def test_config_file_from_environment_and_paths(tmp_path: Path) -> None:
    config = toml(tmp_path, f'data = "{tmp_path / "d"}"\n')
    settings = load_settings(environ={"CONSOLE1712_CONFIG": str(config)})
    assert settings.db_path == tmp_path / "d" / "console1712.db"
    assert settings.key_path == tmp_path / "d" / "console1712.key"
    moved = load_settings(environ={"CONSOLE1712_KEY_FILE": str(tmp_path / "k")})
    assert moved.key_path == tmp_path / "k"


def test_default_data_dir_is_the_users(tmp_path: Path) -> None:
    settings = load_settings(environ={})
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    assert settings.data == Path(base) / "console1712"
    assert Settings().key_file is None


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("colour = 'blue'\n", {}, "unknown setting 'colour'"),
        ("port = 'high'\n", {}, "bad value for setting 'port'"),
        ("port = [\n", {}, "is not valid TOML"),
        ("", {"CONSOLE1712_PORT": "abc"}, "bad value for setting 'port'"),
        ("", {"CONSOLE1712_COLOUR": "blue"}, "unknown setting in environment: CONSOLE1712_COLOUR"),
        ("", {"CONSOLE1712_ALWAYS_OPEN": "maybe"}, "bad value for setting 'always_open'"),
        ("port = 70000\n", {}, "port must be 0..65535"),
        ("lang = 'fr'\n", {}, "lang must be 'nl' or 'en'"),
        ("event_loop = 'trio'\n", {}, "event_loop must be 'auto', 'uvloop' or 'asyncio'"),
        ("advertise_url = '10.0.0.5:1712'\n", {}, "advertise_url is a ws:// or wss:// address"),
    ],
)
def test_bad_settings_refused(tmp_path: Path, text: str, env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as info:
        load_settings(toml(tmp_path, text), environ=env)
    assert "\n" not in str(info.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", environ={})


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--config", "BAD"], {}, "unknown setting 'colour'"),
        ([], {"CONSOLE1712_PORT": "abc"}, "bad value for setting 'port'"),
        (["--config", "NOFILE"], {}, "config file not found"),
    ],
)
def test_cli_bad_settings_one_line_exit_1(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    bad = toml(tmp_path, "colour = 'blue'\n")
    args = [
        str(bad) if a == "BAD" else str(tmp_path / "no.toml") if a == "NOFILE" else a for a in args
    ]
    base = {k: v for k, v in os.environ.items() if not k.startswith("CONSOLE1712_")}
    proc = subprocess.run(
        [str(SCRIPT), *args, "user", "list", "--data", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "data").exists()  # nothing created or touched


def test_event_loop_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import uvloop

    from console1712.relay.eventloop import LoopUnavailable, loop_factory

    assert loop_factory("asyncio") is None
    assert loop_factory("auto") is uvloop.new_event_loop
    assert loop_factory("uvloop") is uvloop.new_event_loop
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as where it is not installed
    assert loop_factory("auto") is None
    with pytest.raises(LoopUnavailable, match="uvloop is not installed"):
        loop_factory("uvloop")
