"""Real-browser fixtures: a corpus indexed in a temp folder, the app on a loopback port, another origin that
embeds it, and Debian's Chromium driven by Playwright. Every page fails its test on an unexpected console error."""

from __future__ import annotations

import html
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
import waitress
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, Playwright, sync_playwright

from indexer.backend import open_backend
from indexer.build import IndexOptions, index_paths
from tests.conftest import CORPUS, write_jsonl
from webapp import create_app

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Playwright waits this long for an element or a navigation: the app answers in milliseconds on loopback.
TIMEOUT_MS = 10_000

PAYLOAD_SCRIPT = '<script>window.__pwned = "script"</script>'
PAYLOAD_IMG = "<img src=x onerror=\"window.__pwned = 'img'\">"
PAYLOAD_SVG = "\"><svg onload=window.__pwned='svg'>"
PAYLOADS = (PAYLOAD_SCRIPT, PAYLOAD_IMG, PAYLOAD_SVG)
JAVASCRIPT_URL = "javascript:window.__pwned='url'"


def _article(id: str, title: str, author: str, date: str, topic: list[str], source: str, body: str) -> dict[str, Any]:
    return {"id": id, "title": title, "author": author, "date": date, "topic": topic, "source": source, "body": body}


# Fictional. Thirteen articles say "harvest" (and no other form of the word): two result pages of ten, spread over
# four years and several topics and sources, so facets, paging, sorting, the timeline and related coverage all
# have something to show. The rest are other topics, so that a search narrows the archive.
EXTRA = [
    _article("h01", "Wheat harvest begins early in the valley", "Maria Chen", "2019-07-12", ["agriculture"], "Courier",
             "Farmers in the valley started the wheat harvest two weeks early after a warm spring.\n\n"
             "Combines worked through the night while grain merchants watched prices."),
    _article("h02", "Record grape harvest for hillside vineyards", "Tom Baker", "2019-09-28",
             ["agriculture", "business"], "Daily Planet",
             "Vineyards on the hillside reported a record grape harvest, and winemakers expect a strong vintage."),
    _article("h03", "Drought threatens the maize harvest", "Maria Chen", "2020-08-03", ["agriculture", "weather"],
             "Gazette", "A long drought has left maize fields parched, and growers fear the harvest will be thin."),
    _article("h04", "Harvest festival draws crowds", "Ravi Patel", "2020-09-19", ["agriculture"], "Courier",
             "Thousands visited the harvest festival in the market square, where growers sold pumpkins and cider."),
    _article("h05", "Grain prices climb after poor harvest", "Tom Baker", "2020-10-02",
             ["agriculture", "economy", "markets"], "Daily Planet",
             "Grain prices rose sharply after a poor wheat harvest cut supplies.\n\n"
             "Millers warned that bread would cost more, and grain merchants said stocks were low."),
    _article("h06", "Farmers hire pickers for apple harvest", "Ravi Patel", "2021-09-07", ["agriculture", "business"],
             "Courier", "Orchards hired hundreds of seasonal pickers to bring in the apple harvest before the frost."),
    _article("h07", "Hail storm flattens barley before harvest", "Lena Novak", "2021-06-21",
             ["agriculture", "weather"], "Gazette",
             "A hail storm flattened barley fields a month before harvest; farmers counted their losses."),
    _article("h08", "Olive harvest falls short", "Maria Chen", "2021-11-15", ["agriculture"], "Evening Post",
             "Olive growers said the harvest fell short after a dry summer, and oil prices may rise."),
    _article("h09", "Rice harvest lifts export hopes", "Ravi Patel", "2022-03-09", ["agriculture", "economy"],
             "Daily Planet", "A strong rice harvest lifted hopes for exports; grain merchants expect higher sales."),
    _article("h10", "Machines speed up the potato harvest", "Lena Novak", "2022-09-30", ["agriculture", "science"],
             "Courier", "New sorting machines sped up the potato harvest, engineers at the farm college said."),
    _article("h11", "Late rains delay harvest in the north", "Tom Baker", "2022-10-14", ["agriculture", "weather"],
             "Gazette", "Late autumn rains delayed the wheat harvest in the north, leaving grain in wet fields."),
    _article("h12", "Harvest workers call for higher pay", "Ann Lee", "2022-08-22", ["agriculture", "politics"],
             "Evening Post", "Seasonal harvest workers marched to parliament to ask for higher pay and housing."),
    _article("h13", "Cooperative sells the harvest directly", "Maria Chen", "2020-09-05",
             ["agriculture", "business"], "Courier",
             "A farm cooperative now sells its harvest directly to shops, cutting out grain merchants."),
    _article("s01", "City win the league final", "Omar Haddad", "2019-05-25", ["sports"], "Evening Post",
             "City won the league final in extra time after a late equaliser stunned the home crowd."),
    _article("s02", "Marathon record falls in the rain", "Omar Haddad", "2019-10-13", ["sports"], "Wire",
             "A runner broke the course record at the city marathon despite heavy rain."),
    _article("s03", "Tennis star retires", "Sara Olsen", "2020-02-11", ["sports"], "Gazette",
             "The former champion announced her retirement after twenty seasons on the tour."),
    _article("s04", "Rowing crew wins river race", "Sara Olsen", "2021-04-03", ["sports"], "Evening Post",
             "The university rowing crew won the annual river race by two lengths."),
    _article("s05", "Cycling tour ends in a sprint", "Omar Haddad", "2022-07-24", ["sports"], "Wire",
             "The cycling tour ended in a mass sprint on the boulevard, and the leader kept the yellow jersey."),
    _article("s06", "Stadium roof repaired", "Sara Olsen", "2022-01-18", ["sports", "business"], "Gazette",
             "Builders finished repairing the stadium roof in time for the new season."),
    _article("c01", "Comet visible to the naked eye", "Ines Duarte", "2020-07-10", ["science"], "Daily Planet",
             "Astronomers said the comet would be visible before dawn for two weeks."),
    _article("c02", "New telescope sees distant galaxies", "Ines Duarte", "2021-12-28", ["science"], "Wire",
             "The new space telescope returned its first images of distant galaxies."),
    _article("c03", "Bees navigate by the sun", "Karl Weber", "2019-04-02", ["science"], "Gazette",
             "Biologists showed that bees use the position of the sun to find their way home."),
    _article("c04", "Fusion experiment sets a record", "Karl Weber", "2022-02-09", ["science"], "Evening Post",
             "Physicists held a fusion plasma for a record five seconds."),
    _article("c05", "Ancient shipwreck mapped", "Ines Duarte", "2021-08-16", ["science"], "Courier",
             "Divers and robots mapped an ancient shipwreck off the coast."),
    _article("c06", "Glacier retreat measured from space", "Karl Weber", "2020-12-01", ["science", "weather"],
             "Wire", "Satellite measurements show the glacier retreated faster than expected."),
    _article("p01", "Parliament passes budget", "Ann Lee", "2019-03-14", ["politics", "economy"], "Daily Planet",
             "Parliament passed the budget after a long night of debate."),
    _article("p02", "Mayor opens new library", "Ann Lee", "2020-05-06", ["politics"], "Evening Post",
             "The mayor opened the new public library, the first in the district for fifty years."),
    _article("p03", "Coalition talks stall", "Victor Hugo Ramos", "2021-10-20", ["politics"], "Gazette",
             "Talks to form a coalition government stalled over tax policy."),
    _article("p04", "Referendum date set", "Victor Hugo Ramos", "2022-05-30", ["politics"], "Wire",
             "The government set a date for the referendum on electoral reform."),
    _article("w01", "River floods the old town", "Lena Novak", "2021-02-02", ["weather"], "Courier",
             "The river burst its banks and flooded the old town after days of rain."),
    _article("w02", "Heatwave breaks records", "Lena Novak", "2022-07-19", ["weather"], "Evening Post",
             "Temperatures broke records across the country during the heatwave."),
]

