"""The JSON API under /api/: the same search objects as the pages, as JSON; errors in one shape."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from indexer.results import article_to_dict

from .openapi import openapi_document
from .params import article_id, related_limit, search_request
from .security import rate_limited
from .service import search_backend
from .urls import base_url

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
@rate_limited("search", "RATE_LIMIT")
def search() -> Response:
    """Search: the shape of `newsarchive search --json`."""
    page = search_backend().search(*search_request(request.args, current_app.config["PER_PAGE"]))
    return jsonify(page.to_dict())


@bp.get("/articles/<key>")
@rate_limited("search", "RATE_LIMIT")
def article(key: str) -> Response:
    """One whole article."""
    return jsonify(article_to_dict(search_backend().article(article_id(key))))


@bp.get("/articles/<key>/related")
@rate_limited("search", "RATE_LIMIT")
def related(key: str) -> Response:
    """The articles most like one article."""
    limit = related_limit(request.args)
    wanted = article_id(key)
    return jsonify(search_backend().related(wanted, limit=limit).to_dict())


@bp.get("/stats")
def stats() -> Response:
    """What the index holds."""
    return jsonify(search_backend().stats().to_dict())


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document(current_app.config["SITE_NAME"], base_url()))

