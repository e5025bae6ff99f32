"""Where things are, and the figures that shape a generated archive (tuned against Reuters-21578)."""

from __future__ import annotations

import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (this file is bench/corpus/settings.py)
REUTERS_SGM = ROOT.parent / "shared" / "data" / "reuters21578" / "sgm-data"
DATA = ROOT / "bench" / "data"
DEFAULT_SEED = 1
CHUNK = 1000  # articles per unit of work; part of the format: changing it changes every corpus

# --- what the archive looks like (each figure is a guess at a real archive, tuned against Reuters) ---
MIN_UNITS, MAX_UNITS = 3, 12  # sentences (or earnings tables) per body
KEEP_TEMPLATE = 0.6  # chance that each later sentence of the template story is kept rather than replaced
OFF_TOPIC = 0.15  # chance that a replacement sentence comes from any story rather than one of the topic
ATTRIBUTION = 0.5  # chance of one added "X, chief executive of Y, said ..." sentence
MAX_ENTITIES = 12  # distinct people (or companies, or places) a story can have
RARE_DF = 40  # names in fewer Reuters stories than this are replaced; famous ones (Reagan, Texaco) stay
COMMON_DF = 150  # "American" in a replaced "American Capital Inc" stays "American" elsewhere in the story
HEADLINE_STYLES = (("upper", 0.4), ("sentence", 0.35), ("title", 0.25))
AUTHOR_COUNTS = ((0, 0.75), (1, 0.2), (2, 0.05))
REPORTERS, GIVEN_NAMES, SOURCES = 3000, 2000, 40
NULL_DATE, WITH_URL = 0.01, 0.5
FIRST_YEAR, LAST_YEAR, GROWTH = 1980, 2025, math.log(10) / 45  # ten times as many articles a year by 2025
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 9, 8, 8, 7, 6, 5, 4, 3, 2, 1)
_HOURS = tuple(enumerate(HOUR_WEIGHTS))
# Popularity of synthetic names: P(rank > k) = (1 + k/q) ** -alpha. The distinct names in D mentions grow
# like D ** (1 / (1 + alpha)): this is where the vocabulary growth comes from.
PERSON_TAIL, COMPANY_TAIL, PLACE_TAIL = (1000.0, 0.65), (1000.0, 0.65), (20.0, 0.9)
RANK_CAP = 1 << 40
