"""Citations of articles and of result sets, for reference managers: RIS, BibTeX and CSL-JSON, and a search's
suggested citation (text and BibTeX @misc) with its index fingerprint.

Every format is written from an Article by rules of its own: RIS is one `TAG  - value` line each (values on one
line), BibTeX values are braced with TeX's special characters escaped (braces and backslashes as commands, so
braces stay balanced whatever the text), CSL-JSON is JSON. The types: RIS `NEWS`, CSL `article-newspaper`, and
BibTeX `@article` with `journal` = the source and `entrysubtype = {newspaper}`: BibTeX has no newspaper type,
@article is what BibTeX styles, biblatex and Zotero's own exporters use for newspaper articles, and biblatex
documents entrysubtype to tell a newspaper from a journal (BibTeX ignores the field). Keys are made from the
article id alone, so an article keeps its key in every export, and two ids never share one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from .display import display_headline
from .records import Article
from .request import Search
from .results import IndexFingerprint

FORMATS = ("ris", "bibtex", "csl-json")
UNTITLED = "(untitled)"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
KEY_LENGTH = 40  # characters of an id kept in its key, before the hash
_KEY_SAFE = re.compile(r"[A-Za-z0-9_-]+")
_KEY_HASHED = re.compile(r".*-[0-9a-f]{8}")  # the shape of a key made with a hash: such an id is hashed as well
_NOT_KEY = re.compile(r"[^A-Za-z0-9_-]+")
# What no one-line value may hold: C0 and C1 controls, line and paragraph separators, DEL.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_NAME_WORD = re.compile(r"[^\W\d_][\w.'’-]*")
_TEX = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "%": r"\%", "&": r"\&",
        "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_TEX_SPECIAL = re.compile("[" + re.escape("".join(_TEX)) + "]")
_URL_UNSAFE = re.compile(r'[\s{}\\"]')


@dataclass(frozen=True)
class Archive:
    """Where cited articles are kept: the archive's name, and the address of an article's page when it is served."""

    name: str = ""
    page_url: Callable[[str], str] | None = None  # article id -> absolute URL of its page

    def url_of(self, article: Article) -> str:
        """Return the address to cite an article at: the original (http or https) when known, else its page here."""
        if article.url.lower().startswith(("http://", "https://")):
            return article.url
        return self.page_url(article.id) if self.page_url else ""


NOWHERE = Archive()  # articles cited without an archive (the command line): their original address only


def bibtex_key(article_id: str) -> str:
    """Return the BibTeX key of an article: its id when that is a plain key, else the id's letters and digits and
    8 hex digits of its hash (so two ids never share a key, and one id always has the same)."""
    if _KEY_SAFE.fullmatch(article_id) and len(article_id) <= KEY_LENGTH and not _KEY_HASHED.fullmatch(article_id):
        return article_id
    slug = _NOT_KEY.sub("-", article_id).strip("-")[:KEY_LENGTH].strip("-") or "article"
    return f"{slug}-{hashlib.sha256(article_id.encode('utf-8')).hexdigest()[:8]}"


def name_parts(name: str) -> tuple[str, str] | None:
    """Return a personal name's (family, given) names, or None when it does not read as one (a desk, a wire)."""
    name = " ".join(name.split())
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        return (family, given) if family and given else None
    words = name.split(" ")
    if not 2 <= len(words) <= 4 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return None
    if any(w.lower() in ("and", "staff", "reporter", "correspondent", "by") for w in words):
        return None
    return words[-1], " ".join(words[:-1])


def ris(article: Article, archive: Archive = NOWHERE) -> str:
    """Return an article as one RIS record (TY NEWS ... ER), its lines ended by CR LF as the format asks."""
    lines = [("TY", "NEWS"), ("ID", bibtex_key(article.id)), ("TI", _title(article))]
    for name in article.author:
        parts = name_parts(name)
        lines.append(("AU", f"{parts[0]}, {parts[1]}" if parts else name))
    if article.date:
        lines += [("PY", f"{article.date:%Y}"), ("DA", f"{article.date:%Y/%m/%d}")]
    lines += [("T2", article.source), ("UR", archive.url_of(article)), ("AN", article.id), ("DB", archive.name)]
    body = "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines if _one_line(value))
    return body + "ER  - \r\n"


def bibtex(article: Article, archive: Archive = NOWHERE) -> str:
    """Return an article as one BibTeX @article entry (see the module's docstring for the type)."""
    authors = [f"{_tex(p[0])}, {_tex(p[1])}" if (p := name_parts(a)) else "{" + _tex(a) + "}"
               for a in article.author if _one_line(a)]
    fields = [("title", "{" + _tex(_title(article)) + "}"), ("author", " and ".join(authors)),
              ("journal", _tex(article.source)), ("entrysubtype", "newspaper" if article.source else "")]
    if article.date:
        fields += [("date", f"{article.date:%Y-%m-%d}"), ("year", f"{article.date:%Y}")]
    fields += [("url", _url(archive.url_of(article))),
               ("note", _tex(f"{archive.name}, article {article.id}" if archive.name else ""))]
    lines = [f"  {name} = {{{value}}}," for name, value in fields if value]
    if article.date:  # BibTeX's month macro, unbraced: styles print it in their language
        lines.append(f"  month = {MONTHS[article.date.month - 1]},")
    return f"@article{{{bibtex_key(article.id)},\n" + "\n".join(lines) + "\n}\n"


