"""The term dictionary written a field at a time (indexer/whoosh/dictionary.py) is the file Whoosh writes."""

from __future__ import annotations

import random
from bisect import bisect_left
from pathlib import Path

import numpy as np
import pytest
from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter
from whoosh.filedb.structfile import StructFile

from indexer.whoosh.dictionary import TermsWriter


def _terms(count: int, seed: int) -> list[tuple[bytes, bytes]]:
    rnd = random.Random(seed)
    keys = sorted({bytes([0, rnd.randrange(3)]) + "".join(rnd.choice("abcdeé文") for _ in range(rnd.randint(1, 12)))
                   .encode() for _ in range(count)})
    return [(key, bytes(rnd.randrange(256) for _ in range(35))) for key in keys]


def _whooshs(path: Path, terms: list[tuple[bytes, bytes]], extras: dict[str, object]) -> bytes:
    writer = OrderedHashWriter(StructFile(path.open("wb")))
    writer.extras.update(extras)
    for key, value in terms:
        writer.add(key, value)
    writer.close()
    return path.read_bytes()


def _ours(path: Path, terms: list[tuple[bytes, bytes]], extras: dict[str, object], cuts: list[int]) -> bytes:
    """Terms added at once between the cuts, one by one at each cut."""
    writer = TermsWriter(StructFile(path.open("wb")))
    writer.extras.update(extras)
    at = 0
    for cut in [*cuts, len(terms)]:
        keys = [key for key, _ in terms[at:cut]]
        values = np.frombuffer(b"".join(value for _, value in terms[at:cut]), dtype="V35")
        writer.add_many(keys, values)
        if cut < len(terms):
            writer.add(*terms[cut])
        at = cut + 1
    writer.close()
    return path.read_bytes()


@pytest.mark.parametrize(("count", "cuts"), [(0, []), (1, []), (5, [2]), (3000, [0, 17, 1800]), (70_000, [40_000])])
def test_the_file_is_whooshs_byte_for_byte_and_whoosh_reads_it(tmp_path: Path, count: int, cuts: list[int]) -> None:
    terms = _terms(count, seed=count)
    cuts = [cut for cut in cuts if cut < len(terms)]
    extras = {"fieldmap": {"body": 0, "headline": 1}}
    expected = _whooshs(tmp_path / "whoosh.trm", terms, extras)
    assert _ours(tmp_path / "ours.trm", terms, extras, cuts) == expected
    path = tmp_path / "ours.trm"
    reader = OrderedHashReader(StructFile(path.open("rb")), path.stat().st_size)
    assert list(reader.items()) == terms
    keys = [key for key, _ in terms]
    for key, value in terms[::97]:
        assert reader[key] == value
        probe = key[:-1]  # a prefix: what a wildcard's expansion starts from
        assert reader.closest_key(probe) == keys[bisect_left(keys, probe)]
    assert reader.extras["fieldmap"] == extras["fieldmap"]
    reader.close()


def test_keys_must_increase_across_calls(tmp_path: Path) -> None:
    writer = TermsWriter(StructFile((tmp_path / "t.trm").open("wb")))
    writer.add_many([b"\0\0b", b"\0\0c"], np.zeros(2, dtype="V4"))
    with pytest.raises(ValueError, match="increase"):
        writer.add(b"\0\0a", b"1234")
    with pytest.raises(ValueError, match="increase"):
        writer.add_many([b"\0\0d", b"\0\0d"], np.zeros(2, dtype="V4"))
    writer.close()