# One wire story run by three outlets, lightly edited (fictional): grouped, the search page shows it once.
GLASSWORKS = ("The old glassworks on the canal will reopen as a museum of craft next spring, the town council "
              "said on Thursday, after a three-year restoration paid for by a local trust and a national grant.\n\n"
              "The furnace hall will hold working demonstrations every weekend, and the former warehouse will show "
              "the bottles and lamps the works made for more than a century.")
STORY = [
    _article("g01", "Old glassworks to reopen as a museum", "Lena Novak", "2020-06-10", ["culture"], "Wire",
             GLASSWORKS),
    _article("g02", "Glassworks museum opens next spring", "Lena Novak", "2020-06-10", ["culture"], "Courier",
             "CANALSIDE (Courier) - " + GLASSWORKS),
    _article("g03", "Canal glassworks will be a museum", "Lena Novak", "2020-06-11", ["culture"], "Gazette",
             GLASSWORKS.split("\n\n")[0] + " Residents welcomed the news."),
]

# Hostile input: markup in every text field, and a script url. It must show as text and never run.
HOSTILE: list[dict[str, Any]] = [
    {"id": "x1", "title": f"Quagga report {PAYLOAD_SCRIPT} {PAYLOAD_IMG} {PAYLOAD_SVG}",
     "author": list(PAYLOADS), "date": "2021-05-05", "topic": list(PAYLOADS), "source": "Gazette",
     "body": f"The quagga report quotes {PAYLOAD_SCRIPT} and {PAYLOAD_IMG} and {PAYLOAD_SVG} verbatim."},
    {"id": "x2", "title": "Zebra link report", "author": "Mallory", "date": "2021-05-06", "topic": ["science"],
     "source": "Wire", "url": JAVASCRIPT_URL, "body": "The zebra report links to a script url."},
]

