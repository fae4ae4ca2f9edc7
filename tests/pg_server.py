"""PostgreSQL for `make test`: prints the URL of a server the tests may use.

TEST_PG_URL when set; else the server on 127.0.0.1:5432 (trust, database `test`)
when it answers; else a throwaway cluster from Debian's postgresql packages in .pg/ on a
free port (installed with apt-get when run as root, as the Makefile does for chromium),
started once and reused by later runs. `--own` skips the first two (to try the fallback).
Exits 1 with one line on stderr when none can be had: the tests then fail, never skip.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
HERE = Path(__file__).resolve().parent.parent / ".pg"


def answers(url: str) -> bool:
    import asyncpg

    async def ping() -> None:
        conn = await asyncpg.connect(url, timeout=5)
        await conn.close()

    try:
        asyncio.run(ping())
    except Exception:
        return False
    return True


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    part = path.split("/")[4]
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_owner(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as `postgres`."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.getuid() == 0 else cmd


def own_cluster() -> str:
    url_file = HERE / "url"
    if url_file.exists():
        url = url_file.read_text().strip()
        if answers(url):
            return url
    bin_dir = _bin_dir()
    if bin_dir is None:
        if os.getuid() != 0:
            sys.exit("PostgreSQL missing: run 'sudo apt-get install -y postgresql'")
        subprocess.run(["apt-get", "update"], check=True)
        subprocess.run(["apt-get", "install", "-y", "postgresql"], check=True)
        bin_dir = _bin_dir()
        if bin_dir is None:
            sys.exit("PostgreSQL: apt-get installed no /usr/lib/postgresql/*/bin/pg_ctl")
    data = HERE / "data"
    HERE.mkdir(mode=0o700, exist_ok=True)
    if os.getuid() == 0:
        owner = pwd.getpwnam("postgres")
        shutil.chown(HERE, owner.pw_uid, owner.pw_gid)
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    port = _free_port()
    options = f"-p {port} -k {HERE} -c listen_addresses=127.0.0.1 -c fsync=on"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(HERE / "log")]
    subprocess.run(
        _as_owner([*pg_ctl, "-o", options, "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    base = f"postgresql://postgres@127.0.0.1:{port}"
    _create_database(f"{base}/postgres", "test")
    url = f"{base}/test"
    url_file.write_text(url + "\n")
    return url


def _create_database(url: str, name: str) -> None:
    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
        finally:
            await conn.close()

    asyncio.run(create())


def main() -> None:
    own = "--own" in sys.argv[1:]
    given = os.environ.get("TEST_PG_URL")
    if given and not own:
        print(given)
        return
    if not own and answers(DEFAULT):
        print(DEFAULT)
        return
    print(own_cluster())


if __name__ == "__main__":
    main()
