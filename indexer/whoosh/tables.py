"""Our codec's tables (`.nft`): the facets' fields of a segment written whole, a table per field, so that a reader
has a field's every value and document at once instead of one term dictionary look-up and decode per value
(thousands of names per segment: half a minute over the 400 segments of a million articles):

    "NFt1", u32 fields; per field: u32 name length, name (UTF-8, padded to 4 bytes),
    u32 terms, u32 postings, u32 value ends [terms], values (padded), u32 counts [terms], u32 documents [postings]
"""

from __future__ import annotations

import numpy as np

from .arrays import u32, u32_array

TABLES_EXT = ".nft"
TABLES_MAGIC = b"NFt1"


def tables_bytes(tables: dict[str, list[tuple[bytes, np.ndarray]]]) -> bytes:
    """Return the tables file (.nft) of the given fields' terms, each with its documents, in term order."""
    parts = [TABLES_MAGIC, u32([len(tables)])]
    for name, terms in tables.items():
        parts += [u32([len(name.encode())]), _padded(name.encode())]
        texts, docs = [t for t, _ in terms], [d for _, d in terms]
        parts += [u32((len(terms), sum(len(d) for d in docs)))]
        parts += [u32(np.cumsum([len(t) for t in texts], dtype=np.int64).tolist()), _padded(b"".join(texts))]
        parts += [u32(len(d) for d in docs), b"".join(u32_array(d) for d in docs)]
    return b"".join(parts)


def read_tables(data: bytes) -> dict[str, tuple[list[bytes], np.ndarray, np.ndarray]]:
    """Read a tables file (tables_bytes): each field's values, documents and value numbers."""
    if data[:4] != TABLES_MAGIC:
        raise ValueError("not a tables file of this codec")
    words = np.frombuffer(data, dtype="<u4")
    at, found = 2, {}
    for _ in range(int(words[1])):
        size = int(words[at])
        name = data[4 * at + 4:4 * at + 4 + size].decode()
        at += 1 + (size + 3) // 4
        terms, posts = int(words[at]), int(words[at + 1])
        ends = words[at + 2:at + 2 + terms].astype(np.int64)
        at += 2 + terms
        text = data[4 * at:4 * at + (int(ends[-1]) if terms else 0)]
        at += (len(text) + 3) // 4
        bounds = [0, *ends.tolist()]
        values = [text[bounds[i]:bounds[i + 1]] for i in range(terms)]
        counts = words[at:at + terms].astype(np.int64)
        docs = words[at + terms:at + terms + posts].astype(np.int32)
        at += terms + posts
        found[name] = (values, docs, np.repeat(np.arange(terms, dtype=np.int32), counts))
    return found


def _padded(data: bytes) -> bytes:
    """Return bytes padded with zeros to a multiple of 4."""
    return data + b"\0" * (-len(data) % 4)
