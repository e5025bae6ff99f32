"""The JSON API under /api/: the same search objects as the pages, as JSON; errors in one shape."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from indexer.results import article_to_dict

from .openapi import openapi_document
from .params import article_id, article_key, related_limit, search_request, suggest_request
from .provenance import cited, consistent
from .security import rate_limited
from .service import search_backend
from .urls import base_url

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
@rate_limited("search", "RATE_LIMIT")
def search() -> Response:
    """Search: the shape of `newsarchive search --json`, with the index fingerprint, canonical search and /cite."""
    wanted, paging = search_request(request.args, current_app.config["PER_PAGE"])
    page, index = consistent(lambda: search_backend().search(wanted, paging))
    return jsonify({**page.to_dict(), **cited(wanted, index)})


@bp.get("/articles/<key>")
@rate_limited("search", "RATE_LIMIT")
def article(key: str) -> Response:
    """One whole article."""
    wanted = article_id(key)
    found, index = consistent(lambda: search_backend().article(wanted))
    return jsonify({**article_to_dict(found), "index": index.to_dict()})


@bp.get("/articles/<key>/related")
@rate_limited("search", "RATE_LIMIT")
def related(key: str) -> Response:
    """The articles most like one article."""
    limit = related_limit(request.args)
    wanted = article_id(key)
    related, index = consistent(lambda: search_backend().related(wanted, limit=limit))
    return jsonify({**related.to_dict(), "index": index.to_dict()})


@bp.get("/suggest")
@rate_limited("suggest", "SUGGEST_RATE_LIMIT")
def suggest() -> Response:
    """Autocomplete: the last word typed completed from the archive's words, and a few matching headlines."""
    prefix, limit = suggest_request(request.args)
    found = search_backend().suggest(prefix, limit).to_dict()
    for headline in found["headlines"]:
        headline["page"] = url_for("views.article", key=article_key(headline["id"]))
    return jsonify(found)


@bp.get("/stats")
def stats() -> Response:
    """What the index holds."""
    stats, index = consistent(search_backend().stats)
    return jsonify({**stats.to_dict(), "index": index.to_dict()})


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document(current_app.config["SITE_NAME"], base_url()))

