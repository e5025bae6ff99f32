"""Citing: the /cite permalink of a search (its canonical form, the index fingerprint, a suggested citation), and
articles as RIS, BibTeX or CSL-JSON for reference managers: one article or a selection (id=), or a whole search.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context, url_for

from indexer.citations import Archive, SearchCitation, citations, describe_search
from indexer.errors import ArticleNotFoundError
from indexer.records import Article
from indexer.request import Paging, Search, build_params, canonical_search
from indexer.results import IndexFingerprint

from . import clock
from .downloads import DownloadName, query_slug, set_attachment
from .params import article_key, cited_digest, search_request, selected_ids
from .provenance import cite_url, consistent, set_headers
from .security import check_rate, rate_limited
from .service import search_backend
from .urls import absolute_url

bp = Blueprint("citing", __name__)
# Citation formats (indexer.citations.FORMATS): the whole Content-Type (see exports.py for why) and the extension.
CITATION_TYPES = {
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "csl.json"),
}
# The files a search downloads as, linked from /cite: (label, endpoint).
DOWNLOADS = (("CSV", "exports.export_csv"), ("JSON Lines", "exports.export_jsonl"), ("RIS", "citing.export_ris"),
             ("BibTeX", "citing.export_bibtex"), ("CSL-JSON", "citing.export_csl_json"))


bp.add_app_template_global(absolute_url, "absolute_url")  # article pages give their own address (citation_*)


@bp.get("/cite")
@rate_limited("search", "RATE_LIMIT")
def cite() -> str:
    """The permalink of a search: the search, the index now (and whether it changed since fp=), how to cite it."""
    wanted, _ = search_request(request.args, per_page=1)
    then = cited_digest(request.args)
    page, index = consistent(lambda: search_backend().search(wanted, Paging(per_page=1)))
    canonical = canonical_search(wanted)
    citation = SearchCitation(current_app.config["SITE_NAME"], wanted, canonical, page.total, index,
                              cite_url(wanted, index), clock.today())
    return render_template("views/cite.html", citation=citation, page=page, then=then, index=index,
                           described=describe_search(wanted), params=parse_qsl(canonical),
                           rerun=url_for("views.search", **build_params(wanted)),
                           downloads=[(label, _with_query(endpoint, canonical)) for label, endpoint in DOWNLOADS])


@bp.get("/export.ris")
@rate_limited("search", "RATE_LIMIT")
def export_ris() -> Response:
    """Articles as RIS: those named by id= (one or a selection), else every match of the search (up to the cap)."""
    return _citations("ris")


@bp.get("/export.bib")
@rate_limited("search", "RATE_LIMIT")
def export_bibtex() -> Response:
    """Articles as BibTeX: those named by id=, else every match of the search (up to the cap)."""
    return _citations("bibtex")


@bp.get("/export.csl.json")
@rate_limited("search", "RATE_LIMIT")
def export_csl_json() -> Response:
    """Articles as CSL-JSON: those named by id=, else every match of the search (up to the cap)."""
    return _citations("csl-json")


def _citations(fmt: str) -> Response:
    """Return a citation file: of the articles named by id= (read whole first: an unknown id is a 404), else of
    every match of the search (streamed)."""
    content_type, extension = CITATION_TYPES[fmt]
    ids = selected_ids(request.args)
    articles, index, name, search = _selection(ids, extension) if ids is not None else _whole_search(extension)
    archive = Archive(current_app.config["SITE_NAME"],
                      lambda article_id: absolute_url("views.article", key=article_key(article_id)))
    response = Response(stream_with_context(citations(articles, fmt, archive)), content_type=content_type)
    set_attachment(response.headers, name)
    set_headers(response.headers, index, search)
    return response


Cited = tuple[Iterator[Article], IndexFingerprint, DownloadName, Search | None]


def _selection(ids: tuple[str, ...], extension: str) -> Cited:
    chosen, index = consistent(lambda: _articles(ids))
    name = DownloadName(query_slug(ids[0]) if len(ids) == 1 else "selection", clock.today(), extension)
    return iter(chosen), index, name, None


def _whole_search(extension: str) -> Cited:
    check_rate("export", "EXPORT_RATE_LIMIT")  # a whole search costs what an export costs
    search, _ = search_request(request.args, per_page=1)
    articles, index = consistent(lambda: search_backend().iter_matches(search, int(current_app.config["EXPORT_CAP"])))
    return articles, index, DownloadName.of_search(search.query, clock.today(), extension), search


def _articles(ids: tuple[str, ...]) -> list[Article]:
    """Return the articles of these ids, in this order, or raise ArticleNotFoundError naming every missing one."""
    found: list[Article] = []
    missing: list[str] = []
    for article_id in ids:
        try:
            found.append(search_backend().article(article_id))
        except ArticleNotFoundError:
            missing.append(article_id)
    if missing:
        raise ArticleNotFoundError(f"no article with id {', '.join(repr(i) for i in missing)}: nothing was cited")
    return found


def _with_query(endpoint: str, canonical: str) -> str:
    """Return the path of an endpoint with a canonical search as its query string."""
    return url_for(endpoint) + (f"?{canonical}" if canonical else "")
