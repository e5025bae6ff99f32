"""`newsarchive serve`'s server: gunicorn run in-process, a master and N pre-forked worker processes on one port.

Each worker builds its own app, so its own backend (searchers, SQLite connections), after the fork: the master
never opens the index. The worker class is gthread: `--threads` threads per worker. Signals to the master: HUP
starts new workers and stops the old ones once their requests are answered; TERM stops gracefully; INT (Ctrl-C)
and QUIT stop at once; TTIN and TTOU add and remove a worker (docs/cli.md#newsarchive-serve).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

WSGIApp = Callable[..., Any]
# Seconds an old worker has, after HUP or TERM, to answer the requests it has accepted before it is killed.
GRACEFUL_SECONDS = 30


def options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn's settings for `serve`: where to listen, how many processes and threads, and what not to trust."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": False,  # the app (and its backend) is made in each worker, after the fork
        "graceful_timeout": GRACEFUL_SECONDS,
        "proc_name": "newsarchive",
        # X-Forwarded-* are read by the app alone, behind NEWSARCHIVE_PROXY_FIX proxies (ProxyFix): gunicorn would
        # otherwise take the scheme and path prefix from any client on 127.0.0.1 (its default), forged or not.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "control_socket_disable": True,  # no socket in $HOME that a second server on the machine would fight over
        "loglevel": "warning",  # a worker that dies or times out is said; starting and stopping are not
    }


class Server(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn's documented custom application: its settings given here, the app made by `factory` in each worker."""

    def __init__(self, factory: Callable[[], WSGIApp], settings: dict[str, Any]) -> None:
        self.factory = factory
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        """Apply the settings (again on HUP)."""
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self) -> WSGIApp:
        """Make the app: called in each worker process, after the fork."""
        return self.factory()


def serve(factory: Callable[[], WSGIApp], host: str, port: int, workers: int, threads: int) -> None:
    """Run the server until a signal stops it (the process then exits)."""
    Server(factory, options(host, port, workers, threads)).run()
