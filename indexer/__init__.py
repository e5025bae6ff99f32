"""newsarchive's search library: parse articles, build a Whoosh index, search it.

Everything that knows Whoosh or NLTK lives in this package; it never imports Flask.
"""

from __future__ import annotations

__version__ = "0.1.0"
