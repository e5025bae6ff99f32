"""The SolrCloud configset on a real two-node cluster: init, documents that round-trip, and analysis parity.

The cluster is the session's shared one (tests/solr_cluster.py); skipped without `java` and `mvn` on PATH,
unless CI is set (then missing tools fail). The Reuters parity test is slow; SOLR_PARITY_REPORT names a file that
gets its figures appended (docs/solr.md quotes them).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.errors import BackendUnavailableError
from indexer.languages import ENGLISH, detect_language
from indexer.names import Namer
from indexer.parsers import iter_files, parse_path
from indexer.records import Article
from indexer.solr.client import SolrClient
from indexer.solr.documents import article_to_solr, preanalyzed, solr_to_article
from indexer.solr.provision import (
    CONFIGSET_DIGEST,
    SOLR_SCHEMA_VERSION,
    VERSION_PROPERTY,
    SchemaVersionError,
    configset_digest,
    configset_files,
    configset_name,
    init_collection,
)
from indexer.whoosh.analysis import news_analyzer
from indexer.whoosh.storage import open_index

from .conftest import REUTERS

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
DEMO_SOURCE = "Valley Courier (fictional sample)"
SCHEMA_FIELDS = {
    "_version_", "id", "headline", "body", "author", "topic", "source", "author_exact", "topic_exact",
    "source_exact", "date", "year", "month", "day", "url", "related_headlines", "fingerprint", "story",
    "language", "words", "person", "org", "place", "person_exact", "org_exact", "place_exact", "people", "orgs",
    "places",
}
PARITY_MINIMUM = 99.9  # per cent of tokens (the requirement)



# -- helpers


@dataclass
class Solr:
    """One node's base URL and a few requests (urllib, JSON)."""

    base: str

    def get(self, path: str, **params: str) -> dict[str, Any]:
        return self.post(path, urllib.parse.urlencode({**params, "wt": "json"}).encode(),
                         "application/x-www-form-urlencoded")

    def post(self, path: str, data: bytes, content_type: str = "application/json") -> dict[str, Any]:
        req = urllib.request.Request(f"{self.base}{path}", data=data, headers={"Content-Type": content_type})
        with urllib.request.urlopen(req, timeout=300) as response:
            result: dict[str, Any] = json.load(response)
        return result

    def index(self, collection: str, articles: Iterable[Article], batch: int = 500) -> int:
        """Send the articles in batches and hard-commit once, as the backend will; return how many were sent."""
        sent, docs = 0, []
        for article in articles:
            docs.append(article_to_solr(article))
            if len(docs) == batch:
                sent += self._send(collection, docs)
                docs = []
        sent += self._send(collection, docs)
        self.post(f"/{collection}/update?commit=true&wt=json", b"[]")
        return sent

    def _send(self, collection: str, docs: list[dict[str, Any]]) -> int:
        if docs:
            answer = self.post(f"/{collection}/update?wt=json", json.dumps(docs, ensure_ascii=False).encode())
            assert answer["responseHeader"]["status"] == 0, answer
        return len(docs)

    def ids(self, collection: str, query: str, **params: str) -> set[str]:
        answer = self.get(f"/{collection}/select", q=query, fl="id", rows="100000", **params)
        return {doc["id"] for doc in answer["response"]["docs"]}

    def terms(self, collection: str, field: str) -> dict[str, tuple[int, int]]:
        """Every indexed term of a field across shards: term -> (document frequency, total term frequency)."""
        answer = self.get(f"/{collection}/terms", **{"terms.fl": field, "terms.limit": "-1", "terms.ttf": "true",
                                                      "terms.sort": "index", "json.nl": "map"})
        return {term: (stats["df"], stats["ttf"]) for term, stats in answer["terms"][field].items()}


def parsed_articles(paths: Iterable[Path], source: str = "") -> dict[str, Article]:
    """The articles of the files under paths by id (a later one with the same id replaces an earlier one)."""
    articles: dict[str, Article] = {}
    for path in iter_files(paths):
        for item in parse_path(path, source=source):
            if isinstance(item, Article):
                articles[item.id] = item
    return articles


def whoosh_index(paths: list[Path], folder: Path, source: str = "") -> Path:
    backend = open_backend("whoosh", folder)
    try:
        index_paths(paths, backend, IndexOptions(procs=1, source=source))
    finally:
        backend.close()
    return folder


