"""The files an indexing run reads (those under the paths it is given, less the index's own), and what a file's
folder gives its articles when the run is asked to (`--folder-as topic|source`: indexer/build.py)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from .parsers import iter_files
from .records import Article

# The fields `--folder-as` may fill with the name of a file's folder.
FOLDER_FIELDS = ("topic", "source")


def source_files(paths: Iterable[Path], index_dir: Path) -> Iterator[Path]:
    """Yield the files an indexing run reads: those under the paths, less the index's own (if it lies among them)."""
    inside_index = str(index_dir.resolve()) + os.sep
    for path in iter_files(paths):
        try:
            inside = str(path.resolve()).startswith(inside_index)
        except (OSError, RuntimeError):  # a symlink loop: read_file reports it
            inside = False
        if not inside:
            yield path


def count_files(paths: Iterable[Path], index_dir: Path) -> int:
    """Return how many files an indexing run over these paths will look at (for a progress bar)."""
    return sum(1 for _ in source_files(paths, index_dir))


def folder_name(path: Path) -> str:
    """Return the name of the folder a file was found in (not a symlink's target's), as text (U+FFFD for bad bytes)."""
    name = path.parent.name or path.resolve().parent.name  # "" for a file found walking "."
    return os.fsencode(name).decode("utf-8", "replace")


def with_folder(article: Article, field: str | None, folder: str) -> Article:
    """Return the article with its folder's name as topic or source, if the file gave it none."""
    if field == "topic" and not article.topic:
        return replace(article, topic=(folder,))
    if field == "source" and not article.source:
        return replace(article, source=folder)
    return article
