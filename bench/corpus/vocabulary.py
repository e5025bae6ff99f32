"""Measuring vocabulary growth (distinct words against tokens) in a corpus or in Reuters, and fitting Heaps' law."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .pool import load_pool
from .settings import CHUNK, REUTERS_SGM

_WORDS = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class VocabularyPoint:
    """Distinct words (lower-case letter runs in headline and body) after so many articles and tokens."""

    articles: int
    tokens: int
    words: int


def _checkpoints(n: int) -> set[int]:
    marks = {m * 10**e for e in range(3, 10) for m in (1, 2, 5)}
    return {m for m in marks if m < n and m % CHUNK == 0} | {n}


def vocabulary_size(path: Path, limit: int | None = None) -> VocabularyPoint:
    """Distinct words and tokens in the headlines and bodies of the first `limit` records of a JSON Lines file."""
    vocabulary: set[str] = set()
    tokens = articles = 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            if limit is not None and articles >= limit:
                break
            record = json.loads(line)
            words = _WORDS.findall(f"{record['headline']}\n{record['body']}".lower())
            vocabulary.update(words)
            tokens += len(words)
            articles += 1
    return VocabularyPoint(articles, tokens, len(vocabulary))


def reuters_vocabulary(folder: Path = REUTERS_SGM) -> tuple[VocabularyPoint, ...]:
    """The same measure over Reuters-21578 itself, in story order: the curve the corpus should continue."""
    stories = load_pool(folder).reuters
    vocabulary: set[str] = set()
    tokens, points = 0, []
    for number, (headline, body) in enumerate(stories, start=1):
        words = _WORDS.findall(f"{headline}\n{body}".lower())
        vocabulary.update(words)
        tokens += len(words)
        if number in _checkpoints(len(stories)):
            points.append(VocabularyPoint(number, tokens, len(vocabulary)))
    return tuple(points)


def heaps_fit(points: tuple[VocabularyPoint, ...]) -> tuple[float, float]:
    """K and beta of Heaps' law V = K * N**beta, fitted by least squares in log-log space."""
    xs = [math.log(p.tokens) for p in points]
    ys = [math.log(p.words) for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    beta = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    return math.exp(my - beta * mx), beta
