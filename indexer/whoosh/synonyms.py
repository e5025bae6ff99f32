"""Synonyms on a parsed query: a word or phrase equal to a name of a group (indexer/synonyms.py) also searches the
group's other names, in the same fields; both engines search the expanded query (Solr translates it).

Names are analysed as the text is (stems, acronyms, folding), so `Burmese`-like forms do not match but `Myanmar`
and `MYANMAR` do. A word the parser searched in several fields (Or(Term("headline", w), Term("body", w))) gains
the same Or of each other name, so BM25F still scores each name over the fields as one word (scoring.py groups
them). Words inside a phrase, NEAR and patterns (wildcards, fuzzy words) are left as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.query import spans

from ..synonyms import load_groups
from .schema import SEARCH_FIELDS

Tokens = tuple[str, ...]


@dataclass(frozen=True)
class SynonymMap:
    """Each analysed name, and the other names of its group (as written, and analysed)."""

    others: dict[Tokens, tuple[tuple[str, Tokens], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, groups: tuple[tuple[str, ...], ...], analyzer: Callable[[str], Any]) -> SynonymMap:
        """Return the map of synonym groups, every name analysed by the analyzer of the searched text."""
        others: dict[Tokens, list[tuple[str, Tokens]]] = {}
        for group in groups:
            analysed = [(name, tuple(token.text for token in analyzer(name))) for name in group]
            analysed = [(name, tokens) for name, tokens in analysed if tokens]  # stop words alone search nothing
            for _, tokens in analysed:
                kept = others.setdefault(tokens, [])
                kept += [(o, t) for o, t in analysed if t != tokens and (o, t) not in kept]
        return cls({tokens: tuple(names) for tokens, names in others.items() if names})


def expand(user_query: Any, synonyms: SynonymMap) -> tuple[Any, tuple[str, ...]]:
    """Return the query with every name of a synonym group also searching the others, and the names added."""
    if not synonyms.others or user_query is None:
        return user_query, ()
    added: dict[str, None] = {}

    def visit(query: Any) -> Any:
        if isinstance(query, spans.SpanQuery):
            return query  # NEAR is left as typed (and Whoosh's span queries rebuilt by apply() lose their boost)
        tokens, fields = _searched(query)
        alternatives = synonyms.others.get(tokens, ()) if tokens else ()
        if not alternatives:
            return query.apply(visit)
        for name, _ in alternatives:
            added[name] = None
        expanded = [_in_fields(other, fields) for _, other in alternatives]
        return wq.Or([query, *expanded])

    return visit(user_query), tuple(added)


def _searched(query: Any) -> tuple[Tokens | None, tuple[str, ...]]:
    """Return the words a query searches for and its fields, when it is one word or phrase in searched fields."""
    if isinstance(query, wq.Or) and query.boost == 1 and query.subqueries:
        found = [_searched(q) for q in query.subqueries]
        words = {tokens for tokens, _ in found}
        if len(words) == 1 and None not in words and all(len(f) == 1 for _, f in found):
            return found[0][0], tuple(f[0] for _, f in found)
        return None, ()
    if query.boost != 1 or query.field() not in SEARCH_FIELDS:
        return None, ()
    if isinstance(query, wq.Term):
        return (str(query.text),), (query.field(),)
    if isinstance(query, wq.Phrase) and query.slop == 1:
        return tuple(str(w) for w in query.words), (query.field(),)
    return None, ()


def _in_fields(tokens: Tokens, fields: tuple[str, ...]) -> Any:
    """Return the query of words in each of the fields: a word or an exact phrase, as the parser writes them."""
    made = [wq.Term(f, tokens[0]) if len(tokens) == 1 else wq.Phrase(f, list(tokens)) for f in fields]
    return made[0] if len(made) == 1 else wq.Or(made)


class QuerySynonyms:
    """The synonyms of a synonyms file (NEWSARCHIVE_SYNONYMS), applied to parsed queries; the file is read again
    when it changes, and a bad one is refused when this is made (SettingError), so at start-up."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._maps: dict[tuple[int, tuple[tuple[str, ...], ...]], SynonymMap] = {}
        load_groups(path)

    def expand(self, user_query: Any, analyzer: Callable[[str], Any]) -> tuple[Any, tuple[str, ...]]:
        """Return the query with its words' synonyms searched too, and the names added (none: no file)."""
        groups = load_groups(self.path)
        if not groups:
            return user_query, ()
        key = (id(analyzer), groups)
        if key not in self._maps:
            # The latest file only, analysed by each analyzer asked (one per language searched: languages.py).
            self._maps = {k: found for k, found in self._maps.items() if k[1] == groups}
            self._maps[key] = SynonymMap.of(groups, analyzer)
        return expand(user_query, self._maps[key])
