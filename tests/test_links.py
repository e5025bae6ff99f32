"""The search page's links: built without url_for's route building for the query string, yet exactly what
url_for("views.search", **params) writes, for every kind of parameter value."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import url_for

from indexer.request import Search, build_params
from webapp import create_app, presenters
from webapp.params import article_key

SEARCHES = [
    Search(),
    Search(query="oil prices"),
    Search(query='"crude oil" AND (opec OR saudi) -iran'),
    Search(query="café & crème + 50% #1 ?x=1/2;a:b@c!$'()*,"),
    Search(query="日本 経済", topic=("crude",), source=("Reuters", "AP & Co")),
    Search(query="wheat~1 corn*", topic=("grain", "wheat"), sort="oldest", match="any"),
    Search(date_from=datetime(1987, 3, 1), date_to=datetime(1987, 10, 31), group="none", count="stories"),
    Search(query="  spaces  around  ", year=("1987",), month=("1987-03",)),
]
CHANGES: list[dict[str, Any]] = [{}, {"page": 3}, {"sort": "newest"}, {"topic": ["a b", "c/d"]}, {"q": None},
                                 {"q": "typed+word", "as_typed": 1}]


@pytest.fixture
def app(index_dir: Path) -> Any:
    return create_app({"INDEX": str(index_dir), "TESTING": True})


@pytest.mark.parametrize("search", SEARCHES)
def test_search_links_are_what_url_for_writes(app: Any, search: Search) -> None:
    with app.test_request_context("/"):
        for changes in CHANGES:
            for endpoint in ("views.search", "views.embed"):
                expected = url_for(endpoint, **build_params(search, **{"page": None, **changes}))
                assert presenters.search_url(search, endpoint=endpoint, **changes) == expected


@pytest.mark.parametrize("search", SEARCHES)
def test_article_links_are_what_url_for_writes(app: Any, search: Search) -> None:
    with app.test_request_context("/"):
        for article_id in ("reuters-1", "a/b c?&#", "ünïcode"):
            expected = url_for("views.article", key=article_key(article_id), **build_params(search, page=None), n=7)
            assert presenters.article_url(search, article_id, 7) == expected


def test_links_keep_the_script_root(app: Any) -> None:
    """Under a prefix (a reverse proxy's SCRIPT_NAME), the links keep it, as url_for's do."""
    search = Search(query="oil")
    with app.test_request_context("/", base_url="http://localhost/news/"):
        link = presenters.search_url(search, page=2)
        assert link == url_for("views.search", **build_params(search, page=2))
        assert link.startswith("/news/?q=oil&") and link.endswith("&page=2")
