"""Reuters-21578 SGML (reut2-*.sgm): one Article per <REUTERS> story.

What the collection's quirks become here:
- Files are latin-1 with SGML entities: unescaped; control characters (&#3;, &#127; ...) become spaces,
  because &#127; stands where a character was lost ("dlr&#127;untied") and gluing the words would be worse.
- TYPE="BRIEF" stories are a title only ("Blah blah blah." stands in for the text): body "".
- TYPE="UNPROC" stories have no TITLE/BODY markup: the first non-empty line is the headline, the rest the body.
- A story with neither headline nor body still counts: its first words, or "(untitled)", are the headline.
- Bodies end with a "Reuter" sign-off (REUTER, Reuter..., REUTER^M), which is cut; "told\\nReuters." is prose
  and stays. A typed-out carriage return ("^M") at the end of a line is cut too.
- Body line breaks and indentation are kept: an indented line starts a paragraph and tables align by spaces.
- AUTHOR "By Cal Mankowski, Reuters" gives "Cal Mankowski"; names in capitals ("PATTI DOMM") are put in title
  case, so one reporter is one author facet value.
- The source is always "Reuters", whatever `source` says: that argument names the source of records that name
  none, and every story here is Reuters copy. The url is "".
- PLACES, PEOPLE and ORGS hold lowercase codes ("west-germany", "james-baker", "opec"), made readable by one rule
  (readable_code): hyphens become spaces and each word is capitalised ("West Germany", "James Baker"), except
  organisations' short codes (up to 5 letters: "OPEC", "IMF", "EC"; "ICO Coffee") and places' codes of up to 3
  letters ("USA", "UK"), written in capitals. The alias file does the rest at indexing ("USA" -> "United States",
  "Volcker" -> "Paul Volcker": indexer/aliases.py).
- DATELINE, EXCHANGES and COMPANIES are not read: Article has no field for them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from ..records import Article, Notice, ParseItem, Skipped, clean_values
from .decoding import BINARY_REASON, EMPTY_REASON, looks_binary, sniff_text
from .text import first_words, read_date, split_names, tidy_line

SOURCE = "Reuters"
ID_PREFIX = "reuters21578:"

_STORY_START = re.compile(r"<REUTERS\b")
_STORY_END = "</REUTERS>"
_ATTRIBUTE = re.compile(r'([A-Za-z]+)\s*=\s*"([^"]*)"')
_TEXT = re.compile(r"<TEXT\b([^>]*)>(.*?)</TEXT>", re.DOTALL)
_ELEMENTS = {tag: re.compile(rf"<{tag}>(.*?)</{tag}>", re.DOTALL) for tag in ("DATE", "TITLE", "BODY", "AUTHOR")}
_LISTS = {tag: re.compile(rf"<{tag}>(.*?)</{tag}>", re.DOTALL) for tag in ("TOPICS", "PEOPLE", "ORGS", "PLACES")}
_TOPIC = re.compile(r"<D>(.*?)</D>", re.DOTALL)
# Organisations' codes of up to this many letters are acronyms ("opec", "oecd"); places' of up to this many ("usa").
ORG_ACRONYM_LETTERS = 5
PLACE_ACRONYM_LETTERS = 3
# An element opened more often than closed means the story is damaged: better skipped than half-read.
_PAIRED_TAGS = tuple(
    (tag, re.compile(rf"<{tag}[\s>]"), f"</{tag}>") for tag in ("TEXT", "TITLE", "BODY", "DATE", "AUTHOR", "TOPICS")
)
_ANY_TAG = re.compile(r"<[^>]*>")
_CONTROL_REF = re.compile(r"&#(?:[0-8]|1[1-9]|2\d|3[01]|127);")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TYPED_CR = re.compile(r"\^M$", re.MULTILINE)
# The sign-off stands on a line of its own or after the end of a sentence; "REUTER" in capitals may follow
# anything (a table row), as it is never prose.
_SIGN_OFF = re.compile(r"(?:(?:\A|\n|(?<=[.!?\"')\]])[ \t])[ \t]*(?i:reuters?)|[ \t]+REUTER)(?:\.\.\.|\^M)*[ \t]*\Z")
_SIGN_OFF_REACH = 40
_BYLINE_AGENCY = re.compile(r"\s*,\s*reuter.*$|\s+reuters\b.*$", re.IGNORECASE)


def parse(path: Path, source: str) -> Iterator[ParseItem]:
    """Parse a Reuters-21578 SGML file: one article per story; a damaged story is skipped and named."""
    data = path.read_bytes()
    if looks_binary(data):
        yield Skipped(str(path), "", BINARY_REASON)
        return
    text = data.decode("latin-1").replace("\r\n", "\n")  # latin-1 maps every byte: offsets are byte offsets
    if not text.strip():
        yield Skipped(str(path), "", EMPTY_REASON)
        return
    starts = [match.start() for match in _STORY_START.finditer(text)]
    if not starts:
        yield Skipped(str(path), "", "no <REUTERS> stories in the file")
        return
    for index, start in enumerate(starts):
        limit = starts[index + 1] if index + 1 < len(starts) else len(text)
        end = text.find(_STORY_END, start, limit)
        yield from _story(text[start : limit if end == -1 else end], end != -1, str(path), start)


def _story(chunk: str, closed: bool, path: str, offset: int) -> Iterator[ParseItem]:
    """Turn one story's SGML into an Article (and a notice for a bad date), or a Skipped saying what is wrong."""
    tag_end = chunk.find(">")
    attributes = dict(_ATTRIBUTE.findall(chunk[: tag_end if tag_end != -1 else len(chunk)]))
    newid = attributes.get("NEWID", "").strip()
    where = f"story NEWID={newid}" if newid else f"offset {offset}"
    problem = _damage(chunk, closed, tag_end, newid)
    if problem:
        yield Skipped(path, where, problem)
        return
    notices: list[Notice] = []
    try:
        date = read_date(_inner(chunk, "DATE"))
    except ValueError as err:
        date = None
        notices.append(Notice(path, where, f"date left out: {err}"))
    headline, body = _headline_and_body(chunk)
    yield Article(
        id=ID_PREFIX + newid,
        headline=headline,
        body=body,
        author=_authors(_inner(chunk, "AUTHOR")),
        date=date,
        topic=_topics(chunk),
        source=SOURCE,
        url="",
        people=_names(chunk, "PEOPLE", "person"),
        orgs=_names(chunk, "ORGS", "org"),
        places=_names(chunk, "PLACES", "place"),
    )
    yield from notices


