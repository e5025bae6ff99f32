"""Seeded, deterministic generator of large synthetic news archives (JSON Lines) built from the Reuters pool.

Usage: python bench/corpus.py --n 100000 [--seed 1] [--out bench/data/corpus-100k.jsonl] [--procs 2]
From code: ensure_corpus(100_000, seed=1, folder=DATA) returns bench/data/corpus-100k.jsonl, made if missing.

Each article is a Reuters-21578 story rewritten: its lead and headline with every rare name swapped for a
synthetic one, then sentences kept from the story or drawn from other stories of its topics, to about the
story's length. Synthetic people, companies and places are made of syllables and drawn with Zipf-Mandelbrot
popularity from an unbounded pool, so the number of distinct words keeps growing with the archive as Heaps' law
says (about 315,000 words at a million articles, where Reuters' own curve predicts 305,000) instead of stopping
at Reuters' 43,000. Reuters is read at run time from ../shared/data (research-only licence: never copied into
the repo). Chunk k of a corpus depends only on (seed, k): the same (n, seed) gives the same bytes with any
number of processes, and a smaller corpus is a prefix of a larger one with the same seed.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, lru_cache
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TypeVar

from indexer.parsers import parse_path
from indexer.records import Article

_T = TypeVar("_T")
_R = TypeVar("_R")
ROOT = Path(__file__).resolve().parents[1]
REUTERS_SGM = ROOT.parent / "shared" / "data" / "reuters21578" / "sgm-data"
DATA = ROOT / "bench" / "data"
DEFAULT_SEED = 1
CHUNK = 1000  # articles per unit of work; part of the format: changing it changes every corpus

# --- what the archive looks like (each figure is a guess at a real archive, tuned against Reuters) ---
MIN_UNITS, MAX_UNITS = 3, 12  # sentences (or earnings tables) per body
KEEP_TEMPLATE = 0.6  # chance that each later sentence of the template story is kept rather than replaced
OFF_TOPIC = 0.15  # chance that a replacement sentence comes from any story rather than one of the topic
ATTRIBUTION = 0.5  # chance of one added "X, chief executive of Y, said ..." sentence
MAX_ENTITIES = 12  # distinct people (or companies, or places) a story can have
RARE_DF = 40  # names in fewer Reuters stories than this are replaced; famous ones (Reagan, Texaco) stay
COMMON_DF = 150  # "American" in a replaced "American Capital Inc" stays "American" elsewhere in the story
HEADLINE_STYLES = (("upper", 0.4), ("sentence", 0.35), ("title", 0.25))
AUTHOR_COUNTS = ((0, 0.75), (1, 0.2), (2, 0.05))
REPORTERS, GIVEN_NAMES, SOURCES = 3000, 2000, 40
NULL_DATE, WITH_URL = 0.01, 0.5
FIRST_YEAR, LAST_YEAR, GROWTH = 1980, 2025, math.log(10) / 45  # ten times as many articles a year by 2025
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 9, 8, 8, 7, 6, 5, 4, 3, 2, 1)
_HOURS = tuple(enumerate(HOUR_WEIGHTS))
# Popularity of synthetic names: P(rank > k) = (1 + k/q) ** -alpha. The distinct names in D mentions grow
# like D ** (1 / (1 + alpha)): this is where the vocabulary growth comes from.
PERSON_TAIL, COMPANY_TAIL, PLACE_TAIL = (1000.0, 0.65), (1000.0, 0.65), (20.0, 0.9)
RANK_CAP = 1 << 40

_ONSETS = "b c d f g h j k l m n p r s t v w z br ch dr fr gr kr pr sh st tr th bl kl gl".split()
_VOWELS = "a e i o u a e o a i ai ea ou ie".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "m", "nt", "rk", "st", "nd"]
_ENDINGS = {
    "surname": ["", "", "", "", "son", "ez", "ova", "ski", "er", "ani", "ton", "berg", "ic", "elli", "sen", "ley"],
    "company": ["", "", "", "co", "tex", "on", "ex", "is", "gen", "ar", "ium", "ant"],
    "place": ["", "", "ia", "ville", "burg", "ton", "a", "ford", "port", "stad", "field", "mouth"],
    "given": ["", "a", "o", "e", "an", "el", "ia", "ine", "us", "ette"],
    "reporter": ["", "", "son", "er", "ez", "man", "ley", "ski", "ini", "ard"],
}
_KIND_SALT = {kind: index + 1 for index, kind in enumerate(_ENDINGS)}
_INDUSTRIES = (
    "Energy Resources Financial Industries Systems Holdings Bancorp Mining Foods Pharmaceuticals Airlines Steel "
    "Chemical Electronics Petroleum Savings Communications Technologies Properties Insurance Motors Shipping"
).split()
_LEGAL = "Inc Corp Co Ltd Plc Group SA AG Inc Corp".split()
_PLACE_PREFIXES = ["", "", "", "", "", "", "Port ", "San ", "Lake ", "North ", "New "]
_OUTLETS = (
    "Wire Service|News Agency|Press|Financial Wire|Herald|Courier|Gazette|Tribune|Chronicle|Post|Times|Journal|"
    "Observer|Dispatch|Ledger|Sentinel|Standard|Examiner|Record|Star|Mail|Telegraph|Bulletin|Express"
).split("|")
_ROLES = (
    "{P0}, chief executive of {C0}, said ", "{P0}, chairman of {C0}, said ", "{P1}, an analyst at {C1} in {L0}, said ",
    "{P1}, a spokesman for {C0}, said ", "{P1}, chief economist at {C1}, said ", "{P0}, president of {C0}, said ",
)
_FIXED = (
    "{C0}, which is based in {L0}, did not immediately return calls seeking comment.",
    "{S0} told reporters in {L0} that talks with {C1} would continue.",
    "Shares of {C0} were unchanged in early trading in {L0}.",
    "{P1}, who follows {c0} for {C1}, said the figures were in line with expectations.",
)

# --- reading Reuters: units (sentences, tables) as str.format templates whose rare names are slots ---
_PARAGRAPH = re.compile(r"\n(?=[ \t])|\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?][\"')]*\s+(?=[\"'(]?[A-Z0-9])")
_PROSE_END = re.compile(r"[.!?][\"')]*$")
_CORE = r"(?:[\w&-]|'(?!s\b)|\.(?=\w))*"  # letters, digits, "&", "-", inner dots (U.S) and apostrophes (O'Neill)
_LOWER_WORD = re.compile(r"(?<![\w&'.-])[a-z][\w&'-]*")
_KEY = re.compile(rf"[a-z]{_CORE}")  # lower-cased words as _NameStats keys them (U.S -> u.s)
_CAPITAL_WORD = re.compile(rf"(?<![\w&'.-])[A-Z]{_CORE}")
_INNER_CAPITAL = re.compile(rf"(?<=[\w,;)&%$-] )[A-Z]{_CORE}")  # after a word and a space: not a sentence's first
# A ticker (<UAL>), or a run of capitalised words with nothing but single spaces between them.
_RUN = re.compile(rf"<[A-Z0-9.\-]{{1,9}}>|(?<![\w&'.-])[A-Z]{_CORE}\.?(?: [A-Z]{_CORE}\.?)*")
_TOKEN = re.compile(r"^([\"'(\[<]*)(.*?)((?:'[sS]|[sS]'|')?[\"'),.;:!?\]>]*)$")
_NAME_CORE = re.compile(r"^[A-Z][A-Za-z'&]*[a-z][A-Za-z'&]*(?:-[A-Z][A-Za-z'&]*)*$|^[A-Z][A-Z&]+$")
_INITIAL = re.compile(r"^[A-Z]\.?$")
_TICKER = re.compile(r"^<[A-Z0-9.\-]{1,9}>([,.;:)]*)$")
_WORDS = re.compile(r"[a-z]+")
_ABBREVIATIONS = set(
    "mr mrs ms dr st jan feb mar apr jun jul aug sep sept oct nov dec calif colo conn fla ill mass mich minn wash "
    "tex va pa no co corp inc ltd bros gov sen rep gen lt col vs mt ft wis ind ky ga la md mo nev okla ore tenn "
    "ariz ala ark del kan neb".split()
)
_SUFFIXES = {"inc", "corp", "co", "ltd", "plc", "cos", "corporation", "company", "bancorp", "ag", "sa", "nv", "n.v"}
_DETERMINERS = {"the", "a", "an", "in", "at", "for", "but", "and", "its", "his", "her", "their", "of", "by"}
_PLACE_WORDS = {"in", "at", "near", "from", "outside", "to"}
_TITLES = {"mr", "mrs", "ms", "dr", "chairman", "president", "minister", "secretary", "spokesman", "analyst",
           "director", "governor", "senator", "representative", "economist", "officer", "executive", "sheikh"}
_SMALL_WORDS = {"a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "at", "by", "with", "as", "vs", "from"}
_SHORT = {"P": "S", "C": "c", "L": "L"}  # the slot for a later, shorter mention: surname, company stem, place


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


@dataclass(frozen=True)
class VocabularyPoint:
    """Distinct words (lower-case letter runs in headline and body) after so many articles and tokens."""

    articles: int
    tokens: int
    words: int


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


def _starts_sentence(text: str, position: int) -> bool:
    while position > 0 and text[position - 1] in " \"'(":
        position -= 1
    return position == 0 or text[position - 1] in ".!?:\n"


class _NameStats:
    """Which words are names (capitalised inside sentences), in how many stories, and their usual casing."""

    def __init__(self, stories: list[list[str]]) -> None:
        self.df: Counter[str] = Counter()  # stories that have the word with a capital, which is what names have
        for units in stories:
            self.df.update({word.lower() for word in _CAPITAL_WORD.findall("\n".join(units))})
        text = "\n".join("\n".join(units) for units in stories)
        self.lower = Counter(_LOWER_WORD.findall(text))
        forms = Counter(_INNER_CAPITAL.findall(text))
        capital: Counter[str] = Counter()
        for form, count in forms.items():
            capital[form.lower()] += count
        self.names = {key for key, n in capital.items() if self.lower[key] <= 0.1 * (n + self.lower[key])}
        # Headlines are in capitals: their mixed-case versions take each name's usual form in the bodies.
        self.casing: dict[str, str] = {}
        for form, _ in forms.most_common():
            self.casing.setdefault(form.lower(), form)
        self.casing = {key: form for key, form in self.casing.items() if key in self.names}
        # Rare names are replaced by synthetic ones; acronyms (IFO, VAT) stay, as names are not made of capitals.
        self.rare = {key for key in self.names if self.df[key] < RARE_DF and not self.casing[key].isupper()}
        self.triggers = self.rare | _SUFFIXES


class _Entities:
    """The rare names of one story, numbered by kind so that every mention of one name gets one slot."""

    def __init__(self) -> None:
        self.slots: dict[str, str] = {}  # lower-case name word -> slot such as "P0", "C1", "L0"
        self.company_words: dict[str, str] = {}  # every word of a replaced company's name, for headlines
        self.counts = {"P": 0, "C": 0, "L": 0}

    def add(self, kind: str, key: str) -> int:
        """Number a new entity of a kind ("P", "C", "L"), or return the number of a known one."""
        known = self.slots.get(key)
        if known and known[0] == kind:
            return int(known[1:])
        number = min(self.counts[kind], MAX_ENTITIES - 1)  # more in one story share the last slot
        self.counts[kind] += 1
        self.slots[key] = f"{kind}{number}"
        return number


def _template(unit: str, stats: _NameStats, entities: _Entities) -> str:
    """A unit with its rare names and tickers as format slots ({C0}, <{T0}>) and its braces escaped."""
    text = unit.replace("{", "{{").replace("}", "}}")
    keys = set(_KEY.findall(text.lower()))
    if "<" not in text and stats.triggers.isdisjoint(keys) and entities.slots.keys().isdisjoint(keys):
        return text  # no rare name, company or ticker: most sentences
    out: list[str] = []
    last, company = 0, -1
    for match in _RUN.finditer(text):
        out.append(text[last : match.start()])
        last = match.end()
        run = match.group()
        if run[0] == "<":  # a ticker: that of the synthetic company just named, else the real one stays
            out.append("<{T%d}>" % company if company >= 0 and out[-1] == " " else run)  # noqa: UP031
            continue
        company = -1
        keys = [word.rstrip(".") for word in run.lower().split(" ")]
        if not any(key in stats.rare or key in _SUFFIXES or _known(key, stats, entities) for key in keys):
            out.append(run)  # the common case, kept as it is: "The", "U.S.", "Federal Reserve Board"
            continue
        before = text[max(0, match.start() - 40) : match.start()].split()
        previous = before[-1].strip(".,;:\"'()").lower() if before else ""
        replaced, found = _run_template(run, previous, _starts_sentence(text, match.start()), stats, entities)
        out.append(replaced)
        company = found
    out.append(text[last:])
    return "".join(out)


def _run_template(run: str, previous: str, at_start: bool, stats: _NameStats, entities: _Entities) -> tuple[str, int]:
    """A run of capitalised words with its company and rare names slotted; the number of a company it ends with."""
    words = run.split(" ")
    tail = ""
    if words[-1].endswith(".") and "." not in words[-1][:-1] and words[-1][:-1].lower() not in _ABBREVIATIONS:
        words[-1], tail = words[-1][:-1], "."
    keys = [word.rstrip(".").lower() for word in words]
    out: list[str] = list(words)
    span = _company_span(keys, stats)
    if span:
        number = entities.add("C", keys[span[0]])
        entities.company_words.update(dict.fromkeys(keys[span[0] : span[1] + 1], f"C{number}"))
        out[span[0] : span[1] + 1] = [_slot(f"C{number}") + _dot(words[span[1]])] + [""] * (span[1] - span[0])
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and out[j] == words[j] and _is_name_word(words, keys, i, j, at_start, stats):
            j += 1
        if j > i and (any(key in stats.rare for key in keys[i:j]) or _known(keys[j - 1], stats, entities)):
            slot = _name_slot(keys[i:j], keys[i - 1] if i else previous, entities)
            out[i:j] = [_slot(slot) + _dot(words[j - 1])] + [""] * (j - i - 1)
        i = max(j, i + 1)
    final = [word for word in out if word]
    company = int(final[-1][2:-1]) if final[-1][:2] in ("{C", "{c") and final[-1][-1] == "}" and not tail else -1
    return " ".join(final) + tail, company


def _dot(word: str) -> str:
    """The full stop of "Plc." that a slot replaces, kept when a sentence ends there ("J." is an initial)."""
    return "." if word.endswith(".") and len(word) > 2 and "." not in word[:-1] else ""


def _known(key: str, stats: _NameStats, entities: _Entities) -> bool:
    """A later mention of a replaced name ("UAL" after "UAL Inc"), unless the word is common ("American")."""
    return key in entities.slots and stats.df[key] < COMMON_DF


def _company_span(keys: list[str], stats: _NameStats) -> tuple[int, int] | None:
    """Where "Dai Nippon Printing Co Ltd" is in a run, when one of the name's words is rare."""
    start = 0
    while start < len(keys) and keys[start] in _DETERMINERS:
        start += 1
    suffixes = [j for j in range(start + 1, len(keys)) if keys[j] in _SUFFIXES]
    if not suffixes or suffixes[0] - start > 5 or min(stats.df[k] for k in keys[start : suffixes[0]]) >= RARE_DF:
        return None
    return start, suffixes[-1]


