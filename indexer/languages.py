"""Languages, declared once: ISO 639-1 codes and names, the stated ones normalised, and detection of the rest.

An article's language is the one its record states (a JSON or CSV field, `<html lang>`, a feed's `<language>`,
normalised here: "fr-FR" -> "fr"), else the one py3langid (pinned; its model ships in the package, nothing is
downloaded) finds in its headline and text when confident, else the archive's default (NEWSARCHIVE_LANGUAGE,
English). Indexing runs detect (indexer/build.py); the engines stem each language with NLTK's Snowball stemmer
for it, and leave the words of other languages unstemmed (indexer/whoosh/analysis.py). See docs/search.md.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import numpy as np

from .settings import LANGUAGE, SettingError, read_settings

# What text is when it says nothing else, and what the articles of indexes built before languages were analysed as.
ENGLISH = "en"

# The languages named on the page (facet values, filters): ISO 639-1 code -> English name. Others show their code.
NAMES = {
    "ar": "Arabic", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "ga": "Irish", "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "lt": "Lithuanian", "lv": "Latvian", "ms": "Malay", "mt": "Maltese", "nl": "Dutch", "no": "Norwegian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian",
    "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "th": "Thai", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}
# The languages NLTK's Snowball stemmers know (SnowballStemmer.languages, less "porter": English's older
# algorithm): code -> NLTK's name. Text in any other language is indexed unstemmed.
SNOWBALL = {
    "ar": "arabic", "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sv": "swedish",
}
# Other ways records name a language: ISO 639-2 (bibliographic and terminology) codes and a few old or variant
# codes; English names are matched too (NAMES).
ALIASES = {
    "ara": "ar", "cat": "ca", "ces": "cs", "cze": "cs", "dan": "da", "deu": "de", "ger": "de", "ell": "el",
    "gre": "el", "eng": "en", "spa": "es", "fin": "fi", "fra": "fr", "fre": "fr", "heb": "he", "iw": "he",
    "hun": "hu", "ita": "it", "jpn": "ja", "kor": "ko", "nld": "nl", "dut": "nl", "nor": "no", "nb": "no",
    "nn": "no", "nob": "no", "nno": "no", "pol": "pl", "por": "pt", "ron": "ro", "rum": "ro", "rus": "ru",
    "swe": "sv", "tur": "tr", "ukr": "uk", "zho": "zh", "chi": "zh", "in": "id", "ind": "id",
}
_BY_NAME = {name.casefold(): code for code, name in NAMES.items()}
# A language tag: a code, then a region or script ("fr-FR", "pt_BR", "zh-Hans", "en-GB-oxendict").
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_CODE = re.compile(r"[a-z]{2,3}")

# Detection: py3langid's calibrated probability of its best language must reach this, over at least this many
# letters of headline and text (a title-only brief is too short to tell), reading at most DETECT_CHARS of them.
# On Reuters-21578 (all English) no article reaches it in another language (docs/search.md, "Languages").
DETECT_CONFIDENCE = 0.9
DETECT_MIN_LETTERS = 40
DETECT_CHARS = 400
DETECT_BATCH = 512  # texts walked at once (memory: about 10 KB a text)
# What py3langid says of text in no language (tables of figures) or of none it knows: no detection.
_NO_LANGUAGE = frozenset(("zxx", "und"))


def normalise_language(value: object) -> str:
    """Return the ISO 639-1 code a record's language names ("fr-FR", "fre", "French" -> "fr"), or "" for none."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    named = _BY_NAME.get(text.casefold())
    if named:
        return named
    tag = _TAG.fullmatch(text)
    if tag is None:
        return ""
    code = tag.group(1).lower()
    code = ALIASES.get(code, code)
    return code if len(code) == 2 else ""


def language_name(code: str) -> str:
    """Return a language's English name ("French" for fr), or its code when the table has none."""
    return NAMES.get(code, code)


def is_code(text: str) -> bool:
    """Return whether text has the shape of a language code (two or three lowercase letters)."""
    return _CODE.fullmatch(text) is not None


def default_language(environ: Any = None) -> str:
    """Return the archive's default language (NEWSARCHIVE_LANGUAGE), or raise SettingError for one unknown."""
    raw = str(read_settings((LANGUAGE,), environ)["LANGUAGE"])
    code = normalise_language(raw)
    if not code:
        raise SettingError(f"{LANGUAGE.env} must be a language code such as en, fr or de, not {raw!r}")
    return code


