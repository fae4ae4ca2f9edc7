"""`python -m console1712.bench.relayproc relay ...`: the command line as a module, so that
a bench relay can run under `python -m cProfile -o FILE -m console1712.bench.relayproc`."""

from __future__ import annotations

import sys

from console1712.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
