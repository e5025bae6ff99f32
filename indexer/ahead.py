"""What an indexing run works out of each article in a process of its own, ahead of need.

The run's process reads, names and groups into stories one batch after another, and the writing processes wait
for it: it is what bounds a run. Two of its steps depend on nothing but the article: the language detected in it
(when its record states none: languages.py) and what story clustering measures of its text (its shingles and MinHash
signature: stories.measure). `Ahead` sends each article to a process of its own as it is read, AHEAD_CHUNK at a
time; `cut` ends a batch, and the run takes its results (`Made`) when they are back, reading on meanwhile
(build.py). They are the same as made in the run's process (tests/test_ahead.py), which makes whatever did not come
back (no process could start, or it died). The process starts with the first full chunk (a run of fewer articles
makes everything itself, sooner than a process starts), or as a large file starts to be read (`start`), loading
the language model at once (half a second), which the first batch would otherwise wait for.
Chunks are handed to the process by a thread of its own, so the reading does not wait for it to start (the first
start also starts the forkserver: most of a second of imports, on the other core).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import suppress

from .languages import DETECTOR, preload_languages, sample
from .processes import start_worker, worker_context
from .records import Article
from .stories import PARAMS, Measure, StoryParams, measure, story_text

AHEAD_CHUNK = 500  # the articles sent to the process at once
Work = tuple[list[str], list[str]]  # detection samples, story texts
Done = tuple[list[str], list[Measure]]  # their languages, their measures


def work(samples: list[str], texts: list[str], params: StoryParams) -> Done:
    """The process's job: measure the texts and detect the samples' languages (in that order: the language model
    may still be loading, in a thread of its own: `Ahead.start`)."""
    measured = measure(texts, params)
    return DETECTOR.detect_many(samples), measured


def _submit(pool: ProcessPoolExecutor, samples: list[str], texts: list[str], params: StoryParams) -> Future[Done]:
    return pool.submit(work, samples, texts, params)


class Made:
    """What was sent ahead for one batch: whether it is back (`ready`), its languages and its measures."""

    def __init__(self, asked: list[tuple[Work, Future[Future[Done]] | None]]) -> None:
        self._asked = asked
        self._languages: dict[str, str] = {}
        self._measures: dict[str, Measure] = {}
        self._collected = False

    def ready(self) -> bool:
        """Return whether everything sent has come back (or failed: then it is made here when taken)."""
        for _, future in self._asked:
            if future is None:
                continue
            if not future.done():
                return False
            if not future.cancelled() and future.exception() is None and not future.result().done():
                return False
        return True

    def languages(self, texts: Sequence[tuple[str, str]]) -> list[str]:
        """Return detect_languages of each (headline, body): as detected ahead, the rest here."""
        self._collect()
        samples = [sample(headline, body) for headline, body in texts]
        missing = [text for text in dict.fromkeys(samples) if text not in self._languages]
        self._languages.update(zip(missing, DETECTOR.detect_many(missing), strict=True))
        return [self._languages[text] for text in samples]

    def measures(self) -> dict[str, Measure]:
        """Return what was measured ahead, by story text (stories.StoryStore.assign measures the rest)."""
        self._collect()
        return self._measures

    def _collect(self) -> None:
        if self._collected:
            return
        self._collected = True
        for (samples, texts), future in self._asked:
            try:
                done = future.result().result() if future is not None else None
            except Exception:  # noqa: BLE001  # a process that failed: what it had is made when taken
                done = None
            if done is not None:
                self._languages.update(zip(samples, done[0], strict=True))
                self._measures.update(zip(texts, done[1], strict=True))
        self._asked = []


class Ahead:
    """An indexing run's articles sent to a process as they are read, a batch's results taken when they are back
    (see the module's docstring)."""

    def __init__(self, params: StoryParams = PARAMS) -> None:
        self.params = params
        self._pool: ProcessPoolExecutor | None = None
        self._pending: Work = ([], [])
        self._sender: ThreadPoolExecutor | None = None
        self._asked: list[tuple[Work, Future[Future[Done]] | None]] = []

    def send(self, article: Article) -> None:
        """Send an article as read (its language is detected only when it states none)."""
        samples, texts = self._pending
        if not article.language:
            samples.append(sample(article.headline, article.body))
        texts.append(story_text(article))
        if len(texts) >= AHEAD_CHUNK:
            self._ask()

    def start(self) -> None:
        """Start the process now, and its loading of the language model (a large file is about to be read)."""
        self._started()
        if self._sender is not None and self._pool is not None:
            self._sender.submit(self._pool.submit, preload_languages)

    def cut(self) -> Made:
        """End a batch: what it sent is on its way (a run of fewer than AHEAD_CHUNK articles starts no process:
        they are made when taken); return its results, to take when ready."""
        self._ask(start=False)
        asked, self._asked = self._asked, []
        return Made(asked)

    def close(self) -> None:
        """Stop the process."""
        sender, self._sender = self._sender, None
        if sender is not None:
            sender.shutdown(cancel_futures=True)
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)

    def _ask(self, start: bool = True) -> None:
        """Send what is pending to the process; start: start it if it is not running (else made when taken)."""
        if not self._pending[1]:
            return
        pending, self._pending = self._pending, ([], [])
        future = None
        if start:
            self._started()
        with suppress(Exception):  # no process: made when taken
            if self._pool is not None and self._sender is not None:
                # Sent from a thread of its own: the first send starts the process (and maybe the forkserver,
                # whose imports take most of a second), which the reading need not wait for.
                future = self._sender.submit(_submit, self._pool, *pending, self.params)
        self._asked.append((pending, future))

    def _started(self) -> None:
        """Start the process, unless it runs (or cannot start: then everything is made when taken)."""
        with suppress(Exception):
            if self._pool is None:
                self._pool = ProcessPoolExecutor(1, mp_context=worker_context(), initializer=start_worker)
                self._sender = ThreadPoolExecutor(1, thread_name_prefix="ahead")