def csl_item(article: Article, archive: Archive = NOWHERE) -> dict[str, object]:
    """Return an article as one CSL-JSON item (type article-newspaper; container-title is the source)."""
    authors = [{"family": p[0], "given": p[1]} if (p := name_parts(a)) else {"literal": a} for a in article.author]
    item: dict[str, object] = {
        "id": article.id, "type": "article-newspaper", "citation-key": bibtex_key(article.id),
        "title": _title(article), "author": authors,
        "issued": {"date-parts": [[article.date.year, article.date.month, article.date.day]]} if article.date else None,
        "container-title": article.source, "URL": archive.url_of(article), "archive": archive.name,
        "archive_location": article.id,
    }
    return {key: value for key, value in item.items() if value not in ("", [], None)}


def citations(articles: Iterable[Article], fmt: str, archive: Archive = NOWHERE) -> Iterator[str]:
    """Return the articles in a format of FORMATS, a piece per article (streamed: never all in memory)."""
    if fmt == "csl-json":
        yield from _json_array(json.dumps(csl_item(a, archive), ensure_ascii=False) for a in articles)
        return
    write = ris if fmt == "ris" else bibtex
    for n, article in enumerate(articles):
        yield ("\r\n" if fmt == "ris" else "\n") * (n > 0) + write(article, archive)


def _json_array(items: Iterable[str]) -> Iterator[str]:
    count = 0
    for item in items:
        yield ("[\n" if count == 0 else ",\n") + item
        count += 1
    yield "\n]\n" if count else "[]\n"


def describe_search(search: Search) -> str:
    """Return a search in words: “oil prices” (any of the words; topic: crude; from 1987-03-01; oldest first)."""
    what = f"“{search.query.strip()}”" if search.query.strip() not in ("", "*") else "all articles"
    said = ["any of the words"] if search.match == "any" and search.query.strip() else []
    said += [f"{name}: {', '.join(values)}" for name, values in search.selections().items()]
    said += [f"from {search.date_from.isoformat()}"] if search.date_from else []
    said += [f"to {search.date_to.isoformat()}"] if search.date_to else []
    said += [f"{search.sort} first"] if search.sort != "relevance" else []
    return what + (f" ({'; '.join(said)})" if said else "")


@dataclass(frozen=True)
class SearchCitation:
    """A result set to cite: the search, how many articles it found, the index it ran on, where and when."""

    archive: str
    search: Search
    canonical: str
    total: int
    index: IndexFingerprint
    url: str  # the permalink (/cite)
    accessed: date

    @property
    def title(self) -> str:
        """Return what the result set is: Search results for “oil” (topic: crude): 42 articles."""
        return f"Search results for {describe_search(self.search)}: {self.total:,} article{'s' * (self.total != 1)}"

    def index_note(self) -> str:
        """Return the index it ran on in words: fingerprint, engine, size, last commit."""
        fp = self.index
        when = f"last commit {fp.last_commit:%Y-%m-%d %H:%M:%S} UTC" if fp.last_commit else "no commit yet"
        return f"Index fingerprint {fp.digest} ({fp.backend}; {fp.articles:,} articles; {when})"

    def text(self) -> str:
        """Return the suggested citation as one line of text."""
        source = f"{self.archive}. " if self.archive else ""
        return (f"{source}{self.title} [data set]. {self.index_note()}. {self.url}. "
                f"Accessed {self.accessed.day} {self.accessed:%B %Y}.")

    def key(self) -> str:
        """Return the @misc key: the search's and the index's digests, so the same search on the same index has
        the same key."""
        return f"search-{hashlib.sha256(self.canonical.encode('utf-8')).hexdigest()[:8]}-{self.index.digest[:8]}"

    def bibtex(self) -> str:
        """Return the suggested citation as a BibTeX @misc entry."""
        fp = self.index
        note = (f"{self.index_note()}; schema {fp.schema_version}, analyzer {fp.analyzer_version}. "
                f"Search: {self.canonical or '(every article)'}")
        fields = [("title", "{" + _tex(self.title) + "}"), ("author", "{" + _tex(self.archive) + "}"),
                  ("year", f"{self.accessed:%Y}"), ("urldate", self.accessed.isoformat()),
                  ("url", _url(self.url)), ("note", _tex(note))]
        lines = [f"  {name} = {{{value}}}," for name, value in fields if value.strip("{}")]
        return f"@misc{{{self.key()},\n" + "\n".join(lines) + "\n}\n"


def _title(article: Article) -> str:
    return display_headline(article) or UNTITLED


def _one_line(text: str) -> str:
    return " ".join(_BREAKS.sub(" ", text).split())


def _url(url: str) -> str:
    """Return a URL for a BibTeX url field, which is read verbatim: braces, backslashes, quotes, spaces encoded."""
    return _URL_UNSAFE.sub(lambda m: quote(m[0], safe=""), url)


def _tex(text: str) -> str:
    """Return text for a braced BibTeX value: one line, TeX's special characters written as commands."""
    return _TEX_SPECIAL.sub(lambda m: _TEX[m[0]], _one_line(text))
