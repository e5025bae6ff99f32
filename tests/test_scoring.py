"""Ranking (indexer/scoring.py): one BM25F score across headline and body, on every ranked path.

The reference here recomputes BM25F document by document from the stored text (analysed again with the news
analyzer), independently of the arrays and postings the service uses; only the per-document field lengths come
from the index, because Whoosh stores them rounded to one byte and that rounding is part of what is ranked.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import fields

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.request import Paging, Search
from indexer.whoosh import WhooshBackend, schema
from indexer.whoosh.analysis import analyze
from indexer.whoosh.scoring import DEFAULT_RANKING, FieldWeight, Ranking

from .conftest import REUTERS, write_jsonl

DEMO = Path(__file__).resolve().parents[1] / "demo"
QUERIES = ("ferry", "council budget", "harbour OR ferry", "title:ferry", "(ferry OR bus) AND service", "storm^3 flood",
           "festival music band", "river")


def reference_scores(service: WhooshBackend, words: list[str], match: str, ranking: Ranking = DEFAULT_RANKING,
                     only: str | None = None) -> dict[str, float]:
    """BM25F of every matching document for a query of plain words (AND or OR), by the formula, from stored text."""
    with service._generation() as gen:
        searcher = gen.searcher
        reader = searcher.reader()
        searched = [only] if only else ["headline", "body"]
        docs = []
        for docnum in range(reader.doc_count_all()):
            if reader.is_deleted(docnum):
                continue
            stored = reader.stored_fields(docnum)
            counts = {f: Counter(analyze(stored.get(f, ""))) for f in searched}
            lengths = {f: reader.doc_field_length(docnum, f, 1) or 1 for f in searched}  # None: an empty field
            docs.append((stored["id"], counts, lengths))
        averages = {f: searcher.avg_field_length(f) for f in searched}
        total = reader.doc_count_all()
    terms = [analyze(word)[0] for word in words]
    having = {term: sum(1 for _, c, _ in docs if any(c[f][term] for f in searched)) for term in terms}
    scores: dict[str, float] = {}
    for doc_id, counts, lengths in docs:
        score, matched = 0.0, 0
        for term in terms:
            tf = 0.0
            for f in searched:
                weight = ranking.field(f)
                assert weight is not None
                tf += weight.weight * counts[f][term] / ((1 - weight.b) + weight.b * lengths[f] / averages[f])
            if tf:
                matched += 1
                idf = math.log(1 + (total - having[term] + 0.5) / (having[term] + 0.5))
                score += idf * tf * (ranking.k1 + 1) / (tf + ranking.k1)
        if matched == len(terms) or (match == "any" and matched):
            scores[doc_id] = score
    return scores


def ranked(scores: dict[str, float], depth: int) -> list[tuple[str, float]]:
    """The reference ranking: best first; ties in index order are not compared (see the callers)."""
    return sorted(scores.items(), key=lambda item: -item[1])[:depth]


def assert_ranks_as_reference(service: WhooshBackend, text: str, words: list[str], match: str,
                              only: str | None = None) -> None:
    page = service.search(Search(query=text, match=match), Paging(per_page=20))
    expected = reference_scores(service, words, match, service.ranking, only)
    assert page.total == len(expected), text
    assert [hit.score for hit in page.hits] == pytest.approx([s for _, s in ranked(expected, 20)], rel=1e-9), text
    for hit in page.hits:
        assert hit.score == pytest.approx(expected[hit.id], rel=1e-9), (text, hit.id)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhooshBackend]:
    index = tmp_path_factory.mktemp("demo") / "index"
    for part in ("text", "wire.jsonl", "archive.csv", "features.json"):  # four commits: several segments
        index_paths([DEMO / part], open_backend(folder=index), IndexOptions(procs=1))
    service = WhooshBackend(index)
    yield service
    service.close()


@pytest.mark.parametrize("match", ["all", "any"])
@pytest.mark.parametrize(("text", "words"), [
    ("ferry", ["ferry"]), ("council budget", ["council", "budget"]), ("festival music band", ["festival", "music",
                                                                                             "band"]),
    ("river flood", ["river", "flood"]), ("library closures", ["library", "closures"]),
])
def test_word_queries_score_bm25f_over_headline_and_body(demo: WhooshBackend, text: str, words: list[str],
                                                         match: str) -> None:
    assert_ranks_as_reference(demo, text, words, match)


def test_a_field_scope_scores_that_field_alone(demo: WhooshBackend) -> None:
    assert_ranks_as_reference(demo, "title:ferry", ["ferry"], "all", only="headline")
    assert_ranks_as_reference(demo, "body:council", ["council"], "all", only="body")


def test_other_parameters_change_the_scores_as_the_formula_says(demo: WhooshBackend, tmp_path: Path) -> None:
    ranking = Ranking(1.2, (("headline", FieldWeight(1.0, 0.3)), ("body", FieldWeight(1.0, 0.9))))
    other = WhooshBackend(demo.folder, ranking=ranking)
    try:
        assert_ranks_as_reference(other, "council budget", ["council", "budget"], "any")
    finally:
        other.close()


def test_phrases_and_near_score_as_their_words_where_they_match(demo: WhooshBackend) -> None:
    words = reference_scores(demo, ["flood", "wall"], "all")
    for text in ('"flood wall"', "wall NEAR/3 flood"):
        page = demo.search(Search(query=text), Paging(per_page=50))
        assert page.hits, text
        assert all(hit.score == pytest.approx(words[hit.id], rel=1e-9) for hit in page.hits), text
        assert page.total <= len(words)


def test_wildcards_score_a_constant_and_add_to_words(demo: WhooshBackend) -> None:
    page = demo.search(Search(query="ferr*"), Paging(per_page=50))
    assert page.hits and {hit.score for hit in page.hits} == {1.0}
    combined = demo.search(Search(query="ferr* council"), Paging(per_page=50))
    council = reference_scores(demo, ["council"], "all")
    assert all(hit.score == pytest.approx(council[hit.id] + 1.0) for hit in combined.hits)


def test_excluded_words_do_not_change_the_scores(demo: WhooshBackend) -> None:
    plain = {hit.id: hit.score for hit in demo.search(Search(query="ferry"), Paging(per_page=50)).hits}
    excluding = demo.search(Search(query="ferry -storm"), Paging(per_page=50)).hits
    assert excluding and all(hit.score == pytest.approx(plain[hit.id]) for hit in excluding)


def test_a_story_about_the_query_outranks_a_headline_that_only_mentions_a_word(tmp_path: Path) -> None:
    # Scored field by field, the headline had an idf of its own: "oil" is rare among headlines, so one headline
    # holding it outranked every story about OPEC and oil prices. BM25F has one idf per word.
    filler = "Markets were quiet as traders waited for the central bank and for company results this week."
    records = [{"id": f"story-{n}", "title": f"Markets report {n}",
                "body": f"OPEC said oil prices would rise as its oil output fell. {filler}"} for n in range(20)]
    records.append({"id": "headline-only", "title": "Oil tanker runs aground off the coast",
                    "body": f"The crew of twelve was rescued by lifeboat. {filler}"})
    records += [{"id": f"other-{n}", "title": f"Local news {n}", "body": filler} for n in range(40)]
    index_paths([write_jsonl(tmp_path / "c.jsonl", records)], open_backend(folder=tmp_path / "ix"),
                             IndexOptions(procs=1))
    service = WhooshBackend(tmp_path / "ix")
    try:
        hits = service.search(Search(query="opec oil prices", match="any"), Paging(per_page=30)).hits
        assert [hit.id for hit in hits].index("headline-only") == 20
    finally:
        service.close()


def test_related_articles_rank_by_bm25f_over_both_fields(tmp_path: Path) -> None:
    records = [
        {"id": "source", "title": "Ferry service to Marrowby cut",
         "body": "The ferry service across the estuary will run twice a day from June, the operator said."},
        {"id": "headline-match", "title": "Estuary ferry operator cuts service", "body": "More on page four."},
        {"id": "unrelated", "title": "Bakery turns 100", "body": "The bakery on the high street is a century old."},
        # Words in fewer than five articles connect nothing: these make the source's words common enough.
        *({"id": f"notes-{n}", "title": f"Notes {n}", "body": "Ferry, estuary, operator and service notes."}
          for n in range(4)),
    ]
    index_paths([write_jsonl(tmp_path / "c.jsonl", records)], open_backend(folder=tmp_path / "ix"),
                             IndexOptions(procs=1))
    service = WhooshBackend(tmp_path / "ix")
    try:
        related = service.related("source")
        assert related[0].id == "headline-match"  # found by its headline; the source itself never listed
        assert "source" not in {r.id for r in related} and "unrelated" not in {r.id for r in related}
        assert related[0].score > 0
    finally:
        service.close()


def test_exports_in_relevance_order_follow_the_search_order(demo: WhooshBackend) -> None:
    for text in ("council budget", '"ferry service" OR river', "ferr* OR flood"):
        request = Search(query=text, match="any")
        page = [hit.id for hit in demo.search(request, Paging(per_page=50)).hits]
        exported = [article.id for article in demo.iter_matches(request, 50)]
        assert exported == page, text


def test_an_index_with_headline_boost_in_its_postings_ranks_the_same(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Indexes built before BM25F stored headline postings with a field boost of 2 (frequency x 2).
    index_paths([DEMO / "wire.jsonl"], open_backend(folder=tmp_path / "new"), IndexOptions(procs=1))
    built = schema.build_schema

    def boosted() -> fields.Schema:
        old = built()
        old["headline"].format.field_boost = 2.0
        return old

    monkeypatch.setattr("indexer.whoosh.backend.build_schema", boosted)
    index_paths([DEMO / "wire.jsonl"], open_backend(folder=tmp_path / "old"), IndexOptions(procs=1))
    new, old = WhooshBackend(tmp_path / "new"), WhooshBackend(tmp_path / "old")
    try:
        with old._generation() as gen:
            assert gen.searcher.schema["headline"].format.field_boost == 2.0
        for text in ("council", "ferry OR river", '"flood wall"'):
            request = Search(query=text, match="any")
            mine = [(h.id, h.score) for h in new.search(request).hits]
            theirs = [(h.id, h.score) for h in old.search(request).hits]
            assert [i for i, _ in mine] == [i for i, _ in theirs], text
            assert [s for _, s in mine] == pytest.approx([s for _, s in theirs]), text
    finally:
        new.close()
        old.close()


@pytest.mark.slow
@pytest.mark.skipif(not REUTERS.exists(), reason="Reuters-21578 is not in ../shared/data")
def test_reuters_rankings_equal_the_reference(tmp_path: Path) -> None:
    files = [REUTERS / "sgm-data" / "reut2-000.sgm"]
    index_paths(files, open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1))
    service = WhooshBackend(tmp_path / "ix")
    try:
        for text in ("oil prices", "interest rates", "trade deficit", "net loss profit"):
            for match in ("all", "any"):
                assert_ranks_as_reference(service, text, text.split(), match)
    finally:
        service.close()


def test_related_key_words_and_term_statistics_equal_whoosh_s_over_many_segments(tmp_path: Path) -> None:
    from indexer.records import Article  # noqa: PLC0415
    from indexer.results import RELATED_MIN_ARTICLES, RELATED_TERMS  # noqa: PLC0415
    from indexer.whoosh.keywords import key_words  # noqa: PLC0415
    from indexer.whoosh.schema import document_to_article  # noqa: PLC0415

    # Commits of 8 articles: several segments (the small ones merged ten at a time), so statistics are sums.
    index_paths([DEMO], open_backend(folder=tmp_path / "ix"), IndexOptions(procs=1, batch_size=8))
    service = WhooshBackend(tmp_path / "ix")
    try:
        with service._generation() as gen:
            reader = gen.searcher.reader()
            assert len(gen.view.leaves) > 1
            for field in ("headline", "body"):
                for text in list(reader.lexicon(field))[::7]:
                    assert gen.view.term_stats(field, text) == (reader.frequency(field, text),
                                                                reader.doc_frequency(field, text))
            assert gen.view.term_stats("body", b"no-such-word") == (0.0, 0)
            least = min(RELATED_MIN_ARTICLES, max(2, reader.doc_count() // 20))
            for docnum in range(reader.doc_count_all()):
                article: Article = document_to_article(gen.searcher.stored_fields(docnum))
                text = f"{article.headline}\n{article.body}"
                if gen.languages:
                    text = schema.marked(article.language or "en", text)
                # What Whoosh's searcher gives (the releases before the view's statistics).
                candidates = gen.searcher.key_terms_from_text("body", text, numterms=RELATED_TERMS * 5,
                                                              normalize=False)
                expected = [w for w, _ in candidates
                            if max(reader.doc_frequency(f, w) for f in ("headline", "body")) >= least]
                assert key_words(gen.searcher, gen.view, article, gen.languages) == expected[:RELATED_TERMS]
    finally:
        service.close()
