"""Synonyms and variant names, applied when a query is searched (never at indexing: a new file needs no re-index).

The file (NEWSARCHIVE_SYNONYMS) holds a group of equivalent names a line, comma-separated, `#` starting a comment:

    Myanmar, Burma
    Istanbul, Constantinople
    New York City, NYC

A query word or phrase equal to one name of a group also searches the others (indexer/whoosh/synonyms.py does it
on the parsed query, for every engine). The file is read again when it changes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .settings import SYNONYMS, SettingError

Groups = tuple[tuple[str, ...], ...]

_lock = threading.Lock()
_read: dict[str, tuple[int, Groups]] = {}  # path -> (modification time, groups)


def read_groups(text: str, where: str = "") -> Groups:
    """Return the groups of a synonyms file's text, or raise SettingError naming the line that is not a group."""
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        names = [" ".join(name.split()) for name in line.split("#", 1)[0].split(",")]
        names = [name for name in names if name]
        if not names:
            continue
        if len(names) < 2:
            raise SettingError(f"{SYNONYMS.env}: {where}line {number} names one thing ({names[0]!r}): a group is two "
                               "or more names, comma-separated (Myanmar, Burma)")
        groups.append(tuple(dict.fromkeys(names)))
    return tuple(groups)


def load_groups(path: str) -> Groups:
    """Return the groups of the synonyms file at path ("" for none), read again when it has changed."""
    if not path:
        return ()
    try:
        changed = os.stat(path).st_mtime_ns
        with _lock:
            known = _read.get(path)
        if known is not None and known[0] == changed:
            return known[1]
        groups = read_groups(Path(path).read_text(encoding="utf-8"), f"{path}: ")
    except (OSError, UnicodeDecodeError) as err:
        raise SettingError(f"{SYNONYMS.env}: cannot read {path}: {getattr(err, 'strerror', None) or err}") from err
    with _lock:
        _read[path] = (changed, groups)
    return groups
