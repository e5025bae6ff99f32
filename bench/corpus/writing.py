"""Writing a corpus file: chunks of articles made in order (in worker processes for large ones), written
atomically, with the vocabulary measured on the way; and the cached (n, seed) files in bench/data."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from .articles import _Maker
from .pool import load_pool
from .settings import CHUNK, DATA, DEFAULT_SEED, REUTERS_SGM
from .vocabulary import _WORDS, VocabularyPoint, _checkpoints


@dataclass(frozen=True)
class GenerationReport:
    """What generate() wrote: where, how many, how long, and how the vocabulary grew."""

    path: Path
    articles: int
    seed: int
    seconds: float
    bytes: int
    procs: int
    vocabulary: tuple[VocabularyPoint, ...]


def _chunk(job: tuple[Path, int, int, int]) -> tuple[str, set[str], int]:
    """Chunk `index` as JSON Lines text, with its distinct words and token count (headline and body)."""
    folder, seed, index, count = job
    maker = _Maker(load_pool(folder), seed, index)
    lines, texts = [], []
    for offset in range(count):
        record = maker.article(index * CHUNK + offset + 1)
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        texts.extend((str(record["headline"]), str(record["body"])))
    tokens = _WORDS.findall("\n".join(texts).lower())
    return "".join(lines), set(tokens), len(tokens)


def _chunks(folder: Path, seed: int, n: int, procs: int) -> Iterator[tuple[str, set[str], int]]:
    """The chunks in order; with procs > 1 computed by worker processes, a few chunks ahead."""
    jobs = ((folder, seed, index, min(CHUNK, n - index * CHUNK)) for index in range(math.ceil(n / CHUNK)))
    if procs <= 1:
        yield from map(_chunk, jobs)
        return
    # Forked workers inherit the loaded pool; elsewhere each worker loads it once.
    context = get_context("fork") if "fork" in get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=procs, mp_context=context) as executor:
        pending: list[Future[tuple[str, set[str], int]]] = []
        for job in jobs:
            pending.append(executor.submit(_chunk, job))
            if len(pending) > 2 * procs:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def generate(n: int, seed: int, out: Path, pool: Path = REUTERS_SGM, procs: int | None = None) -> GenerationReport:
    """Write n synthetic articles as JSON Lines to out (atomically); the same (n, seed) gives the same bytes."""
    if n < 1:
        raise ValueError(f"a corpus has at least one article, not {n}")
    started = time.perf_counter()
    load_pool(pool)  # before any fork, so that workers share it
    procs = procs or (min(2, os.cpu_count() or 1) if n >= 20 * CHUNK else 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f"{out.name}.{os.getpid()}.part")  # renamed when whole: no half file under out
    checkpoints = _checkpoints(n)
    vocabulary: set[str] = set()
    tokens, done, points = 0, 0, []
    with partial.open("w", encoding="utf-8", newline="\n") as f:
        for text, words, count in _chunks(pool, seed, n, procs):
            f.write(text)
            vocabulary |= words
            tokens += count
            done = min(done + CHUNK, n)
            if done in checkpoints:
                points.append(VocabularyPoint(done, tokens, len(vocabulary)))
    os.replace(partial, out)
    seconds = time.perf_counter() - started
    return GenerationReport(out, n, seed, seconds, out.stat().st_size, procs, tuple(points))


def corpus_name(n: int, seed: int) -> str:
    """The file name for (n, seed): corpus-100k.jsonl for the default seed, corpus-100k-seed7.jsonl otherwise."""
    size = f"{n // 10**6}m" if n % 10**6 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)
    return f"corpus-{size}.jsonl" if seed == DEFAULT_SEED else f"corpus-{size}-seed{seed}.jsonl"


def ensure_corpus(n: int, seed: int = DEFAULT_SEED, folder: Path = DATA) -> Path:
    """The path of the (n, seed) corpus in folder, generated unless a complete one is there already."""
    path = folder / corpus_name(n, seed)
    if not _is_complete(path, n, seed):
        generate(n, seed, path)
    return path


def _is_complete(path: Path, n: int, seed: int) -> bool:
    """A file is only ever renamed into place whole; its last record must be article n of this seed."""
    try:
        with path.open("rb") as f:
            f.seek(max(0, path.stat().st_size - (1 << 20)))
            last = f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        return bool(json.loads(last).get("id") == f"syn-{seed}-{n}")
    except (OSError, ValueError, AttributeError):
        return False
