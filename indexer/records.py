"""The Article record (the one value that crosses module boundaries) and the report of a skipped input."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property


@dataclass(frozen=True)
class Article:
    """One news article, as every parser produces it and the index stores it."""

    id: str
    headline: str
    body: str = ""
    author: tuple[str, ...] = ()
    date: datetime | None = None
    topic: tuple[str, ...] = ()
    source: str = ""
    url: str = ""
    # Headlines of other stories that the page linked in the body ("read also" lines): kept, not searched as body.
    related_headlines: tuple[str, ...] = field(default=(), compare=False)
    # Its ISO 639-1 language code: as the record states it (parsers normalise it), else detected or the archive's
    # default at indexing (indexer/build.py); "" until then, and for articles of indexes built before languages
    # (they were analysed as English).
    language: str = ""
    # The people, organisations and places it names (indexer/entities.py): as its record states them (parsers), then
    # at indexing each written as its canonical name (the alias file) and joined by those found in its text
    # (indexer/build.py, indexer/gazetteer.py).
    people: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    # The wire story this article is a copy or version of (indexer/stories.py): given at indexing, never by a file,
    # so it is no part of the fingerprint ("" until assigned: the article is a story of its own).
    story: str = field(default="", compare=False)

    @cached_property
    def fingerprint(self) -> str:
        """Return a hash of everything the article stores, to tell a changed article from an unchanged one.

        Computed once per article: an indexing run compares it with the manifest, and the engine stores it. The
        language counts when set (a stated one changes what is indexed), and so do the names (people,
        organisations, places) when there are any, so articles without them keep the fingerprints they had before.
        """
        fields: list[object] = [self.id, self.headline, self.body, self.author, self.date and self.date.isoformat(),
                                self.topic, self.source, self.url, self.related_headlines]
        if self.language:
            fields.append(self.language)
        names = {name: list(values) for name, values in
                 (("people", self.people), ("orgs", self.orgs), ("places", self.places)) if values}
        if names:
            fields.append(names)
        payload = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()

    def given(self, *, language: str | None = None, story: str | None = None, people: tuple[str, ...] | None = None,
              orgs: tuple[str, ...] | None = None, places: tuple[str, ...] | None = None) -> Article:
        """Return the article with what indexing gives it (the language detected in it, or the archive's default;
        its story; its names, canonical or found in its text), keeping the fingerprint of the record as read: those
        follow from the record, so the manifest (which records what was read) and the engine (which stores this)
        agree, and a re-run finds it unchanged."""
        given = {name: value for name, value in (("language", language), ("story", story), ("people", people),
                                                  ("orgs", orgs), ("places", places)) if value is not None}
        self.fingerprint  # the record's, cached in __dict__ before it is copied  # noqa: B018
        found = object.__new__(Article)  # dataclasses.replace, without its __init__: 2 µs, not 10
        found.__dict__.update(self.__dict__, **given)
        return found

    def stored_as(self, fingerprint: str | None) -> Article:
        """Return the article with the fingerprint it was stored with (read back from an engine, whose documents
        keep the fingerprint of the record as read: `given`), so that copying it elsewhere keeps it too."""
        if fingerprint:
            self.__dict__["fingerprint"] = fingerprint  # the cached_property's slot, filled before it is read
        return self


@dataclass(frozen=True)
class Skipped:
    """A file or record that was not indexed: where it is and why."""

    path: str
    where: str  # "line 12", "record 3", "story NEWID=17", or "" for the whole file
    reason: str

    def __str__(self) -> str:
        location = f"{self.path}: {self.where}" if self.where else self.path
        return f"{location}: {self.reason}"


@dataclass(frozen=True)
class Notice:
    """A record that was indexed with a field left out (an impossible date, say): where and why."""

    path: str
    where: str
    reason: str

    def __str__(self) -> str:
        location = f"{self.path}: {self.where}" if self.where else self.path
        return f"{location}: {self.reason}"


ParseItem = Article | Skipped | Notice


def make_id(explicit: str | None, url: str, source: str, headline: str, date: datetime | None, body: str = "") -> str:
    """Return a stable id: the explicit one, else the url, else a hash of source + headline + date (+ body).

    The body counts when given: articles without a date (headerless text files) may share a headline, and the
    same story filed twice (its words alike, whatever the spacing) gets one id.
    """
    if explicit and explicit.strip():
        return explicit.strip()
    if url and url.strip():
        return url.strip()
    parts = [source.strip(), " ".join(headline.split()), date.isoformat() if date else ""]
    if body:
        parts.append(" ".join(body.split()))
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def clean_values(values: object) -> tuple[str, ...]:
    """Normalise a multi-valued field (None, a string, or a list) to a tuple of distinct, trimmed strings."""
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)  # type: ignore[call-overload]
    kept: list[str] = []
    folded: set[str] = set()
    for item in items:
        text = " ".join(str(item).split())
        if text:
            key = text.casefold()
            if key not in folded:
                kept.append(text)
                folded.add(key)
    return tuple(kept)
