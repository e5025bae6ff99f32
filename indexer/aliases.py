"""The alias file: one canonical name a line and its variants, so that "Volcker", "Paul A. Volcker" and Reuters'
`volcker` are one person, "Paul Volcker", on the facet and in `person:` searches.

    # a comment
    [person]
    Paul Volcker: Volcker, Paul A. Volcker
    [org]
    European Community: EC, European Communities, EEC, Common Market
    [place]
    United States: U.S., US, USA, America, American
    Kuala Lumpur

A line is a canonical name, then (after a colon) its variants, comma-separated; a name alone is a known name of its
section's kind (the gazetteer looks for it in texts). Sections `[person]`, `[org]` and `[place]` type the lines
after them; lines before any section (or after `[any]`) map names of every kind. Variants are matched case- and
accent-insensitively, spaces aside (`facetpages.fold`). The package ships a default file (`indexer/data/aliases.txt`:
countries, international organisations, well-known office holders, written from general knowledge); the archive's
own file (NEWSARCHIVE_ALIASES) is read after it, and where both give a variant the archive's file wins (write
`American` alone under `[place]` to keep "American" from meaning the United States). Indexing runs apply it: a
changed file applies to articles indexed after the change (`--rebuild` for the rest). See docs/entities.md.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from .entities import BY_ATTRIBUTE, BY_FACET
from .facetpages import fold
from .settings import ALIASES, SettingError, read_settings

# The kind of untyped lines (before any section, or after [any]): they map stated names of every kind.
ANY = ""
_SECTIONS = {**{name: kind.facet for name, kind in BY_FACET.items()},
             **{name: kind.facet for name, kind in BY_ATTRIBUTE.items()},
             "organisation": "org", "organization": "org", "any": ANY}
DEFAULT_FILE = "aliases.txt"  # in the package indexer.data


@dataclass(frozen=True)
class Entry:
    """One line of an alias file: its kind (a facet name, or ANY), the canonical name and its variants."""

    kind: str
    canonical: str
    variants: tuple[str, ...]
    where: str  # "aliases.txt: line 12", for messages


def read_entries(text: str, where: str = "") -> list[Entry]:
    """Return the lines of an alias file's text, or raise SettingError naming the line that is not one."""
    entries: list[Entry] = []
    kind = ANY
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        place = f"{where}line {number}"
        if line.startswith("["):
            section = line.strip("[] ").lower()
            if not line.endswith("]") or section not in _SECTIONS:
                raise SettingError(f"{ALIASES.env}: {place}: {line!r} is not a section: write [person], [org], "
                                   "[place] or [any]")
            kind = _SECTIONS[section]
            continue
        canonical, _, rest = line.partition(":")
        canonical = " ".join(canonical.split())
        if not canonical:
            raise SettingError(f"{ALIASES.env}: {place}: no canonical name before the colon (write 'Paul Volcker: "
                               "Volcker, Paul A. Volcker')")
        variants = tuple(dict.fromkeys(v for v in (" ".join(p.split()) for p in rest.split(",")) if v))
        entries.append(Entry(kind, canonical, variants, place))
    return entries


# The names as written whose canonical names an Aliases remembers (a news archive names the same ones again and again).
CANONICAL_MEMO = 100_000


class Aliases:
    """Canonical names and their variants, by kind, from one or more alias files (later files win)."""

    def __init__(self, *files: list[Entry]) -> None:
        self._lookup: dict[tuple[str, str], str] = {}  # (kind, folded name) -> canonical name
        self._canonical: dict[tuple[str, str], str] = {}  # (kind, name as written) -> canonical(): names repeat
        spellings: dict[tuple[str, str], dict[str, None]] = {}  # (kind, canonical) -> names as spelled
        for entries in files:
            self._add(entries, spellings)
        # A variant a later file gave to another name is no longer this one's.
        self._names = {key: tuple(s for s in spelled if self._lookup.get((key[0], fold(s))) == key[1])
                       for key, spelled in spellings.items()}
        self._known = {kind: tuple(c for k, c in spellings if k == kind and self._lookup.get((k, fold(c))) == c)
                       for kind in BY_FACET}

    def _add(self, entries: list[Entry], spellings: dict[tuple[str, str], dict[str, None]]) -> None:
        claimed: dict[tuple[str, str], Entry] = {}  # within one file, a variant of two names is a mistake
        for entry in entries:
            names = spellings.setdefault((entry.kind, entry.canonical), {})
            for spelled in (entry.canonical, *entry.variants):
                key = (entry.kind, fold(spelled))
                other = claimed.get(key)
                if other is not None and other.canonical != entry.canonical:
                    raise SettingError(f"{ALIASES.env}: {entry.where}: {spelled!r} is already a name of "
                                       f"{other.canonical!r} ({other.where})")
                claimed[key] = entry
                self._lookup[key] = entry.canonical
                names[spelled] = None

    def canonical(self, kind: str, name: str) -> str:
        """Return the canonical name of a name of a kind (a facet name): its line's first name, else the name."""
        found = self._canonical.get((kind, name))
        if found is None:
            tidied = " ".join(name.split())
            folded = fold(tidied)
            found = self._lookup.get((kind, folded)) or self._lookup.get((ANY, folded)) or tidied
            if len(self._canonical) >= CANONICAL_MEMO:
                self._canonical.clear()  # bounded: start again rather than grow without end
            self._canonical[kind, name] = found
        return found

    def canonical_names(self, kind: str, names: Iterable[str]) -> tuple[str, ...]:
        """Return names as their canonical names, each once, in their order."""
        return tuple(dict.fromkeys(c for c in (self.canonical(kind, n) for n in names) if c))

    def names_of(self, kind: str, canonical: str) -> tuple[str, ...]:
        """Return a canonical name and its variants as the files spell them (what `person:` searches)."""
        return tuple(dict.fromkeys((canonical, *self._names.get((kind, canonical), ()),
                                    *self._names.get((ANY, canonical), ()))))

    def known_names(self, kind: str) -> tuple[str, ...]:
        """Return the canonical names of a kind's section (the gazetteer looks for them in texts)."""
        return self._known.get(kind, ())


_lock = threading.Lock()
_read: dict[str, tuple[int, Aliases]] = {}  # path -> (modification time, aliases with the default's)


def default_entries() -> list[Entry]:
    """Return the entries of the alias file the package ships."""
    text = resources.files("indexer.data").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    return read_entries(text, f"{DEFAULT_FILE}: ")


def load_aliases(path: str = "") -> Aliases:
    """Return the default aliases and those of the file at path ("": the default's alone), read again when changed."""
    try:
        changed = os.stat(path).st_mtime_ns if path else 0
        with _lock:
            known = _read.get(path)
        if known is not None and known[0] == changed:
            return known[1]
        files = [default_entries()]
        if path:
            with open(path, encoding="utf-8") as handle:
                files.append(read_entries(handle.read(), f"{path}: "))
    except (OSError, UnicodeDecodeError) as err:
        raise SettingError(f"{ALIASES.env}: cannot read {path}: {getattr(err, 'strerror', None) or err}") from err
    aliases = Aliases(*files)
    with _lock:
        _read[path] = (changed, aliases)
    return aliases


def configured_aliases() -> Aliases:
    """Return the aliases in effect: the default file's and NEWSARCHIVE_ALIASES's."""
    return load_aliases(str(read_settings((ALIASES,))["ALIASES"]))
