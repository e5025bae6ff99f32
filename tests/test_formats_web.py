"""End to end: a folder mixing web pages, feeds, a web archive, plain text and JSON Lines, indexed in one
`newsarchive index` run and searched with `newsarchive search`, as a user would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from indexer.settings import INDEX
from newsarchive.cli import main

from .webarchives import WEB, Capture, page, write_warc

TEXT_ARTICLE = """Harbour ferry returns after winter repairs

Sam Writer
March 3, 2021 - 9:15 am
Transport

The harbour ferry returned to service on Monday after three months of winter repairs.

Commuters said they were glad to leave the bus behind.
"""
WIRE = {
    "id": "wire-2022-117",
    "title": "Scarrow Point lifeboat called out twice in one night",
    "authors": ["Dmitri Vasquez-Lund"],
    "published": "2022-08-14T23:50:00+01:00",
    "section": "Community",
    "source": "Alder Vale Wire",
    "body": "The Scarrow Point lifeboat launched twice on Saturday night, first to a dinghy and then to a yacht.",
}
# What a user sees for each article: headline -> (authors, date, topics, source).
EXPECTED = {
    "Ferry fares to rise 12% from April, operator confirms": (
        ["Priya Castellanos"],
        "2023-03-14T07:45:00",
        ["Transport", "ferries", "Kestrel Bay", "cost of living"],
        "Alder Vale Chronicle",
    ),
    "Lowmoor library reopens after flood repairs": (
        ["Hollis Grant", "Mina Sato"],
        "2020-05-12T10:30:00",
        [],
        "lowmoor-gazette.example",
    ),
    "Grünwald bakery wins £2,000 prize": ([], "2004-06-18T00:00:00", [], "Alder Vale Wire"),
    "Marrowby bypass plan voted down": (
        ["Priya Castellanos", "Tomasz Wierzbicki"],
        "2023-03-16T21:40:00",
        ["Politics", "Marrowby"],
        "Alder Vale Chronicle",
    ),
    "Lighthouse cafe wins national scone award": (
        ["Hannah Oyelaran"],
        "2023-03-14T12:05:00",
        ["Food & Drink"],
        "Alder Vale Chronicle",
    ),
    "Harbour seals return to Gullstone sandbar": (
        ["Zoë Marchetti", "Callum Reyes-Whitby"],
        "2021-11-02T18:05:00",
        ["Environment", "wildlife"],
        "Kestrel Bay Tribune",
    ),
    "Ferry timetable: winter sailings cut to four a day": (
        ["Harriet Quayle"],
        "2021-10-28T07:30:00",
        ["Transport"],
        "Kestrel Bay Tribune",
    ),
    "Ferry cancelled: high winds": ([], None, [], "Gullstone Island Notices"),
    "Harbour office closed on Monday": ([], None, [], "Gullstone Island Notices"),
    "Amateur collector finds ichthyosaur jaw at Scarrow Point": (
        ["Agnieszka Novák", "Dele Okonkwo-Hart"],
        "2022-09-06T16:20:00",
        ["Science", "fossils", "Scarrow Point", "Jurassic coast"],
        "Northfield Evening Post",
    ),
    "Volunteers repaint Marrowby lido before summer opening": (
        ["Tobias Learmonth"],
        "2023-03-21T06:30:00",  # the capture time: the page states no date
        ["Community"],
        "Marrowby Courier",
    ),
    "Harbour ferry returns after winter repairs": (
        ["Sam Writer"],
        "2021-03-03T09:15:00",
        ["Transport"],
        "Valley Courier (fictional sample)",
    ),
    "Scarrow Point lifeboat called out twice in one night": (
        ["Dmitri Vasquez-Lund"],
        "2022-08-14T23:50:00",
        ["Community"],
        "Alder Vale Wire",
    ),
}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A folder as archives come: pages, feeds, a crawl, text and JSON Lines, and a few broken files."""
    folder = tmp_path / "archive"
    for relative, name in [
        ("pages/ferry-fares.html", "boilerplate.html"),
        ("pages/library.htm", "plain-meta.html"),
        ("pages/2004/bakery.html", "latin1-declared.html"),
        ("feeds/chronicle.rss", "chronicle.rss"),
        ("feeds/tribune.atom", "tribune.atom"),
        ("feeds/notices.rss", "invalid.rss"),
    ]:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(WEB / name, folder / relative)
    crawl = [
        Capture("https://northfieldpost.example/science/ichthyosaur-jaw/?ref=home", page("jsonld-graph.html")),
        Capture(
            "https://www.courier.example/community/lido-volunteers", page("no-date.html"), date="2023-03-21T06:30:00Z"
        ),
        Capture("https://www.courier.example/lido", b"", status="302 Found"),
        Capture("https://www.courier.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png"),
        Capture("https://www.courier.example/gone", page("not-found.html"), status="404 Not Found"),
    ]
    (folder / "crawls").mkdir()
    write_warc(folder / "crawls" / "courier-2023-03.warc.gz", crawl)
    (folder / "text").mkdir()
    (folder / "text" / "2021-03-03-harbour-ferry.txt").write_text(TEXT_ARTICLE, encoding="utf-8")
    (folder / "wire.jsonl").write_text(json.dumps(WIRE, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "pages" / "download.html").write_bytes(bytes(range(256)) * 16)
    (folder / "feeds" / "empty.rss").write_bytes(b"")
    return folder


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in tmp_path with no index configured, so the test never touches ./index of the repository."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(INDEX.env, raising=False)


def _run(*args: object) -> Result:
    result = CliRunner().invoke(main, [str(arg) for arg in args], prog_name="newsarchive")
    assert result.exit_code == 0, result.output
    return result


def _search(index: Path, *args: object) -> dict[str, Any]:
    page: dict[str, Any] = json.loads(_run("search", "--json", "--per-page", 100, "--index", index, *args).stdout)
    return page


def test_one_run_indexes_every_format_and_reports_what_it_could_not(tmp_path: Path, archive: Path) -> None:
    index = tmp_path / "ix"
    result = _run("index", archive, "--index", index, "--source", "Valley Courier (fictional sample)")
    assert f"Indexed {index}: 13 added, 0 updated, 0 unchanged, 0 deleted; 2 skipped. 11 files read" in result.stdout
    problems = result.stderr.replace(str(archive) + "/", "")
    assert "  pages/download.html: binary file, not text" in problems
    assert "  feeds/empty.rss: empty file" in problems
    assert (
        "  feeds/notices.rss: malformed feed (mismatched tag at line 7, column 48); 2 items could still be read"
        in problems
    )
    assert (
        "  crawls/courier-2023-03.warc.gz: 9 records not articles: 5 request records, 1 warcinfo record, 1 redirect, "
        "1 non-HTML response, 1 HTTP error (4xx, 5xx)" in problems
    )

    hits = _search(index)["hits"]
    seen = {hit["headline"]: (hit["author"], hit["date"], hit["topic"], hit["source"]) for hit in hits}
    assert seen == EXPECTED
    urls = {hit["headline"]: hit["url"] for hit in hits}
    assert urls["Amateur collector finds ichthyosaur jaw at Scarrow Point"] == (
        "https://northfieldpost.example/science/ichthyosaur-jaw/"  # canonical: the crawl's ?ref=home dropped
    )
    assert urls["Volunteers repaint Marrowby lido before summer opening"] == (
        "https://www.courier.example/community/lido-volunteers"
    )


def test_searching_what_came_from_the_web(tmp_path: Path, archive: Path) -> None:
    index = tmp_path / "ix"
    _run("index", archive, "--index", index, "--source", "Valley Courier (fictional sample)")
    [ferry] = _search(index, "marine diesel")["hits"]
    assert ferry["headline"] == "Ferry fares to rise 12% from April, operator confirms"
    assert "<mark>diesel</mark>" in ferry["snippet"]
    assert _search(index, 'harbourwatcher OR disgrace OR "fjord cruise" OR "Coastline Dental"')["total"] == 0
    chronicle = _search(index, "--source", "Alder Vale Chronicle")
    assert chronicle["total"] == 3
    assert [hit["headline"] for hit in _search(index, "--author", "Zoë Marchetti")["hits"]] == [
        "Harbour seals return to Gullstone sandbar"
    ]
    assert _search(index, "Grünwald")["hits"][0]["headline"] == "Grünwald bakery wins £2,000 prize"
    transport = {hit["headline"] for hit in _search(index, "--topic", "Transport")["hits"]}
    assert transport == {
        "Ferry fares to rise 12% from April, operator confirms",
        "Ferry timetable: winter sailings cut to four a day",
        "Harbour ferry returns after winter repairs",
    }


def test_second_run_finds_the_web_files_unchanged(tmp_path: Path, archive: Path) -> None:
    index = tmp_path / "ix"
    _run("index", archive, "--index", index)
    again = _run("index", archive, "--index", index)
    # The files that read cleanly are not read again; those with a problem are, so it is reported until fixed.
    assert "0 added, 0 updated" in again.stdout and "0 deleted; 2 skipped" in again.stdout
