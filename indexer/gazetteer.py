"""Names found in an article's text: a gazetteer of the names the archive knows, matched over headline and body.

The gazetteer holds, for each kind (person, org, place), the canonical names the archive's records have stated
(kept in the index folder by indexer/namestore.py) and those the alias file lists (indexer/aliases.py), each with the
forms it is written in: itself and its variants. Nothing is downloaded and no model is used. The rules
(docs/entities.md has them with the figures they give on Reuters-21578):

1. Text is cut into words (letters and digits); a form matches a run of words equal to its own, separated by at most
   a space, a line break, a dot, a hyphen or an apostrophe ("U.S.", "Paul A. Volcker", "Guinea-Bissau"). Accents are
   ignored; case is not: "Baker" the name is never "baker", and a form written all in lower case (a code such as
   `volcker`) is never looked for. The longest form starting at a word wins, and its words are used up (but see
   rule 6).
2. Words in capitals (Reuters' headlines, tables) match the names of organisations and places written in capitals
   ("BANK OF JAPAN", "OPEC"), never a person's: "BAKER" or "YOUNG" in a headline may be any word.
3. A form of two names (a place and a person called "Jordan") is ambiguous and not matched.
4. A person's surname alone (the last word of a name of two words or more) counts when the full name, or another
   form of two words or more, was matched in the same article, or when no other known person has that surname and
   no other name is written so.
5. A person's one-word form (a surname alone, or a one-word name such as Reuters' "Volcker") counts only if the
   article also has it where it is not the first word of a sentence or of the headline, nor in a headline in title
   case (where capitals are the rule: "Young People Rally"), nor followed by a capitalised word (then it is part of
   a name the gazetteer does not know: "McDonnell Douglas Corp", "Young Broadcasting"), unless the full name was
   matched.
6. A place named inside the name of an organisation or a person is named too ("Bank of Japan": Japan).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .aliases import Aliases
from .entities import KINDS, PEOPLE, PLACES

Entry = tuple[str, str]  # (kind: a facet name, canonical name)
_WORD = re.compile(r"[^\W_]+")
# What may stand between two words of one name.
_JOINER = re.compile(r"[ \t.'’\-&]{0,3}\n?[ \t]*")
# The word after a word of a name, and what joins them (atomic: as _JOINER.match, then _WORD.match where it ends).
_FOLLOWING = re.compile(rf"(?>{_JOINER.pattern})({_WORD.pattern})")
_SENTENCE_END = re.compile(r"(?:\A|[.!?:;]|\n[ \t]*\n)[\s\"'“‘(\[]*\Z")
# A capitalised word right after a word (rule 5).
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_])")
# How far back a sentence end is looked for before a word.
_LOOKBEHIND = 8
# Words after a surname that are not the surname ("James Baker III", "Martin Luther King Jr.").
_SUFFIXES = frozenset(("Jr", "Sr", "II", "III", "IV", "V"))
AMBIGUOUS: Entry = ("", "")


@dataclass
class _Form:
    words: tuple[str, ...]
    entry: Entry
    surname: bool = False  # a person's surname alone (rule 4)


@dataclass
class _Step:
    """The forms of one first word as a tree of their later words: the form ending at this word, if any, and the
    words that may follow it. The longest form that fits a text is the deepest step with a form its words reach."""

    form: _Form | None = None
    following: dict[str, _Step] = field(default_factory=dict)


@dataclass
class Gazetteer:
    """Known names by kind and their forms, matched over text (see the module's docstring for the rules)."""

    aliases: Aliases
    entries: set[Entry] = field(default_factory=set)
    _forms: dict[str, _Step] = field(default_factory=dict)  # by first word
    _surnames: dict[str, set[Entry]] = field(default_factory=dict)
    _written: dict[tuple[str, ...], set[Entry]] = field(default_factory=dict)  # every full form's entries
    _by_first: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)  # full forms by their first word
    _within: dict[tuple[str, ...], tuple[Entry, ...]] = field(default_factory=dict)  # places in a form (rule 6)
    _pattern: re.Pattern[str] | None = None  # the first words of every form (None: to compile again)

    @classmethod
    def of(cls, names: Iterable[Entry], aliases: Aliases) -> Gazetteer:
        """Return the gazetteer of stated names and the alias file's known names."""
        gazetteer = cls(aliases)
        gazetteer.add([(kind.facet, name) for kind in KINDS for name in aliases.known_names(kind.facet)])
        gazetteer.add(names)
        return gazetteer

    def add(self, names: Iterable[Entry]) -> None:
        """Add names (kind, canonical name) not known yet, with their forms."""
        new = [entry for entry in dict.fromkeys(names) if entry not in self.entries and entry[1]]
        if not new:
            return
        touched: set[str] = set()
        for entry in new:
            self.entries.add(entry)
            for form in self.aliases.names_of(*entry):
                words = tuple(_WORD.findall(_folded(form)))
                if not words or not any(c.isupper() for c in form):  # rule 1: codes in lower case are not looked for
                    continue
                written = [words]
                if entry[0] != PEOPLE.facet:  # rule 2: "BANK OF JAPAN"
                    written.append(tuple(word.upper() for word in words))
                for spelled in written:
                    self._written.setdefault(spelled, set()).add(entry)
                    self._by_first.setdefault(spelled[0], set()).add(spelled)
                    touched.add(spelled[0])
                if entry[0] == PEOPLE.facet and len(words) > 1:
                    surname = next((w for w in reversed(words) if w not in _SUFFIXES), words[-1])
                    self._surnames.setdefault(surname, set()).add(entry)
                    touched.add(surname)
        # The pattern holds the first words alone: built again only for new ones (~12 ms for 1,000 first words).
        if not touched <= self._forms.keys():
            self._pattern = None
        for first in touched:
            self._index_first(first)
        self._within.clear()

    def _index_first(self, first: str) -> None:
        """Rebuild the forms starting with a word: full forms (one entry, or ambiguous), then a surname alone."""
        forms = []
        for words in self._by_first.get(first, ()):
            entries = self._written[words]
            forms.append(_Form(words, next(iter(entries)) if len(entries) == 1 else AMBIGUOUS))
        people = self._surnames.get(first)
        if people and (first,) not in self._written:
            forms.append(_Form((first,), next(iter(people)) if len(people) == 1 else AMBIGUOUS, surname=True))
        root = _Step()  # no two forms have the same words: each step holds one form at most
        for form in forms:
            step = root
            for word in form.words[1:]:
                step = step.following.setdefault(word, _Step())
            step.form = form
        self._forms[first] = root

    def _places_within(self, form: _Form) -> tuple[Entry, ...]:
        """Return the places named inside a longer name of another kind ("Bank of Japan": Japan; rule 6)."""
        found = self._within.get(form.words)
        if found is None:
            words, places = form.words, list[Entry]()
            for i in range(len(words)):
                for j in range(i + 1, len(words) + (i > 0)):
                    entries = self._written.get(words[i:j], set())
                    places.extend(e for e in entries if e[0] == PLACES.facet and len(entries) == 1)
            found = self._within[form.words] = tuple(dict.fromkeys(places))
        return found

    def find(self, headline: str, body: str) -> dict[str, tuple[str, ...]]:
        """Return the names found in an article's headline and body, by kind, in the order they first occur."""
        found: dict[Entry, bool] = {}  # entry -> counted, in the order of first occurrence
        one_word: list[tuple[_Form, bool]] = []  # a person's one-word forms, and whether each is doubtful (rule 5)
        for text, titled in ((headline, None), (body, False)):
            text = _folded(text)
            for form, start in self._matches(text):
                if form.entry[0] == PEOPLE.facet and len(form.words) == 1:
                    if titled is None:  # read when first needed: most headlines name no one in one word
                        titled = _title_case(headline)
                    end = start + len(form.words[0])
                    doubtful = titled or _starts_sentence(text, start) or _followed_by_name(text, end)
                    one_word.append((form, doubtful))
                    found.setdefault(form.entry, False)
                elif form.entry != AMBIGUOUS:  # rule 3
                    found[form.entry] = True
                    if len(form.words) > 1 and form.entry[0] != PLACES.facet:
                        found.update(dict.fromkeys(self._places_within(form), True))
        for form, doubtful in one_word:
            if found[form.entry] or form.entry == AMBIGUOUS:
                continue  # its full name was matched (rules 4 and 5), or it is no one's
            if form.surname and not self._unambiguous(form.words[0]):
                continue  # rule 4
            if not doubtful:
                found[form.entry] = True  # rule 5
        names: dict[str, list[str]] = {kind.facet: [] for kind in KINDS}
        for (kind, name), counted in found.items():
            if counted:
                names[kind].append(name)
        return {kind: tuple(values) for kind, values in names.items()}

    def _unambiguous(self, surname: str) -> bool:
        """Rule 4: one known person has this surname, and no name is written as it alone."""
        return len(self._surnames.get(surname, ())) == 1 and (surname,) not in self._written

    def _matches(self, text: str) -> Iterator[tuple[_Form, int]]:
        """Yield each form matched in text (longest first, its words used up) and where it starts."""
        if self._pattern is None:
            # The words' start is checked below: a look-behind first would keep the scan from skipping ahead.
            self._pattern = re.compile(rf"(?:{_trie(self._forms)})(?![^\W_])")
        used = 0
        for found in self._pattern.finditer(text):
            start = found.start()
            if start < used or (start and (text[start - 1].isalnum() or text[start - 1] == "_")):
                continue
            step = self._forms[found.group()]
            form, end = step.form, found.end()
            at = end
            while step.following:  # each word after the first read once, for every form it may continue
                word = _FOLLOWING.match(text, at)
                if word is None or (later := step.following.get(word.group(1))) is None:
                    break
                step, at = later, word.end()
                if step.form is not None:
                    form, end = step.form, at
            if form is not None:
                yield form, start
                used = end


def _trie(words: Iterable[str]) -> str:
    """Return a regular expression matching any of the words, as a trie of their letters (fast to scan with)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_branch(root) or "(?!)"


def _trie_branch(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _trie_branch(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if len(branches) == 1 and "" not in node:
        return branches[0]  # a letter that must follow: no group (half the pattern to compile, the same matches)
    alternatives = branches[0] if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{'|'.join(branches)})"
    return f"{alternatives}?" if "" in node else alternatives


def _starts_sentence(text: str, start: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, start - _LOOKBEHIND):start]))


def _title_case(headline: str) -> bool:
    """Return whether most of a headline's longer words after the first are capitalised ("Fed Chief Warns On Rates")."""
    words: list[str] = [word for word in _WORD.findall(headline)[1:] if len(word) > 3]
    return 2 * sum(word[0].isupper() for word in words) > len(words)


def _followed_by_name(text: str, end: int) -> bool:
    following = _NEXT_WORD.match(text, end)
    return following is not None and following.group(1).isupper()


def _folded(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
