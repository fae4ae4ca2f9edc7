"""Running `console1712` as a real process in tests."""

from __future__ import annotations

import asyncio
import os
import sys

ENTRY = "from console1712.cli import entry; entry()"


class Proc:
    """A console1712 subprocess whose stdout lines are collected as they arrive."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._read = 0

    @classmethod
    async def spawn(cls, *args: str, env_extra: dict[str, str] | None = None) -> Proc:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONSOLE1712_")}
        env["PYTHONUNBUFFERED"] = "1"
        env.update(env_extra or {})
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            ENTRY,
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        return cls(proc)

    async def line_with(self, fragment: str, within: float = 15) -> str:
        """The next stdout line containing `fragment` (earlier lines stay in `lines`)."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(within):
            while True:
                while self._read < len(self.lines):
                    line = self.lines[self._read]
                    self._read += 1
                    if fragment in line:
                        return line
                raw = await self.proc.stdout.readline()
                if not raw:
                    raise AssertionError(f"stdout ended before {fragment!r}: {self.lines}")
                self.lines.append(raw.decode("utf-8").rstrip("\n"))

    async def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode("utf-8"))
        await self.proc.stdin.drain()

    async def finish(self, within: float = 15) -> tuple[int, str, str]:
        """Wait for the exit: (status, rest of stdout, stderr)."""
        async with asyncio.timeout(within):
            out, err = await self.proc.communicate()
        rest = "\n".join(self.lines[self._read :]) + out.decode("utf-8")
        assert self.proc.returncode is not None
        return self.proc.returncode, rest, err.decode("utf-8")

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
