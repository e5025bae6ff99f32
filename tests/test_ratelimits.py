"""Rate limits counted in the index folder's ratelimits.sqlite3, shared by every limiter (every server process) on it,
and the per-process fallback when that store cannot be used (tests/test_serve.py runs them in real workers)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from webapp import create_app, ratelimits
from webapp.ratelimits import STORE_NAME, WINDOW_SECONDS, RateLimited, RateLimiter, SharedHits


def refused(limiter: RateLimiter, client: str = "10.0.0.1", kind: str = "search", limit: int = 3) -> bool:
    """Whether one more request is refused."""
    try:
        limiter.check(client, kind, limit)
    except RateLimited:
        return True
    return False


def test_limiters_on_one_folder_share_the_count(tmp_path: Path) -> None:
    one, other = RateLimiter(tmp_path), RateLimiter(tmp_path)  # as two worker processes have
    assert [refused(one), refused(other), refused(one)] == [False, False, False]
    assert refused(other) and refused(one)  # the limit, 3, is reached across both
    assert not refused(one, client="10.0.0.2") and not refused(other, kind="export")  # per client and per kind
    with pytest.raises(RateLimited, match=r"too many requests: try again in \d+ s") as caught:
        other.check("10.0.0.1", "search", 3)
    assert 1 <= caught.value.retry_after <= WINDOW_SECONDS + 1  # counted by the second: up to a second late
    assert (tmp_path / STORE_NAME).exists()


def test_the_window_slides_a_second_at_a_time_and_old_rows_are_pruned(tmp_path: Path) -> None:
    store = SharedHits(tmp_path / STORE_NAME)
    assert [store.count("a", "search", 3, now) for now in (1000.2, 1000.7, 1010.5)] == [None, None, None]
    assert store.count("a", "search", 3, 1030.0) == 1001.0  # refused: the oldest counted may be as late as 1001
    assert store.count("a", "search", 3, 1060.9) == 1001.0  # 1000.7 is a minute old, but 1000.2 too near to tell
    assert store.count("a", "search", 3, 1061.0) is None  # second 1000 has left the window: both its requests
    assert store.count("a", "search", 3, 1061.5) is None
    assert store.count("a", "search", 3, 1062.0) == 1011.0  # 1010.5, 1061.0 and 1061.5 are counted
    rows = sqlite3.connect(tmp_path / STORE_NAME)
    assert rows.execute("SELECT client, second, hits FROM seconds ORDER BY second").fetchall() == [
        ("a", 1010, 1), ("a", 1061, 2)]  # a row per second, not per request
    store.count("b", "search", 2, 1122.0)  # a minute on, b's request prunes every client's expired rows, a's too
    assert rows.execute("SELECT client, second, hits FROM seconds").fetchall() == [("b", 1122, 1)]
    rows.close()
    store.close()


def test_a_long_window_costs_a_check_what_a_short_one_does(tmp_path: Path) -> None:
    store = SharedHits(tmp_path / STORE_NAME)
    for n in range(18_000):  # 300 requests a second for a minute
        assert store.count("a", "search", 20_000, 1000 + n / 300) is None
    rows = sqlite3.connect(tmp_path / STORE_NAME)
    assert rows.execute("SELECT count(*), sum(hits) FROM seconds").fetchone() == (60, 18_000)
    assert store.count("a", "search", 18_000, 1059.5) == 1001.0  # the limit, counted over 60 rows
    rows.close()
    store.close()


def test_an_unusable_store_falls_back_to_memory_saying_so_once(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / STORE_NAME).mkdir()  # a folder where the database should be: SQLite cannot open it
    one, other = RateLimiter(tmp_path), RateLimiter(tmp_path)
    with caplog.at_level(logging.WARNING, logger="webapp.ratelimits"):
        assert [refused(one) for _ in range(4)] == [False, False, False, True]  # still limited, in memory
        assert not refused(other)  # per process: the other limiter counts its own
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 2  # once per limiter, not per request
    assert f"{tmp_path / STORE_NAME} cannot be used" in warnings[0] and "per server process" in warnings[0]


def test_a_folder_made_later_is_used_once_it_exists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(ratelimits, "RETRY_SECONDS", 0.0)  # try the store again at every request
    folder = tmp_path / "ix"
    limiter = RateLimiter(folder)
    with caplog.at_level(logging.WARNING, logger="webapp.ratelimits"):
        assert not refused(limiter)  # no index folder yet (serve started before the first index run)
        folder.mkdir()
        assert not refused(limiter)
    assert "no folder" in caplog.records[0].getMessage() and "again" in caplog.records[1].getMessage()
    assert (folder / STORE_NAME).exists() and not folder.joinpath("..", STORE_NAME).resolve().exists()


def test_the_app_counts_in_its_index_folder(index_dir: Path) -> None:
    client = create_app({"INDEX": str(index_dir), "RATE_LIMIT": 2}).test_client()
    other = create_app({"INDEX": str(index_dir), "RATE_LIMIT": 2}).test_client()  # another process's app
    assert [client.get("/api/search").status_code, other.get("/api/search").status_code] == [200, 200]
    response = client.get("/api/search")
    assert response.status_code == 429 and response.get_json()["error"]["code"] == "rate_limited"
    assert other.get("/").status_code == 429
    assert (index_dir / STORE_NAME).exists()


def test_no_limit_writes_nothing(index_dir: Path) -> None:
    client = create_app({"INDEX": str(index_dir), "RATE_LIMIT": 0}).test_client()
    assert client.get("/api/search").status_code == 200
    assert not (index_dir / STORE_NAME).exists()
