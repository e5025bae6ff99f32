"""Export file names, after the search: `newsarchive-coffee-quotas-2026-12-01.csv`, sent as Content-Disposition.

The name is built only of letters, digits and hyphens from the query, so no query (quotes, slashes, CR/LF, `..`)
can break the header or name a path. A name beyond ASCII (`Siobhán`, `東京`) goes in RFC 6266's `filename*`
(RFC 5987 UTF-8 encoding), with an ASCII `filename` beside it for older clients, as `flask.send_file` does.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from werkzeug.datastructures import Headers

from indexer.request import EVERYTHING

PREFIX = "newsarchive"
SLUG_LENGTH = 60
ALL = "all"  # the name of a search with no query, or `*`: every article
UNNAMEABLE = "search"  # a query with no letter or digit to name it by (or none in ASCII, for `filename`)
# What words are made of, by Unicode category: letters, marks (the vowel signs of हिन्दी, the dot of i̇) and digits.
_WORD_CATEGORIES = ("L", "M", "N")
# RFC 5987 attr-char beyond letters and digits: what may stay unescaped in filename* (werkzeug's send_file uses it).
_ATTR_CHAR = "!#$&+-.^_`|~"


@dataclass(frozen=True)
class DownloadName:
    """An export's file name: `newsarchive-<slug>-<YYYY-MM-DD>.<extension>`, the slug from the search's query."""

    slug: str
    day: date
    extension: str

    @classmethod
    def of_search(cls, query: str, day: date, extension: str) -> DownloadName:
        """Return the name of an export of the search with this query, made on this day."""
        return cls(query_slug(query), day, extension)

    def __str__(self) -> str:
        return self._name(self.slug)

    @property
    def ascii(self) -> str:
        """Return the name in ASCII: accents off (siobhán -> siobhan), words without an ASCII form (東京) left out."""
        folded = unicodedata.normalize("NFKD", self.slug).encode("ascii", "ignore").decode("ascii")
        return self._name(_slug(folded) or UNNAMEABLE)

    def _name(self, slug: str) -> str:
        return f"{PREFIX}-{slug}-{self.day.isoformat()}.{self.extension}"


def query_slug(query: str) -> str:
    """Return the query as lowercase words joined by hyphens, at most SLUG_LENGTH characters, cut between words."""
    if query.strip() in EVERYTHING:
        return ALL
    return _slug(unicodedata.normalize("NFKC", query)) or UNNAMEABLE  # NFKC: ｆｕｌｌ-width and ﬁ are full, fi


def set_attachment(headers: Headers, name: DownloadName) -> None:
    """Set Content-Disposition: attachment with the name, in `filename*` too when it is not plain ASCII."""
    if name.ascii == str(name):
        headers.set("Content-Disposition", "attachment", filename=name.ascii)
    else:
        headers.set("Content-Disposition", "attachment", filename=name.ascii,
                    **{"filename*": "UTF-8''" + quote(str(name), safe=_ATTR_CHAR)})


def _slug(text: str) -> str:
    slug = "-".join("".join(c if unicodedata.category(c)[0] in _WORD_CATEGORIES else " " for c in text.lower()).split())
    if len(slug) > SLUG_LENGTH:
        head = slug[:SLUG_LENGTH + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else head[:SLUG_LENGTH]  # whole words, unless one is longer
    return slug.strip("-")