ARTICLES: list[dict[str, Any]] = [*cast(list[dict[str, Any]], CORPUS), *EXTRA, *STORY, *HOSTILE]


@dataclass
class Site:
    """Where the servers listen: the app, and a page of another origin that embeds it."""

    app: str
    other: str

    def host_page(self, frame_query: str | None = None, **widget: str) -> str:
        """Return the other origin's page; with frame_query it also frames /embed?q=frame_query.

        Keyword arguments are options of its widget, without their data- prefix: locale="fr" is data-locale="fr".
        """
        params = ([] if frame_query is None else [("frame", frame_query)]) + sorted(widget.items())
        return self.other + "/" + ("?" + urlencode(params, quote_via=quote) if params else "")

    def resizing_page(self) -> str:
        """Return the other origin's page that frames /embed with the resize snippet of docs/web.md, as given there."""
        return self.other + "/resizing"

    def trends_page(self, query: str) -> str:
        """Return the other origin's page that frames /embed/trends?query (a query string: q=a&q=b&unit=year)."""
        return self.other + "/trends-frame?" + urlencode({"src": query})


@dataclass(frozen=True)
class Report:
    """A console error or uncaught exception: its text and the url it concerns."""

    text: str
    url: str = ""

    def __str__(self) -> str:
        return f"{self.text} ({self.url})" if self.url else self.text


@dataclass
class Watch:
    """What a page reported: console errors, uncaught errors and dialogs."""

    errors: list[Report] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


Allowance = Callable[[Report], bool]

# The console errors a test may see; any other fails it. Kept short on purpose:
# - The app serves no /favicon.ico and its pages link no icon; Chromium asks for one by itself and logs the 404.
#   Users never see it, and it says nothing about the page.
# - Nothing else by default. In particular no Content-Security-Policy violation is allowed, not even on the hostile
#   article's pages: the app escapes the payloads, so they never reach the DOM as markup and the CSP never has
#   anything to block. A violation report would mean escaping failed and only the CSP stood in the way.
# - A test that opens an error page on purpose allows the one console error Chromium logs for that status
#   (`allow_status(400)`).
HTTP_STATUS = "Failed to load resource: the server responded with a status of {status} "


def _favicon(report: Report) -> bool:
    return report.text.startswith(HTTP_STATUS.format(status=404)) and urlsplit(report.url).path == "/favicon.ico"