def _is_name_word(words: list[str], keys: list[str], i: int, j: int, at_start: bool, stats: _NameStats) -> bool:
    if keys[j] in stats.names and keys[j] not in _ABBREVIATIONS and _NAME_CORE.match(words[j].rstrip(".")):
        return True
    if j > i and _INITIAL.match(words[j]):
        return True  # "John F. Smith"
    # A first name that only ever starts sentences ("Norbert Gierlik said"): never seen in lower case.
    return j == 0 and at_start and keys[j] not in stats.lower and len(keys) > 1 and keys[1] in stats.names


def _slot(name: str) -> str:
    return "{" + name + "}"


def _name_slot(run: list[str], before: str, entities: _Entities) -> str:
    """The slot for a run of name words: a known name, a place after "in", a person, or a company."""
    known = entities.slots.get(run[-1])
    if known:
        return _SHORT[known[0]] + known[1:]
    if before in _PLACE_WORDS:
        return f"L{entities.add('L', run[-1])}"
    if len(run) > 1:
        return f"P{entities.add('P', run[-1])}"
    if before in _TITLES:
        return f"S{entities.add('P', run[-1])}"
    return f"c{entities.add('C', run[-1])}"


def _can_follow_said(template: str) -> bool:
    """A plain statement that reads well after "X, chief executive of Y, said"."""
    return (template.endswith(".") and '"' not in template and not re.search(r"\b(?:said|says|say|added)\b", template)
            and not template.startswith(("{", "It ", "He ", "She ", "They ", "But ", "And ", "However", "This ")))


