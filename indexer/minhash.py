"""What near-duplicate detection measures: word shingles, their 32-bit hashes, MinHash signatures, LSH band keys.

Vectorised over a whole batch of texts with numpy, with no Python work per word or per shingle: the batch's text is
lowercased and read as code points, words are the runs of word characters (what the regular expression `\\w+`
matches), a word's hash is a weighed sum of its code points (one reduction), a shingle's hash a fixed
combination of its words' hashes, and signatures are one matrix min per chunk of articles. The permutations are
datasketch's (`MinHash(num_perm, seed).permutations`, its default "affine32" scheme, made without importing it),
so a signature here equals `datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash).update_batch(shingles)`
(tests/test_stories.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_MASK = 0xFFFFFFFF


def _splitmix64(count: int, state: int) -> tuple[int, ...]:
    """Return `count` well-spread 64-bit constants (SplitMix64 from a fixed state): the same on every machine."""
    values = []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        values.append(z ^ (z >> 31))
    return tuple(values)


# A word's hash: the sum of its code points times these weights (by place in the word, modulo 64), modulo 2**32,
# then mixed. Sums over word boundaries make it one numpy reduction for every word of a batch.
_WEIGHTS = tuple(value & _MASK for value in _splitmix64(64, 2024))
_CHAR_WEIGHTS = np.array(_WEIGHTS, dtype=np.uint32)
# A shingle's hash: the sum of its words' hashes times these odd constants (one per position), modulo 2**32.
_POSITION = (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1, 0xD3A2646D, 0xFD7046C5, 0xB55A4F09)
# Band keys: the rows of a band, times these odd 64-bit constants, summed modulo 2**64.
_ROW = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63,
        0x27D4EB2F165667C5, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0xD6E8FEB86659FD93)
MAX_SHINGLE_WORDS = len(_POSITION)
MAX_BAND_ROWS = len(_ROW)
# Shingles permuted at once: 8,192 x 128 permutations is 4 MB of uint32.
_CHUNK_SHINGLES = 8192


@lru_cache(maxsize=1)
def _word_chars() -> Bools:
    """Return which code points of the Basic Multilingual Plane are word characters (as `\\w` says)."""
    return np.array([chr(c).isalnum() or c == 0x5F for c in range(0x10000)], dtype=np.bool_)


def words(text: str) -> list[str]:
    """Return the words of a text as shingles see them: lowercased runs of word characters (the scalar reference)."""
    found: list[str] = []
    current: list[str] = []
    for char in text.lower() + " ":
        if ord(char) > 0xFFFF or char.isalnum() or char == "_":
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    return found


def _fmix32(values: U32) -> U32:
    """MurmurHash3's 32-bit finalizer: mixes word hashes here, and every input hash in datasketch's affine32."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def word_hash(word: str) -> int:
    """Return a word's 32-bit hash: its code points weighed by place, summed modulo 2**32, mixed."""
    value = sum(ord(char) * _WEIGHTS[i % len(_WEIGHTS)] for i, char in enumerate(word)) & _MASK
    return int(_fmix32(np.array([value], dtype=np.uint32))[0])


def shingle_hash(shingle: Sequence[str]) -> int:
    """Return the 32-bit hash of a shingle (a tuple of words): the scalar form of `shingle_sets`."""
    return sum(word_hash(word) * _POSITION[i] for i, word in enumerate(shingle)) & _MASK


def _word_hashes(texts: Sequence[str]) -> tuple[U32, npt.NDArray[np.intp]]:
    """Return the hash of every word of the texts, in order, and the index of the text each word is in."""
    lowered = [text.lower() for text in texts]
    points = np.frombuffer("\n".join(lowered).encode("utf-32-le"), dtype=np.uint32)
    is_word = _word_chars()[points & np.uint32(0xFFFF)] | (points > 0xFFFF)
    edges = np.diff(is_word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    if not len(starts):
        return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.intp)
    # Each character's place in its word (counted from the start of the last word begun), to weigh it by.
    begun = np.zeros(len(points), dtype=np.int32)
    begun[starts] = starts - np.concatenate(([0], starts[:-1]))
    place = np.arange(len(points), dtype=np.int32) - np.cumsum(begun, dtype=np.int32)
    weighed = points * _CHAR_WEIGHTS[place & np.int32(len(_WEIGHTS) - 1)]  # uint32 arithmetic: modulo 2**32
    weighed *= is_word  # what lies between words weighs nothing: a word's sum runs to the next word's start
    hashes = np.add.reduceat(weighed, starts, dtype=np.uint32)
    text_starts = np.cumsum([0] + [len(text) + 1 for text in lowered[:-1]])
    return _fmix32(hashes), np.searchsorted(text_starts, starts, side="right") - 1


