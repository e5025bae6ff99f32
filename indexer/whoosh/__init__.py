"""The Whoosh engine behind newsarchive's SearchBackend: the embedded default (NEWSARCHIVE_BACKEND=whoosh).

analysis (NLTK Snowball in a Whoosh chain), schema, storage, query and proximity (the query language), scoring
(BM25F over numpy arrays), facets and postings (per-segment caches), limits, highlight, spelling, merging, check;
backend.py puts them together as WhooshBackend.
"""

from __future__ import annotations

from .backend import WhooshBackend

__all__ = ["WhooshBackend"]
