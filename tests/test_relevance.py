"""The relevance evaluation: its metrics on hand-made rankings, its collection parsers, and newsarchive's scores."""

from __future__ import annotations

import math

import pytest

from bench.judged import COLLECTIONS, cranfield, read_text
from bench.judged.time_collection import parse_documents, parse_judgements, parse_queries
from bench.relevance import average_precision, evaluate, ndcg_at, precision_at, query_words

TIME = COLLECTIONS["time"].folder
CRANFIELD = COLLECTIONS["cranfield"].folder
needs_time = pytest.mark.skipif(not TIME.is_dir(), reason=f"the TIME collection is not at {TIME}")
needs_cranfield = pytest.mark.skipif(not CRANFIELD.is_dir(), reason=f"the Cranfield collection is not at {CRANFIELD}")

# Measured with the default ranking (python -m bench.relevance, 2026-12-02); the floors allow 0.01 less.
MEASURED = {
    "TIME": {"map": 0.6130, "p10": 0.2683, "ndcg10": 0.6788},  # 82 judged queries, top 100
    "Cranfield": {"map": 0.3197, "p10": 0.2476, "ndcg10": 0.3896},  # 225 judged queries, top 100
}
MARGIN = 0.01


def test_average_precision_divides_by_every_relevant_document() -> None:
    assert average_precision(["a", "b", "c", "d"], {"a", "c"}) == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert average_precision(["a", "b", "c", "d"], {"a", "c", "z"}) == pytest.approx((1 / 1 + 2 / 3) / 3)
    assert average_precision(["x", "y"], {"a"}) == 0.0
    assert average_precision(["a", "b"], {"a", "b"}) == 1.0


def test_average_precision_stops_at_the_depth() -> None:
    ranking = [f"d{i}" for i in range(1, 151)]
    assert average_precision(ranking, {"d1", "d120"}) == pytest.approx(0.5)  # d120 is past the top 100
    assert average_precision(ranking, {"d1", "d120"}, depth=150) == pytest.approx((1 + 2 / 120) / 2)


def test_average_precision_needs_a_relevant_document() -> None:
    with pytest.raises(ValueError):
        average_precision(["a"], set())


def test_precision_at_ten_counts_a_short_ranking_against_ten() -> None:
    ranking = [f"d{i}" for i in range(1, 21)]
    assert precision_at(ranking, {"d1", "d5", "d10", "d11"}) == pytest.approx(0.3)
    assert precision_at(["a", "b", "c", "d"], {"a", "c"}) == pytest.approx(0.2)
    assert precision_at([], {"a"}) == 0.0


def test_ndcg_at_ten_with_graded_gains() -> None:
    gains = {"a": 4, "b": 1, "c": 2}
    ideal = 4 + 2 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at(["b", "a", "x", "c"], gains) == pytest.approx((1 + 4 / math.log2(3) + 2 / math.log2(5)) / ideal)
    assert ndcg_at(["a", "c", "b"], gains) == pytest.approx(1.0)
    # A better document first scores more than a lesser one first, though both are relevant.
    assert ndcg_at(["a", "b"], gains) > ndcg_at(["b", "a"], gains)


def test_ndcg_at_ten_with_binary_gains() -> None:
    ideal_two = 1 + 1 / math.log2(3)
    assert ndcg_at(["a", "b", "c", "d"], {"a", "c"}) == pytest.approx((1 + 1 / math.log2(4)) / ideal_two)
    assert ndcg_at(["a", "c", "b"], {"a", "c"}) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], {"a"}) == 0.0
    # More than ten relevant documents: the ideal is ten relevant ones, so a perfect top ten scores 1.
    many = {f"d{i}" for i in range(1, 16)}
    assert ndcg_at([f"d{i}" for i in range(1, 16)], many) == pytest.approx(1.0)
    # A relevant document past the cutoff earns nothing.
    assert ndcg_at([f"x{i}" for i in range(10)] + ["a"], {"a"}) == 0.0


def test_parse_documents_reads_irregular_headers() -> None:
    text = (
        "*TEXT 017 01/04/63 PAGE 020\n\nTHE ALLIES AFTER NASSAU\n\nLAST WEEK .\n\n"
        "*TEXT 431 08/30 63 PAGE 026\n\nSECOND STORY\n\n"
        "*TEXT 557        12/27/63         PAGE 021\n\nTHIRD\n\n*STOP\n"
    )
    docs = parse_documents(text)
    assert [(d.position, d.number, d.date.isoformat(), d.page) for d in docs] == [
        (1, 17, "1963-01-04", 20), (2, 431, "1963-08-30", 26), (3, 557, "1963-12-27", 21),
    ]
    assert docs[0].text == "THE ALLIES AFTER NASSAU LAST WEEK ."
    assert docs[1].id == "time:2"


