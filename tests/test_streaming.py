"""Large JSON Lines and CSV files are read a line at a time: the same lines as reading them whole, in flat memory."""

from __future__ import annotations

import codecs
import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from indexer.parsers import decoding, parse_path
from indexer.records import Article, Skipped

# Text lines as archives hold them: accents, quotes, commas, BOMs and NULs from joined files, lone CRs.
_LINE = st.text(alphabet=st.sampled_from(list('ab é"€,{}\r\x00\ufeff\t') + ["中"]), max_size=12)
_ENDS = st.sampled_from(["\n", "\r\n"])


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[decoding.TextLines | Skipped, ...]:
    """The file read whole and streamed."""
    with monkeypatch.context() as patch:
        patch.setattr(decoding, "STREAM_BYTES", 10**12)
        whole = decoding.read_lines(path)
        patch.setattr(decoding, "STREAM_BYTES", 0)
        streamed = decoding.read_lines(path)
    if isinstance(whole, decoding.TextLines):
        assert whole.text is not None
    if isinstance(streamed, decoding.TextLines):
        assert streamed.text is None
    return whole, streamed


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.tuples(_LINE, _ENDS), min_size=1, max_size=8), last_end=st.booleans(), bom=st.booleans())
def test_a_streamed_utf8_file_reads_as_the_whole_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[tuple[str, str]], last_end: bool, bom: bool
) -> None:
    text = "".join(line + end for line, end in lines)
    if not last_end:
        text = text[: -len(lines[-1][1])]
    if not text.strip(" \t\r\n\ufeff"):
        text += "x"  # an empty file is a Skipped either way (tested in test_hostile_input)
    path = tmp_path / "lines.jsonl"
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    # A NUL in every other byte reads as UTF-16 without a BOM, which both ways read whole (test_hostile_input).
    assume(decoding._utf16_without_bom(data) is None)
    path.write_bytes(data)
    whole, streamed = _both(path, monkeypatch)
    if isinstance(whole, Skipped) or isinstance(streamed, Skipped):
        assert streamed == whole  # NULs enough to look binary, say
        return
    assert list(streamed) == list(whole)
    assert (streamed.count, streamed.quotes) == (whole.count, whole.quotes) == (len(list(whole)), text.count('"'))


def test_a_streamed_file_mixing_utf8_and_cp1252_lines_reads_each_in_its_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "appended.jsonl"
    path.write_bytes(
        '{"title": "Café crème prices in UTF-8"}\n'.encode()
        + "".join(f'{{"title": "Crème brûlée déjà vu, line {n}"}}\r\n' for n in range(20)).encode("cp1252")
    )
    whole, streamed = _both(path, monkeypatch)
    assert isinstance(whole, decoding.TextLines) and isinstance(streamed, decoding.TextLines)
    lines = list(streamed)
    assert lines == list(whole) and len(lines) == 21
    assert lines[0] == '{"title": "Café crème prices in UTF-8"}'  # not mojibake
    assert lines[1].startswith('{"title": "Cr') and "\ufffd" not in "".join(lines)


def _big_jsonl(path: Path, articles: int, body_chars: int) -> Path:
    body = ("Oil prices rose sharply in early trading, dealers said. " * (body_chars // 56 + 1))[:body_chars]
    with path.open("w", encoding="utf-8") as file:
        for n in range(articles):
            file.write(json.dumps({"id": f"big-{n}", "title": f"Oil report {n}", "date": "1987-03-02",
                                   "body": body}) + "\n")
    return path


def test_a_jsonl_file_larger_than_the_stream_size_is_read_in_flat_memory(tmp_path: Path) -> None:
    path = _big_jsonl(tmp_path / "dump.jsonl", articles=1_200, body_chars=40_000)  # 48 MB
    assert path.stat().st_size > 2 * decoding.STREAM_BYTES
    tracemalloc.start()
    try:
        articles = sum(isinstance(item, Article) for item in parse_path(path))
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert articles == 1_200
    # Read whole, the file's bytes and text alone are 96 MB; a line at a time, a few lines' worth.
    assert peak_mb < 8, f"{peak_mb:.0f} MB at the peak for a {path.stat().st_size / 2**20:.0f} MB file"


def test_a_csv_file_larger_than_the_stream_size_is_read_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    body = "Wheat exports fell, the ministry said; ""quoted"" figures followed. " * 700  # about 45 KB
    with path.open("w", encoding="utf-8") as file:
        file.write("id,headline,date,body\n")
        for n in range(500):
            file.write(f'csv-{n},Wheat report {n},1987-03-02,"{body}\nSecond paragraph {n}."\n')
    assert path.stat().st_size > decoding.STREAM_BYTES
    tracemalloc.start()
    try:
        items = list(parse_path(path))
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    articles = [item for item in items if isinstance(item, Article)]
    assert not [item for item in items if isinstance(item, Skipped)]
    assert [a.headline for a in articles[:2]] == ["Wheat report 0", "Wheat report 1"]
    assert len(articles) == 500 and articles[7].body.endswith("\nSecond paragraph 7.")
    # The parsed articles themselves are kept here (about 23 MB of text); the file's 23 MB is not held on top.
    assert peak_mb < 40, f"{peak_mb:.0f} MB at the peak"


def test_a_quote_left_open_is_found_in_a_streamed_csv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "open.csv"
    path.write_text('headline,body\nFirst story,Fine.\nSecond story,"Never closed\nthird line\nfourth\n',
                    encoding="utf-8")
    monkeypatch.setattr(decoding, "STREAM_BYTES", 0)
    items = list(parse_path(path))
    assert [a.headline for a in items if isinstance(a, Article)] == ["First story"]
    assert [(s.where, s.reason) for s in items if isinstance(s, Skipped)] == [
        ("row 3", "a quote is left open: the row runs on to the end (line 5)")
    ]
