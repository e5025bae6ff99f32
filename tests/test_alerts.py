"""Alerts: new matches of a saved search reach a real local webhook receiver and a real local SMTP server, once.

The receivers are started here: an http.server on 127.0.0.1 in a thread (it can fail on cue, or kill the sender
mid-delivery), and aiosmtpd's SMTP server (plain, and STARTTLS with a login on a certificate made for the test).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from click.testing import CliRunner, Result

from indexer.alerts import alerts_lock, run_alerts
from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from indexer.delivery import Retry
from indexer.request import Search
from indexer.settings import INDEX
from indexer.watch import watch_paths
from newsarchive.cli import main

from .conftest import CORPUS, write_jsonl
from .test_watch import NEWSARCHIVE, wait_for

# CORPUS[:6] holds three articles about inflation: they match when the alert is added (in this order).
OLD_MATCHES = ["a1", "a4", "a5"]
NEW = [
    {"id": "n1", "title": "Inflation hits a ten-year high", "date": "2022-05-01", "source": "Gazette",
     "body": "Prices rose faster than at any time in ten years, and inflation worries markets."},
    {"id": "n2", "title": "<script>alert(3)</script> & inflation", "date": "2022-05-02", "source": "Courier",
     "body": "A hostile headline about inflation."},
    {"id": "https://example.org/news/3", "title": "Bank sees inflation easing", "date": "2022-05-03",
     "url": "https://example.org/news/3", "body": "The bank expects inflation to ease next year."},
    {"id": "n4", "title": "Harbour ferry back in service", "date": "2022-05-04", "body": "The ferry runs again."},
    {"id": "n5", "title": "Storm season begins", "date": "2022-05-05", "body": "Forecasters expect storms."},
]
NEW_MATCHES = {"n1", "n2", "https://example.org/news/3"}
QUICK = Retry(seconds=5, first_delay=0.05, timeout=5)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No index, base URL or SMTP server configured but the test's own."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("NEWSARCHIVE_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def index(tmp_path: Path) -> Path:
    """An index of CORPUS[:6], from the file `incoming/old.jsonl`."""
    (tmp_path / "incoming").mkdir()
    write_jsonl(tmp_path / "incoming" / "old.jsonl", CORPUS[:6])
    target = tmp_path / "ix"
    index_paths([tmp_path / "incoming"], open_backend(folder=target), IndexOptions(procs=1))
    return target


def add_new_articles(index: Path, records: list[dict[str, Any]] = NEW) -> None:
    """An indexing run that adds the 3 matching and 2 other articles (a file of its own)."""
    folder = index.parent / "incoming"
    index_paths([write_jsonl(folder / "new.jsonl", records)], open_backend(folder=index), IndexOptions(procs=1))


def cli(*args: object, env: dict[str, str] | None = None) -> Result:
    """Invoke `newsarchive ARGS...`."""
    return CliRunner().invoke(main, [str(a) for a in args], env=env, prog_name="newsarchive")


def ok(*args: object, env: dict[str, str] | None = None) -> Result:
    """Invoke and require exit status 0."""
    result = cli(*args, env=env)
    assert result.exit_code == 0, result.output
    return result


class Receiver:
    """A webhook receiver: records every POST (its JSON and headers), answers `failures` first, then 200."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.times: list[float] = []
        self.failures: list[int] = []  # statuses to answer, in order, before answering 200
        self.kill: subprocess.Popen[str] | None = None  # a sender to SIGKILL on the next POST, before answering
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append(json.loads(body))
                receiver.headers.append(dict(self.headers))
                receiver.times.append(time.monotonic())
                if receiver.kill is not None:  # the sender dies after sending, before it hears back
                    receiver.kill.send_signal(signal.SIGKILL)
                    receiver.kill.wait()
                    receiver.kill = None
                    return
                status = receiver.failures.pop(0) if receiver.failures else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url + "/moved")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def delivered(self) -> list[str]:
        """Return the article ids received, each once: a receiver deduplicating by delivery id."""
        seen: dict[str, list[str]] = {}
        for post in self.posts:
            seen.setdefault(post["delivery"], post["article_ids"])
        return [article_id for ids in seen.values() for article_id in ids]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    running.thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Mailbox:
    """aiosmtpd's handler: keeps each message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.replies: list[str] = []  # replies to DATA, in order, before accepting

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.replies:
            return self.replies.pop(0)
        assert isinstance(envelope.content, bytes)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 (no TLS), and the NEWSARCHIVE_SMTP_* settings that reach it."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "TLS": "none", "FROM": "alerts@example.org"}.items():
        monkeypatch.setenv(f"NEWSARCHIVE_SMTP_{name}", value)
    yield box
    controller.stop()


def sent_ids(receiver: Receiver) -> list[list[str]]:
    return [post["article_ids"] for post in receiver.posts]


# The webhook: exactly the new matches, once.


def test_the_next_run_sends_exactly_the_new_matches_once(index: Path, receiver: Receiver) -> None:
    added = ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    assert "3 article(s) match now, taken as seen" in added.stdout
    assert "rates: nothing new." in ok("alerts", "run", "--index", index).stdout and not receiver.posts
    add_new_articles(index)
    result = ok("alerts", "run", "--index", index)
    assert f"rates: 3 new article(s) sent to {receiver.url}" in result.stdout
    assert len(receiver.posts) == 1 and set(receiver.posts[0]["article_ids"]) == NEW_MATCHES
    post = receiver.posts[0]
    assert post["alert"] == "rates" and post["count"] == 3 and post["search"] == "q=inflation"
    assert receiver.headers[0]["Idempotency-Key"] == post["delivery"]
    assert receiver.headers[0]["Content-Type"] == "application/json; charset=utf-8"
    first = {a["id"]: a for a in post["articles"]}["n1"]
    assert first == {"id": "n1", "headline": "Inflation hits a ten-year high", "date": "2022-05-01T00:00:00",
                     "source": "Gazette", "url": None, "page": None, "story": first["story"]} and first["story"]
    assert "rates: nothing new." in ok("alerts", "run", "--index", index).stdout
    assert len(receiver.posts) == 1


def test_an_updated_article_is_not_sent_again(index: Path, receiver: Receiver) -> None:
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    add_new_articles(index)
    ok("alerts", "run", "--index", index)
    add_new_articles(index, [{**NEW[0], "title": "Inflation hits a ten-year high, revised"}, *NEW[1:]])
    assert "rates: nothing new." in ok("alerts", "run", "--index", index).stdout
    assert len(receiver.posts) == 1


def test_backfill_sends_what_matches_now_and_remove_forgets(index: Path, receiver: Receiver) -> None:
    added = ok("alerts", "add", "rates", "inflation", "--backfill", "--webhook", receiver.url, "--index", index)
    assert "the first `alerts run` sends them" in added.stdout
    ok("alerts", "run", "--index", index)
    in_order = [a.id for a in open_backend(folder=index).iter_matches(Search(query="inflation"), 10)]
    assert sent_ids(receiver) == [OLD_MATCHES] == [in_order]  # in the search's order
    ok("alerts", "remove", "rates", "--index", index)
    ok("alerts", "add", "rates", "inflation", "--backfill", "--webhook", receiver.url, "--index", index)
    ok("alerts", "run", "--index", index)
    assert sent_ids(receiver) == [OLD_MATCHES, OLD_MATCHES]
    assert receiver.posts[0]["delivery"] != receiver.posts[1]["delivery"]


def test_filters_narrow_an_alert(index: Path, receiver: Receiver) -> None:
    ok("alerts", "add", "gazette", "inflation", "--source", "Gazette", "--webhook", receiver.url, "--index", index)
    add_new_articles(index)
    ok("alerts", "run", "--index", index)
    assert sent_ids(receiver) == [["n1"]] and receiver.posts[0]["search"] == "q=inflation&source=Gazette"


WIRE = ("The harbour authority said on Tuesday that inflation in fuel prices would raise ferry fares by "
        "four percent from next month, the first rise since the pier was rebuilt.")


def test_an_alert_by_story_does_not_send_later_copies_of_a_story(index: Path, receiver: Receiver) -> None:
    add_new_articles(index, [{"id": "w1", "title": "Ferry fares to rise", "date": "2022-06-01", "source": "Wire",
                              "body": WIRE}])
    ok("alerts", "add", "stories", "inflation", "--group", "story", "--webhook", receiver.url, "--index", index)
    add_new_articles(index, [
        {"id": "w1", "title": "Ferry fares to rise", "date": "2022-06-01", "source": "Wire", "body": WIRE},
        {"id": "w2", "title": "Ferry fares going up", "date": "2022-06-02", "source": "Gazette", "body": WIRE},
        NEW[0],
    ])
    ok("alerts", "run", "--index", index)
    assert sent_ids(receiver) == [["n1"]]  # w2 is a copy of w1's story, seen when the alert was added


def test_a_large_backfill_is_sent_in_deliveries_of_bounded_size(index: Path, receiver: Receiver,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("indexer.alerts.MAX_DELIVERY_ARTICLES", 2)
    ok("alerts", "add", "rates", "inflation", "--backfill", "--webhook", receiver.url, "--index", index)
    ok("alerts", "run", "--index", index)
    assert sent_ids(receiver) == [OLD_MATCHES[:2], OLD_MATCHES[2:]]


def test_pages_on_this_archive_are_linked_when_the_base_url_is_set(index: Path, receiver: Receiver) -> None:
    from webapp import create_app

    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    add_new_articles(index)
    ok("alerts", "run", "--index", index, env={"NEWSARCHIVE_BASE_URL": "https://archive.example.org/"})
    pages = {a["id"]: a["page"] for a in receiver.posts[0]["articles"]}
    assert pages["n1"] == "https://archive.example.org/articles/n1"
    client = create_app({"INDEX": str(index), "TESTING": True}).test_client()
    for article_id, page in pages.items():  # the address opens the article's page in the web app
        response = client.get(page.removeprefix("https://archive.example.org"))
        assert response.status_code == 200, article_id
        assert {a["id"]: a for a in receiver.posts[0]["articles"]}[article_id]["headline"].split()[-1] in (
            response.get_data(as_text=True))


# Failures: retried with backoff, left for the next run, never sent twice under two delivery ids.


def test_a_receiver_failing_twice_then_succeeding_gets_them_once(index: Path, receiver: Receiver) -> None:
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    add_new_articles(index)
    receiver.failures = [503, 500]
    [outcome] = run_alerts(open_backend(folder=index), retry=QUICK)
    assert not outcome.error and outcome.sent == 3 and outcome.tries == 3
    assert len({post["delivery"] for post in receiver.posts}) == 1 and len(receiver.posts) == 3
    gaps = [later - earlier for earlier, later in zip(receiver.times, receiver.times[1:], strict=False)]
    assert 0.05 <= gaps[0] < gaps[1] and gaps[1] >= 0.1  # waits of 0.05 s, then 0.1 s: exponential backoff
    assert "rates: nothing new." in ok("alerts", "run", "--index", index).stdout and len(receiver.posts) == 3


def test_a_receiver_that_keeps_failing_leaves_the_articles_for_the_next_run(index: Path, receiver: Receiver) -> None:
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    add_new_articles(index)
    receiver.failures = [500, 500]
    started = time.monotonic()
    failed = cli("alerts", "run", "--retry-seconds", "2", "--index", index)  # tries at 0 and 1 s; the next at 3 s
    assert time.monotonic() - started < 5  # the retries stop within the time given
    assert failed.exit_code == 1
    assert "rates: FAILED: the webhook answered 500" in failed.stderr
    assert "(after 2 tries); 3 article(s) wait for the next run" in failed.stderr
    listed = json.loads(ok("alerts", "list", "--json", "--index", index).stdout)[0]
    assert listed["waiting"] == 3 and listed["delivered"] == 0 and "500" in listed["last_error"]
    result = ok("alerts", "run", "--index", index)
    assert "3 of them sent again" in result.stdout
    assert len({post["delivery"] for post in receiver.posts}) == 1  # the same delivery, sent until accepted
    assert sorted(receiver.delivered()) == sorted(NEW_MATCHES)
    assert json.loads(ok("alerts", "list", "--json", "--index", index).stdout)[0]["delivered"] == 3


@pytest.mark.parametrize(("status", "said"), [(404, "the webhook answered 404 Not Found"),
                                             (308, "the webhook redirected (308) to http://127.0.0.1:")])
def test_a_refusal_is_not_retried(index: Path, receiver: Receiver, status: int, said: str) -> None:
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    add_new_articles(index)
    receiver.failures = [status]
    [outcome] = run_alerts(open_backend(folder=index), retry=QUICK)
    assert said in outcome.error and "after 1 try" in outcome.error
    assert len(receiver.posts) == 1 and outcome.waiting == 3


def test_a_crash_after_sending_sends_again_and_the_receiver_can_deduplicate(index: Path,
                                                                           receiver: Receiver) -> None:
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    add_new_articles(index)
    process = subprocess.Popen([NEWSARCHIVE, "alerts", "run", "--index", str(index)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    receiver.kill = process  # killed once the receiver has the delivery, before it is marked as sent
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL and len(receiver.posts) == 1
    result = ok("alerts", "run", "--index", index)
    assert "3 of them sent again" in result.stdout
    first, again = receiver.posts
    assert again["delivery"] == first["delivery"] and again["article_ids"] == first["article_ids"]
    assert sorted(receiver.delivered()) == sorted(NEW_MATCHES)  # deduplicated by delivery id: each article once
    assert "rates: nothing new." in ok("alerts", "run", "--index", index).stdout and len(receiver.posts) == 2


def test_runs_exclude_each_other(index: Path, receiver: Receiver) -> None:
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    with alerts_lock(index):
        result = cli("alerts", "run", "--index", index)
    assert result.exit_code == 1 and "being run by another newsarchive process" in result.stderr


# E-mail digests over SMTP.


def test_an_email_alert_sends_one_digest_of_the_new_matches(index: Path, mailbox: Mailbox) -> None:
    ok("alerts", "add", "mail", "inflation", "--email", "desk@example.org", "--index", index)
    add_new_articles(index)
    ok("alerts", "run", "--index", index)
    [message] = mailbox.messages
    assert message["Subject"] == "[newsarchive] mail: 3 new articles"
    assert message["From"] == "alerts@example.org" and mailbox.recipients == [["desk@example.org"]]
    assert message["X-Newsarchive-Delivery"] in message["Message-ID"]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Inflation hits a ten-year high" in text and "<script>alert(3)</script> & inflation" in text
    assert "https://example.org/news/3" in text and "Harbour ferry" not in text
    page = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;script&gt;alert(3)&lt;/script&gt; &amp; inflation" in page and "<script>" not in page
    assert '<a href="https://example.org/news/3">Bank sees inflation easing</a>' in page
    ok("alerts", "run", "--index", index)
    assert len(mailbox.messages) == 1


def test_an_smtp_server_deferring_is_retried_and_one_refusing_is_not(index: Path, mailbox: Mailbox) -> None:
    ok("alerts", "add", "mail", "inflation", "--email", "desk@example.org", "--index", index)
    add_new_articles(index)
    mailbox.replies = ["554 5.7.1 Message refused"]
    [refused] = run_alerts(open_backend(folder=index), retry=QUICK)
    assert "the SMTP server answered 554 5.7.1 Message refused (after 1 try)" in refused.error
    assert refused.waiting == 3 and not mailbox.messages
    mailbox.replies = ["451 4.3.0 Try again later"]
    [deferred] = run_alerts(open_backend(folder=index), retry=QUICK)
    assert not deferred.error and deferred.tries == 2 and deferred.resent == 3 and len(mailbox.messages) == 1


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (openssl)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def test_starttls_and_a_login(index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret")

    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticate)
    controller.start()
    try:
        settings = {"HOST": "127.0.0.1", "PORT": str(port), "FROM": "alerts@example.org", "USER": "alerts",
                    "PASSWORD": "s3cret"}  # NEWSARCHIVE_SMTP_TLS: starttls, the default
        for name, value in settings.items():
            monkeypatch.setenv(f"NEWSARCHIVE_SMTP_{name}", value)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the test's certificate is the one trusted
        ok("alerts", "add", "mail", "inflation", "--email", "desk@example.org", "--index", index)
        add_new_articles(index)
        ok("alerts", "run", "--index", index)
    finally:
        controller.stop()
    assert logins == [(b"alerts", b"s3cret")] and len(box.messages) == 1


def test_email_settings_that_cannot_work_are_named(index: Path, mailbox: Mailbox,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ok("alerts", "add", "mail", "inflation", "--email", "desk@example.org", "--index", index)
    add_new_articles(index)
    monkeypatch.setenv("NEWSARCHIVE_SMTP_TLS", "none")
    monkeypatch.setenv("NEWSARCHIVE_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("NEWSARCHIVE_SMTP_PASSWORD", "secret")
    failed = cli("alerts", "run", "--index", index)
    assert failed.exit_code == 1 and "NEWSARCHIVE_SMTP_TLS=none would send the SMTP password unencrypted" in (
        failed.stderr)
    monkeypatch.delenv("NEWSARCHIVE_SMTP_HOST")
    failed = cli("alerts", "run", "--index", index)
    assert "mail: FAILED: NEWSARCHIVE_SMTP_HOST is not set" in failed.stderr and not mailbox.messages


# Watching: a pass that indexed something runs the alerts.


def test_watch_delivers_after_a_pass(index: Path, receiver: Receiver) -> None:
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    folder = index.parent / "incoming"
    process = subprocess.Popen([NEWSARCHIVE, "watch", str(folder), "--index", str(index), "--procs", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        write_jsonl(folder / "new.jsonl", NEW)
        wait_for(lambda: bool(receiver.posts), "the alert's delivery after a pass")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()  # reaps it and closes its pipes
    assert process.returncode == 0, err
    assert sent_ids(receiver) and set(sent_ids(receiver)[0]) == NEW_MATCHES and len(receiver.posts) == 1
    assert "rates: 3 new article(s) sent" in out


def test_a_failure_after_a_pass_never_stops_watching(index: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder, calls, reports = index.parent / "incoming", [], []
    stop = threading.Event()

    def failing() -> None:
        calls.append(1)
        raise RuntimeError("receiver on fire")

    thread = threading.Thread(target=watch_paths, args=([folder], open_backend(folder=index), IndexOptions(procs=1),
                                                        reports.append, stop, 200, 5, failing))
    thread.start()
    try:
        wait_for(lambda: bool(reports), "the first pass")
        write_jsonl(folder / "new.jsonl", NEW[:1])
        wait_for(lambda: len(calls) == 1, "the hook after the pass")
        write_jsonl(folder / "newer.jsonl", NEW[1:2])
        wait_for(lambda: len(calls) == 2, "another pass after the failure")
    finally:
        stop.set()
        thread.join(timeout=30)
    assert "receiver on fire" in caplog.text and sum(r.added for r in reports) == 2


# The command line: list, remove, and what is refused.


def test_list_and_remove(index: Path, receiver: Receiver) -> None:
    assert "No alerts" in ok("alerts", "list", "--index", index).stdout
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    ok("alerts", "add", "desk", "storm", "--topic", "weather", "--email", "desk@example.org", "--index", index)
    listed = ok("alerts", "list", "--index", index).stdout
    assert f"rates  webhook {receiver.url}  search: q=inflation" in listed
    assert "desk  email desk@example.org  search: q=storm&topic=weather" in listed
    assert "0 delivered, 0 waiting, 3 seen when added; not run yet" in listed
    as_json = json.loads(ok("alerts", "list", "--json", "--index", index).stdout)
    assert [a["name"] for a in as_json] == ["desk", "rates"] and as_json[1]["webhook"] == receiver.url
    missing = cli("alerts", "remove", "rates", "nope", "--index", index)
    assert missing.exit_code == 1 and "no alert named nope" in missing.stderr
    assert len(json.loads(ok("alerts", "list", "--json", "--index", index).stdout)) == 2  # nothing removed
    assert "Removed 1 alert(s): rates." in ok("alerts", "remove", "rates", "--index", index).stdout
    assert [a["name"] for a in json.loads(ok("alerts", "list", "--json", "--index", index).stdout)] == ["desk"]


@pytest.mark.parametrize(("args", "message"), [
    (["--webhook", "ftp://example.org/hook"], "the webhook must be an http:// or https:// URL with a host"),
    (["--webhook", "example.org/hook"], "the webhook must be an http:// or https:// URL"),
    (["--email", "Desk <desk@example.org>"], "the e-mail address must be a plain address"),
    (["--email", "desk@example.org\r\nBcc: all@example.org"], "the e-mail address must be a plain address"),
    (["--email", "a@example.org, b@example.org"], "the e-mail address must be a plain address"),
    ([], "give one of --webhook URL or --email ADDR"),
    (["--webhook", "http://example.org/", "--email", "a@example.org"], "give one of --webhook URL or --email"),
])
def test_bad_targets_are_refused(index: Path, args: list[str], message: str) -> None:
    result = cli("alerts", "add", "rates", "inflation", *args, "--index", index)
    assert result.exit_code in (1, 2) and message in result.stderr and "Traceback" not in result.output
    assert not json.loads(ok("alerts", "list", "--json", "--index", index).stdout)


def test_bad_names_searches_and_duplicates_are_refused(index: Path, receiver: Receiver) -> None:
    bad_name = cli("alerts", "add", "my alert", "inflation", "--webhook", receiver.url, "--index", index)
    assert bad_name.exit_code == 1 and "an alert name is 1-64 letters" in bad_name.stderr
    bad_query = cli("alerts", "add", "rates", "colour:red", "--webhook", receiver.url, "--index", index)
    assert bad_query.exit_code == 1 and "unknown field 'colour'" in bad_query.stderr
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url, "--index", index)
    again = cli("alerts", "add", "rates", "storm", "--webhook", receiver.url, "--index", index)
    assert again.exit_code == 1 and "there is already an alert named rates" in again.stderr
    no_index = cli("alerts", "add", "rates", "x", "--webhook", receiver.url, "--index", index.parent / "none")
    assert no_index.exit_code == 1 and "Error:" in no_index.stderr


def test_a_command_without_index_option_uses_the_configured_folder(index: Path, receiver: Receiver,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(INDEX.env, str(index))
    ok("alerts", "add", "rates", "inflation", "--webhook", receiver.url)
    assert (index / "alerts.sqlite3").exists()
    assert "rates" in ok("alerts", "list").stdout