def _lower_first(template: str, stats: _NameStats) -> str:
    first, _, rest = template.partition(" ")
    if first.lower() in stats.casing or (len(first) > 1 and first.isupper()):
        return template  # "U.S. exports ...", "Japan's ..." keep their capital after "said"
    return f"{first.lower()} {rest}"


def _split_token(token: str) -> tuple[str, str, str]:
    match = _TOKEN.match(token)
    assert match is not None  # the pattern matches every string
    return match.group(1), match.group(2), match.group(3)


def _headlines(headline: str, stats: _NameStats, entities: _Entities) -> dict[str, str]:
    """The headline in capitals (Reuters), sentence case and title case, with the story's names as slots."""
    words: list[tuple[str, str]] = []  # (text, slot or "")
    for token in headline.split():
        lead, core, tail = _split_token(token)
        key = core.lower()
        previous = words[-1][1] if words else ""
        ticker = _TICKER.match(token)
        if ticker:
            replaced = previous[:1] == "c"
            words.append(("<{T%s}>%s" % (previous[1:], ticker.group(1)) if replaced else token, "T" * replaced))  # noqa: UP031
            continue
        slot = entities.company_words.get(key) or entities.slots.get(key)
        if slot is None and core.isalpha() and (key in stats.rare or key not in stats.df and key not in stats.lower):
            slot = f"C{entities.add('C', key)}"  # a rare name, or a word no body has: a company's name
        if previous[:1] == "c" and (key in _SUFFIXES or slot and _SHORT[slot[0]] + slot[1:] == previous):
            continue  # "SMITHKLINE BECKMAN CORP": one name, one slot
        if slot is None:
            words.append((token.replace("{", "{{").replace("}", "}}"), ""))
        else:
            short = _SHORT[slot[0]] + slot[1:]
            words.append((lead + _slot(short) + tail, short))
    upper = " ".join(text for text, _ in words)
    plain = [(text, slot) for text, slot in words if not text.startswith("<")]
    sentence = " ".join(text if slot else _cased(text, stats, title=False) for text, slot in plain)
    title = " ".join(
        text if slot else _cased(text, stats, title=n == 0 or text.lower() not in _SMALL_WORDS)
        for n, (text, slot) in enumerate(plain)
    )
    return {"upper": upper, "sentence": sentence[:1].upper() + sentence[1:], "title": title}


