"""The `newsarchive` command (cli.py): it picks the backend (indexer/backend.py) and starts the web app (webapp/)."""

from __future__ import annotations
