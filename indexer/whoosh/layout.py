"""Where a text's words are: the words the token pattern (indexer/words.py) finds, found with numpy.

A highlighted snippet needs every word of a hit's text, its place and its term. The token pattern's `finditer` or
`split` costs a Python match object or two strings per word: a quarter of an API search's time, for pages of 20 to
50 hits. Here the pattern's words come from arrays of the text's characters instead:

- a word is a run of word characters (`\\w`: `str.isalnum()` or "_", as `re` has it), joined across one `.`, `'` or
  `’` between two word characters (`\\w+(?:[.'’]\\w+)*`);
- the pattern's first alternative, an acronym (`(?:[^\\W\\d_]\\.){2,}`: "U.S." with its last dot), starts only where
  a word's second character is a dot; those few words are found again by the pattern itself, from where the run
  starts to just past its end (an acronym's last dot).

`spans` gives what `finditer` gives; tests/test_layout.py compares the two on Reuters and on made-up texts.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from ..words import TOKEN_PATTERN

# A character's class, as `re` sees it: a joiner or a gap, else a word character (\\w, alphanumeric or "_"; the odd
# classes), a letter too ([^\\W\\d_]: not a decimal digit nor "_") or not.
_GAP, _WORD, _JOINER, _LETTER = 0, 1, 2, 3
_DOT, _SPACE = ord("."), ord(" ")


@cache
def _classes() -> np.ndarray:
    """Return each code point's class."""
    count = 0x110000  # every code point, streamed (a list of them would hold 60 MB of one-character strings)
    word = np.fromiter(map(str.isalnum, map(chr, range(count))), dtype=bool, count=count)
    decimal = np.fromiter(map(str.isdecimal, map(chr, range(count))), dtype=bool, count=count)
    table = np.where(word, np.where(decimal, _WORD, _LETTER), _GAP).astype(np.uint8)
    table[ord("_")] = _WORD
    table[[ord("."), ord("'"), ord("’")]] = _JOINER
    return table


def spans(expression: re.Pattern[str], text: str) -> tuple[list[int], list[int], list[str]]:
    """Return where each word of the token pattern starts and ends in a text, and the words (another pattern: its
    own matches)."""
    if expression.pattern != TOKEN_PATTERN or len(text) < 4:
        return _matched(expression, text, 0, len(text))
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = _classes()[codes]
    word = (classes & 1).view(bool)
    inside = np.zeros(len(codes) + 2, dtype=bool)  # word characters, and joiners between two; a gap either side
    inside[1:-1] = word
    inside[2:-2] |= (classes[1:-1] == _JOINER) & word[:-2] & word[2:]
    edges = np.flatnonzero(inside[1:] != inside[:-1])
    start_list, end_list = edges[0::2].tolist(), edges[1::2].tolist()
    # The runs that start as an acronym does (a letter, a dot, a letter, a dot), from the text's few dots.
    first = np.flatnonzero(codes[1:-2] == _DOT)  # a letter before a dot, and two characters after it
    first = first[(classes[first] == _LETTER) & (classes[first + 2] == _LETTER) & (codes[first + 3] == _DOT)]
    acronym = [at for at, start in zip(np.searchsorted(edges[0::2], first).tolist(), first.tolist(), strict=True)
               if at < len(start_list) and start_list[at] == start]
    if acronym:
        start_list, end_list, parted = _acronyms(expression, text, start_list, end_list, acronym, inside)
        if parted:  # "a.b.c.d": "a.b.c." and "d", with no gap to split at
            return start_list, end_list, list(map(text.__getitem__, map(slice, start_list, end_list)))
    gaps_blank = np.where(inside[1:-1], codes, _SPACE).astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    return start_list, end_list, gaps_blank.split()


def _acronyms(expression: re.Pattern[str], text: str, starts: list[int], ends: list[int], dotted: list[int],
              inside: np.ndarray) -> tuple[list[int], list[int], bool]:
    """Return the spans with the runs that may start with an acronym found again by the pattern; `inside` gains
    acronyms' last dots; and whether a run was parted into several words (that the run's split cannot show)."""
    found_starts: list[int] = []
    found_ends: list[int] = []
    parted = False
    done = 0
    for i in dotted:
        found_starts += starts[done:i]
        found_ends += ends[done:i]
        again_starts, again_ends, _ = _matched(expression, text, starts[i], min(ends[i] + 1, len(text)))
        if again_starts == [starts[i]] and again_ends == [ends[i] + 1]:
            inside[ends[i] + 1] = True  # the acronym's last dot (inside is a character longer at the front)
        elif again_starts != [starts[i]] or again_ends != [ends[i]]:
            parted = True
        found_starts += again_starts
        found_ends += again_ends
        done = i + 1
    found_starts += starts[done:]
    found_ends += ends[done:]
    return found_starts, found_ends, parted


def _matched(expression: re.Pattern[str], text: str, start: int, end: int) -> tuple[list[int], list[int], list[str]]:
    matches = list(expression.finditer(text, start, end))
    return [m.start() for m in matches], [m.end() for m in matches], [m.group() for m in matches]