@cache
def _cased(token: str, stats: _NameStats, title: bool) -> str:
    """A headline word in capitals as the bodies spell it ("U.S.", "Japan", "OPEC"), else lower or title case."""
    lead, core, tail = _split_token(token)
    parts = []
    for part in core.split("-"):
        known = stats.casing.get(part.lower())
        parts.append(known if known else part.capitalize() if title else part.lower())
    return lead + "-".join(parts) + tail.lower()


# --- synthetic names: syllables chosen by a hash of (seed, kind, rank), so no table grows with n ---
_MASK = (1 << 64) - 1


def _mix(*values: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps): the same on every run and platform."""
    h = 0x9E3779B97F4A7C15
    for value in values:
        h = ((h ^ (value & _MASK)) * 0xBF58476D1CE4E5B9) & _MASK
        h = ((h ^ (h >> 31)) * 0x94D049BB133111EB) & _MASK
        h ^= h >> 29
    return h


def _word(seed: int, kind: str, rank: int) -> str:
    """A pronounceable capitalised word; frequent ranks get two syllables, rare ones three or four."""
    h = _mix(seed, _KIND_SALT[kind], rank)
    syllables = 2 if rank < 3000 else 3 if rank < 3_000_000 else 4
    letters = []
    for n in range(syllables):
        letters.append(_ONSETS[h % len(_ONSETS)] + _VOWELS[(h >> 5) % len(_VOWELS)])
        h >>= 9
        if n == syllables - 1:
            letters.append(_CODAS[h % len(_CODAS)])
            h >>= 4
    stem = "".join(letters)
    ending = _ENDINGS[kind][h % len(_ENDINGS[kind])]
    if stem[-1] in "aeiou":
        ending = ending.lstrip("aeiou")
    return (stem + ending).capitalize()


@cache
def _zipf_table(size: int, exponent: float) -> tuple[float, ...]:
    total, cumulative = 0.0, []
    for rank in range(1, size + 1):
        total += rank**-exponent
        cumulative.append(total)
    return tuple(c / total for c in cumulative)


def _zipf(u: float, size: int, exponent: float) -> int:
    """The rank (0-based) of a finite Zipf distribution at cumulative probability u."""
    return min(bisect.bisect_left(_zipf_table(size, exponent), u), size - 1)


def _tail_rank(rng: random.Random, tail: tuple[float, float]) -> int:
    q, alpha = tail
    return min(int(q * ((1.0 - rng.random()) ** (-1.0 / alpha) - 1.0)), RANK_CAP)


@lru_cache(maxsize=1 << 16)
def _person(seed: int, rank: int) -> tuple[str, str]:
    given = _word(seed, "given", _zipf(_mix(seed, rank, 1) / _MASK, GIVEN_NAMES, 1.0))
    return given, _word(seed, "surname", rank)


@lru_cache(maxsize=1 << 16)
def _company(seed: int, rank: int) -> tuple[str, str]:
    stem = _word(seed, "company", rank)
    h = _mix(seed, rank, 2)
    industry = _INDUSTRIES[h % len(_INDUSTRIES)] + " " if h % 7 < 3 else ""
    return stem, f"{stem} {industry}{_LEGAL[(h >> 8) % len(_LEGAL)]}"


@lru_cache(maxsize=1 << 12)
def _place(seed: int, rank: int) -> str:
    return _PLACE_PREFIXES[_mix(seed, rank, 3) % len(_PLACE_PREFIXES)] + _word(seed, "place", rank)


@cache
def source_names() -> tuple[str, ...]:
    """The synthetic outlets, largest first: a few wire services, then many papers (the same for every seed)."""
    names = []
    for n in range(SOURCES):
        outlet = _OUTLETS[n] if n < len(_OUTLETS) else _OUTLETS[4 + n % (len(_OUTLETS) - 4)]
        names.append(f"{'The ' if n >= 4 else ''}{_place(0, n * 7 + 1)} {outlet} (synthetic)")
    return tuple(names)


def _slug(source: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", source.replace("(synthetic)", "").lower()).strip("-")


class _Cast(dict[str, str]):
    """The names of one article, drawn on first use: {P0} person, {S0} surname, {C0}/{c0}/{T0} company, {L0}."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        super().__init__()
        self.rng, self.seed = rng, seed
        self.ranks: dict[str, list[int]] = {"P": [], "C": [], "L": []}

    def __missing__(self, key: str) -> str:
        kind, number = key[0], int(key[1:])
        group = {"P": "P", "S": "P", "C": "C", "c": "C", "T": "C", "L": "L"}[kind]
        ranks = self.ranks[group]
        tail = {"P": PERSON_TAIL, "C": COMPANY_TAIL, "L": PLACE_TAIL}[group]
        while len(ranks) <= number:
            rank = _tail_rank(self.rng, tail)
            while rank in ranks:
                rank = _tail_rank(self.rng, tail)
            ranks.append(rank)
        rank = ranks[number]
        if group == "P":
            given, surname = _person(self.seed, rank)
            value = surname if kind == "S" else f"{given} {surname}"
        elif group == "C":
            stem, full = _company(self.seed, rank)
            value = full if kind == "C" else stem if kind == "c" else stem[:4].upper()
        else:
            value = _place(self.seed, rank)
        self[key] = value
        return value


