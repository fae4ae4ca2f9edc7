"""deploy/: the relay's systemd unit (systemd-analyze verify where systemd is installed, and
parsed always), its settings file, and the console host's sshd snippet (sshd -t where
OpenSSH's server is installed, else the Match rules checked by hand)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from console1712.config import load_settings
from tests.deploy.procs import ROOT

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "console1712-relay.service"
SSHD = DEPLOY / "sshd_config.d" / "console1712.conf"
# sshd_config(5): the keywords a Match block may hold (OpenSSH 9), in lower case.
MATCH_KEYWORDS = {
    "acceptenv", "allowagentforwarding", "allowgroups", "allowstreamlocalforwarding",
    "allowtcpforwarding", "allowusers", "authenticationmethods", "authorizedkeyscommand",
    "authorizedkeyscommanduser", "authorizedkeysfile", "authorizedprincipalscommand",
    "authorizedprincipalscommanduser", "authorizedprincipalsfile", "banner",
    "casignaturealgorithms", "channeltimeout", "chrootdirectory", "clientalivecountmax",
    "clientaliveinterval", "denygroups", "denyusers", "disableforwarding", "exposeauthinfo",
    "forcecommand", "gatewayports", "gssapiauthentication", "hostbasedacceptedalgorithms",
    "hostbasedauthentication", "hostbasedusesnamefrompacketonly", "ignorerhosts", "include",
    "ipqos", "kbdinteractiveauthentication", "kerberosauthentication", "loglevel",
    "maxauthtries", "maxsessions", "passwordauthentication", "permitemptypasswords",
    "permitlisten", "permitopen", "permitrootlogin", "permittty", "permittunnel",
    "permituserrc", "pubkeyacceptedalgorithms", "pubkeyauthentication", "pubkeyauthoptions",
    "rekeylimit", "revokedkeys", "rdomain", "setenv", "streamlocalbindmask",
    "streamlocalbindunlink", "trustedusercakeys", "unusedconnectiontimeout",
    "x11displayoffset", "x11forwarding", "x11uselocalhost",
}  # fmt: skip


def unit_entries(text: str) -> dict[str, dict[str, list[str]]]:
    """A unit file as section -> key -> values (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not key=value: {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_relay_unit_restarts_always_as_a_dedicated_hardened_user() -> None:
    unit = unit_entries(UNIT.read_text())
    service = {k: v[-1] for k, v in unit["Service"].items()}
    assert service["Restart"] == "always"
    assert unit["Unit"]["StartLimitIntervalSec"] == ["0"]  # never gives up restarting
    assert service["User"] == service["Group"] == "console1712"
    assert service["EnvironmentFile"] == "/etc/console1712/relay.env"
    assert service["ExecStart"].endswith("/console1712 relay")
    assert service["KillSignal"] == "SIGTERM"  # the relay's clean stop
    assert service["StateDirectory"] == "console1712" and service["StateDirectoryMode"] == "0700"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "RestrictSUIDSGID": "yes",
        "UMask": "0077",
    }.items():
        assert service[key] == value, key
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]


def test_relay_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed: the unit is checked by parsing only")
    # verify wants ExecStart to exist: point it at this checkout's console1712.
    exe = Path(sys.executable).parent / "console1712"
    assert exe.exists(), exe
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/console1712/bin/console1712", str(exe)))
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
        result.stdout + result.stderr
    )


def env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def test_relay_settings_file_is_valid_and_keeps_the_key_outside_the_data() -> None:
    env = env_file(DEPLOY / "relay.env.example")
    assert all(key.startswith("CONSOLE1712_") for key in env)
    settings = load_settings(environ=env)  # unknown names or bad values raise
    assert settings.data == Path("/var/lib/console1712")
    assert settings.key_file is not None
    assert not settings.key_path.is_relative_to(settings.data)
    assert settings.host != "0.0.0.0"  # the relay listens on the private network only


def test_console_host_settings_are_valid() -> None:
    settings = load_settings(config_file=DEPLOY / "console.toml.example", environ={})
    assert settings.url.startswith("wss://") and settings.url.endswith("/console")


def test_sshd_snippet_forces_the_console_and_forbids_forwarding(tmp_path: Path) -> None:
    lines = [line.strip() for line in SSHD.read_text().splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    assert not [line for line in lines if "#" in line]  # sshd has no trailing comments
    match = lines.index("Match User console")
    inside = {line.split()[0].lower(): line.split(None, 1)[1] for line in lines[match + 1 :]}
    assert set(inside) <= MATCH_KEYWORDS, set(inside) - MATCH_KEYWORDS
    assert inside["forcecommand"].endswith("/opt/console1712/bin/console1712 console")
    for key in ("allowtcpforwarding", "allowstreamlocalforwarding", "allowagentforwarding",
                "x11forwarding", "permittunnel", "permituserrc", "gatewayports",
                "passwordauthentication"):  # fmt: skip
        assert inside[key] == "no", key
    sshd, keygen = "/usr/sbin/sshd", shutil.which("ssh-keygen")
    if not (os.path.exists(sshd) and keygen and os.path.isdir("/run/sshd")):
        return  # OpenSSH's server is not installed here: the rules above are the check
    subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "hostkey")],
                   check=True)  # fmt: skip
    config = tmp_path / "sshd_config"
    config.write_text(f"HostKey {tmp_path / 'hostkey'}\nInclude {SSHD}\n")
    result = subprocess.run(
        [sshd, "-t", "-f", str(config)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_deployment_doc_shows_the_shipped_sshd_snippet() -> None:
    """docs/deployment.md quotes deploy/sshd_config.d/console1712.conf as it is (no drift)."""
    snippet = SSHD.read_text(encoding="utf-8")
    body = "".join(ln for ln in snippet.splitlines(True) if not ln.startswith("#"))
    assert f"```\n{body}```\n" in (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
