"""Seeded, deterministic generator of large synthetic news archives (JSON Lines) built from the Reuters pool.

Usage: python -m bench.corpus --n 100000 [--seed 1] [--out bench/data/corpus-100k.jsonl] [--procs 2]
From code: ensure_corpus(100_000, seed=1, folder=DATA) returns bench/data/corpus-100k.jsonl, made if missing.

Each article is a Reuters-21578 story rewritten: its lead and headline with every rare name swapped for a
synthetic one, then sentences kept from the story or drawn from other stories of its topics, to about the
story's length. Synthetic people, companies and places are made of syllables and drawn with Zipf-Mandelbrot
popularity from an unbounded pool, so the number of distinct words keeps growing with the archive as Heaps' law
says (about 315,000 words at a million articles, where Reuters' own curve predicts 305,000) instead of stopping
at Reuters' 43,000. Reuters is read at run time from ../shared/data (research-only licence: never copied into
the repo). Chunk k of a corpus depends only on (seed, k): the same (n, seed) gives the same bytes with any
number of processes, and a smaller corpus is a prefix of a larger one with the same seed.

The modules, in the order the data flows:
  settings.py    paths, and the figures that shape an archive (sentences per story, dates, name popularity)
  templates.py   Reuters text -> str.format templates: rare names become slots, headlines get three casings
  pool.py        reading Reuters into the Pool of Story templates (once per process)
  names.py       synthetic people, companies, places, reporters and outlets, from (seed, kind, rank)
  articles.py    one article: a story template filled with names, sentences kept or replaced, date, authors
  writing.py     generate(): chunks in order (in worker processes when large), written atomically; ensure_corpus()
  vocabulary.py  distinct words against tokens, in a corpus or in Reuters, and Heaps' law fits
  cli.py         the command line (python -m bench.corpus)
"""

from __future__ import annotations

from .cli import main
from .names import source_names
from .pool import Pool, Story, load_pool
from .settings import CHUNK, DATA, DEFAULT_SEED, REUTERS_SGM
from .vocabulary import VocabularyPoint, heaps_fit, reuters_vocabulary, vocabulary_size
from .writing import GenerationReport, corpus_name, ensure_corpus, generate

__all__ = [
    "CHUNK",
    "DATA",
    "DEFAULT_SEED",
    "REUTERS_SGM",
    "GenerationReport",
    "Pool",
    "Story",
    "VocabularyPoint",
    "corpus_name",
    "ensure_corpus",
    "generate",
    "heaps_fit",
    "load_pool",
    "main",
    "reuters_vocabulary",
    "source_names",
    "vocabulary_size",
]
