"""Highlighted snippets: article text HTML-escaped, the words that matched in <mark>, nothing else."""

from __future__ import annotations

import html
import re
from typing import Any

from whoosh import highlight

from ..display import ELLIPSIS, lead

SNIPPET_CHARS = 220
_SPACES = re.compile(r"\s+")
MAX_JOINED_GAP = 40


class MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    """Format fragments as escaped text on one line, each match in a bare <mark>, gaps shown as an ellipsis."""

    def _text(self, text: str) -> str:
        return html.escape(_SPACES.sub(" ", text))

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"

    def format(self, fragments: list[Any], replace: bool = False) -> str:
        if not fragments:
            return ""
        fragments = sorted(fragments, key=lambda f: f.startchar)
        text = fragments[0].text
        out = [ELLIPSIS if fragments[0].startchar > 0 else ""]
        for previous, fragment in zip([None, *fragments], fragments, strict=False):
            if previous is not None:
                gap = text[previous.endchar : fragment.startchar]
                # Two passages a few words apart read better joined than cut by an ellipsis.
                out.append(self._text(gap) if len(gap) <= MAX_JOINED_GAP else f" {ELLIPSIS} ")
            out.append(self.format_fragment(fragment, replace=replace).strip())
        out.append(ELLIPSIS if any(c.isalnum() for c in text[fragments[-1].endchar :]) else "")
        return "".join(out)


def snippet(text: str, terms: frozenset[str], analyzer: Any) -> str:
    """Return the best passages of a text around the matched terms, or its escaped lead when none matched."""
    if terms and text:
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        found = highlight.highlight(text, terms, analyzer, fragmenter, MarkFormatter(), top=2)
        if found:
            return str(found)
    return html.escape(lead(text))


def mark_all(text: str, terms: frozenset[str], analyzer: Any) -> str:
    """Return a whole text escaped, with every matched term in <mark> (for an article page)."""
    if not terms or not text:
        return html.escape(text)
    fragmenter = highlight.WholeFragmenter(charlimit=None)
    marked = highlight.highlight(text, terms, analyzer, fragmenter, MarkFormatter(), top=1, minscore=0)
    return str(marked) if marked else html.escape(text)
