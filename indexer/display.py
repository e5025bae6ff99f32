"""What every engine and front end show the same way: the headline of an article without one, the lead of a text,
how far a story went."""

from __future__ import annotations

from .records import Article
from .results import StoryRef

LEAD_CHARS = 240
HEADLINE_LEAD_CHARS = 80
ELLIPSIS = "…"


def display_headline(article: Article) -> str:
    """Return the headline to show: the article's own, else the first words of its body (not indexed as one)."""
    return article.headline or lead(article.body, HEADLINE_LEAD_CHARS)


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    """Return the start of a text, cut at a word boundary, with an ellipsis when shortened."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + ELLIPSIS


def also_ran(story: StoryRef) -> str:
    """Return how far a story went: "Also ran in 3 outlets (5 versions)", "2 versions", or "" for one article."""
    if story.size <= 1:
        return ""
    versions = f"{story.size} versions"
    if story.outlets > 1:
        return f"Also ran in {story.outlets} outlets ({versions})"
    return versions
