"""HTML pages: search, article, embed. Each reads input, calls the search service, renders."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from indexer.display import also_ran, display_headline
from indexer.errors import QueryError
from indexer.facetpages import MAX_CONTAINING_LENGTH
from indexer.records import Article
from indexer.request import MAX_RESULT_DEPTH, Paging, Search, build_params, default_search
from indexer.results import Related, RelatedArticle, SearchPage
from indexer.suggest import MIN_PREFIX

from . import presenters
from .params import article_id, article_key, result_position, search_request, without_defaults
from .security import rate_limited
from .service import search_backend
from .tips import search_tips

bp = Blueprint("views", __name__)
EMBED_PER_PAGE = 5
# The parameter of the "search instead for" link: run the query as typed, without correcting it.
AS_TYPED = "as_typed"


@bp.get("/")
@rate_limited("search", "RATE_LIMIT")
def search() -> ResponseReturnValue:
    """The search page: results, facets, timeline; every state is in the URL (without its defaults)."""
    return _search_page("views.search", "views/search.html", current_app.config["PER_PAGE"], with_tips=True)


@bp.get("/embed")
@rate_limited("search", "RATE_LIMIT")
def embed() -> ResponseReturnValue:
    """A compact search page for an <iframe>: no site chrome, pages and searches in the frame, articles in a new tab."""
    return _search_page("views.embed", "views/embed.html", EMBED_PER_PAGE)


def _search_page(endpoint: str, template: str, per_page: int, with_tips: bool = False) -> ResponseReturnValue:
    """Redirect a URL holding defaults to the one without them; else run the search and render it (with tips)."""
    shorter = without_defaults(request.args)
    if shorter is not None:
        return redirect(f"{url_for(endpoint)}?{urlencode(shorter)}" if shorter else url_for(endpoint))
    page, typed = _searched(*search_request(request.args, per_page, page=True))
    tips = search_tips(search_backend()) if with_tips else ()
    return render_template(template, tips=tips, **search_context(page, typed, endpoint))


def _searched(search: Search, paging: Paging) -> tuple[SearchPage, str | None]:
    """Run a search; when it finds nothing and its correction finds articles, return those and the query as typed.

    `as_typed=1` (the "search instead for" link) runs the query as typed, however little it finds.
    """
    page = search_backend().search(search, paging)
    if page.total or not page.suggestion or request.args.get(AS_TYPED):
        return page, None
    corrected = search_backend().search(replace(search, query=page.suggestion), paging)
    return (corrected, search.query) if corrected.total else (page, None)


@bp.get("/articles/<key>")
@rate_limited("search", "RATE_LIMIT")
def article(key: str) -> str:
    """An article, its matches highlighted when arriving from a search (with the way back and on), and related."""
    service = search_backend()
    found = service.article(article_id(key))
    query = request.args.get("q", "")
    related = service.related(found.id, limit=10)
    body = _body_html(found, query, synonyms=request.args.get("synonyms") != "off")
    return render_template("views/article.html", article=found, body=body, query=query,
                           trail=_trail(request.args), related=related, before=_ran(found, related, before=True),
                           after=_ran(found, related, before=False), names=presenters.article_names(found))


def search_context(page: SearchPage, typed: str | None = None, endpoint: str = "views.search") -> dict[str, Any]:
    """Return what the search templates show of a result page (typed: the query corrected to find these)."""
    home = page.search == default_search(page=True) and page.paging.page == 1  # nothing asked for yet
    return {
        "page": page,
        "typed": typed,
        "typed_url": typed and presenters.search_url(page.search, endpoint=endpoint, q=typed, **{AS_TYPED: 1}),
        "req": page.search,
        "paging": page.paging,
        "groups": presenters.facet_groups(page),
        "chips": presenters.chips(page.search),
        "chart": presenters.timeline(page),
        "sorts": presenters.sort_choices(page.search),
        "matches": presenters.match_choices(page.search),
        "listings": presenters.group_choices(page.search),
        "counts": presenters.count_choices(page.search),
        "every_copy_url": lambda story: presenters.every_copy_url(page.search, story),
        # The settings chosen by links rather than fields: the query box's form carries them to the next search.
        "kept": [(name, value) for name, value in build_params(page.search).items()
                 if name in ("sort", "match", "group", "count")],
        "home": home,
        # The facets' search boxes and "More" links carry the search to /facets/<name> (facets/_finder.html).
        "search_fields": presenters.hidden_fields(page.search),
        "facet_params": build_params(page.search),
        "max_containing": MAX_CONTAINING_LENGTH,
        "pages": presenters.page_numbers(page.paging.page, page.pages),
        "url": lambda **changes: presenters.search_url(page.search, **{"endpoint": endpoint, **changes}),
        "article_url": lambda hit_id, n: presenters.article_url(page.search, hit_id, n),
        "empty_index": home and page.total == 0,
        "last_page_url": (presenters.search_url(page.search, endpoint=endpoint,
                                                page=page.pages if page.pages > 1 else None)
                          if page.total and not page.hits else None),
    }


def _trail(args: MultiDict[str, str]) -> presenters.Trail | None:
    """Return where the article stands in the search it was opened from (n=, the search's parameters), if any."""
    try:
        position = result_position(args)
        if position is None:
            return None
        search, paging = search_request(args, current_app.config["PER_PAGE"], page=True)
        neighbours: dict[int, str] = {}
        total = 0
        for n in (position - 1, position + 1):
            if 1 <= n <= MAX_RESULT_DEPTH:
                found = search_backend().search(search, Paging(page=n, per_page=1))
                total = found.total
                if found.hits:
                    neighbours[n] = found.hits[0].id
    except QueryError:
        return None  # a search that cannot be run (or changed meanwhile) still shows the article, without a trail
    return presenters.trail(search, paging.per_page, position, total, neighbours) if position <= total else None


def _body_html(found: Article, query: str, synonyms: bool = True) -> list[Markup]:
    """Return the body as paragraphs of escaped HTML, the query's matches (and its synonyms') in <mark>."""
    html = str(escape(found.body))
    if query.strip():
        try:
            html = search_backend().highlight_article(found, query, synonyms)
        except QueryError:
            pass  # a query that cannot be parsed highlights nothing; the article still shows
    return [Markup(p.strip()) for p in html.split("\n\n") if p.strip()]  # escaped above: only <mark> is markup


def _ran(found: Article, related: Related, before: bool) -> list[RelatedArticle]:
    """Return the related articles that ran before (or after) this one, in date order."""
    if found.date is None:
        return list(related) if not before else []
    chosen = [r for r in related if r.date is not None and (r.date < found.date) == before]
    if not before:
        chosen += [r for r in related if r.date is None]
    return sorted(chosen, key=lambda r: (r.date is None, r.date))


def register_filters(app: Flask) -> None:
    """Template helpers: article links, dates, numbers, safe outbound links."""
    app.add_template_global(article_key, "article_key")
    app.jinja_env.globals["SUGGEST_MIN"] = MIN_PREFIX  # the search boxes ask for no suggestions below it
    app.add_template_filter(display_headline, "headline")
    app.add_template_filter(lambda d: d.strftime("%-d %B %Y") if d else "undated", "day")
    app.add_template_filter(lambda n: f"{n:,}", "number")
    app.add_template_filter(_outbound, "outbound")
    app.add_template_filter(presenters.facet_label, "facet_label")
    app.add_template_filter(also_ran, "also_ran")


def _outbound(url: str) -> str | None:
    """Return a url safe to link to (http or https only), else None."""
    return url if url.lower().startswith(("http://", "https://")) else None
