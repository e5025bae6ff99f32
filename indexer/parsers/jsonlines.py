"""JSON Lines (one object per line) and JSON files (an array of objects, one object, or a wrapper object).

A wrapper is an object holding the list under "articles", "items", "data", "results", "records" or "docs",
possibly one level down ({"response": {"results": [...]}}, as news APIs answer). A ".json" file that is really
JSON Lines (a second object after the first) is read as JSON Lines rather than rejected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..records import ParseItem, Skipped
from .decoding import read_lines, read_source, sniff_text
from .mapping import MAX_NESTING, article_from_mapping, kind_of, normalise_key

CONTAINER_KEYS = ("articles", "items", "data", "results", "records", "docs")
_WRAPPER_KEYS = (*CONTAINER_KEYS, "response")
_OBJECT_START = re.compile(r'\s*\{\s*(?:"|\})')
_ARRAY_START = re.compile(r"\s*\[\s*(?:\{|\])")


def parse_lines(path: Path, source: str) -> Iterator[ParseItem]:
    """Parse a JSON Lines file: one article per line; a bad line is skipped and named, the rest goes on.

    A large file is streamed (read_lines): memory does not grow with it.
    """
    lines = read_lines(path)
    if isinstance(lines, Skipped):
        yield lines
        return
    yield from _parse_lines(lines, path, source)


def _parse_lines(lines: Iterable[str], path: Path, source: str) -> Iterator[ParseItem]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield Skipped(str(path), where, f"invalid JSON: {err.msg} (column {err.colno})")
            continue
        except (RecursionError, ValueError) as err:
            yield Skipped(str(path), where, _unreadable(err))
            continue
        yield from _items(record, path, where, source, line)


def parse_array(path: Path, source: str) -> Iterator[ParseItem]:
    """Parse a JSON file holding an array of articles, one article, or a wrapper object with the list."""
    text = read_source(path)
    if isinstance(text, Skipped):
        yield text
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        if err.msg == "Extra data" and _is_object_line(text.lstrip().split("\n", 1)[0]):
            yield from _parse_lines(text.split("\n"), path, source)
            return
        yield Skipped(str(path), "", f"invalid JSON: {err.msg} at line {err.lineno} column {err.colno}")
        return
    except (RecursionError, ValueError) as err:
        yield Skipped(str(path), "", _unreadable(err))
        return
    records = _records(data)
    if records is None:
        yield Skipped(str(path), "", f"no articles: the JSON file holds {kind_of(data)}, not objects")
        return
    if not records:
        yield Skipped(str(path), "", "no articles: the JSON list is empty")
        return
    for number, record in enumerate(records, start=1):
        yield from _items(record, path, f"record {number}", source)


def _records(data: object) -> list[object] | None:
    """The list of records in a JSON document: the array, the list in a wrapper, or the one object."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        found = _wrapped_list(data, depth=2)
        return [data] if found is None else found
    return None


def _wrapped_list(data: dict[str, object], depth: int) -> list[object] | None:
    folded = {normalise_key(str(key)): value for key, value in data.items()}
    for key in _WRAPPER_KEYS:
        value = folded.get(key)
        # A list of strings under "items" or "data" is a field of one article, not a list of articles.
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            return value
        if isinstance(value, dict) and depth > 1:
            inner = _wrapped_list(value, depth - 1)
            if inner is not None:
                return inner
    return None


def _items(record: object, path: Path, where: str, source: str, text: str | None = None) -> Iterator[ParseItem]:
    # A record nests no deeper than its text has "{" and "[" (each object or list opens with one): counting them
    # takes a fraction of the time of walking the record, which only a text with more of them needs.
    if (text is None or text.count("{") + text.count("[") > MAX_NESTING) and _nesting(record) > MAX_NESTING:
        yield Skipped(str(path), where, f"nested too deeply: more than {MAX_NESTING} levels of objects and lists")
        return
    item, notices = article_from_mapping(record, str(path), where, source)
    yield item
    yield from notices


def _unreadable(err: RecursionError | ValueError) -> str:
    """Why json.loads failed other than on syntax: nesting past its recursion limit, or a number too long."""
    if isinstance(err, RecursionError):
        return "invalid JSON: nested too deeply"
    # Python refuses to convert integers of more than 4,300 digits (a guard against slow conversions).
    return f"invalid JSON: {str(err).split(':')[0]}"


def _nesting(value: object) -> int:
    """How deep objects and lists nest in a JSON value (a scalar is 0), counted without recursion: level by level,
    only the objects and lists of each."""
    depth, level = 0, [value] if isinstance(value, (dict, list)) else []
    while level:
        depth += 1
        level = [child for item in level for child in (item.values() if isinstance(item, dict) else item)
                 if isinstance(child, (dict, list))]
    return depth


def _is_object_line(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (RecursionError, ValueError):  # ValueError: JSONDecodeError, or an integer too long to convert
        return False


def sniff_lines(head: bytes) -> bool:
    """Recognise JSON Lines: the first line is a whole JSON object (or one too long to see the end of)."""
    text = sniff_text(head)
    if text is None:
        return False
    first, newline, _ = text.lstrip().partition("\n")
    if not _OBJECT_START.match(first):
        return False
    return _is_object_line(first) or not newline  # no newline: the first line runs past the sniffed bytes


def sniff_array(head: bytes) -> bool:
    """Recognise a JSON document of articles: it opens an object, or an array of objects."""
    text = sniff_text(head)
    return text is not None and bool(_OBJECT_START.match(text) or _ARRAY_START.match(text))