def test_parse_queries_and_judgements() -> None:
    queries = parse_queries("*FIND      1\n\n KENNEDY AND DIEM\n\nBUDDHISTS .\n\n*FIND     23\n\n PEACE .\n\n*STOP\n")
    assert queries == {1: "KENNEDY AND DIEM BUDDHISTS .", 23: "PEACE ."}
    assert parse_judgements("1  268 288\n\n23\n\n") == {1: frozenset({268, 288}), 23: frozenset()}


def test_query_words_keep_inner_dots_apostrophes_and_numbers() -> None:
    assert query_words("VIET NAM'S PRESIDENT, U.S. AID") == ("viet", "nam's", "president", "u.s.", "aid")
    assert query_words("the x-15 at mach 5 .") == ("the", "x", "15", "at", "mach", "5")


def test_parse_cranfield_records_and_judgements() -> None:
    text = ".I 1\n.T\nexperimental investigation of a\nwing .\n.A\nbrenckman,m.\n.B\nj. ae. 1958.\n.W\nan " \
           "experimental\nstudy .\n.I 2\n.T\n.W\n\n"
    records = cranfield.parse_records(text)
    assert [(r.number, r.fields.get("T"), r.fields.get("W")) for r in records] == [
        (1, "experimental investigation of a wing .", "an experimental study ."), (2, "", ""),
    ]
    judgements = cranfield.parse_judgements("1 184 2 \n1 29 1\n1 486 -1\n\n2 12 4\n")
    assert judgements == {1: {184: 3, 29: 4}, 2: {12: 1}}  # gain 5 - code; -1 and empty lines dropped


@needs_time
def test_the_time_collection() -> None:
    documents = parse_documents(read_text(TIME, "TIME.ALL"))
    assert len(documents) == 423
    first, last = documents[0], documents[-1]
    assert (first.position, first.number, first.date.isoformat()) == (1, 17, "1963-01-04")
    assert (last.position, last.number, last.date.isoformat()) == (423, 563, "1963-12-27")
    assert [d.date.isoformat() for d in documents if d.number == 431] == ["1963-08-30"]
    collection = COLLECTIONS["time"].load()
    assert len(collection.records) == 423
    assert len(collection.queries) == 82 and "23" not in collection.queries  # query 23 has no relevant document
    assert sum(len(g) for g in collection.gains.values()) == 321
    assert {gain for g in collection.gains.values() for gain in g.values()} == {1}


@needs_time
def test_time_judgements_name_positions_not_text_numbers() -> None:
    collection = COLLECTIONS["time"].load()
    text = {r["id"]: r["body"] for r in collection.records}
    relevant = collection.gains["1"]  # Kennedy's pressure on Diem to stop suppressing the Buddhists
    assert all("DIEM" in text[doc] for doc in relevant)
    documents = parse_documents(read_text(TIME, "TIME.ALL"))
    by_number = [d for d in documents if f"time:{d.number}" in relevant]  # *TEXT numbers: other stories
    assert not all("DIEM" in d.text for d in by_number)


@needs_cranfield
def test_the_cranfield_collection() -> None:
    collection = COLLECTIONS["cranfield"].load()
    assert len(collection.records) == 1400
    assert len(collection.queries) == 225  # every query has relevant documents
    assert sum(len(g) for g in collection.gains.values()) == 1612  # 128 + 387 + 734 + 363 (codes 1-4)
    first = collection.records[0]
    assert (first["id"], first["headline"]) == ("cran:1", "experimental investigation of the aerodynamics of a "
                                                "wing in a slipstream .")
    assert first["body"].startswith("experimental investigation of the aerodynamics")  # the title repeated
    assert sum(1 for r in collection.records if not r["headline"]) == 2  # documents 471 and 995 are empty


@needs_cranfield
def test_cranfield_queries_are_keyed_by_position_not_by_their_numbers() -> None:
    collection = COLLECTIONS["cranfield"].load()
    # The third query in cran.qry is numbered ".I 004"; cranqrel calls it 3.
    assert collection.queries["3"].startswith("what problems of heat conduction in composite slabs")
    headlines = {r["id"]: r["headline"] for r in collection.records}
    assert any("heat" in headlines[doc] or "conduction" in headlines[doc] for doc in collection.gains["3"])
    assert [collection.gains["1"][f"cran:{n}"] for n in (184, 12, 13)] == [3, 2, 1]  # codes 2, 3 and 4


@pytest.mark.slow  # about a minute: our search makes a snippet for each of the 100 hits of 307 queries
@pytest.mark.parametrize("name", ["time", "cranfield"])
def test_newsarchive_relevance_stays_above_its_floor(name: str) -> None:
    if not COLLECTIONS[name].folder.is_dir():
        pytest.skip(f"{name} is not at {COLLECTIONS[name].folder}")
    [scores] = evaluate(["newsarchive"], [name])
    for metric, measured in MEASURED[scores["collection"]].items():
        assert scores[metric] >= measured - MARGIN, (metric, scores[metric])
