"""The one SearchService of an app, opened on first use, so the app starts before an index exists."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from indexer.search import SearchService


class ServiceHolder:
    """Opens the index when it is first needed; until one exists, each request tries again."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._service: SearchService | None = None
        self._lock = threading.Lock()

    def get(self) -> SearchService:
        """Return the service, or raise IndexNotFoundError when there is no index yet."""
        with self._lock:
            if self._service is None:
                self._service = SearchService(self.index_dir)
            return self._service

    def close(self) -> None:
        """Close the service's searchers."""
        with self._lock:
            if self._service is not None:
                self._service.close()
                self._service = None


def search_service() -> SearchService:
    """Return the current app's search service."""
    holder: ServiceHolder = current_app.extensions["newsarchive"]
    return holder.get()