# --- articles ---
class _Maker:
    """Makes the articles of one chunk from a random stream that depends only on (seed, chunk)."""

    def __init__(self, pool: Pool, seed: int, chunk: int) -> None:
        self.pool, self.seed = pool, seed
        self.rng = random.Random(f"newsarchive-corpus:{seed}:{chunk}")

    def article(self, number: int) -> dict[str, object]:
        """One JSON Lines record, with id syn-<seed>-<number>."""
        rng, pool = self.rng, self.pool
        story = _pick(rng, pool.stories)
        cast = _Cast(rng, self.seed)
        units = [pool.units[unit].format_map(cast) for unit in self._units(story)]
        if rng.random() < ATTRIBUTION:
            units.insert(rng.randint(1, len(units)), self._attribution().format_map(cast))
            del units[MAX_UNITS:]
        style = _weighted(rng.random(), HEADLINE_STYLES)
        headline = story.headlines[style].format_map(cast)
        date = self._date()
        source = source_names()[_zipf(rng.random(), SOURCES, 1.1)]
        record_id = f"syn-{self.seed}-{number}"
        url = f"https://example.com/{_slug(source)}/{date.year}/{record_id}" if date and rng.random() < WITH_URL else ""
        return {
            "id": record_id,
            "headline": headline.upper() if style == "upper" else headline,
            "body": self._body(story, units, cast),
            "author": self._authors(),
            "date": date.isoformat() if date else None,
            "topic": list(story.topics),
            "source": source,
            "url": url,
        }

    def _units(self, story: Story) -> list[int]:
        """The story's lead, then its sentences kept or swapped for same-topic ones, to about its length."""
        rng, words = self.rng, self.pool.unit_words
        target = story.words * math.exp(rng.gauss(-0.045, 0.3)) - 12  # mean-preserving spread; stop near it
        chosen = [story.units[0]]
        total = words[chosen[0]]
        later = iter(story.units[1:])
        while len(chosen) < MIN_UNITS or (total < target and len(chosen) < MAX_UNITS):
            unit = next(later, None)
            wanted = (target - total) / (MAX_UNITS - len(chosen))  # words a sentence, to reach the target
            if unit is None or rng.random() >= KEEP_TEMPLATE or words[unit] < wanted / 2:
                unit = self._replacement(story.topics or ("",), chosen, wanted)
            chosen.append(unit)
            total += words[unit]
        return chosen

    def _replacement(self, topics: tuple[str, ...], chosen: list[int], wanted: float) -> int:
        """A sentence of one of the topics (or, now and then, of any): the longest of a few when the article
        must be long in twelve sentences, the shortest of a few when it is long enough already."""
        rng, words = self.rng, self.pool.unit_words
        topic = _pick(rng, topics)
        candidates = self.pool.prose if rng.random() < OFF_TOPIC else self.pool.by_topic[topic]
        draws = [_pick(rng, candidates) for _ in range(_draws(wanted))]
        fresh = [unit for unit in draws if unit not in chosen] or draws
        return min(fresh, key=words.__getitem__) if wanted <= 0 else max(fresh, key=words.__getitem__)

    def _attribution(self) -> str:
        rng = self.rng
        if rng.random() < 0.75:
            return _pick(rng, _ROLES) + _pick(rng, self.pool.clauses)
        return _pick(rng, _FIXED)

    def _body(self, story: Story, units: list[str], cast: _Cast) -> str:
        """The units laid out; never a Reuters body as it was (a short story without rare names, kept whole)."""
        body = self._layout(units)
        while len(units) == len(story.units) and _plain(body) == _plain(self.pool.reuters[story.source][1]):
            replacement = self._replacement(story.topics or ("",), [], 0.0)
            units[int(self.rng.random() * (len(units) - 1)) + 1] = self.pool.units[replacement].format_map(cast)
            body = self._layout(units)
        return body

    def _layout(self, units: list[str]) -> str:
        """Paragraphs of one or two sentences, as wire copy has them; a table is a paragraph of its own."""
        paragraphs: list[str] = []
        joinable = False
        for unit in units:
            table = "\n" in unit or not _PROSE_END.search(unit)
            if joinable and not table and self.rng.random() < 0.35:
                paragraphs[-1] += " " + unit
                joinable = False
            else:
                paragraphs.append(unit)
                joinable = not table
        return "\n\n".join(paragraphs)

    def _date(self) -> datetime | None:
        """A moment in 1980-2025, more of them in later years (archives grow), at a likely hour of the day."""
        rng = self.rng
        if rng.random() < NULL_DATE:
            return None
        first, end = datetime(FIRST_YEAR, 1, 1), datetime(LAST_YEAR + 1, 1, 1)
        growth = GROWTH * (LAST_YEAR + 1 - FIRST_YEAR)
        share = math.log1p(rng.random() * math.expm1(growth)) / growth
        day = first + timedelta(days=int(share * (end - first).days))
        hour = _weighted(rng.random(), _HOURS)
        return day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))

    def _authors(self) -> list[str]:
        rng = self.rng
        names: list[str] = []
        for _ in range(_weighted(rng.random(), AUTHOR_COUNTS)):
            rank = _zipf(rng.random(), REPORTERS, 1.0)
            given = _word(self.seed, "given", _zipf(_mix(self.seed, rank, 4) / _MASK, GIVEN_NAMES, 1.0))
            name = f"{given} {_word(self.seed, 'reporter', rank)}"
            if name not in names:
                names.append(name)
        return names