@pytest.fixture(scope="session", autouse=True)
def _browser_tools() -> None:
    """Skip these tests where the browser or axe-core is missing, except in CI, where that must fail."""
    missing = [str(p) for p in (CHROMIUM, AXE) if not p.exists()]
    if missing and not os.environ.get("CI"):
        pytest.skip(f"browser tests need {', '.join(missing)} (see .ci/run)")


@pytest.fixture(scope="session")
def corpus() -> list[dict[str, Any]]:
    """Every article indexed for the browser tests, as written to the JSON Lines file."""
    return ARTICLES


@pytest.fixture(scope="session")
def index_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus, indexed into a temporary folder."""
    folder = tmp_path_factory.mktemp("browser")
    source = write_jsonl(folder / "corpus.jsonl", ARTICLES)
    report = index_paths([source], open_backend(folder=folder / "index"), IndexOptions(procs=1))
    assert report.added == len(ARTICLES) and not report.skipped, report
    return folder / "index"


@pytest.fixture(scope="session")
def app_url(index_folder: Path) -> Iterator[str]:
    """The app, served by waitress on a free loopback port."""
    with serving_app(index_folder) as url:
        yield url


@contextmanager
def serving_app(index: Path) -> Iterator[str]:
    """Serve the app over an index with waitress on a free loopback port while the block runs; yield its URL."""
    app = create_app({"INDEX": str(index), "RATE_LIMIT": 0, "EXPORT_RATE_LIMIT": 0})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)

    def stop() -> None:
        # Close the listening socket and every open connection from inside the server's own loop (its trigger runs
        # the thunk there): closing them from this thread raced the loop's select(), which then raised EBADF in the
        # server thread (a CI failure). With nothing left to watch, the loop returns and the thread ends.
        def close_all() -> None:
            for dispatcher in list(server._map.values()):
                dispatcher.close()

        server.trigger.pull_trigger(close_all)

    def run() -> None:
        server.run()
        server.task_dispatcher.shutdown()

    try:
        with _serving(run, stop):
            yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        app.extensions["newsarchive"].close()


@contextmanager
def serving_archive(folder: Path, records: list[dict[str, Any]]) -> Iterator[str]:
    """Index records (written as JSON Lines in folder) into folder/index and serve the app over it; yield its URL."""
    report = index_paths([write_jsonl(folder / "archive.jsonl", records)], open_backend(folder=folder / "index"),
                         IndexOptions(procs=1))
    assert report.added == len(records) and not report.skipped, report
    with serving_app(folder / "index") as url:
        yield url


@pytest.fixture(scope="session")
def site(app_url: str) -> Iterator[Site]:
    """The app and, on another port (so another origin), a page that embeds it with embed.js and an <iframe>."""
    handler = _host_page_handler(app_url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with _serving(server.serve_forever, server.shutdown):
        yield Site(app_url, f"http://127.0.0.1:{server.server_address[1]}")
    server.server_close()


@contextmanager
def _serving(run: Callable[[], object], stop: Callable[[], object]) -> Iterator[None]:
    """Run a server loop in a daemon thread while the block runs; stop it and wait for the thread after."""
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop()
        thread.join(timeout=5)


# The host page of the documentation's examples: the test pages put the app's address in its place.
DOCUMENTED_ARCHIVE = "https://archive.example.org"
WEB_DOCS = Path(__file__).resolve().parents[2] / "docs" / "web.md"


def resize_snippet() -> str:
    """Return the snippet docs/web.md gives a host page for a frame sized to its content: the html that listens."""
    blocks = re.findall(r"```html\n(.*?)```", WEB_DOCS.read_text(encoding="utf-8"), flags=re.DOTALL)
    (snippet,) = [block for block in blocks if "newsarchive:height" in block]
    return str(snippet)


RESIZING_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A newspaper's archive page</title></head>
<body>
<main>
<h1>From our archive</h1>
{snippet}
<p>The end of the host page.</p>
</main>
</body>
</html>
"""

