"""The people, organisations and places given to articles at indexing, and the names the engines search.

An indexing run (indexer/build.py) hands each batch to `Namer.give` before the engine's commit: every name a record
states is written as its canonical name (the alias file, indexer/aliases.py) and kept in the index folder's
names.sqlite3 (indexer/namestore.py); then the names of the gazetteer (indexer/gazetteer.py: the stated names of
this and earlier runs, and the alias file's) are looked for in each article's headline and body. Names found in
the text are given for a kind the record states none of; where it states some, its names stand alone (a record's
names are what it is about, as its editors judged; the text also names what it mentions in passing: on
Reuters-21578, adding found places to the stated ones would make a quarter of the places shown ones its editors
left out; docs/entities.md has the figures). The engines index each name with its variants (`searched_names`), so
that `person:volcker` finds "Paul Volcker".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .aliases import Aliases, configured_aliases
from .entities import KINDS, Kind, names_of, with_names
from .gazetteer import Entry, Gazetteer
from .namestore import NameStore
from .records import Article


class Namer:
    """The names of an indexing run: the index folder's stated names, the alias file, and the gazetteer of both."""

    def __init__(self, folder: Path, *, reset: bool = False, aliases: Aliases | None = None) -> None:
        self.aliases = configured_aliases() if aliases is None else aliases
        self.store = NameStore(folder, reset=reset)
        self._gazetteer: Gazetteer | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        """Return the gazetteer of the names known so far (built from the folder's names the first time)."""
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.of(self.store.names(), self.aliases)
        return self._gazetteer

    def give(self, articles: Sequence[Article]) -> list[Article]:
        """Return the articles with their names: stated ones canonical (and remembered), found ones for the kinds
        they state none of. Every stated name of the batch is known before any article's text is read."""
        stated = [self.canonical(article) for article in articles]
        entries: list[Entry] = []
        for article in stated:
            entries.extend(dict.fromkeys((kind.facet, name) for kind in KINDS for name in names_of(article, kind)))
        self.store.add(entries)
        gazetteer = self.gazetteer
        gazetteer.add(entries)
        named = []
        for article in stated:
            missing = [kind for kind in KINDS if not names_of(article, kind)]
            if missing:
                found = gazetteer.find(article.headline, article.body)
                article = with_names(article, {kind: found[kind.facet] for kind in missing})
            named.append(article)
        return named

    def canonical(self, article: Article) -> Article:
        """Return an article with the names its record states written as their canonical names."""
        if not any(names_of(article, kind) for kind in KINDS):
            return article
        return with_names(article, {kind: self.aliases.canonical_names(kind.facet, names_of(article, kind))
                                    for kind in KINDS})

    def commit(self) -> None:
        """Keep the names stated so far (after the engine's commit)."""
        self.store.commit()

    def rollback(self) -> None:
        """Forget the names stated since the last commit, and what the gazetteer learnt from them."""
        self.store.rollback()
        self._gazetteer = None

    def close(self) -> None:
        """Close the folder's names file."""
        self.store.close()


def searched_names(kind: Kind, names: Sequence[str], aliases: Aliases | None = None) -> list[str]:
    """Return what a kind's query field (`person:`) searches for an article's names: each canonical name and its
    variants in the alias file in effect (NEWSARCHIVE_ALIASES)."""
    aliases = configured_aliases() if aliases is None else aliases
    return [form for name in names for form in aliases.names_of(kind.facet, name)]
