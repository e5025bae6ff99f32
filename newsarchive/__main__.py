"""`python -m newsarchive`: the same as the `newsarchive` command."""

from __future__ import annotations

from .cli import main

main()