def whoosh_phrase(folder: Path, field: str, terms: list[str]) -> set[str]:
    with open_index(folder).searcher() as searcher:
        query = wq.Phrase(field, terms) if len(terms) > 1 else wq.Term(field, terms[0])
        return {hit["id"] for hit in searcher.search(query, limit=None)}


def report(line: str) -> None:
    with open(Path(os.environ.get("SOLR_PARITY_REPORT", os.devnull)), "a", encoding="utf-8") as out:
        out.write(line + "\n")


# -- fixtures


@dataclass
class SolrCloud:
    """The session's shared 2-node cluster (the `solr_cluster` fixture: skipped without java and mvn, but in CI)."""

    node_urls: list[str]

    def get(self, path: str, **params: str) -> dict[str, Any]:
        return SolrClient(self.node_urls, "").get(path, params)


@pytest.fixture(scope="module")
def cloud(solr_cluster: list[str]) -> SolrCloud:
    return SolrCloud(solr_cluster)


@pytest.fixture(scope="module")
def solr(cloud: SolrCloud) -> Solr:
    return Solr(cloud.node_urls[0])


@pytest.fixture(scope="module")
def news(cloud: SolrCloud) -> str:
    """A 2-shard collection made by init_collection (one shard on each node)."""
    init_collection(cloud.node_urls, "news", shards=2, replicas=1)
    return "news"


@pytest.fixture(scope="module")
def demo(solr: Solr, news: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Article], Path]:
    """The demo collection indexed into `news`, and a Whoosh index of it."""
    # With their names and languages, as an indexing run gives them (names canonical or found in the text; languages
    # stated, else detected, else the default).
    namer = Namer(tmp_path_factory.mktemp("names"))
    try:
        named = namer.give(list(parsed_articles([DEMO], DEMO_SOURCE).values()))
    finally:
        namer.close()
    articles = {a.id: a.given(language=a.language or detect_language(a.headline, a.body) or ENGLISH) for a in named}
    solr.index(news, articles.values())
    return articles, whoosh_index([DEMO], tmp_path_factory.mktemp("whoosh-demo"), DEMO_SOURCE)


# -- the configset itself (no cluster needed)


def test_configset_digest_matches_its_version() -> None:
    assert configset_digest() == CONFIGSET_DIGEST, (
        "indexer/solr/configset/ changed: bump SOLR_SCHEMA_VERSION and set CONFIGSET_DIGEST to "
        f"{configset_digest()} (indexer/solr/provision.py)"
    )


def test_configset_declares_our_fields_and_nothing_guessed() -> None:
    files = configset_files()
    schema = ET.fromstring(files["schema.xml"])
    assert {field.get("name") for field in schema.iter("field")} == SCHEMA_FIELDS
    assert not list(schema.iter("copyField")) and not list(schema.iter("dynamicField"))
    config = ET.fromstring(files["solrconfig.xml"])
    assert not list(config.iter("lib")), "an untrusted (unauthenticated) configset upload refuses <lib>"
    assert config.findtext("luceneMatchVersion", "").startswith("9.")
    assert not list(config.iter("updateRequestProcessorChain")), "no add-unknown-fields chain"


# -- init


def test_init_creates_a_two_shard_collection(cloud: SolrCloud, news: str) -> None:
    state = cloud.get("/admin/collections", action="CLUSTERSTATUS", collection=news)["cluster"]["collections"][news]
    assert len(state["shards"]) == 2
    assert state["configName"] == configset_name() == f"newsarchive-v{SOLR_SCHEMA_VERSION}"
    nodes = {r["node_name"] for shard in state["shards"].values() for r in shard["replicas"].values()}
    assert len(nodes) == 2  # one shard on each node


def test_a_second_init_changes_nothing_and_says_so(cloud: SolrCloud, news: str) -> None:
    before = cloud.get("/admin/collections", action="CLUSTERSTATUS", collection=news)["cluster"]["collections"]
    message = init_collection(cloud.node_urls, news, shards=2, replicas=1)
    assert "already exists" in message and "nothing changed" in message and f"version {SOLR_SCHEMA_VERSION}" in message
    after = cloud.get("/admin/collections", action="CLUSTERSTATUS", collection=news)["cluster"]["collections"]
    assert after[news]["znodeVersion"] == before[news]["znodeVersion"]


