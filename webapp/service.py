"""The app's search backend: the one its caller passed to create_app, else the configured one."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app

from indexer.backend import SearchBackend, open_backend


def init_app(app: Flask, backend: SearchBackend | None) -> None:
    """Give the app its backend; without one, open NEWSARCHIVE_BACKEND on NEWSARCHIVE_INDEX (as configured).

    Opening never needs an index to exist: until one does, each request that searches is answered 503.
    """
    app.extensions["newsarchive"] = backend or open_backend(app.config["BACKEND"], app.config["INDEX"])


def search_backend() -> SearchBackend:
    """Return the current app's search backend."""
    return cast(SearchBackend, current_app.extensions["newsarchive"])
