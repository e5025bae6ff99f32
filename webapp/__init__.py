"""The web app: an HTTP adapter over a SearchBackend. Query string -> Search, Paging; SearchPage -> HTML, JSON, feed."""

from __future__ import annotations

from typing import Any

from flask import Flask

from indexer.backend import SearchBackend

from . import advanced, api, citing, clock, exports, facets, security, service, tips, trends, urls, views
from .settings import load_settings

JSON_TYPE = "application/json; charset=utf-8"


def create_app(test_config: dict[str, Any] | None = None, backend: SearchBackend | None = None) -> Flask:
    """Build the app: settings from defaults, then NEWSARCHIVE_* variables, then test_config.

    `newsarchive serve` passes the backend it opened; without one (another WSGI server calling create_app()), the
    app opens the configured one. Raises SettingError for a setting the app cannot run with (a time zone that
    does not exist, say).
    """
    app = Flask(__name__)
    app.config.update(load_settings())
    if test_config:
        app.config.update(test_config)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # One charset on every JSON response, as on the feeds and exports. JSON is UTF-8 anyway (RFC 8259); saying so
    # helps the clients that guess otherwise. The value already has its charset, so werkzeug adds no second one.
    app.json.mimetype = JSON_TYPE  # type: ignore[attr-defined]

    clock.init_app(app)
    service.init_app(app, backend)
    urls.init_app(app)
    security.init_app(app)
    tips.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(citing.bp)
    app.register_blueprint(trends.bp)
    app.register_blueprint(advanced.bp)
    app.register_blueprint(facets.bp)
    views.register_filters(app)
    return app
