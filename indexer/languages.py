"""Languages, declared once: ISO 639-1 codes and names, the stated ones normalised, and detection of the rest.

An article's language is the one its record states (a JSON or CSV field, `<html lang>`, a feed's `<language>`,
normalised here: "fr-FR" -> "fr"), else the one py3langid (pinned; its model ships in the package, nothing is
downloaded) finds in its headline and text when confident, else the archive's default (NEWSARCHIVE_LANGUAGE,
English). Indexing runs detect (indexer/build.py); the engines stem each language with NLTK's Snowball stemmer
for it, and leave the words of other languages unstemmed (indexer/whoosh/analysis.py). See docs/search.md.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

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
PARALLEL_DETECT_MIN = 500  # articles in a batch: fewer are detected in the run's own process
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
    """py3langid's identifier, loaded on first use (a second, once per process) and shared by threads."""

    def __init__(self) -> None:
        self._identifier: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            return self._identifier

    def detect(self, text: str) -> str:
        """Return the language of a text when detection is confident, else "" (too short, mixed, or no words)."""
        sample = text[:DETECT_CHARS]
        if sum(map(str.isalpha, sample)) < DETECT_MIN_LETTERS:
            return ""
        code, confidence = self._loaded().classify(sample)
        if confidence < DETECT_CONFIDENCE or code in _NO_LANGUAGE:
            return ""
        return normalise_language(code)


DETECTOR = Detector()


def detect_language(headline: str, body: str) -> str:
    """Return the language of an article's headline and text when confidently detected, else ""."""
    return DETECTOR.detect(_sample(headline, body))


def _sample(headline: str, body: str) -> str:
    return (f"{headline}\n{body}" if headline else body)[:DETECT_CHARS]


def _detect_sample(sample: str) -> str:
    return DETECTOR.detect(sample)


class Detectors:
    """Language detection spread over `procs` processes for a batch of PARALLEL_DETECT_MIN articles or more: an
    indexing run detects a batch's languages before its commit, while the writer's processes wait."""

    def __init__(self, procs: int) -> None:
        self.procs = procs
        self._pool: ProcessPoolExecutor | None = None

    def detect(self, texts: list[tuple[str, str]]) -> list[str]:
        """Return detect_language of each (headline, body), in order."""
        samples = [_sample(headline, body) for headline, body in texts]
        if self.procs < 2 or len(samples) < PARALLEL_DETECT_MIN:
            return [DETECTOR.detect(sample) for sample in samples]
        if self._pool is None:
            from .processes import exit_with_run, worker_context

            self._pool = ProcessPoolExecutor(self.procs, mp_context=worker_context(), initializer=exit_with_run)
        return list(self._pool.map(_detect_sample, samples, chunksize=max(1, len(samples) // (4 * self.procs))))

    def close(self) -> None:
        """Stop the processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