HOST_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A newspaper's own site</title></head>
<body>
<main>
<h1>Our reporting</h1>
<p>Search the archive without leaving this site.</p>
<script src="{app}/static/embed.js"></script>
<div data-newsarchive="{app}"{options}></div>
{frame}
</main>
</body>
</html>
"""


TRENDS_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A newspaper's page about its coverage</title></head>
<body>
<main>
<h1>What we covered, and when</h1>
<iframe src="{src}" title="Coverage over time" width="760" height="720" style="border: 0"></iframe>
</main>
</body>
</html>
"""


def _host_page(app: str, params: dict[str, list[str]]) -> str:
    """Return the host page: the widget with the options given (name=value: data-name="value"), and a frame."""
    options = "".join(f' data-{html.escape(k)}="{html.escape(v[0])}"' for k, v in params.items() if k != "frame")
    frame = ""
    if "frame" in params:
        src = f"{app}/embed?q={quote(params['frame'][0])}"
        frame = f'<iframe src="{src}" title="Archive search" width="600" height="500"></iframe>'
    return HOST_PAGE.format(app=app, options=options, frame=frame)


def _host_page_handler(app: str) -> type[BaseHTTPRequestHandler]:
    class HostPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            url = urlsplit(self.path)
            if url.path == "/favicon.ico":
                self.send_response(204)  # no icon, and no 404 in the console
                self.end_headers()
                return
            if url.path not in ("/", "/resizing", "/trends-frame"):
                self.send_error(404)
                return
            if url.path == "/trends-frame":
                src = f"{app}/embed/trends?{parse_qs(url.query)['src'][0]}"
                body = TRENDS_PAGE.format(src=html.escape(src)).encode("utf-8")
            elif url.path == "/resizing":
                body = RESIZING_PAGE.format(snippet=resize_snippet().replace(DOCUMENTED_ARCHIVE, app)).encode("utf-8")
            else:
                body = _host_page(app, parse_qs(url.query)).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return HostPage


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver process."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless (Playwright's own browser builds cannot be downloaded here)."""
    found = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield found
    found.close()


@pytest.fixture
def watches() -> dict[int, Watch]:
    """What each page of the test reported, by id(page)."""
    return {}


@pytest.fixture
def allowed_errors() -> list[Allowance]:
    """The console errors this test may see (see allow_status)."""
    return [_favicon]


@pytest.fixture
def open_page(browser: Browser, site: Site, watches: dict[int, Watch],
              allowed_errors: list[Allowance]) -> Iterator[Callable[..., Page]]:
    """Open a page in a new browser context (options as for Browser.new_context), watched for errors and dialogs."""
    contexts: list[BrowserContext] = []

    def watch(page: Page) -> None:
        found = watches.setdefault(id(page), Watch())

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                found.errors.append(Report(message.text, message.location["url"]))

        page.on("console", console)
        page.on("pageerror", lambda err: found.errors.append(Report(f"uncaught {err.name}: {err.message}")))
        def dialog(opened: Dialog) -> None:
            found.dialogs.append(f"{opened.type}: {opened.message}")
            opened.dismiss()

        page.on("dialog", dialog)

    def open_(**options: Any) -> Page:
        context = browser.new_context(base_url=site.app, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", watch)  # every page of the context, including tabs that links open
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()  # delivers any console events still on their way
    unexpected = [str(e) for w in watches.values() for e in w.errors if not any(ok(e) for ok in allowed_errors)]
    dialogs = [d for w in watches.values() for d in w.dialogs]
    assert not unexpected, f"console errors: {unexpected}"
    assert not dialogs, f"dialogs opened: {dialogs}"


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A page with JavaScript on and the app's Content-Security-Policy enforced."""
    return open_page()


@pytest.fixture
def allow_status(allowed_errors: list[Allowance]) -> Callable[[int], None]:
    """Allow, in this test, the console error Chromium logs for a page served with the given HTTP status."""

    def allow(status: int) -> None:
        allowed_errors.append(lambda report: report.text.startswith(HTTP_STATUS.format(status=status)))

    return allow


@pytest.fixture
def watch_of(watches: dict[int, Watch]) -> Callable[[Page], Watch]:
    """Return what a page has reported so far."""
    return lambda page: watches[id(page)]
