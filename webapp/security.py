"""Response headers (CSP, frame rules, nosniff), CORS on /api/, per-client rate limits (counted by ratelimits.py),
and error responses."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, SecurityError

from indexer.errors import (
    ArticleNotFoundError,
    BackendUnavailableError,
    IndexNotFoundError,
    NewsArchiveError,
    QueryError,
    QueryTooExpensiveError,
)

from . import responses
from .ratelimits import RateLimited, RateLimiter

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
)
FRAMEABLE = (responses.EMBED_ENDPOINT, responses.EMBED_TRENDS_ENDPOINT)
# Bytes a URI cannot hold raw (control characters, and everything beyond ASCII), in a WSGI environ's latin-1 string.
_NOT_IN_URI = re.compile(r"[\x00-\x1f\x7f-\xff]")


class Request(flask.Request):
    """Flask's request, reading raw bytes a URI cannot hold in a query string as if percent-encoded, as browsers do.

    Werkzeug decodes a raw query string as strict UTF-8, so one raw invalid byte (0x80 after `?q=`, which some
    WSGI servers pass on) made every read of request.args fail, even the error page's; and routing copies the raw query
    into redirects, where a CR or LF cannot go in a header. Encoded in the environ (which routing also reads),
    request.args reads the same text as before, and invalid UTF-8 stays percent-encoded, as werkzeug leaves an
    invalid %-escape.
    """

    def __init__(self, environ: dict[str, Any], populate_request: bool = True, shallow: bool = False) -> None:
        query = environ.get("QUERY_STRING", "")
        if _NOT_IN_URI.search(query):
            environ["QUERY_STRING"] = _NOT_IN_URI.sub(lambda m: f"%{ord(m[0]):02X}", query)
        super().__init__(environ, populate_request, shallow)


def check_rate(kind: str, setting: str) -> None:
    """Count one request of this kind from the client, or raise RateLimited (for views whose kind depends on the
    request: a citation of a few articles is a search, of a whole search an export)."""
    limiter: RateLimiter = current_app.extensions["newsarchive_limiter"]
    limiter.check(request.remote_addr or "unknown", kind, int(current_app.config[setting]))


def rate_limited(kind: str, setting: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Limit a view to the configured number of requests per client per minute."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check_rate(kind, setting)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def init_app(app: Flask) -> None:
    """Install the request class, the headers, CORS and the error handlers."""
    app.request_class = Request
    # Counted in the index folder, so that every process serving it (serve --workers N) shares the counts.
    app.extensions["newsarchive_limiter"] = RateLimiter(Path(app.config["INDEX"]))
    app.after_request(_headers)
    app.register_error_handler(QueryError, lambda e: responses.error(400, "bad_request", str(e)))
    # A subclass of QueryError, told apart so API clients can back off rather than retry the same query.
    app.register_error_handler(QueryTooExpensiveError, lambda e: responses.error(400, "query_too_expensive", str(e)))
    app.register_error_handler(ArticleNotFoundError, lambda e: responses.error(404, "not_found", str(e)))
    app.register_error_handler(IndexNotFoundError, lambda e: responses.error(503, "no_index", str(e)))
    app.register_error_handler(BackendUnavailableError, lambda e: responses.error(503, "unavailable", str(e)))
    app.register_error_handler(NewsArchiveError, lambda e: responses.error(500, "index_error", str(e)))
    app.register_error_handler(RateLimited, _too_many)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(HTTPException, _http_error)


def _untrusted_host(err: SecurityError) -> Response:
    # Raised before routing (TRUSTED_HOSTS): no URL can be built, so no page; and the host is not repeated back.
    return responses.bare_error(400, "untrusted_host", "the host named in this request is not served here")


def _too_many(err: RateLimited) -> Response:
    response = responses.error(429, "rate_limited", str(err))
    response.headers["Retry-After"] = str(err.retry_after)
    return response


def _http_error(err: HTTPException) -> Response:
    code = err.code or 500
    response = responses.error(code, (err.name or "error").lower().replace(" ", "_"), err.description or "")
    for name, value in err.get_headers():  # e.g. the Allow header a 405 must carry (RFC 9110)
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _headers(response: Response) -> Response:
    frameable = request.endpoint in FRAMEABLE
    ancestors = current_app.config["FRAME_ANCESTORS"] if frameable else "'none'"
    response.headers["Content-Security-Policy"] = CSP.format(frame_ancestors=ancestors)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if not frameable:
        response.headers["X-Frame-Options"] = "DENY"
    if request.path.startswith("/api/"):
        _cors(response)
    return response


def _cors(response: Response) -> None:
    origin = request.headers.get("Origin")
    allowed = [o.strip() for o in str(current_app.config["CORS_ORIGINS"]).split(",") if o.strip()]
    if not origin or not allowed:
        return
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers.add("Vary", "Origin")
    else:
        return
    response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    response.headers["Access-Control-Max-Age"] = "600"