def _plain(text: str) -> str:
    return " ".join(text.split())


def _pick(rng: random.Random, items: Sequence[_T]) -> _T:
    """A random item (faster than rng.choice, and as deterministic)."""
    return items[int(rng.random() * len(items))]


def _draws(wanted: float) -> int:
    """How many sentences to choose the length from: 6 to get a short one, 1 normally, more to get long ones."""
    return 6 if wanted <= 0 else 1 if wanted < 25 else min(12, math.ceil(wanted / 10))


def _weighted(u: float, choices: tuple[tuple[_T, float], ...]) -> _T:
    """The value at cumulative probability u among weighted choices."""
    total = sum(weight for _, weight in choices)
    for value, weight in choices:
        u -= weight / total
        if u < 0:
            return value
    return choices[-1][0]


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


def _checkpoints(n: int) -> set[int]:
    marks = {m * 10**e for e in range(3, 10) for m in (1, 2, 5)}
    return {m for m in marks if m < n and m % CHUNK == 0} | {n}


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


def main(argv: list[str] | None = None) -> None:
    """Generate one corpus and print the time taken and how its vocabulary grew, against Reuters' Heaps law."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help=f"output file (default: {DATA}/{corpus_name(100_000, 1)} etc.)")
    parser.add_argument("--procs", type=int, help="worker processes (default: 2 from 20,000 articles up)")
    args = parser.parse_args(argv)
    out = args.out or DATA / corpus_name(args.n, args.seed)
    report = generate(args.n, args.seed, out, procs=args.procs)
    _echo(f"wrote {report.path}: {report.articles:,} articles, {report.bytes / 1e6:,.1f} MB "
          f"in {report.seconds:.1f} s ({report.procs} process{'es' if report.procs > 1 else ''})")
    reuters = reuters_vocabulary()
    k, beta = heaps_fit(reuters)
    _echo(f"Reuters-21578: {reuters[-1].tokens:,} tokens, {reuters[-1].words:,} words; Heaps fit K={k:.1f} "
          f"beta={beta:.3f}")
    _echo(f"{'articles':>10} {'tokens':>13} {'words':>9} {'Reuters fit':>12}")
    for p in report.vocabulary:
        _echo(f"{p.articles:>10,} {p.tokens:>13,} {p.words:>9,} {k * p.tokens**beta:>12,.0f}")
    if len(report.vocabulary) > 1:
        k2, beta2 = heaps_fit(report.vocabulary)
        _echo(f"Heaps fit of this corpus: K={k2:.1f} beta={beta2:.3f}")


def _echo(text: str) -> None:
    print(text)  # noqa: T201 (a command-line tool's output)


if __name__ == "__main__":
    main()
