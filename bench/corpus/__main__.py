"""`python -m bench.corpus --n 100000 [--seed 1] [--out FILE] [--procs 2]`: see bench.corpus.cli."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main()