def _damage(chunk: str, closed: bool, tag_end: int, newid: str) -> str:
    """Say what makes a story unreadable, or return "" for a sound one."""
    if tag_end == -1:
        return "story cut off inside its <REUTERS> tag"
    if not closed:
        return "story cut off: no closing </REUTERS> tag"
    if not newid:
        return "story has no NEWID attribute"
    for tag, opening, closing in _PAIRED_TAGS:
        if len(opening.findall(chunk)) != chunk.count(closing):
            return f"malformed story: <{tag}> is not closed"
    return ""


def _inner(chunk: str, tag: str) -> str:
    match = _ELEMENTS[tag].search(chunk)
    return match.group(1) if match else ""


def _unescape(raw: str) -> str:
    return _CONTROL.sub(" ", html.unescape(_CONTROL_REF.sub(" ", raw)))


def _headline_and_body(chunk: str) -> tuple[str, str]:
    """Headline and body by story type; a story without either is named by its first words."""
    text = _TEXT.search(chunk)
    if text and 'TYPE="UNPROC"' in text.group(1):
        lines = _unescape(text.group(2)).split("\n")
        first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
        headline = tidy_line(lines[first]) if first < len(lines) else ""
        body = _tidy_body("\n".join(lines[first + 1 :]))
    else:
        headline = tidy_line(_unescape(_inner(chunk, "TITLE")))
        body = _tidy_body(_unescape(_inner(chunk, "BODY")))  # a BRIEF has no BODY element: body ""
    if not headline:
        headline = first_words(body or _unescape(_ANY_TAG.sub(" ", text.group(2) if text else "")))
    return headline, body


def _tidy_body(text: str) -> str:
    """Cut line-end spaces, typed-out carriage returns, blank edges and the "Reuter" sign-off."""
    lines = [line.rstrip() for line in _TYPED_CR.sub("", text).split("\n")]
    body = "\n".join(lines).strip("\n")
    # Some stories were signed off twice ("... he said. REUTER\n Reuter"). Searching only the tail keeps the
    # end-anchored pattern from being tried at every position of a long body.
    while match := _SIGN_OFF.search(body, max(0, len(body) - _SIGN_OFF_REACH)):
        body = body[: match.start()].rstrip()
    return body


def _authors(raw: str) -> tuple[str, ...]:
    """Names from a byline, without "By" and the agency ("By JEFF STEARNS, REUTERS" -> "Jeff Stearns")."""
    byline = _BYLINE_AGENCY.sub("", tidy_line(_unescape(raw)))
    return clean_values(_name_case(name) for name in split_names(byline))


def _name_case(name: str) -> str:
    """Title-case a name typed in capitals ("TED d'AFFLISIO") or in lower case; leave "McCune" alone."""
    letters = [char for char in name if char.isalpha()]
    capitals = sum(char.isupper() for char in letters)
    return name.title() if capitals >= 0.8 * len(letters) or capitals == 0 else name


def _topics(chunk: str) -> tuple[str, ...]:
    return clean_values(_codes(chunk, "TOPICS"))


def _codes(chunk: str, tag: str) -> list[str]:
    """Return the <D> codes of a list element (TOPICS, PEOPLE, ORGS, PLACES), tidied; none when it is absent."""
    found = _LISTS[tag].search(chunk)
    if not found:
        return []
    return [tidy_line(_unescape(code)) for code in _TOPIC.findall(found.group(1))]


def _names(chunk: str, tag: str, kind: str) -> tuple[str, ...]:
    return clean_values(readable_code(code, kind) for code in _codes(chunk, tag))


def readable_code(code: str, kind: str) -> str:
    """Return a Reuters code as a name: "james-baker" -> "James Baker", "opec" -> "OPEC", "usa" -> "USA".

    kind is "person", "org" or "place" (see the module's docstring for the rule).
    """
    words = [word for word in code.replace("-", " ").split() if word]
    if not words:
        return ""
    first = words[0]
    if kind == "org":
        acronym = len(first) <= ORG_ACRONYM_LETTERS
    else:
        acronym = kind == "place" and len(code) <= PLACE_ACRONYM_LETTERS
    if acronym:
        return " ".join([first.upper()] + [word.capitalize() for word in words[1:]])
    return " ".join(word.capitalize() for word in words)


def sniff(head: bytes) -> bool:
    """Recognise Reuters-21578 SGML by its document type or a <REUTERS> tag in the first bytes."""
    text = sniff_text(head)
    return text is not None and ("<!DOCTYPE lewis" in text or bool(_STORY_START.search(text)))