class Detector:
    """py3langid's identifier, loaded on first use (a second, once per process) and shared by threads.

    `detect_many` walks py3langid's byte automaton over a whole batch of texts at once, one numpy step per byte
    position (py3langid steps one text a byte at a time in Python), and scores each text exactly as py3langid's
    `classify` does, from the same features in the same order with its float16 table widened once to float32 (the
    widening is exact): the same languages and confidences (tests/test_languages.py compares them text by text),
    75 µs a Reuters article against 190 µs. It reads the model's arrays and `_encode` of py3langid 0.4.0 (pinned).
    """

    def __init__(self) -> None:
        self._model: _Model | None = None
        self._lock = threading.Lock()
        self._preloading = False

    def preload(self) -> None:
        """Start loading the model in a thread of its own, for a caller that will detect soon (an indexing run, at
        its first article without a language): its 0.6 s are mostly LZMA decompression, which gives up the GIL, so
        they pass beside the caller's reading instead of before its first detection. Whoever detects first waits
        for the loading; a loading that failed is tried again, and its error raised, there."""
        if self._model is not None or self._preloading:  # asked for each article: no lock when nothing to do
            return
        with self._lock:
            if self._model is not None or self._preloading:
                return
            self._preloading = True
        threading.Thread(target=self._preloaded, name="language-model", daemon=True).start()

    def _preloaded(self) -> None:
        with suppress(Exception):  # raised to whoever detects
            self._loaded()

    def _loaded(self) -> _Model:
        with self._lock:
            if self._model is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                self._model = _Model(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
            return self._model

    def detect(self, text: str) -> str:
        """Return the language of a text when detection is confident, else "" (too short, mixed, or no words)."""
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str]) -> list[str]:
        """Return `detect` of each text, in order."""
        found = [""] * len(texts)
        samples = [(i, sample) for i, sample in enumerate(text[:DETECT_CHARS] for text in texts)
                   if sum(map(str.isalpha, sample)) >= DETECT_MIN_LETTERS]
        if not samples:
            return found
        model = self._loaded()
        for start in range(0, len(samples), DETECT_BATCH):
            chunk = samples[start:start + DETECT_BATCH]
            for (i, _), (code, confidence) in zip(chunk, model.classify([s for _, s in chunk]), strict=True):
                if confidence >= DETECT_CONFIDENCE and code not in _NO_LANGUAGE:
                    found[i] = normalise_language(code)
        return found


class _Model:
    """py3langid's model as numpy arrays, and its classification of many texts at once."""

    def __init__(self, identifier: Any) -> None:
        self.identifier = identifier
        self.next_move = np.frombuffer(identifier.tk_nextmove, dtype=f"u{identifier.tk_nextmove.itemsize}")
        self.row_base = np.asarray(identifier.tk_row, dtype=np.int64) << 8
        self.output = np.asarray(identifier.tk_output, dtype=np.int64)
        self.features = len(identifier.nb_ptc)
        self.table = np.asarray(identifier.nb_ptc, dtype=np.float32)

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        """Return py3langid's classify (language, confidence) of each text."""
        encoded = [self.identifier._encode(text) for text in texts]
        owners, features, counts = self._visits(encoded)
        bounds = np.searchsorted(owners, np.arange(len(texts) + 1))
        return [self._decide(features[bounds[n]:bounds[n + 1]], counts[bounds[n]:bounds[n + 1]], len(data))
                for n, data in enumerate(encoded)]

    def _visits(self, encoded: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Walk the automaton over every text at once; return, text by text, each feature it visits (in the order
        first visited, as py3langid's Counter keeps them) with how often: (text, feature, count) arrays."""
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        order = np.argsort(-lengths, kind="stable")  # longest first: the texts still being read are a prefix
        width = int(lengths.max(initial=0))
        data = np.zeros((len(encoded), width), dtype=np.uint8)
        for row, n in enumerate(order.tolist()):
            data[row, :lengths[n]] = np.frombuffer(encoded[n], dtype=np.uint8)
        steps = data.T.copy()
        reading = np.searchsorted(-lengths[order], -np.arange(width), side="left")  # texts longer than each position
        visited = np.full((width, len(encoded)), -1, dtype=np.int64)
        state = np.zeros(len(encoded), dtype=np.int64)
        for position in range(width):
            n = reading[position]
            state[:n] = self.next_move[self.row_base[state[:n]] + steps[position, :n]]
            visited[position, :n] = self.output[state[:n]]
        rows, positions = np.nonzero(visited.T >= 0)  # text by text, in reading order
        texts = order[rows]
        found = visited[positions, rows]
        by_text = np.argsort(texts, kind="stable")
        texts, found = texts[by_text], found[by_text]
        keys = texts * self.features + found
        grouped = np.argsort(keys, kind="stable")
        starts = np.flatnonzero(np.diff(keys[grouped], prepend=-1))
        firsts = grouped[starts]
        sizes = np.diff(np.append(starts, len(keys)))
        first_order = np.argsort(firsts, kind="stable")
        firsts = firsts[first_order]
        return texts[firsts], found[firsts], sizes[first_order].astype(np.float32)

    def _decide(self, features: np.ndarray, counts: np.ndarray, size: int) -> tuple[str, float]:
        # py3langid's LanguageIdentifier._raw_score, _decide and classify, with norm_probs.
        identifier = self.identifier
        if len(features):
            scores = np.log1p(counts) @ self.table[features] + identifier.nb_pc
        else:
            scores = np.full(len(identifier.nb_classes), 0.0, dtype=np.float32)
        scores *= 1.0 / math.sqrt(size or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        for i, j in identifier._alias_pairs:
            scores[i] += scores[j]
            scores[j] = 0.0
        best = int(scores.argmax())
        return identifier.nb_classes[best], float(scores[best])


DETECTOR = Detector()


def detect_language(headline: str, body: str) -> str:
    """Return the language of an article's headline and text when confidently detected, else ""."""
    return DETECTOR.detect(sample(headline, body))


def preload_languages() -> None:
    """Start loading the language model in the background (Detector.preload)."""
    DETECTOR.preload()


def detect_languages(texts: Sequence[tuple[str, str]]) -> list[str]:
    """Return detect_language of each (headline, body), in order: an indexing run's batch at once."""
    return DETECTOR.detect_many([sample(headline, body) for headline, body in texts])


def sample(headline: str, body: str) -> str:
    """Return what detection reads of an article: the start of its headline and body."""
    return (f"{headline}\n{body}" if headline else body)[:DETECT_CHARS]