def test_init_refuses_a_collection_of_another_version(cloud: SolrCloud) -> None:
    assert "Created collection older" in init_collection(cloud.node_urls, "older", shards=1, replicas=1)
    cloud.get("/admin/collections", action="COLLECTIONPROP", name="older", propertyName=VERSION_PROPERTY,
              propertyValue="0")
    with pytest.raises(SchemaVersionError) as refused:
        init_collection(cloud.node_urls, "older", shards=1, replicas=1)
    message = str(refused.value)
    assert "schema version 0" in message and f"schema version {SOLR_SCHEMA_VERSION}" in message
    assert "new collection" in message and "action=DELETE&name=older" in message


def test_inits_run_at_once_make_one_collection_and_neither_fails(cloud: SolrCloud) -> None:
    """Two deploys (or two indexers' first runs) at the same moment: one creates, the other finds it made."""
    start = threading.Barrier(3)
    said: list[str] = []
    failed: list[BaseException] = []

    def init() -> None:
        start.wait()
        try:
            said.append(init_collection(cloud.node_urls, "racing", shards=2, replicas=1))
        except BaseException as err:  # noqa: BLE001 - reported by the assertion below
            failed.append(err)

    threads = [threading.Thread(target=init) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not failed, failed
    assert sum(message.startswith("Created collection racing") for message in said) == 1, said
    state = cloud.get("/admin/collections", action="CLUSTERSTATUS", collection="racing")["cluster"]["collections"]
    assert len(state["racing"]["shards"]) == 2
    assert "already exists" in init_collection(cloud.node_urls, "racing", shards=2, replicas=1)


def test_init_tries_the_next_url_and_names_them_all_when_none_answers(cloud: SolrCloud, news: str) -> None:
    dead = "http://127.0.0.1:9/solr"
    assert "already exists" in init_collection([dead, *cloud.node_urls], news, shards=2, replicas=1)
    with pytest.raises(BackendUnavailableError, match="127.0.0.1:9/solr"):
        init_collection([dead], news, shards=2, replicas=1)


def test_unknown_fields_are_refused(solr: Solr, news: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        solr.post(f"/{news}/update?wt=json", json.dumps([{"id": "x", "story": "s1", "nonesuch": "guess me"}]).encode())
    assert "unknown field 'nonesuch'" in json.load(refused.value)["error"]["msg"]


# -- documents


def test_demo_articles_round_trip(solr: Solr, news: str, demo: tuple[dict[str, Article], Path]) -> None:
    articles, whoosh_folder = demo
    assert len(articles) == 86  # the demo's 80 English articles and its partner papers' 6 in other languages
    answer = solr.get(f"/{news}/select", q="*:*", rows="1000", fl="*")
    back = {doc["id"]: solr_to_article(doc) for doc in answer["response"]["docs"]}
    assert back == articles
    assert {a.language for a in back.values()} == {"en", "fr", "de", "es"}
    assert sum(1 for a in back.values() if a.people) > 20  # stated by some records, found in the others' text
    assert {k: a.related_headlines for k, a in back.items()} == {k: a.related_headlines for k, a in articles.items()}
    assert {doc["id"]: doc["fingerprint"] for doc in answer["response"]["docs"]} == {
        k: a.fingerprint for k, a in articles.items()}
    whoosh = open_backend("whoosh", whoosh_folder)
    try:
        assert all(whoosh.article(key) == article for key, article in back.items())
    finally:
        whoosh.close()


def test_facet_fields_hold_the_values_as_given(solr: Solr, news: str, demo: tuple[dict[str, Article], Path]) -> None:
    articles = demo[0]
    answer = solr.get(f"/{news}/select", q="*:*", rows="0", facet="true", **{
        "facet.field": "author_exact", "facet.limit": "-1", "json.nl": "map"})
    authors = Counter(name for article in articles.values() for name in article.author)
    assert answer["facet_counts"]["facet_fields"]["author_exact"] == dict(authors)
    dated = next(a for a in articles.values() if a.date is not None)
    day = f"{dated.date:%Y-%m-%d}" if dated.date else ""
    assert dated.id in solr.ids(news, "*:*", fq=f"day:{day}")


DEMO_PHRASES = ["flood wall", "Saltmarsh Quay ferry", "River Wend", "the jobs of the future", "U.K."]


@pytest.mark.parametrize("phrase", DEMO_PHRASES)
def test_phrases_match_as_in_whoosh(solr: Solr, news: str, demo: tuple[dict[str, Article], Path],
                                    phrase: str) -> None:
    terms = [token.text for token in news_analyzer()(phrase)]  # stop words dropped: "jobs of the future" = job futur
    for field in ("headline", "body"):
        expected = whoosh_phrase(demo[1], field, terms)
        assert solr.ids(news, f"{{!field f={field}}}{' '.join(terms)}") == expected
    assert expected, "each phrase is in some body"


def test_mlt_handler_takes_posted_preanalysed_text(solr: Solr, news: str,
                                                   demo: tuple[dict[str, Article], Path]) -> None:
    # Solr's MLT re-analyses stored text with the field's index analyzer, the JSON pre-analyser, which cannot
    # read plain text; it works from a posted pre-analysed value, on one core (the /mlt handler is not distributed).
    article = next(a for a in demo[0].values() if "flood wall" in a.body.lower())
    # The core that holds the article (the collection is routed by story: any shard may).
    shard = solr.get(f"/{news}/select", q=f'id:"{article.id}"', fl="id,[shard]")["response"]["docs"][0]["[shard]"]
    status = solr.get("/admin/collections", action="CLUSTERSTATUS", collection=news)["cluster"]["collections"][news]
    replica = next(iter(status["shards"][shard]["replicas"].values()))
    answer = Solr(replica["base_url"]).post(
        f"/{replica['core']}/mlt?wt=json&fl=id&mlt.fl=body&mlt.mindf=1&mlt.interestingTerms=list",
        preanalyzed(article.body).encode(), "text/plain")
    assert answer["response"]["numFound"] > 0 and "flood" in answer["interestingTerms"]


# -- Reuters: analysis parity and load time


@pytest.mark.slow
@pytest.mark.skipif(not REUTERS.is_dir(), reason=f"Reuters-21578 not found at {REUTERS}")
def test_reuters_analysis_parity(cloud: SolrCloud, solr: Solr, tmp_path: Path) -> None:
    files = sorted(REUTERS.rglob("*.sgm"))
    articles = parsed_articles(files)
    init_collection(cloud.node_urls, "reuters", shards=2, replicas=1)
    began = time.monotonic()
    sent = solr.index("reuters", articles.values())
    load = time.monotonic() - began
    assert solr.get("/reuters/select", q="*:*", rows="0")["response"]["numFound"] == sent == len(articles)
    report(f"Reuters load: {sent} articles in {load:.1f} s = {sent / load:.0f} docs/s (2 shards x 1, one client)")

    folder = whoosh_index(files, tmp_path / "whoosh")
    analyzer = news_analyzer()
    with open_index(folder).searcher() as searcher:
        reader = searcher.reader()
        assert reader.doc_count() == sent
        for field in ("headline", "body"):
            ours: Counter[str] = Counter()
            tokens = 0
            for article in articles.values():
                terms = [token.text for token in analyzer(getattr(article, field))]
                tokens += len(terms)
                ours.update(terms)
            indexed = solr.terms("reuters", field)
            whoosh = {term.decode(): (info.doc_frequency(), int(info.weight()))  # Whoosh terms are UTF-8 bytes
                      for term, info in reader.iter_field(field)}
            same_vocabulary = len(indexed.keys() & ours.keys()) / len(indexed.keys() | ours.keys()) * 100
            same_stats = sum(indexed[t] == whoosh.get(t) for t in indexed) / len(indexed.keys() | whoosh.keys()) * 100
            same_tokens = sum(min(ttf, ours[t]) for t, (_, ttf) in indexed.items()) / tokens * 100
            report(f"Reuters {field}: {tokens} tokens, {len(ours)} terms; vocabulary identical {same_vocabulary:.3f} %,"
                   f" df+ttf equal to Whoosh's {same_stats:.3f} %, tokens identical {same_tokens:.3f} %")
            assert same_tokens >= PARITY_MINIMUM and same_vocabulary >= PARITY_MINIMUM
            assert same_stats >= PARITY_MINIMUM

    for phrase in ("interest rates", "Bank of England", "U.S. dollar", "crude oil prices", "the trade deficit"):
        terms = [token.text for token in analyzer(phrase)]
        for field in ("headline", "body"):
            expected = whoosh_phrase(folder, field, terms)
            assert solr.ids("reuters", f"{{!field f={field}}}{' '.join(terms)}") == expected, (phrase, field)
        report(f"phrase {phrase!r} -> {' '.join(terms)}: {len(expected)} body matches in both")
