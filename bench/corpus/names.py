"""Synthetic people, companies, places, reporters and outlets: syllables picked by a hash of (seed, kind, rank)
and ranks drawn with Zipf-Mandelbrot popularity, so the names never run out and no table grows with n."""

from __future__ import annotations

import bisect
import random
import re
from functools import cache, lru_cache

from .settings import COMPANY_TAIL, GIVEN_NAMES, PERSON_TAIL, PLACE_TAIL, RANK_CAP, SOURCES

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
