"""Absolute URLs come from NEWSARCHIVE_BASE_URL, not the Host header; TRUSTED_HOSTS and PROXY_FIX as the operator says.

Run against `newsarchive serve` (gunicorn's master and workers, on loopback) with forged Host and X-Forwarded-*
headers, as a cache poisoner or a client dodging rate limits would send them.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from xml.etree import ElementTree as ET

from bench.load import Server

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
EVIL = {"Host": "evil.example"}
FORWARDED = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/evil"}


@contextmanager
def serving(index_dir: Path, **settings: str) -> Iterator[int]:
    """`newsarchive serve` with these NEWSARCHIVE_* settings; yield its port, stop it by its PID after."""
    server = Server(index_dir, threads=2, settings=settings)
    try:
        server.wait_ready()
        yield server.port
    finally:
        server.stop()


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """GET a path with these headers (Host included, when given) and return status and body."""
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) as connection:
        connection.putrequest("GET", path, skip_host="Host" in (headers or {}))
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")


def links(port: int, headers: dict[str, str]) -> list[str]:
    """Every absolute URL the feed, the OpenSearch description and the API document give for these headers."""
    found: list[str] = []
    status, feed = get(port, "/search.atom?q=storm", headers)
    assert status == 200
    root = ET.fromstring(feed)
    found += [link.get("href", "") for link in root.iter(f"{ATOM}link")]
    found += [e.text or "" for e in root.iter(f"{ATOM}id")]
    status, description = get(port, "/opensearch.xml", headers)
    assert status == 200
    found += [u.get("template", "") for u in ET.fromstring(description).iter(f"{OPENSEARCH}Url")]
    status, document = get(port, "/api/openapi.json", headers)
    assert status == 200
    found += [server["url"] for server in json.loads(document)["servers"]]
    assert len(found) > 5
    return found


def test_absolute_urls_come_from_the_base_url_whatever_the_request_says(index_dir: Path) -> None:
    with serving(index_dir, BASE_URL="https://archive.example.org") as port:
        for headers in (EVIL, FORWARDED, {**EVIL, **FORWARDED}):
            found = links(port, headers)
            assert all(u.startswith("https://archive.example.org") and "evil" not in u for u in found), found


def test_serve_links_to_its_own_address_when_no_base_url_is_set(index_dir: Path) -> None:
    with serving(index_dir) as port:
        assert all(u.startswith(f"http://127.0.0.1:{port}") for u in links(port, {**EVIL, **FORWARDED}))


def test_trusted_hosts_refuse_other_hosts(index_dir: Path) -> None:
    with serving(index_dir, TRUSTED_HOSTS="127.0.0.1, archive.example.org") as port:
        assert get(port, "/?q=storm")[0] == 200
        assert get(port, "/?q=storm", {"Host": "archive.example.org"})[0] == 200
        status, body = get(port, "/?q=storm", EVIL)
        assert status == 400 and "not served here" in body and "evil.example" not in body
        status, body = get(port, "/api/search?q=storm", EVIL)
        assert status == 400 and json.loads(body)["error"]["code"] == "untrusted_host"


def test_forwarded_headers_count_only_behind_the_proxies_the_operator_names(index_dir: Path) -> None:
    dodging = [{"X-Forwarded-For": f"203.0.113.{n}"} for n in range(4)]
    with serving(index_dir, RATE_LIMIT="2") as port:  # no proxy named: X-Forwarded-* are anyone's words
        assert [get(port, "/?q=storm", headers)[0] for headers in dodging] == [200, 200, 429, 429]
        status, page = get(port, "/?q=storm", {"X-Forwarded-Prefix": "/evil"})
        assert 'href="/evil' not in page
    with serving(index_dir, RATE_LIMIT="2", PROXY_FIX="1") as port:  # one proxy, trusted to say who the client is
        assert [get(port, "/?q=storm", headers)[0] for headers in dodging] == [200, 200, 200, 200]
        status, page = get(port, "/?q=storm", {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Prefix": "/archive"})
        assert status == 200 and re.search(r'href="/archive/articles/', page)
