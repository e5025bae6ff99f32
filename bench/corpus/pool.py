"""Reading Reuters-21578 into the pool: every story split into units (sentences, tables) and templated, once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TypeVar

from indexer.parsers import parse_path
from indexer.records import Article

from .settings import REUTERS_SGM
from .templates import (
    _ABBREVIATIONS,
    _INITIAL,
    _can_follow_said,
    _Entities,
    _headlines,
    _lower_first,
    _NameStats,
    _template,
)

_T = TypeVar("_T")
_R = TypeVar("_R")

_PARAGRAPH = re.compile(r"\n(?=[ \t])|\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?][\"')]*\s+(?=[\"'(]?[A-Z0-9])")
_PROSE_END = re.compile(r"[.!?][\"')]*$")


@dataclass(frozen=True)
class Story:
    """A Reuters story as a template: its topics, length, units (indexes into Pool.units) and headlines."""

    topics: tuple[str, ...]
    words: int
    units: tuple[int, ...]
    headlines: dict[str, str]
    source: int  # its index in Pool.reuters


@dataclass
class Pool:
    """Everything drawn from Reuters, prepared once: story templates, unit templates and pools by topic."""

    stories: list[Story] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # str.format templates; tables keep their rows on lines
    unit_words: list[int] = field(default_factory=list)
    by_topic: dict[str, list[int]] = field(default_factory=dict)  # "" holds the stories without a topic
    prose: list[int] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)  # sentences that can follow "X said"
    reuters: list[tuple[str, str]] = field(default_factory=list)  # headline and body of every Reuters story


def load_pool(folder: Path = REUTERS_SGM) -> Pool:
    """Parse the 22 Reuters files with the project's parser and turn the stories into templates (once)."""
    return _load_pool(folder.resolve())


# A story as read: topics, headline, body, units (text, is a table); and as templated: topics, headline
# templates, unit templates with their word counts and kinds, and the sentences that can follow "X said".
_Read = tuple[tuple[str, ...], str, str, list[tuple[str, bool]]]
_Templated = tuple[int, tuple[str, ...], dict[str, str], list[tuple[str, int, bool]], list[str]]


@cache
def _load_pool(folder: Path) -> Pool:
    read = [story for part in _map(_read_file, sorted(folder.glob("reut2-*.sgm"))) for story in part]
    stats = _NameStats([[text for text, _ in units] for _, _, _, units in read])
    with_body = [(number, story) for number, story in enumerate(read) if story[3]]
    halves = [(with_body[i :: 2], stats) for i in range(2)]  # every other story: equal halves of the work
    pool = Pool(reuters=[(headline, body) for _, headline, body, _ in read])
    for half in _map(_template_stories, halves):
        for story in half:
            _add_story(pool, story)
    for story in pool.stories:
        for topic in story.topics or ("",):
            pool.by_topic.setdefault(topic, []).extend(story.units)
    return pool


def _map(function: Callable[[_T], _R], items: list[_T]) -> list[_R]:
    """function over items, in two forked processes where the system forks (the pool is built twice as fast)."""
    if "fork" not in get_all_start_methods() or len(items) < 2:
        return list(map(function, items))
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("fork")) as executor:
        return list(executor.map(function, items))


def _read_file(path: Path) -> list[_Read]:
    """The stories of one Reuters file, as the project's parser reads them, with their bodies split into units."""
    return [
        (item.topic, item.headline, item.body, list(_units(item.body)))
        for item in parse_path(path)
        if isinstance(item, Article)
    ]


def _template_stories(job: tuple[list[tuple[int, _Read]], _NameStats]) -> list[_Templated]:
    stories, stats = job
    return [_template_story(number, story, stats) for number, story in stories]


def _template_story(number: int, story: _Read, stats: _NameStats) -> _Templated:
    """A story's units with rare names as slots; its headline in capitals, sentence case and title case."""
    topics, headline, _, units = story
    entities = _Entities()
    templated, clauses = [], []
    for text, is_table in units:
        template = _template(text, stats, entities)
        words = len(text.split())
        templated.append((template, words, is_table))
        if not is_table and 8 <= words <= 40 and _can_follow_said(template):
            clauses.append(_lower_first(template, stats))
    return number, topics, _headlines(headline, stats, entities), templated, clauses


def _add_story(pool: Pool, story: _Templated) -> None:
    source, topics, headlines, units, clauses = story
    ids = tuple(range(len(pool.units), len(pool.units) + len(units)))
    for number, (template, words, is_table) in zip(ids, units, strict=True):
        pool.units.append(template)
        pool.unit_words.append(words)
        if not is_table:
            pool.prose.append(number)
    pool.clauses.extend(clauses)
    pool.stories.append(Story(topics, sum(words for _, words, _ in units), ids, headlines, source))


def _units(body: str) -> Iterator[tuple[str, bool]]:
    """Sentences of the prose paragraphs, and runs of table rows (earnings figures) as one unit each."""
    rows: list[str] = []
    for raw in _PARAGRAPH.split(body):
        paragraph = " ".join(raw.split())
        if not paragraph:
            continue
        if _PROSE_END.search(paragraph) or len(paragraph.split()) >= 15:
            if rows:
                yield "\n".join(rows), True
                rows = []
            yield from ((sentence, False) for sentence in _sentences(paragraph) if len(sentence.split()) >= 4)
        else:
            rows.append(paragraph)
    if rows:
        yield "\n".join(rows), True


def _sentences(paragraph: str) -> Iterator[str]:
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[start : match.start()].rsplit(" ", 1)[-1]
        if before.lower().strip("\"'(") in _ABBREVIATIONS or _INITIAL.match(before) or "." in before:
            continue  # "Mr. Smith", "J. Doe", "the U.S. Treasury": not the end of a sentence
        yield paragraph[start : match.end()].strip()
        start = match.end()
    if paragraph[start:].strip():
        yield paragraph[start:].strip()
