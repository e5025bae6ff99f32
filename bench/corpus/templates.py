"""Turning Reuters text into str.format templates: rare names become slots ({P0}, {C1}, {L0}), headlines
get three casings. Which words are names, and which are rare, is learnt from the whole of Reuters."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from .settings import COMMON_DF, MAX_ENTITIES, RARE_DF

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
