"""Absolute URLs (feeds, OpenSearch, the API document) from configuration, not from the request's Host header.

Behind a shared cache a forged Host header would otherwise put another site's address into pages served to
everyone. NEWSARCHIVE_BASE_URL is the archive's public URL; `newsarchive serve` sets it from --host and --port when
it is unset. Without it (the app under another WSGI server, unconfigured), the request's own URL is used, which
NEWSARCHIVE_TRUSTED_HOSTS limits to the host names the operator names.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix


def base_url() -> str:
    """Return the archive's public URL, without a trailing slash."""
    configured = str(current_app.config["BASE_URL"] or "").rstrip("/")
    return configured or request.host_url.rstrip("/")


def absolute_url(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of an endpoint: the public URL, then the path below the app's root."""
    path = url_for(endpoint, **values)[len(request.script_root):]
    return base_url() + path


def init_app(app: Flask) -> None:
    """Check hosts against TRUSTED_HOSTS (Flask answers others with 400), and trust forwarded headers only as told."""
    hosts = app.config.get("TRUSTED_HOSTS") or ""
    if isinstance(hosts, str):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()] or None
    proxies = int(app.config["PROXY_FIX"])
    if proxies > 0:
        # X-Forwarded-For/-Proto/-Host/-Port/-Prefix, each as set by that many proxies in front (Werkzeug's ProxyFix).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies)
