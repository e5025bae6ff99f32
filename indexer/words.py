"""What a word is, for every engine: the token pattern, dotted acronyms and our stop list."""

from __future__ import annotations

import re

# Acronyms written with dots ("U.S.", "U.K.", "U.S.A.") stay one token; other words may hold inner dots or
# apostrophes ("3.5", "example.com", "o'neill").
TOKEN_PATTERN = r"(?:[^\W\d_]\.){2,}|\w+(?:[.'’]\w+)*"
# The token pattern as a writer scans a whole text with it: the same matches (tests/test_analysis.py compares them),
# a fifth faster, as a word's first character is read once rather than once for each alternative.
TOKENS = re.compile(r"\w(?:(?<=[^\W\d_])\.(?:[^\W\d_]\.)+|\w*(?:[.'’]\w+)*)")
ACRONYM = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]?\.?$")

# Our own short list of function words. News words stay searchable on purpose: "us" (U.S.), "may" (the month,
# Theresa May), "new", "state", "will", "not", "no", "who" (WHO) are never dropped.
STOP_WORDS = frozenset(
    """a an and are as at be been but by for from had has have he her his i if in into is it its of on or
    she such that the their then there these they this those to was were which with""".split()
)