def shingle_sets(texts: Sequence[str], size: int) -> tuple[U32, npt.NDArray[np.intp]]:
    """Return the distinct shingle hashes of every text (sorted within each) and where each text's hashes start.

    Text i's hashes are hashes[offsets[i]:offsets[i + 1]]; a text of fewer than `size` words has none.
    """
    word_hashes, text_of = _word_hashes(texts)
    count = max(0, len(word_hashes) - size + 1)
    combined = word_hashes[:count] * np.uint32(_POSITION[0])
    for i in range(1, size):
        combined += word_hashes[i : i + count] * np.uint32(_POSITION[i])  # array arithmetic wraps modulo 2**32
    whole = text_of[:count] == text_of[size - 1 : size - 1 + count]  # shingles never span two texts
    keyed = np.sort((text_of[:count][whole].astype(np.uint64) << np.uint64(32)) | combined[whole])
    distinct = np.ones(len(keyed), dtype=np.bool_)
    distinct[1:] = keyed[1:] != keyed[:-1]  # np.unique would hash: slower here than one sort
    keyed = keyed[distinct]
    offsets = np.zeros(len(texts) + 1, dtype=np.intp)
    np.cumsum(np.bincount((keyed >> np.uint64(32)).astype(np.intp), minlength=len(texts)), out=offsets[1:])
    return (keyed & np.uint64(_MASK)).astype(np.uint32), offsets


@lru_cache(maxsize=4)
def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """Return datasketch's affine permutations (a, b) for these settings, made as datasketch 2.0 makes them for its
    default "affine32" scheme (`MinHash._init_permutations`): importing datasketch imports SciPy for its LSH, half a
    second of every indexing run for two arrays (tests/test_stories.py compares them with datasketch's)."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)  # odd: a bijection
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def signatures(hashes: U32, offsets: npt.NDArray[np.intp], which: Sequence[int] | npt.NDArray[np.intp], num_perm: int,
               seed: int) -> U32:
    """Return the MinHash signatures (num_perm uint32 columns) of the chosen non-empty sets of a `shingle_sets`."""
    a, b = permutations(num_perm, seed)
    chosen = np.asarray(which, dtype=np.intp)
    lengths = offsets[chosen + 1] - offsets[chosen]
    picked = np.repeat(offsets[chosen] - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    mixed = _fmix32(hashes[picked])
    ends = np.cumsum(lengths)
    out = np.empty((len(chosen), num_perm), dtype=np.uint32)
    # One permutation per row, the shingles along it: each article's min is a contiguous reduction (6x faster
    # than shingles down the rows).
    buffer = np.empty((num_perm, max(_CHUNK_SHINGLES, int(lengths.max(initial=0)))), dtype=np.uint32)
    first = 0
    while first < len(chosen):
        start = int(ends[first] - lengths[first])
        last = max(first + 1, int(np.searchsorted(ends, start + _CHUNK_SHINGLES, side="right")))
        stop = int(ends[last - 1])
        permuted = buffer[:, : stop - start]
        np.multiply(a[:, None], mixed[None, start:stop], out=permuted)
        np.add(permuted, b[:, None], out=permuted)
        out[first:last] = np.minimum.reduceat(permuted, ends[first:last] - lengths[first:last] - start, axis=1).T
        first = last
    return out


def band_keys(signature_rows: U32, bands: int, rows: int) -> I64:
    """Return each signature's LSH band keys (bands columns): its rows of each band hashed to a signed 64-bit key."""
    used = signature_rows[:, : bands * rows].astype(np.uint64).reshape(len(signature_rows), bands, rows)
    keys = np.zeros((len(signature_rows), bands), dtype=np.uint64)
    for i in range(rows):
        keys += used[:, :, i] * np.uint64(_ROW[i])
    keys ^= keys >> np.uint64(29)
    return keys.view(np.int64)  # SQLite integers are signed 64-bit


def similarity(signature: U32, others: U32) -> npt.NDArray[np.float64]:
    """Return the estimated Jaccard similarity of a signature with each row of others (equal positions)."""
    return np.asarray((others == signature[None, :]).mean(axis=1), dtype=np.float64)
