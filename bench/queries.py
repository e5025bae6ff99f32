"""The published query set: every kind of work a user asks of a search engine, a few instances of each."""

from __future__ import annotations

from datetime import date

from bench.peers import BenchQuery

# Words common in Reuters-derived corpora (the synthetic corpora sample Reuters sentences, so they hold them too).
TERMS = ("oil", "bank", "trade", "dollar", "wheat", "profit", "shares", "tax", "coffee", "gold")
PAIRS = (("oil", "prices"), ("interest", "rates"), ("trade", "deficit"), ("stock", "exchange"), ("net", "loss"))
PHRASES = (("interest", "rates"), ("trade", "deficit"), ("central", "bank"), ("crude", "oil"), ("net", "profit"))
ALTERNATIVES = (("opec", "cartel"), ("gold", "silver"), ("wheat", "corn"), ("yen", "mark"), ("merger", "takeover"))
HEADLINE_WORDS = ("oil", "bank", "profit", "merger", "dollar")
PREFIXES = ("export", "bank", "oil", "inflat", "comput")
RANGES = ((date(1987, 3, 1), date(1987, 3, 31)), (date(1987, 4, 1), date(1987, 6, 30)))
BROAD = ("oil", "bank", "trade", "shares", "market")


def query_set(related_ids: list[str], corpus_years: tuple[int, int]) -> list[BenchQuery]:
    """Return the fixed list of queries (related_ids: articles to find related coverage for)."""
    first, last = corpus_years
    middle = (first + last) // 2
    ranges = RANGES if last <= 1987 else ((date(middle, 1, 1), date(middle, 12, 31)), (date(first, 1, 1),
                                                                                    date(middle, 6, 30)))
    queries = [BenchQuery("term", words=(w,)) for w in TERMS]
    queries += [BenchQuery("two terms", words=p) for p in PAIRS]
    queries += [BenchQuery("phrase", words=p, phrase=True) for p in PHRASES]
    queries += [BenchQuery("or", words=p, any_words=True) for p in ALTERNATIVES]
    queries += [BenchQuery("field", words=(w,), field="headline") for w in HEADLINE_WORDS]
    queries += [BenchQuery("wildcard", prefix=p) for p in PREFIXES]
    queries += [BenchQuery("date range", words=(w,), date_from=a, date_to=b)
                for w in ("oil", "bank") for a, b in ranges]
    queries += [BenchQuery("search page", words=(w,), facets=True, snippets=True, timeline=True) for w in BROAD]
    queries += [BenchQuery("search page, topic", words=(w,), topics=("earn", "acq"), facets=True, snippets=True,
                           timeline=True) for w in BROAD[:3]]
    queries += [BenchQuery("sorted by date", words=(w,), sort="newest") for w in BROAD]
    queries += [BenchQuery("deep page", words=(w,), page=50) for w in BROAD]
    queries += [BenchQuery("related", related_to=i) for i in related_ids]
    return queries
