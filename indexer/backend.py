"""The seam between newsarchive and a search engine: the `SearchBackend` protocol, and the factory that opens one.

Everything the CLI, the web app and the indexing runs (indexer/build.py) ask of an engine is here, in our own
types (indexer.records; indexer.request: Search and Paging; indexer.results), so none of them ever sees an
engine's. An engine lives in its own subpackage (`indexer/whoosh/`) and is imported only when it is picked:
`open_backend` reads NEWSARCHIVE_BACKEND (default `whoosh`). The contract tests (tests/contract/) hold every
backend to the same behaviour.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .facetpages import FacetRequest
from .records import Article
from .request import Paging, Search
from .results import CheckReport, FacetPage, IndexFingerprint, IndexStats, Related, SearchPage
from .settings import BACKEND, INDEX, SettingError, read_settings
from .spans import Span
from .suggest import DEFAULT_SUGGESTIONS, Suggestions

FIRST_PAGE = Paging()
# Backend name -> "module:class". The module is imported only when its backend is opened.
BACKENDS = {"whoosh": "indexer.whoosh:WhooshBackend", "solr": "indexer.solr.backend:SolrBackend"}


@dataclass
class Batch:
    """The writes of one commit: all of them land, or none do."""

    # By id: the article, and whether it may replace an indexed one of that id (False: known to be new, so an
    # engine may skip looking for one).
    articles: dict[str, tuple[Article, bool]] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)


class SearchBackend(Protocol):
    """An archive's search engine: searching and reading articles, and the writes of indexing runs.

    Safe to share between threads; a reader sees each commit without a restart. Opening one never fails for want
    of an index: until one exists, each call raises IndexNotFoundError (saying how to build one), so a web app can
    start first. Errors are ours (indexer.errors): QueryError for a request that cannot run, with what to change.
    """

    name: str  # the NEWSARCHIVE_BACKEND value that picks it
    folder: Path  # the index folder: the manifest and run lock of indexing runs (and any local engine files)
    schema_version: str  # recorded in the manifest; an index of another version is refused with advice
    merges_itself: bool  # the engine merges its own segments (Solr): `index` never suggests `optimize`

    def search(self, search: Search, paging: Paging = FIRST_PAGE) -> SearchPage:
        """Run a search: one page of hits, the total, facet counts, the timeline and maybe a suggestion."""
        ...

    def facet_page(self, wanted: FacetRequest) -> FacetPage:
        """Return a page of one facet's values for a search, every value reachable (indexer/facetpages.py): counted
        as the search's facets are (without the facet's own selection; stories with count=stories), those holding
        the text `wanted.containing` (case and accents aside), largest first; QueryError for a bad request."""
        ...

    def iter_matches(self, search: Search, limit: int) -> Iterator[Article]:
        """Return every article a search matches, in its order, up to limit (for exports and feeds).

        A bad request raises QueryError when this is called, not while iterating. Closing the iterator (its
        close(), when it has one), even before the first article, lets go of what it holds.
        """
        ...

    def article(self, article_id: str) -> Article:
        """Return an article by id, or raise ArticleNotFoundError."""
        ...

    def suggest(self, prefix: str, limit: int = DEFAULT_SUGGESTIONS) -> Suggestions:
        """Autocomplete a search box's text (indexer/suggest.py): its last word completed from the archive's words
        as written, most frequent first (accents and case aside), up to limit, and a few articles whose headline
        holds the words typed; QueryError for a prefix or limit out of bounds (check_suggest). Fast: it is asked
        at every pause in typing."""
        ...

    def highlight_article(self, article: Article, query_text: str, synonyms: bool = True) -> str:
        """Return the article's body as HTML: escaped, with the words a query matches in <mark>."""
        ...

    def match_spans(self, article: Article, query_text: str, synonyms: bool = True) -> tuple[Span, ...]:
        """Return every occurrence of a query's words and phrases in an article's headline and body, as the index
        matches them (see indexer/spans.py), their synonyms too unless synonyms=False; none for an empty query,
        QueryError for one that cannot run."""
        ...

    def related(self, article_id: str, limit: int = 10) -> Related:
        """Return the articles most like one article (ArticleNotFoundError when there is no such article)."""
        ...

    def stats(self, top: int = 10) -> IndexStats:
        """Return what the index holds."""
        ...

    def fingerprint(self) -> IndexFingerprint:
        """Return what the committed index is now, to cite a result set by (IndexNotFoundError when there is none).

        Cheap (answers carry it) and readable by a reader without administrative rights.
        """
        ...

    def check(self, thorough: bool = False) -> CheckReport:
        """Verify the index and say what to do about problems; reports what it finds rather than raising."""
        ...

    def close(self) -> None:
        """Release what the backend holds open (it reopens on next use)."""
        ...

    # The write side, used by indexing runs (indexer/build.py), each under the folder's run lock.

    def prepare(self, rebuild: bool = False) -> None:
        """Make sure an index exists to write to, creating it (rebuild: empty it and start afresh)."""
        ...

    def article_count(self) -> int:
        """Return how many articles the index holds (IndexNotFoundError when there is none)."""
        ...

    def segment_count(self) -> int:
        """Return how many segments the index is in (0 when empty): many slow searches down."""
        ...

    def expect(self, articles: int, procs: int = 1) -> None:
        """Hear that the batch an indexing run is reading holds `articles` articles so far, for a commit with `procs`
        processes: an engine may start what that commit needs meanwhile. Said again as the batch grows; cheap."""
        ...

    def commit(self, batch: Batch, procs: int = 1) -> None:
        """Write one batch in one commit (procs: processes the engine may use); IndexLockedError if locked."""
        ...

    def optimize(self) -> None:
        """Merge the index's parts into one and drop deleted articles, if there is anything to merge."""
        ...


def open_backend(name: str | None = None, folder: Path | str | None = None,
                 environ: Mapping[str, str] | None = None) -> SearchBackend:
    """Open the configured backend: `name` or NEWSARCHIVE_BACKEND, on `folder` or NEWSARCHIVE_INDEX."""
    settings = read_settings((BACKEND, INDEX), environ)
    name = name or settings["BACKEND"]
    if name not in BACKENDS:
        raise SettingError(f"{BACKEND.env} must be one of {', '.join(sorted(BACKENDS))}, not {name!r}")
    module_name, class_name = BACKENDS[name].split(":")
    backend_class = getattr(importlib.import_module(module_name), class_name)
    backend: SearchBackend = backend_class(Path(folder or settings["INDEX"]))
    return backend
