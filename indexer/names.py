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
from operator import attrgetter
from pathlib import Path

from .aliases import CANONICAL_MEMO, Aliases, configured_aliases
from .entities import KINDS, Kind, with_names
from .gazetteer import Entry, Gazetteer
from .namestore import NameStore
from .records import Article

# What an article's stated names (people, orgs, places) come to: canonical by kind (none when it states none), the
# names to remember, and the kinds it states none of.
_Stated = tuple[dict[Kind, tuple[str, ...]], tuple[Entry, ...], tuple[Kind, ...]]
# An article's names of each kind, in the order of KINDS, read at once.
_names_by_kind = attrgetter(*(kind.attribute for kind in KINDS))


class Namer:
    """The names of an indexing run: the index folder's stated names, the alias file, and the gazetteer of both."""

    def __init__(self, folder: Path, *, reset: bool = False, aliases: Aliases | None = None) -> None:
        self.aliases = configured_aliases() if aliases is None else aliases
        self.store = NameStore(folder, reset=reset)
        self._gazetteer: Gazetteer | None = None
        # By stated names: a news archive states the same ones again and again ("usa", "opec"). It follows from the
        # alias file alone, which a Namer keeps: rollback() leaves it.
        self._stated: dict[tuple[tuple[str, ...], ...], _Stated] = {}

    @property
    def gazetteer(self) -> Gazetteer:
        """Return the gazetteer of the names known so far (built from the folder's names the first time)."""
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.of(self.store.names(), self.aliases)
        return self._gazetteer

    def give(self, articles: Sequence[Article]) -> list[Article]:
        """Return the articles with their names: stated ones canonical (and remembered), found ones for the kinds
        they state none of. Every stated name of the batch is known before any article's text is read."""
        stated = [(article, self._stated_names(article)) for article in articles]
        entries = [entry for _, (_, its_entries, _) in stated for entry in its_entries]
        self.store.add(entries)
        gazetteer = self.gazetteer
        gazetteer.add(entries)
        named = []
        for article, (canonical, _, missing) in stated:
            names = canonical
            if missing:
                found = gazetteer.find(article.headline, article.body)
                names = {**canonical, **{kind: found[kind.facet] for kind in missing}}
            named.append(with_names(article, names))  # one copy: an article states names or has kinds to find
        return named

    def canonical(self, article: Article) -> Article:
        """Return an article with the names its record states written as their canonical names."""
        canonical = self._stated_names(article)[0]
        return with_names(article, canonical) if canonical else article

    def _stated_names(self, article: Article) -> _Stated:
        """Return what an article's stated names come to (worked out once for each set of names)."""
        stated: tuple[tuple[str, ...], ...] = _names_by_kind(article)
        known = self._stated.get(stated)
        if known is None:
            canonical = {kind: self.aliases.canonical_names(kind.facet, names)
                         for kind, names in zip(KINDS, stated, strict=True)} if any(stated) else {}
            entries = tuple(dict.fromkeys((kind.facet, name) for kind, names in canonical.items() for name in names))
            missing = tuple(kind for kind in KINDS if not canonical.get(kind))
            if len(self._stated) >= CANONICAL_MEMO:
                self._stated.clear()  # bounded: start again rather than grow without end
            known = self._stated[stated] = (canonical, entries, missing)
        return known

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
