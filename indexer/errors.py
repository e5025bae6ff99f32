"""The one exception family the indexer raises; Whoosh and I/O errors are translated once, here or at the call."""

from __future__ import annotations


class NewsArchiveError(Exception):
    """Base class of every error newsarchive raises on purpose."""


class ParseError(NewsArchiveError):
    """A file or record could not be read as an article."""


class IndexNotFoundError(NewsArchiveError):
    """There is no index at the given folder (or it is not a newsarchive index)."""


class IndexLockedError(NewsArchiveError):
    """Another writer holds the index lock."""


class QueryError(NewsArchiveError):
    """A query or search parameter cannot be understood; the message says how to fix it."""


class QueryTooExpensiveError(QueryError):
    """A query would take too long or expand to too many words; the message says how to narrow it."""


class ArticleNotFoundError(NewsArchiveError):
    """No article has the requested id."""


class BackendUnavailableError(NewsArchiveError):
    """The search engine's servers cannot be reached (every URL tried); the message names them."""
