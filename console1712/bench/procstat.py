"""CPU time and memory of a process, read from /proc (Linux): what the relay itself costs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Sample:
    """One reading: user and system CPU seconds, resident set size in bytes."""

    utime: float
    stime: float
    rss: int

    @property
    def cpu(self) -> float:
        return self.utime + self.stime


def sample(pid: int) -> Sample:
    """Read /proc/PID/stat and /proc/PID/statm; OSError if the process is gone."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]) / TICKS, int(fields[12]) / TICKS
    rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return Sample(utime, stime, rss_pages * PAGE)


def peak_rss(pid: int) -> int:
    """The process's high-water RSS in bytes (VmHWM), 0 if unknown."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def machine() -> dict[str, object]:
    """What the figures were measured on: cores, CPU model, Python, kernel."""
    import platform

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }
